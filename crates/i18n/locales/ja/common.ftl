# convene：すべてのページに共通するサイトの枠組み。日本語。
# 心を込めて翻訳しました。ネイティブスピーカーの方によるレビューや改善を歓迎します
# (Native speakers are warmly invited to review it)。

## ナビゲーション

skip-to-content = 本文へ移動
nav-main = メイン
nav-home = ホーム
nav-groups = グループ
nav-calendar = カレンダー
nav-blog = ブログ
nav-lists = メーリングリスト
nav-stories = ストーリー
nav-admin = 管理
nav-account = アカウント
nav-sign-in = ログイン
nav-sign-out = ログアウト
nav-create-account = アカウントを作成
language-picker = 言語を選ぶ
    .button = 変更

## フッター

footer-powered = convene で運営しています。AGPL のもとで公開されている自由ソフトウェアです。

## グループとミートアップ

group-count = { $count } 件のグループ
upcoming-count = 今後のミートアップ { $count } 件
next-meeting = 次回のミートアップ：{ $date }
met-on = { $date } に開催
meets-in = 開催地：{ $city }
distance-away = ここから { $distance }
nothing-planned = まだ予定はありません。
posted-by = { $name } が { $date } に投稿

## エラー

error-page-title = { $site } のエラー { $status }
error-back-home = ホームページに戻る
error-find-group = グループを探す
error-see-what-is-on = 開催予定を見る
error-sign-in-to-continue = ログインして続ける
error-not-found = ページが見つかりません
    .detail = お探しのページが見つかりませんでした。リンクが間違っているか、ページが移動した可能性があります。
error-forbidden = この操作はできません
    .detail = この操作を行う権限がありません。
error-not-signed-in = ログインしてください
    .detail = このページを見るにはログインが必要です。
error-link-spent = このリンクはすでに使われています
    .detail = このリンクは使用済みか、有効期限が切れています。新しいリンクをリクエストしてください。
error-rate-limited = 試行回数が多すぎます
    .detail = { $seconds } 秒待ってから、もう一度お試しください。
error-internal = 問題が発生しました
    .detail = サーバー側で問題が発生しました。記録済みですので、しばらくしてからもう一度お試しください。
