//! Made-up posts and comments for benchmarks:
//! `convene admin seed-bench --posts N --comments M`.

use crate::made_up::{mix, pick};
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Duration, Utc};
use convene_domain::posts::{PostKind, PostState};
use convene_store::posts::{self as store, PostFields};
use convene_store::users::{self, NewUser};
use convene_store::{comments, groups};

/// The slug of the post that gets exactly [`KNOWN_POST_COMMENTS`] shown
/// comments, so that a benchmark can measure a post page of known size.
pub const KNOWN_POST: &str = "bench-post-0";

/// Shown comments on [`KNOWN_POST`].
pub const KNOWN_POST_COMMENTS: usize = 100;

/// The slug every made-up post starts with: `bench-post-0`, `bench-post-1`, ...
const SLUG_PREFIX: &str = "bench-post-";

/// Posts or comments written per transaction.
const BATCH: usize = 500;

/// Made-up accounts that write posts (`bench-writer-N@example.org`).
const WRITERS: usize = 400;

/// Made-up accounts that comment (`bench-reader-N@example.org`).
const READERS: usize = 2000;

/// Published times are spread over this many days before now.
const SPREAD_DAYS: i64 = 8 * 365;

/// How large the made-up blog should be.
#[derive(Debug, Clone, Copy)]
pub struct BlogSize {
    /// Made-up posts in all (`bench-post-0` ...); only missing ones are added.
    pub posts: usize,
    /// Comments in all on the made-up posts; only missing ones are added.
    pub comments: usize,
    /// The posts are about the first this many benchmark groups (`bench-0` ...).
    pub groups: usize,
}

/// What [`seed_blog`] added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlogSeeded {
    /// Made-up accounts (writers and readers).
    pub accounts: usize,
    /// Posts.
    pub posts: usize,
    /// Comments.
    pub comments: usize,
}

/// Grows the blog to `size`: made-up posts of every kind about the first
/// `size.groups` benchmark groups (one in ten about the whole community),
/// each a few paragraphs of Markdown that passes the substance check, with
/// one or two authors and tags, published over the last eight years (one in
/// twenty is a draft, unlisted or archived instead); then comments, the
/// first [`KNOWN_POST_COMMENTS`] all shown on [`KNOWN_POST`] and the rest
/// spread unevenly over the other published posts (a few held, hidden or
/// spam). Authors and commenters are made-up accounts, added once.
///
/// Posts and comments already there count towards `size`, so running it
/// again with larger numbers adds the difference and with the same numbers
/// adds nothing. Needs the benchmark groups (see
/// [`crate::groups::seed_groups`]).
pub async fn seed_blog(svc: &Services, size: &BlogSize) -> AppResult<BlogSeeded> {
    let now = svc.clock.now();
    let mut seeded = BlogSeeded::default();
    let (writers, added) = accounts(svc, "writer", WRITERS, now).await?;
    seeded.accounts += added;
    let (readers, added) = accounts(svc, "reader", READERS, now).await?;
    seeded.accounts += added;

    let mut existing = {
        let mut conn = svc.db.conn().await?;
        store::with_slug_prefix(conn.ex(), SLUG_PREFIX).await?
    };
    let mut have = vec![false; size.posts];
    for stub in &existing {
        if let Some(n) = post_number(&stub.slug).filter(|n| *n < size.posts) {
            have[n] = true;
        }
    }
    let missing: Vec<usize> = (0..size.posts).filter(|n| !have[*n]).collect();
    if !missing.is_empty() {
        let places = group_places(svc, size.groups).await?;
        for chunk in missing.chunks(BATCH) {
            let mut tx = svc.db.begin().await?;
            for &n in chunk {
                let post = made_up_post(n, &places, now);
                let fields = PostFields {
                    title: &post.title,
                    summary: &post.summary,
                    body: &post.body,
                    // Rendered on first read, as for posts older than the kept HTML.
                    body_html: None,
                    kind: post.kind.as_str(),
                    group_id: post.group_id,
                    cover_image: "",
                };
                let authors: Vec<i64> = post.authors.iter().map(|a| writers[*a]).collect();
                let slug = format!("{SLUG_PREFIX}{n}");
                let id = store::insert(tx.ex(), &slug, &fields, authors[0], post.created).await?;
                store::set_authors(tx.ex(), id, &authors).await?;
                store::set_tags(tx.ex(), id, &post.tags).await?;
                store::insert_revision(tx.ex(), id, Some(authors[0]), post.created, &fields)
                    .await?;
                if post.state != PostState::Draft {
                    // Unlisted and archived posts were published first.
                    let state = PostState::Published.as_str();
                    store::set_state(tx.ex(), id, state, true, None, post.published).await?;
                }
                if matches!(post.state, PostState::Unlisted | PostState::Archived) {
                    let later = post.published + Duration::days(30);
                    store::set_state(tx.ex(), id, post.state.as_str(), true, None, later.min(now))
                        .await?;
                }
                seeded.posts += 1;
            }
            tx.commit().await?;
        }
        let mut conn = svc.db.conn().await?;
        existing = store::with_slug_prefix(conn.ex(), SLUG_PREFIX).await?;
    }

    seeded.comments = seed_comments(svc, &existing, size.comments, &readers, &writers, now).await?;
    svc.db.optimize().await?;
    Ok(seeded)
}

/// `bench-post-12` → 12.
fn post_number(slug: &str) -> Option<usize> {
    slug.strip_prefix(SLUG_PREFIX)?.parse().ok()
}

/// The ids of `count` made-up accounts `bench-{role}-N@example.org`, adding
/// those missing; returns them with how many were added.
async fn accounts(
    svc: &Services,
    role: &str,
    count: usize,
    now: DateTime<Utc>,
) -> AppResult<(Vec<i64>, usize)> {
    let mut ids = Vec::with_capacity(count);
    let mut added = 0;
    let mut tx = svc.db.begin().await?;
    for i in 0..count {
        let email = format!("bench-{role}-{i}@example.org");
        let id = match users::by_email(tx.ex(), &email).await? {
            Some(u) => u.id,
            None => {
                added += 1;
                let name = format!(
                    "{} {}",
                    FIRST_NAMES[i % FIRST_NAMES.len()],
                    LAST_NAMES[(i / FIRST_NAMES.len() + i) % LAST_NAMES.len()]
                );
                users::insert(
                    tx.ex(),
                    &NewUser {
                        email: &email,
                        display_name: &name,
                        password_hash: None,
                        email_verified_at: Some(now),
                        created_at: now - Duration::days(SPREAD_DAYS + 30),
                    },
                )
                .await?
            }
        };
        ids.push(id);
    }
    tx.commit().await?;
    Ok((ids, added))
}

/// What a post says about its group.
#[derive(Debug, Clone)]
struct Place {
    id: i64,
    slug: String,
    name: String,
    city: String,
}

/// The first `count` benchmark groups.
async fn group_places(svc: &Services, count: usize) -> AppResult<Vec<Place>> {
    if count == 0 {
        return Err(AppError::Conflict(
            "Posts need groups to be about: give at least one (--post-groups).".into(),
        ));
    }
    let mut conn = svc.db.conn().await?;
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let slug = format!("bench-{n}");
        let g = groups::by_slug(conn.ex(), &slug).await?.ok_or_else(|| {
            AppError::Conflict(format!(
                "There is no group {slug}: seed at least {count} groups first (--groups)."
            ))
        })?;
        out.push(Place {
            id: g.id,
            slug: g.slug,
            name: g.name,
            city: g.city,
        });
    }
    Ok(out)
}

/// Adds comments on the made-up posts in `posts` until there are `total`.
async fn seed_comments(
    svc: &Services,
    posts: &[store::PostStub],
    total: usize,
    readers: &[i64],
    writers: &[i64],
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let already = {
        let mut conn = svc.db.conn().await?;
        usize::try_from(comments::count_on_slug_prefix(conn.ex(), SLUG_PREFIX).await?).unwrap_or(0)
    };
    if already >= total {
        return Ok(0);
    }
    let known = posts.iter().find(|p| p.slug == KNOWN_POST).ok_or_else(|| {
        AppError::Conflict(format!(
            "There is no post {KNOWN_POST}: seed posts first (--posts)."
        ))
    })?;
    // The others, in a fixed order, so the same comment goes to the same post.
    let mut others: Vec<&store::PostStub> = posts
        .iter()
        .filter(|p| p.state == PostState::Published.as_str() && p.slug != KNOWN_POST)
        .collect();
    others.sort_by_key(|p| post_number(&p.slug));
    let end = if others.is_empty() {
        total.min(KNOWN_POST_COMMENTS)
    } else {
        total
    };
    let mut added = 0;
    for chunk in (already..end).collect::<Vec<_>>().chunks(BATCH) {
        let mut tx = svc.db.begin().await?;
        for &k in chunk {
            let h = mix(k, 0xc0);
            let (post, state) = if k < KNOWN_POST_COMMENTS {
                (known, "visible")
            } else {
                // Squaring a uniform number favours the first posts, as
                // readers favour some posts over others.
                let u = (h % 1_000_003) as f64 / 1_000_003.0;
                let i = ((u * u * others.len() as f64) as usize).min(others.len() - 1);
                let state = match (h >> 40) & 0xff {
                    0..=5 => "held",
                    6..=8 => "hidden",
                    9 => "spam",
                    _ => "visible",
                };
                (others[i], state)
            };
            let published = post.published_at.unwrap_or(now - Duration::days(1));
            let at = if k < KNOWN_POST_COMMENTS {
                published + Duration::minutes(37 * k as i64)
            } else {
                published + Duration::minutes((h >> 8) as i64 % (60 * 24 * 60))
            };
            // One comment in ten is a writer answering.
            let user = if (h >> 20) & 0xf == 0 {
                pick(writers, h >> 24)
            } else {
                pick(readers, h >> 24)
            };
            let body = made_up_comment(k, h);
            comments::insert(tx.ex(), post.id, user, (&body, None), state, at.min(now)).await?;
            added += 1;
        }
        tx.commit().await?;
    }
    Ok(added)
}

/// One made-up post before it is stored.
#[derive(Debug, Clone)]
struct MadeUpPost {
    title: String,
    summary: String,
    body: String,
    kind: PostKind,
    state: PostState,
    group_id: Option<i64>,
    /// Indexes into the writers.
    authors: Vec<usize>,
    tags: Vec<String>,
    created: DateTime<Utc>,
    published: DateTime<Utc>,
}

/// A talk subject: its title, how a sentence names it, what it covered, a
/// piece of code it showed, and its tag.
#[derive(Debug, Clone, Copy)]
struct Topic {
    title: &'static str,
    phrase: &'static str,
    detail: &'static str,
    code: &'static str,
    tag: &'static str,
}

const TOPICS: [Topic; 16] = [
    Topic {
        title: "Packaging with uv and pyproject.toml",
        phrase: "packaging with uv and pyproject.toml",
        detail: "It walked through lock files, workspaces and publishing wheels, and compared the resolver with pip-tools on a real project.",
        code: "uv lock --upgrade",
        tag: "packaging",
    },
    Topic {
        title: "Testing with pytest fixtures",
        phrase: "pytest fixtures and parametrization",
        detail: "Fixtures with narrow scopes, factories instead of shared state, and parametrized tests that read like tables of cases.",
        code: "@pytest.fixture(scope=\"module\")",
        tag: "testing",
    },
    Topic {
        title: "Type hints in practice",
        phrase: "gradual typing in an old codebase",
        detail: "Starting from the modules everyone imports, adding protocols where inheritance was used for interfaces, and letting mypy's strict mode spread one package at a time.",
        code: "typing.Protocol",
        tag: "typing",
    },
    Topic {
        title: "Structured concurrency with asyncio",
        phrase: "structured concurrency with asyncio and trio",
        detail: "Task groups make cancellation predictable; the examples showed a crawler that stops cleanly when one request fails.",
        code: "asyncio.TaskGroup()",
        tag: "async",
    },
    Topic {
        title: "Data pipelines with Polars",
        phrase: "lazy data pipelines with Polars",
        detail: "Lazy frames let the query optimizer push filters into the Parquet reader, which turned a twenty-minute notebook into a few seconds.",
        code: "pl.scan_parquet",
        tag: "data",
    },
    Topic {
        title: "Django at scale",
        phrase: "keeping a large Django project fast",
        detail: "Most slow pages came from queries inside loops; select_related, prefetch_related and a query counter in the test suite fixed them.",
        code: "select_related",
        tag: "django",
    },
    Topic {
        title: "FastAPI in production",
        phrase: "running FastAPI services in production",
        detail: "Dependency injection for database sessions, background tasks versus a real queue, and structured logging with request identifiers.",
        code: "Depends(get_session)",
        tag: "web",
    },
    Topic {
        title: "Speeding up Python with Rust and PyO3",
        phrase: "extension modules written in Rust with PyO3",
        detail: "A tokenizer rewritten in Rust ran forty times faster, and maturin made building wheels for every platform almost boring.",
        code: "#[pyfunction]",
        tag: "rust",
    },
    Topic {
        title: "MicroPython on microcontrollers",
        phrase: "MicroPython on small boards",
        detail: "Reading sensors, driving LED strips and sending measurements over MQTT, all from a REPL on a board that costs less than lunch.",
        code: "machine.Pin",
        tag: "hardware",
    },
    Topic {
        title: "Teaching with Jupyter notebooks",
        phrase: "teaching programming with Jupyter notebooks",
        detail: "Notebooks work for exploration but hide execution order; the speaker showed exercises that restart the kernel before every check.",
        code: "nbgrader validate",
        tag: "education",
    },
    Topic {
        title: "Machine learning pipelines with scikit-learn",
        phrase: "scikit-learn pipelines",
        detail: "Keeping preprocessing inside the pipeline avoids leaking test data into training, and makes cross-validation honest.",
        code: "make_pipeline",
        tag: "machine-learning",
    },
    Topic {
        title: "Profiling and performance",
        phrase: "profiling slow Python code",
        detail: "Sampling profilers find the real hot spot, which is rarely where people guess; flame graphs made that obvious on screen.",
        code: "py-spy record",
        tag: "performance",
    },
    Topic {
        title: "Property-based testing with Hypothesis",
        phrase: "property-based testing with Hypothesis",
        detail: "Instead of writing examples, describe the inputs and the invariants; Hypothesis then finds and shrinks the smallest failing case.",
        code: "@given(st.text())",
        tag: "testing",
    },
    Topic {
        title: "Web scraping with httpx",
        phrase: "polite web scraping with httpx",
        detail: "Respecting robots.txt, backing off on errors, caching responses, and parsing with selectolax instead of regular expressions.",
        code: "httpx.AsyncClient",
        tag: "scraping",
    },
    Topic {
        title: "Geospatial Python with GeoPandas",
        phrase: "maps and spatial joins with GeoPandas",
        detail: "Spatial joins answered which neighbourhoods lacked bicycle parking, and the plots were built with a handful of lines.",
        code: "gpd.sjoin",
        tag: "gis",
    },
    Topic {
        title: "The free-threaded CPython build",
        phrase: "the free-threaded build of CPython",
        detail: "Without the global interpreter lock, threads run in parallel; the speaker measured which libraries are ready and which still crash.",
        code: "PYTHON_GIL=0",
        tag: "cpython",
    },
];

/// Extra tags, beside each topic's own.
const TAGS: [&str; 14] = [
    "beginners",
    "community",
    "open-source",
    "talks",
    "workshop",
    "sprint",
    "mentoring",
    "career",
    "documentation",
    "security",
    "databases",
    "devops",
    "science",
    "visualization",
];

/// What people took home, for the lists in posts.
const LESSONS: [&str; 12] = [
    "Small, frequent releases cause fewer surprises than big ones.",
    "Reading the source of a library is often quicker than searching for answers.",
    "Benchmarks need a baseline measured on the same machine.",
    "Good error messages save more time than clever abstractions.",
    "Pairing a newcomer with an experienced member works better than any tutorial.",
    "Writing the documentation first exposes awkward interfaces early.",
    "Tests that describe behaviour survive refactoring; tests of internals do not.",
    "Most performance problems are in the algorithm, not the language.",
    "A shared style guide ends arguments before they start.",
    "Recording talks doubles their audience for almost no extra work.",
    "Lightning talks are the gentlest way to give a first talk.",
    "Open issues labelled for beginners bring new contributors.",
];

/// Speakers and organizers named in posts.
const SPEAKERS: [&str; 16] = [
    "Ana Lima",
    "Ben Okafor",
    "Chen Wei",
    "Dana Kowalski",
    "Emre Yılmaz",
    "Farah Haddad",
    "Gustavo Pereira",
    "Hannah Schmidt",
    "Ishaan Mehta",
    "Julia Novak",
    "Kwame Mensah",
    "Lena Virtanen",
    "Marta Gonçalves",
    "Nikolai Petrov",
    "Olivia Brown",
    "Priya Raman",
];

/// Display names of the made-up accounts.
const FIRST_NAMES: [&str; 20] = [
    "Aiko", "Bruno", "Camila", "Dmitri", "Esther", "Felipe", "Grace", "Hiro", "Imani", "Jonas",
    "Kira", "Luis", "Maya", "Nadia", "Omar", "Paula", "Quentin", "Rosa", "Samuel", "Tara",
];
const LAST_NAMES: [&str; 20] = [
    "Andersen", "Baptiste", "Castro", "Dubois", "Eriksen", "Fischer", "García", "Hoang", "Ibrahim",
    "Jansen", "Kim", "Larsen", "Moreau", "Nakamura", "Oliveira", "Park", "Quinn", "Rossi", "Sato",
    "Tan",
];

/// The mix of kinds: mostly meeting reports, then announcements and articles.
const KINDS: [PostKind; 20] = [
    PostKind::MeetingReport,
    PostKind::MeetingReport,
    PostKind::MeetingReport,
    PostKind::MeetingReport,
    PostKind::MeetingReport,
    PostKind::MeetingReport,
    PostKind::MeetingReport,
    PostKind::MeetingReport,
    PostKind::MeetingReport,
    PostKind::Announcement,
    PostKind::Announcement,
    PostKind::Announcement,
    PostKind::Announcement,
    PostKind::HowWeStarted,
    PostKind::TypicalMeeting,
    PostKind::Interview,
    PostKind::Article,
    PostKind::Article,
    PostKind::Article,
    PostKind::Article,
];

/// Post `n`, about one of `places`, with times before `now`.
fn made_up_post(n: usize, places: &[Place], now: DateTime<Utc>) -> MadeUpPost {
    let h = mix(n, 0xb1);
    let kind = pick(&KINDS, h);
    // Half the articles are about the whole community.
    let place = if kind == PostKind::Article && (h >> 5).is_multiple_of(2) {
        None
    } else {
        Some(&places[n % places.len()])
    };
    let t = pick(&TOPICS, h >> 8);
    let t2 = pick(&TOPICS, (h >> 12) + 1);
    let speaker = pick(&SPEAKERS, h >> 16);
    let speaker2 = pick(&SPEAKERS, (h >> 20) + 1);
    let lessons: Vec<&str> = (0..3).map(|i| pick(&LESSONS, (h >> 24) + i * 5)).collect();
    let published = now - Duration::minutes((h >> 28) as i64 % (SPREAD_DAYS * 24 * 60));
    let city = place.map_or("our community", |p| p.city.as_str());
    let group = place.map_or("the community", |p| p.name.as_str());
    let home = place.map_or("bench-articles", |p| p.slug.as_str());
    let c = Context {
        n,
        t,
        t2,
        speaker,
        speaker2,
        lessons: &lessons,
        city,
        group,
        home,
    };
    let (title, summary, body) = match kind {
        PostKind::MeetingReport => (
            format!("{}: our {} meeting", t.title, published.format("%B %Y")),
            format!("{speaker} on {}, {speaker2} on {}.", t.phrase, t2.phrase),
            meeting_report(&c),
        ),
        PostKind::Announcement => (
            format!("Coming up in {city}: {}", t.title),
            format!("{speaker} presents {}.", t.phrase),
            announcement(&c),
        ),
        PostKind::HowWeStarted => (
            format!("How {group} started"),
            format!("From a few people at conference talks to a monthly meeting in {city}."),
            how_we_started(&c),
        ),
        PostKind::TypicalMeeting => (
            format!("A typical evening at {group}"),
            "Conversation, a main talk, lightning talks and announcements.".to_owned(),
            typical_meeting(&c),
        ),
        PostKind::Interview => (
            format!("Meet {speaker}, organizer in {city}"),
            format!("{speaker} on getting involved and running a group."),
            interview(&c),
        ),
        PostKind::Article => (
            format!("{} in practice", t.title),
            format!("What groups presented on {}, with pointers.", t.phrase),
            article(&c),
        ),
    };
    // Half the posts leave the summary to the start of the body.
    let summary = if (h >> 36).is_multiple_of(2) {
        summary
    } else {
        String::new()
    };
    let state = match (h >> 40) % 100 {
        _ if n == 0 => PostState::Published,
        0 | 1 => PostState::Draft,
        2 => PostState::Unlisted,
        3 | 4 => PostState::Archived,
        _ => PostState::Published,
    };
    let mut authors = vec![(h >> 44) as usize % WRITERS];
    if (h >> 52).is_multiple_of(6) {
        authors.push((authors[0] + 1 + (h >> 54) as usize % (WRITERS - 1)) % WRITERS);
    }
    let mut tags = vec![t.tag.to_owned()];
    for i in 0..(h >> 56) % 4 {
        let tag = pick(&TAGS, (h >> 58) + i * 3);
        if !tags.iter().any(|x| x == tag) {
            tags.push(tag.to_owned());
        }
    }
    MadeUpPost {
        title,
        summary,
        body,
        kind,
        state,
        group_id: place.map(|p| p.id),
        authors,
        tags,
        created: published - Duration::days(2),
        published,
    }
}

/// What a post's body is written from.
struct Context<'a> {
    n: usize,
    t: Topic,
    t2: Topic,
    speaker: &'a str,
    speaker2: &'a str,
    lessons: &'a [&'a str],
    city: &'a str,
    group: &'a str,
    home: &'a str,
}

fn meeting_report(c: &Context<'_>) -> String {
    let Context {
        n,
        t,
        t2,
        speaker,
        speaker2,
        lessons,
        home,
        ..
    } = c;
    format!(
        "{speaker} opened the evening with a talk on {}. {}\n\n\
         After the break, {speaker2} gave a shorter demo of {}. {}\n\n\
         ## What we learned\n\n\
         - {}\n- {}\n- {}\n\n\
         The slides are on [Speaker Deck](https://speakerdeck.com/{home}/post-{n}) and the \
         example code is on [GitHub](https://github.com/{home}/post-{n}). A question about \
         `{}` turned into a discussion that ran well past the official end, and several \
         people stayed to compare notes on their own projects.\n",
        t.phrase, t.detail, t2.phrase, t2.detail, lessons[0], lessons[1], lessons[2], t.code
    )
}

fn announcement(c: &Context<'_>) -> String {
    let Context {
        t,
        t2,
        speaker,
        speaker2,
        lessons,
        city,
        ..
    } = c;
    format!(
        "Our next meeting in {city} is about {}. {speaker} will present the talk, drawing on a \
         year of using it at work. {}\n\n\
         {speaker2} will then lead a hands-on session on {}: {}\n\n\
         ## Before you come\n\n\
         - Skim the documentation for `{}`.\n\
         - Bring questions: the second half is an open discussion.\n\
         - {}\n\n\
         The talk will be recorded and linked here afterwards.\n",
        t.phrase, t.detail, t2.phrase, t2.detail, t.code, lessons[0]
    )
}

fn how_we_started(c: &Context<'_>) -> String {
    let Context {
        t,
        t2,
        speaker,
        speaker2,
        lessons,
        city,
        group,
        ..
    } = c;
    format!(
        "{group} began as a handful of people who kept meeting at the same conference talks. \
         {speaker} suggested a regular evening in {city}, and {speaker2} found a room at a local \
         company that still hosts us.\n\n\
         ## The early meetings\n\n\
         The first talks were about {} and {}. {} Attendance grew slowly, mostly by word of \
         mouth and a mailing list.\n\n\
         ## What kept us going\n\n\
         - {}\n- {}\n\n\
         Today a small team of organizers shares the work, and newcomers often give their first \
         talk within a few months of joining.\n",
        t.phrase, t2.phrase, t.detail, lessons[0], lessons[1]
    )
}

fn typical_meeting(c: &Context<'_>) -> String {
    let Context {
        t,
        t2,
        speaker,
        speaker2,
        lessons,
        group,
        ..
    } = c;
    format!(
        "A typical evening at {group} starts with half an hour of conversation while people \
         arrive. Then comes the main talk: last time {speaker} covered {}. {}\n\n\
         After a break there are lightning talks, five minutes each, on anything from {} to \
         personal projects. {speaker2} usually closes with news from the wider community.\n\n\
         ## Who comes\n\n\
         Students, professional developers, scientists and hobbyists; roughly a third are new \
         each time. {}\n",
        t.phrase, t.detail, t2.phrase, lessons[0]
    )
}

fn interview(c: &Context<'_>) -> String {
    let Context {
        t,
        t2,
        speaker,
        speaker2,
        lessons,
        city,
        group,
        ..
    } = c;
    format!(
        "We spoke with {speaker}, one of the organizers of {group}, about running a community \
         in {city}.\n\n\
         **How did you get involved?**\n\n\
         \"I came to a talk about {} and stayed for the discussion afterwards. A year later I \
         was giving talks myself.\"\n\n\
         **What has changed since then?**\n\n\
         \"{} People expect more hands-on sessions now, so {speaker2} and I started a workshop \
         series on {}.\"\n\n\
         **What would you tell a new organizer?**\n\n\
         \"{} And share the work early: nobody should carry a group alone.\"\n",
        t.phrase, t.detail, t2.phrase, lessons[0]
    )
}

fn article(c: &Context<'_>) -> String {
    let Context {
        n,
        t,
        t2,
        speaker,
        speaker2,
        lessons,
        home,
        ..
    } = c;
    format!(
        "## {}\n\n\
         {} This article collects what several groups presented on {}, with pointers for \
         going further.\n\n\
         ### Where to start\n\n\
         - {}\n- {}\n- {}\n\n\
         {speaker} keeps a list of examples on [GitHub](https://github.com/{home}/post-{n}), \
         and the talk {speaker2} gave on {} is on \
         [YouTube](https://www.youtube.com/watch?v=bench{n}).\n\n\
         Code like `{}` looks simple, but the details matter; read the documentation before \
         reaching for it in production.\n",
        t.title, t.detail, t.phrase, lessons[0], lessons[1], lessons[2], t2.phrase, t.code
    )
}

/// What comments say.
const COMMENTS: [&str; 12] = [
    "Thanks for the write-up! I missed this one and the summary is exactly what I needed.",
    "Great talk. The part about error handling changed how I structure my own code.",
    "Are the slides going to be shared? I would like to show them at work.",
    "We tried this approach last year and hit the same problem with **timeouts**; \
     the fix in the second half of the talk would have saved us a week.",
    "Small correction: the library was renamed last spring, the old name still works \
     but prints a warning.",
    "This was my first meeting and everyone was very welcoming. See you next month!",
    "Is there a recording? The audio from the back of the room was hard to follow.",
    "I would love a follow-up workshop on this, maybe with exercises for beginners.",
    "For anyone reading later: the example needs `pip install --upgrade` first, \
     otherwise the import fails.",
    "Nice to see this topic covered. Our group in the next town did something similar, \
     happy to compare notes.",
    "The question about testing at the end was the best part. Could the answer be \
     added to the post?",
    "Thank you to the organizers and the hosts, it was a great evening.",
];

/// Comment `k`'s Markdown.
fn made_up_comment(k: usize, h: u64) -> String {
    let first = pick(&COMMENTS, h >> 28);
    if k.is_multiple_of(3) {
        let second = pick(&COMMENTS, (h >> 32) + 1);
        format!("{first}\n\n{second}")
    } else {
        first.to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use convene_domain::posts::{
        check_body, check_substance, check_summary, check_title, parse_tags,
    };

    fn places() -> Vec<Place> {
        (0..7)
            .map(|i| Place {
                id: i,
                slug: format!("bench-{i}"),
                name: format!("City {i} Python Users"),
                city: format!("City {i}"),
            })
            .collect()
    }

    #[test]
    fn every_made_up_post_passes_the_checks_a_submitted_post_does() {
        let now = Utc::now();
        let places = places();
        let mut kinds = std::collections::HashSet::new();
        for n in 0..2000 {
            let p = made_up_post(n, &places, now);
            let verdict = check_substance(p.kind, &p.title, &p.body);
            assert!(
                verdict.passes,
                "post {n} ({:?}): {:?}\n{}",
                p.kind, verdict.signals, p.body
            );
            assert_eq!(check_title(&p.title).as_deref(), Ok(p.title.as_str()));
            assert!(check_summary(&p.summary).is_ok(), "post {n}");
            assert!(check_body(&p.body).is_ok(), "post {n}");
            assert_eq!(
                parse_tags(&p.tags.join(",")),
                Ok(p.tags.clone()),
                "post {n}"
            );
            assert!(p.body.len() > 600, "post {n} is too short: {}", p.body);
            assert!(p.published <= now && p.published > now - Duration::days(SPREAD_DAYS));
            assert!(!p.authors.is_empty() && p.authors.iter().all(|a| *a < WRITERS));
            kinds.insert(p.kind);
        }
        assert_eq!(kinds.len(), PostKind::ALL.len(), "every kind is made");
    }

    #[test]
    fn the_known_post_is_published_and_posts_are_deterministic() {
        let now = Utc::now();
        let places = places();
        assert_eq!(made_up_post(0, &places, now).state, PostState::Published);
        let a = made_up_post(42, &places, now);
        let b = made_up_post(42, &places, now);
        assert_eq!((a.title, a.body, a.tags), (b.title, b.body, b.tags));
        assert_eq!(post_number("bench-post-42"), Some(42));
        assert_eq!(post_number("bench-post-x"), None);
    }
}
