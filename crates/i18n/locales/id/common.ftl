# convene: kerangka situs yang sama di setiap halaman. Bahasa Indonesia.
# Diterjemahkan dengan saksama; penutur asli sangat dipersilakan untuk meninjau dan
# memperbaikinya (Native speakers are warmly invited to review it).

## Navigasi

skip-to-content = Langsung ke konten
nav-main = Utama
nav-home = Beranda
nav-groups = Grup
nav-calendar = Kalender
nav-blog = Blog
nav-lists = Milis
nav-stories = Cerita
nav-admin = Admin
nav-account = Akun
nav-sign-in = Masuk
nav-sign-out = Keluar
nav-create-account = Buat akun
language-picker = Pilih bahasa
    .button = Ganti

## Kaki halaman

footer-powered = Didukung oleh convene, perangkat lunak bebas dengan lisensi AGPL.

## Grup dan pertemuan

group-count = { $count } grup
upcoming-count = { $count } pertemuan mendatang
next-meeting = Pertemuan berikutnya: { $date }
met-on = Bertemu pada { $date }
meets-in = Bertemu di { $city }
distance-away = { $distance } dari sini
nothing-planned = Belum ada rencana.
posted-by = Ditulis oleh { $name } pada { $date }

## Galat

error-page-title = Galat { $status } di { $site }
error-back-home = Kembali ke beranda
error-find-group = Cari grup
error-see-what-is-on = Lihat acara mendatang
error-sign-in-to-continue = Masuk untuk melanjutkan
error-not-found = Halaman tidak ditemukan
    .detail = Kami tidak menemukan halaman itu. Mungkin tautannya salah ketik, atau halamannya sudah pindah.
error-forbidden = Tidak diizinkan
    .detail = Anda tidak punya izin untuk melakukan itu.
error-not-signed-in = Silakan masuk
    .detail = Anda perlu masuk untuk melihat halaman ini.
error-link-spent = Tautan ini sudah dipakai
    .detail = Tautan ini sudah dipakai atau sudah kedaluwarsa. Mintalah tautan baru.
error-rate-limited = Terlalu banyak percobaan
    .detail = Tunggu { $seconds } detik, lalu coba lagi.
error-internal = Terjadi kesalahan
    .detail = Terjadi kesalahan di pihak kami. Kesalahan ini sudah dicatat; silakan coba lagi sebentar lagi.
