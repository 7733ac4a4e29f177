# convene: الإطار المشترك للموقع في كل الصفحات. العربية.
# تُرجمت هذه النصوص بعناية، ونرحّب بكل من يتحدث العربية لغةً أمًّا لمراجعتها وتحسينها
# (Native speakers are warmly invited to review it).

## التنقل

skip-to-content = انتقل إلى المحتوى
nav-main = القائمة الرئيسية
nav-home = الرئيسية
nav-groups = المجموعات
nav-calendar = التقويم
nav-blog = المدونة
nav-lists = القوائم البريدية
nav-stories = حكايات
nav-admin = الإدارة
nav-account = الحساب
nav-sign-in = تسجيل الدخول
nav-sign-out = تسجيل الخروج
nav-create-account = إنشاء حساب
language-picker = اختر اللغة
    .button = تغيير

## تذييل الصفحة

footer-powered = يعمل بنظام convene، وهو برنامج حر مرخّص بموجب AGPL.

## المجموعات واللقاءات

group-count =
    { $count ->
        [zero] لا توجد مجموعات
        [one] مجموعة واحدة
        [two] مجموعتان
        [few] { $count } مجموعات
        [many] { $count } مجموعة
       *[other] { $count } مجموعة
    }
upcoming-count =
    { $count ->
        [zero] لا توجد لقاءات قادمة
        [one] لقاء قادم واحد
        [two] لقاءان قادمان
        [few] { $count } لقاءات قادمة
        [many] { $count } لقاءً قادمًا
       *[other] { $count } لقاء قادم
    }
next-meeting = اللقاء القادم: { $date }
met-on = اجتمعت في { $date }
meets-in = تلتقي في { $city }
distance-away = على بُعد { $distance }
nothing-planned = لا شيء مخطط له بعد.
posted-by = نشره { $name } في { $date }

## الأخطاء

error-page-title = الخطأ { $status } على { $site }
error-back-home = العودة إلى الصفحة الرئيسية
error-find-group = ابحث عن مجموعة
error-see-what-is-on = اطّلع على ما هو قادم
error-sign-in-to-continue = سجّل الدخول للمتابعة
error-not-found = الصفحة غير موجودة
    .detail = لم نعثر على هذه الصفحة. ربما كُتب الرابط بشكل خاطئ، أو نُقلت الصفحة إلى مكان آخر.
error-forbidden = غير مسموح
    .detail = ليست لديك صلاحية للقيام بذلك.
error-not-signed-in = يُرجى تسجيل الدخول
    .detail = عليك تسجيل الدخول لعرض هذه الصفحة.
error-link-spent = استُخدم هذا الرابط من قبل
    .detail = استُخدم هذا الرابط من قبل أو انتهت صلاحيته. اطلب رابطًا جديدًا.
error-rate-limited = محاولات كثيرة جدًا
    .detail =
        { $seconds ->
            [one] يُرجى الانتظار ثانية واحدة ثم المحاولة مرة أخرى.
            [two] يُرجى الانتظار ثانيتين ثم المحاولة مرة أخرى.
            [few] يُرجى الانتظار { $seconds } ثوانٍ ثم المحاولة مرة أخرى.
           *[other] يُرجى الانتظار { $seconds } ثانية ثم المحاولة مرة أخرى.
        }
error-internal = حدث خطأ ما
    .detail = حدث خطأ ما من جهتنا، وقد سُجّل. يُرجى المحاولة مرة أخرى بعد قليل.
