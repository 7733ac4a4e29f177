# convene: a estrutura comum do site, compartilhada por todas as páginas. Português do Brasil.
# Tradução feita com carinho; falantes nativos são muito bem-vindos para revisar e
# melhorar o texto (Native speakers are warmly invited to review it).

## Navegação

skip-to-content = Pular para o conteúdo
nav-main = Principal
nav-home = Início
nav-groups = Grupos
nav-calendar = Agenda
nav-blog = Blog
nav-lists = Listas
nav-stories = Histórias
nav-admin = Administração
nav-account = Conta
nav-sign-in = Entrar
nav-sign-out = Sair
nav-create-account = Criar uma conta
language-picker = Escolher idioma
    .button = Trocar

## Rodapé

footer-powered = Feito com convene, software livre sob a licença AGPL.

## Grupos e encontros

group-count =
    { $count ->
        [0] nenhum grupo
        [one] { $count } grupo
       *[other] { $count } grupos
    }
upcoming-count =
    { $count ->
        [0] nenhum encontro marcado
        [one] { $count } próximo encontro
       *[other] { $count } próximos encontros
    }
next-meeting = Próximo encontro: { $date }
met-on = Encontro em { $date }
meets-in = Encontros em { $city }
distance-away = a { $distance }
nothing-planned = Ainda não há nada marcado.
posted-by = Publicado por { $name } em { $date }

## Erros

error-page-title = Erro { $status } em { $site }
error-back-home = Voltar para a página inicial
error-find-group = Encontrar um grupo
error-see-what-is-on = Ver o que está rolando
error-sign-in-to-continue = Entre para continuar
error-not-found = Página não encontrada
    .detail = Não encontramos essa página. O link pode estar errado, ou a página pode ter mudado de lugar.
error-forbidden = Não permitido
    .detail = Você não tem permissão para fazer isso.
error-not-signed-in = Entre na sua conta
    .detail = Você precisa entrar na sua conta para ver esta página.
error-link-spent = Este link já foi usado
    .detail = O link já foi usado ou expirou. Peça um novo.
error-rate-limited = Tentativas demais
    .detail =
        { $seconds ->
            [one] Aguarde { $seconds } segundo e tente de novo.
           *[other] Aguarde { $seconds } segundos e tente de novo.
        }
error-internal = Algo deu errado
    .detail = Algo deu errado do nosso lado. Já registramos o problema; tente de novo daqui a pouco.
