//! A list's archive, readable without JavaScript: months, threads, one
//! message with its thread, search, an Atom feed and mbox files.

use super::lists::Done;
use super::{PageCtx, render};
use crate::AppState;
use crate::cache::Weigh;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::{download_as, see_other};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use convene_app::AppError;
use convene_app::lists::archive::{self, Thread};
use convene_app::lists::attachments;
use convene_store::list_archive::ArchivedRow;
use serde::Deserialize;
use std::sync::Arc;

/// A message as the archive shows it.
#[derive(Clone)]
pub struct MessageView {
    id: i64,
    subject: String,
    from_name: String,
    when: String,
    iso: String,
    depth: usize,
    body_html: String,
}

impl MessageView {
    /// Bytes held, roughly, when kept in a cache.
    fn weight(&self) -> usize {
        self.subject.len()
            + self.from_name.len()
            + self.when.len()
            + self.iso.len()
            + self.body_html.len()
            + 64
    }
}

fn view(row: &ArchivedRow, depth: usize, with_body: bool) -> MessageView {
    MessageView {
        id: row.id,
        subject: row.subject.clone(),
        from_name: if row.from_name.is_empty() {
            row.from_email
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned()
        } else {
            row.from_name.clone()
        },
        when: row.sent_at.format("%-d %B %Y, %H:%M UTC").to_string(),
        iso: row.sent_at.to_rfc3339(),
        depth,
        body_html: if with_body {
            mail_text_html(&row.body_text)
        } else {
            String::new()
        },
    }
}

fn escape(s: &str) -> String {
    convene_app::mail::templates::escape_html(s)
}

/// A message's text as HTML: escaped, with runs of quoted lines folded
/// into a `<details>` that opens without JavaScript.
pub fn mail_text_html(text: &str) -> String {
    let mut out = String::new();
    let mut quoted: Vec<&str> = Vec::new();
    let flush = |quoted: &mut Vec<&str>, out: &mut String| {
        if quoted.is_empty() {
            return;
        }
        out.push_str(&format!(
            "<details class=\"quoted\"><summary>Quoted text ({} line{})</summary>",
            quoted.len(),
            if quoted.len() == 1 { "" } else { "s" }
        ));
        for q in quoted.iter() {
            out.push_str(&escape(q));
            out.push('\n');
        }
        out.push_str("</details>");
        quoted.clear();
    };
    for line in text.lines() {
        if line.trim_start().starts_with('>') {
            quoted.push(line);
        } else {
            flush(&mut quoted, &mut out);
            out.push_str(&escape(line));
            out.push('\n');
        }
    }
    flush(&mut quoted, &mut out);
    out
}

fn thread_views(thread: &Thread, with_body: bool) -> Vec<MessageView> {
    thread
        .messages
        .iter()
        .map(|(m, d)| view(m, *d, with_body))
        .collect()
}

#[derive(Template)]
#[template(path = "lists/archive.html")]
struct ArchivePage {
    ctx: PageCtx,
    name: String,
    display_name: String,
    months: Vec<(String, i64)>,
    query: String,
    results: Option<Vec<MessageView>>,
    /// The results' page number, and the links to the pages either side.
    page: u32,
    previous_page: Option<String>,
    next_page: Option<String>,
    recent: Vec<MessageView>,
    can_write: bool,
    /// Only a public archive offers its feed: a feed reader has no session.
    public_feed: bool,
}

/// Message views as a cached value.
#[derive(Clone)]
struct Views(Vec<MessageView>);

impl Weigh for Views {
    fn weight(&self) -> usize {
        self.0.iter().map(MessageView::weight).sum()
    }
}

/// A page of search results as the archive shows it.
struct FoundViews {
    messages: Vec<MessageView>,
    more: bool,
}

impl Weigh for FoundViews {
    fn weight(&self) -> usize {
        self.messages.iter().map(MessageView::weight).sum::<usize>() + 64
    }
}

/// A page of search results, kept until the archive changes.
///
/// Ranking every message that holds a common word costs tens of
/// milliseconds (SQLite's bm25, PostgreSQL's `ts_rank`) and, on SQLite,
/// holds a connection while it runs; the same words are asked for again
/// and again (the next page, the way back from a message), so each page
/// is kept under the list's archive version, which every new, changed or
/// removed message raises. The key is the search as the engine reads it
/// (lowercase words and phrases), so "Venue" and "venue " share an entry.
async fn cached_search(
    state: &AppState,
    list: &convene_app::lists::ListView,
    query: &str,
    page: u32,
) -> Result<Arc<FoundViews>, AppError> {
    let phrases = archive::search_phrases(query);
    let key = format!(
        "list-search:{}:{page}:{}",
        list.row.id,
        phrases
            .iter()
            .map(|p| p.join(" "))
            .collect::<Vec<_>>()
            .join("\"")
    );
    state
        .roster_cache
        .get_or_build_weighed(&key, &list.row.archive_version.to_string(), || async {
            let found = archive::search(&state.svc, list, query, page).await?;
            Ok(FoundViews {
                messages: found.messages.iter().map(|m| view(m, 0, false)).collect(),
                more: found.more,
            })
        })
        .await
}

/// `?q=` on the archive.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    /// Words to find.
    pub q: Option<String>,
    /// The page of results, from 1.
    pub page: Option<u32>,
}

/// `GET /lists/{name}/archive`: months, the newest messages, and search.
pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    let list = archive::readable(&state.svc, &name, actor).await?;
    // The months and their counts are read from the whole archive: kept
    // until the archive changes (its version is on the list's row).
    let months = state
        .roster_cache
        .get_or_build(
            &format!("list-months:{}", list.row.id),
            &list.row.archive_version.to_string(),
            || archive::months(&state.svc, &list),
        )
        .await?;
    let query = q.q.unwrap_or_default().trim().to_owned();
    let page = q.page.unwrap_or(1).max(1);
    let (mut previous_page, mut next_page) = (None, None);
    let results = if query.is_empty() {
        None
    } else {
        let found = cached_search(&state, &list, &query, page).await?;
        let link = |p: u32| {
            let q = serde_urlencoded::to_string([("q", query.as_str())]).unwrap_or_default();
            format!("/lists/{}/archive?{q}&page={p}", list.row.name)
        };
        if page > 1 {
            previous_page = Some(link(page - 1));
        }
        if found.more {
            next_page = Some(link(page + 1));
        }
        Some(found.messages.clone())
    };
    let recent = state
        .roster_cache
        .get_or_build_weighed(
            &format!("list-recent:{}", list.row.id),
            &list.row.archive_version.to_string(),
            || async {
                Ok::<_, AppError>(Views(
                    archive::recent(&state.svc, &list, 20)
                        .await?
                        .iter()
                        .map(|m| view(m, 0, false))
                        .collect(),
                ))
            },
        )
        .await?
        .0
        .clone();
    Ok(render(
        StatusCode::OK,
        &ArchivePage {
            ctx: PageCtx::new(
                &state,
                &visitor,
                format!("{} archive", list.row.display_name),
            ),
            name: list.row.name.clone(),
            display_name: list.row.display_name.clone(),
            public_feed: list.row.archive == "public",
            months: months.as_ref().clone(),
            query,
            results,
            page,
            previous_page,
            next_page,
            recent,
            can_write: visitor.signed_in.is_some(),
        },
    ))
}

/// `GET /lists/{name}/archive/{id}/attachments/{number}`: one attachment,
/// always as a download, under the archive's own visibility rules.
pub async fn attachment(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((name, id, number)): Path<(String, i64, usize)>,
) -> Result<Response, PageError> {
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    let list = archive::readable(&state.svc, &name, actor).await?;
    let (a, bytes) = attachments::one(&state.svc, &list, id, number).await?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(a.served_type())
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_DISPOSITION, download_as(&a.file_name));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if list.row.archive == "public" {
            "public, max-age=86400"
        } else {
            "private, no-store"
        }),
    );
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "lists/month.html")]
struct MonthPage {
    ctx: PageCtx,
    name: String,
    display_name: String,
    month: String,
    threads: Vec<Vec<MessageView>>,
}

#[derive(Template)]
#[template(path = "lists/message.html")]
struct MessagePage {
    ctx: PageCtx,
    name: String,
    display_name: String,
    message: MessageView,
    month: String,
    thread: Vec<MessageView>,
    can_write: bool,
    reply_subject: String,
    /// Number, file name, type and size in words.
    attachments: Vec<(usize, String, String, String)>,
}

/// A size in words: `812 bytes`, `14 KB`, `2.3 MB`.
fn size_words(bytes: usize) -> String {
    match bytes {
        0..=1023 => format!("{bytes} bytes"),
        1024..=1_048_575 => format!("{} KB", bytes.div_ceil(1024)),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// `GET /lists/{name}/archive/{item}`: a month (`2026-11`), its mbox file
/// (`2026-11.mbox`), or one message by number.
pub async fn item(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((name, item)): Path<(String, String)>,
    Query(_): Query<Done>,
) -> Result<Response, PageError> {
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    let list = archive::readable(&state.svc, &name, actor).await?;
    if let Some(month) = item.strip_suffix(".mbox") {
        let file = archive::mbox(&state.svc, &list, month).await?;
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/mbox"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    download_as(&format!("{}-{month}.mbox", list.row.name)),
                ),
            ],
            file,
        )
            .into_response());
    }
    if archive::is_month(&item) {
        let threads = archive::month(&state.svc, &list, &item).await?;
        return Ok(render(
            StatusCode::OK,
            &MonthPage {
                ctx: PageCtx::new(
                    &state,
                    &visitor,
                    format!("{} archive, {item}", list.row.display_name),
                ),
                name: list.row.name.clone(),
                display_name: list.row.display_name.clone(),
                month: item,
                threads: threads.iter().map(|t| thread_views(t, false)).collect(),
            },
        ));
    }
    let id: i64 = item
        .parse()
        .map_err(|_| AppError::NotFound("There is no such message in this archive."))?;
    let (row, thread) = archive::message(&state.svc, &list, id).await?;
    let attachments = attachments::list_of(&state.svc, &list, id)
        .await?
        .into_iter()
        .map(|a| (a.number, a.file_name, a.declared_type, size_words(a.size)))
        .collect();
    Ok(render(
        StatusCode::OK,
        &MessagePage {
            ctx: PageCtx::new(&state, &visitor, row.subject.clone()),
            name: list.row.name.clone(),
            display_name: list.row.display_name.clone(),
            month: row.month.clone(),
            reply_subject: if row.subject.to_ascii_lowercase().starts_with("re:") {
                row.subject.clone()
            } else {
                format!("Re: {}", row.subject)
            },
            message: view(&row, 0, true),
            thread: thread_views(&thread, false),
            can_write: visitor.signed_in.is_some(),
            attachments,
        },
    ))
}

/// `GET /lists/{name}/feed.atom`: the newest messages (only where the
/// archive is public: a feed reader has no session).
pub async fn feed(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, PageError> {
    let list = archive::readable(&state.svc, &name, None).await?;
    let site = &state.svc.site;
    let messages = archive::recent(&state.svc, &list, 30).await?;
    let updated = messages.first().map_or(list.row.updated_at, |m| m.sent_at);
    let entries = messages
        .iter()
        .map(|m| {
            let url = site.link(&format!("/lists/{}/archive/{}", list.row.name, m.id));
            convene_feeds::Entry {
                id: url.clone(),
                url,
                title: m.subject.clone(),
                summary: None,
                content_html: format!("<pre>{}</pre>", escape(&m.body_text)),
                published: m.sent_at,
                updated: m.sent_at,
                authors: vec![convene_feeds::Person {
                    name: if m.from_name.is_empty() {
                        m.from_email
                            .split('@')
                            .next()
                            .unwrap_or_default()
                            .to_owned()
                    } else {
                        m.from_name.clone()
                    },
                    url: None,
                }],
                tags: Vec::new(),
                image: None,
            }
        })
        .collect();
    let feed = convene_feeds::Feed {
        id: site.link(&format!("/lists/{}/feed.atom", list.row.name)),
        title: format!("{} ({})", list.row.display_name, site.name),
        subtitle: Some(list.row.description.clone()),
        home_url: site.link(&format!("/lists/{}/archive", list.row.name)),
        self_url: site.link(&format!("/lists/{}/feed.atom", list.row.name)),
        updated,
        language: None,
        icon: None,
        entries,
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        convene_feeds::atom(&feed, &feed.self_url),
    )
        .into_response())
}

/// A message written on the web.
#[derive(Debug, Deserialize)]
pub struct WriteForm {
    /// Subject (a reply may leave the one offered).
    #[serde(default)]
    subject: String,
    /// Plain text.
    body: String,
}

async fn write(
    state: &AppState,
    visitor: &Visitor,
    name: &str,
    in_reply_to: Option<i64>,
    f: &WriteForm,
) -> Result<Response, PageError> {
    use convene_app::lists::from_web::{WebPost, Written, write};
    let me = visitor.require()?;
    let written = write(
        &state.svc,
        &me.actor,
        &WebPost {
            list: name,
            subject: &f.subject,
            body: &f.body,
            in_reply_to,
        },
    )
    .await?;
    Ok(match written {
        Written::Posted(id) => see_other(&format!("/lists/{name}/archive/{id}?done=list-posted")),
        Written::Held => see_other(&format!("/lists/{name}?done=list-held")),
    })
}

/// `POST /lists/{name}/archive`: a new thread.
pub async fn new_thread(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    CsrfForm(f): CsrfForm<WriteForm>,
) -> Result<Response, PageError> {
    write(&state, &visitor, &name, None, &f).await
}

/// `POST /lists/{name}/archive/{id}/reply`: a reply, threaded under `id`.
pub async fn reply(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((name, id)): Path<(String, i64)>,
    CsrfForm(f): CsrfForm<WriteForm>,
) -> Result<Response, PageError> {
    write(&state, &visitor, &name, Some(id), &f).await
}
