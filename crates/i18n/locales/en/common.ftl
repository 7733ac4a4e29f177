# convene: the site's chrome, shared by every page. English, the source language.
# Every other locale has exactly these message ids, using the same variables;
# `cargo run -p convene-i18n --bin check-locales` checks it.
# Native speakers are warmly invited to review and improve any translation.

## Navigation

skip-to-content = Skip to content
nav-main = Main
nav-home = Home
nav-groups = Groups
nav-calendar = Calendar
nav-blog = Blog
nav-lists = Lists
nav-stories = Stories
nav-admin = Admin
nav-account = Account
nav-sign-in = Sign in
nav-sign-out = Sign out
nav-create-account = Create an account
language-picker = Choose language
    .button = Change

## Footer

footer-powered = Powered by convene, free software under the AGPL.

## Groups and meetings

group-count =
    { $count ->
        [one] { $count } group
       *[other] { $count } groups
    }
upcoming-count =
    { $count ->
        [one] { $count } upcoming meeting
       *[other] { $count } upcoming meetings
    }
next-meeting = Next meeting { $date }
met-on = Met on { $date }
meets-in = Meets in { $city }
distance-away = { $distance } away
nothing-planned = Nothing is planned yet.
posted-by = Posted by { $name } on { $date }

## Errors

error-page-title = Error { $status } on { $site }
error-back-home = Back to the home page
error-find-group = Find a group
error-see-what-is-on = See what is on
error-sign-in-to-continue = Sign in to continue
error-not-found = Page not found
    .detail = We could not find that page. The link may be mistyped, or the page may have moved.
error-forbidden = Not allowed
    .detail = You do not have permission to do that.
error-not-signed-in = Please sign in
    .detail = You need to be signed in to see this page.
error-link-spent = This link has been used
    .detail = The link has been used already or has expired. Ask for a new one.
error-rate-limited = Too many attempts
    .detail =
        { $seconds ->
            [one] Please wait { $seconds } second and try again.
           *[other] Please wait { $seconds } seconds and try again.
        }
error-internal = Something went wrong
    .detail = Something went wrong on our side. It has been logged; please try again in a moment.
