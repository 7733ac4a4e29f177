# convene: der gemeinsame Rahmen der Website, auf jeder Seite. Deutsch.
# Mit Sorgfalt übersetzt; Muttersprachlerinnen und Muttersprachler sind herzlich
# eingeladen, die Übersetzung zu prüfen und zu verbessern (Native speakers are warmly invited to review it).

## Navigation

skip-to-content = Zum Inhalt springen
nav-main = Hauptmenü
nav-home = Startseite
nav-groups = Gruppen
nav-calendar = Kalender
nav-blog = Blog
nav-lists = Listen
nav-stories = Geschichten
nav-admin = Verwaltung
nav-account = Konto
nav-sign-in = Anmelden
nav-sign-out = Abmelden
nav-create-account = Konto erstellen
language-picker = Sprache wählen
    .button = Wechseln

## Fußzeile

footer-powered = Betrieben mit convene, freie Software unter der AGPL.

## Gruppen und Treffen

group-count =
    { $count ->
        [one] { $count } Gruppe
       *[other] { $count } Gruppen
    }
upcoming-count =
    { $count ->
        [one] { $count } anstehendes Treffen
       *[other] { $count } anstehende Treffen
    }
next-meeting = Nächstes Treffen: { $date }
met-on = Treffen am { $date }
meets-in = Trifft sich in { $city }
distance-away = { $distance } entfernt
nothing-planned = Noch ist nichts geplant.
posted-by = Veröffentlicht von { $name } am { $date }

## Fehler

error-page-title = Fehler { $status } auf { $site }
error-back-home = Zurück zur Startseite
error-find-group = Eine Gruppe finden
error-see-what-is-on = Sehen, was los ist
error-sign-in-to-continue = Zum Fortfahren anmelden
error-not-found = Seite nicht gefunden
    .detail = Diese Seite haben wir nicht gefunden. Vielleicht ist der Link falsch geschrieben oder die Seite ist umgezogen.
error-forbidden = Nicht erlaubt
    .detail = Dazu hast du keine Berechtigung.
error-not-signed-in = Bitte melde dich an
    .detail = Um diese Seite zu sehen, musst du angemeldet sein.
error-link-spent = Dieser Link wurde schon benutzt
    .detail = Der Link wurde schon benutzt oder ist abgelaufen. Fordere einfach einen neuen an.
error-rate-limited = Zu viele Versuche
    .detail =
        { $seconds ->
            [one] Bitte warte { $seconds } Sekunde und versuche es dann noch einmal.
           *[other] Bitte warte { $seconds } Sekunden und versuche es dann noch einmal.
        }
error-internal = Etwas ist schiefgelaufen
    .detail = Bei uns ist etwas schiefgelaufen. Der Fehler wurde protokolliert; bitte versuche es gleich noch einmal.
