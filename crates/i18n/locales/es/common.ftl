# convene: la estructura común del sitio, compartida por todas las páginas. Español.
# Traducción hecha con cariño; las personas hablantes nativas están invitadas a
# revisarla y mejorarla (Native speakers are warmly invited to review it).

## Navegación

skip-to-content = Ir al contenido
nav-main = Principal
nav-home = Inicio
nav-groups = Grupos
nav-calendar = Calendario
nav-blog = Blog
nav-lists = Listas
nav-stories = Historias
nav-admin = Administración
nav-account = Cuenta
nav-sign-in = Iniciar sesión
nav-sign-out = Cerrar sesión
nav-create-account = Crear una cuenta
language-picker = Elegir idioma
    .button = Cambiar

## Pie de página

footer-powered = Funciona con convene, software libre bajo la licencia AGPL.

## Grupos y reuniones

group-count =
    { $count ->
        [one] { $count } grupo
       *[other] { $count } grupos
    }
upcoming-count =
    { $count ->
        [one] { $count } próxima reunión
       *[other] { $count } próximas reuniones
    }
next-meeting = Próxima reunión: { $date }
met-on = Se reunió el { $date }
meets-in = Se reúne en { $city }
distance-away = a { $distance }
nothing-planned = Todavía no hay nada planeado.
posted-by = Publicado por { $name } el { $date }

## Errores

error-page-title = Error { $status } en { $site }
error-back-home = Volver a la página de inicio
error-find-group = Buscar un grupo
error-see-what-is-on = Ver qué hay próximamente
error-sign-in-to-continue = Inicia sesión para continuar
error-not-found = Página no encontrada
    .detail = No encontramos esa página. Puede que el enlace esté mal escrito o que la página se haya movido.
error-forbidden = No permitido
    .detail = No tienes permiso para hacer eso.
error-not-signed-in = Inicia sesión, por favor
    .detail = Necesitas iniciar sesión para ver esta página.
error-link-spent = Este enlace ya se usó
    .detail = El enlace ya se utilizó o ha caducado. Pide uno nuevo.
error-rate-limited = Demasiados intentos
    .detail =
        { $seconds ->
            [one] Espera { $seconds } segundo y vuelve a intentarlo.
           *[other] Espera { $seconds } segundos y vuelve a intentarlo.
        }
error-internal = Algo salió mal
    .detail = Algo salió mal de nuestro lado. Ya quedó registrado; vuelve a intentarlo en un momento.
