# convene: साइट का साझा ढाँचा, जो हर पेज पर दिखता है। हिन्दी।
# यह अनुवाद ध्यान से किया गया है; हिन्दी भाषी साथियों का इसकी समीक्षा करने और इसे
# बेहतर बनाने के लिए हार्दिक स्वागत है (Native speakers are warmly invited to review it)।

## नेविगेशन

skip-to-content = मुख्य सामग्री पर जाएँ
nav-main = मुख्य
nav-home = होम
nav-groups = समूह
nav-calendar = कैलेंडर
nav-blog = ब्लॉग
nav-lists = मेलिंग सूचियाँ
nav-stories = कहानियाँ
nav-admin = प्रबंधन
nav-account = खाता
nav-sign-in = साइन इन करें
nav-sign-out = साइन आउट करें
nav-create-account = खाता बनाएँ
language-picker = भाषा चुनें
    .button = बदलें

## फ़ुटर

footer-powered = convene द्वारा संचालित, AGPL के तहत मुक्त सॉफ़्टवेयर।

## समूह और मुलाक़ातें

group-count = { $count } समूह
upcoming-count =
    { $count ->
        [one] { $count } आगामी मुलाक़ात
       *[other] { $count } आगामी मुलाक़ातें
    }
next-meeting = अगली मुलाक़ात: { $date }
met-on = { $date } को मिले
meets-in = { $city } में मिलते हैं
distance-away = { $distance } दूर
nothing-planned = अभी तक कुछ तय नहीं हुआ है।
posted-by = { $name } ने { $date } को पोस्ट किया

## त्रुटियाँ

error-page-title = { $site } पर त्रुटि { $status }
error-back-home = होम पेज पर लौटें
error-find-group = कोई समूह खोजें
error-see-what-is-on = देखें क्या हो रहा है
error-sign-in-to-continue = जारी रखने के लिए साइन इन करें
error-not-found = पेज नहीं मिला
    .detail = हमें यह पेज नहीं मिला। हो सकता है लिंक ग़लत लिखा हो, या पेज कहीं और चला गया हो।
error-forbidden = इसकी अनुमति नहीं है
    .detail = आपको ऐसा करने की अनुमति नहीं है।
error-not-signed-in = कृपया साइन इन करें
    .detail = यह पेज देखने के लिए साइन इन करना ज़रूरी है।
error-link-spent = यह लिंक पहले ही इस्तेमाल हो चुका है
    .detail = यह लिंक इस्तेमाल हो चुका है या इसकी समय-सीमा ख़त्म हो गई है। नया लिंक मँगाएँ।
error-rate-limited = बहुत ज़्यादा कोशिशें
    .detail = कृपया { $seconds } सेकंड रुकें और फिर से कोशिश करें।
error-internal = कुछ गड़बड़ हो गई
    .detail = हमारी तरफ़ से कुछ गड़बड़ हो गई। इसे दर्ज कर लिया गया है; कृपया थोड़ी देर में फिर से कोशिश करें।
