# convene : l’habillage commun du site, partagé par toutes les pages. Français.
# Traduction faite avec soin ; les locutrices et locuteurs natifs sont chaleureusement
# invités à la relire et à l’améliorer (Native speakers are warmly invited to review it).

## Navigation

skip-to-content = Aller au contenu
nav-main = Principal
nav-home = Accueil
nav-groups = Groupes
nav-calendar = Agenda
nav-blog = Blog
nav-lists = Listes
nav-stories = Récits
nav-admin = Administration
nav-account = Compte
nav-sign-in = Se connecter
nav-sign-out = Se déconnecter
nav-create-account = Créer un compte
language-picker = Choisir la langue
    .button = Changer

## Pied de page

footer-powered = Propulsé par convene, logiciel libre sous licence AGPL.

## Groupes et rencontres

group-count =
    { $count ->
        [one] { $count } groupe
       *[other] { $count } groupes
    }
upcoming-count =
    { $count ->
        [one] { $count } rencontre à venir
       *[other] { $count } rencontres à venir
    }
next-meeting = Prochaine rencontre : { $date }
met-on = Rencontre du { $date }
meets-in = Se retrouve à { $city }
distance-away = à { $distance }
nothing-planned = Rien n’est encore prévu.
posted-by = Publié par { $name } le { $date }

## Erreurs

error-page-title = Erreur { $status } sur { $site }
error-back-home = Retour à l’accueil
error-find-group = Trouver un groupe
error-see-what-is-on = Voir ce qui se passe
error-sign-in-to-continue = Se connecter pour continuer
error-not-found = Page introuvable
    .detail = Nous n’avons pas trouvé cette page. Le lien est peut-être mal écrit, ou la page a déménagé.
error-forbidden = Action non autorisée
    .detail = Vous n’avez pas la permission de faire cela.
error-not-signed-in = Connectez-vous, s’il vous plaît
    .detail = Il faut être connecté pour voir cette page.
error-link-spent = Ce lien a déjà servi
    .detail = Ce lien a déjà été utilisé ou a expiré. Demandez-en un nouveau.
error-rate-limited = Trop de tentatives
    .detail =
        { $seconds ->
            [one] Patientez { $seconds } seconde, puis réessayez.
           *[other] Patientez { $seconds } secondes, puis réessayez.
        }
error-internal = Un problème est survenu
    .detail = Un problème est survenu de notre côté. Il a été consigné ; réessayez dans un instant.
