//! `/groups/{slug}`: one group's entry.

use super::{ago, continent_name, country_name};
use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::pages::{Done, PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::groups::{self, GroupPage};
use convene_domain::groups::LinkKind;

/// A link as the page shows it.
pub struct LinkView {
    label: String,
    url: String,
    check: Option<String>,
    broken: bool,
}

#[derive(Template)]
#[template(path = "groups/show.html")]
struct ShowPage {
    ctx: PageCtx,
    page: GroupPage,
    place: String,
    continent: String,
    /// The country's name, for the crumbs.
    country: String,
    description_html: String,
    languages: Vec<String>,
    links: Vec<LinkView>,
    confirmed: Option<(String, String)>,
    canonical: String,
    json_ld: String,
    events: Vec<crate::pages::calendar_views::OccView>,
    /// Past meetings with the posts that report on them (slug, title).
    past_meetings: Vec<(crate::pages::calendar_views::OccView, Vec<(String, String)>)>,
    photos: Vec<crate::pages::media::PhotoView>,
    photo_action: String,
    /// The group's lists: name, shown name, description.
    lists: Vec<(String, String, String)>,
    my_email: String,
    /// The group's latest posts: slug, title, date and ISO date.
    posts: Vec<(String, String, String, String)>,
    /// The group's blog.
    blog_path: String,
    /// The group's blog feeds, announced in the page's head.
    feeds: Vec<crate::feed_links::FeedLink>,
    /// The path of the group's iCalendar feed.
    calendar_feed: String,
}

/// Makes JSON safe inside a `<script type="application/ld+json">` element.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `GET /groups/{slug}`.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    let page = groups::group_page(&state.svc, actor, &slug).await?;
    let g = &page.group;
    let now = state.svc.clock.now();
    let place = [
        g.city.as_str(),
        g.region.as_str(),
        &country_name(&g.country),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .cloned()
    .collect::<Vec<_>>()
    .join(", ");
    let links: Vec<LinkView> = page
        .links
        .iter()
        .map(|l| LinkView {
            label: LinkKind::parse(&l.kind)
                .map_or("Link", LinkKind::label)
                .to_owned(),
            url: l.url.clone(),
            broken: matches!(l.check_status.as_deref(), Some("broken" | "unreachable")),
            check: l.checked_at.map(|at| {
                format!(
                    "{} when checked {}",
                    l.check_detail
                        .clone()
                        .or_else(|| l.check_status.clone())
                        .unwrap_or_default(),
                    ago(at, now)
                )
            }),
        })
        .collect();
    let canonical = state.svc.site.link(&format!("/groups/{}", g.slug));
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": g.name,
        "url": canonical,
        "description": g.short_description,
        "address": { "@type": "PostalAddress", "addressLocality": g.city, "addressRegion": g.region, "addressCountry": g.country },
        "sameAs": page.links.iter().map(|l| l.url.clone()).collect::<Vec<_>>(),
    });
    if let (Some(lat), Some(lon)) = (g.latitude, g.longitude) {
        ld["location"] = serde_json::json!({ "@type": "Place", "geo": { "@type": "GeoCoordinates", "latitude": lat, "longitude": lon } });
    }
    if !g.founded.is_empty() {
        ld["foundingDate"] = serde_json::json!(g.founded);
    }
    let (events, past_meetings) = if g.approval == "approved" {
        let cal = convene_app::calendars::Calendar::Group(Box::new(g.clone()));
        let upcoming =
            crate::pages::calendar_views::cached_series_once(&state, &cal, 5, chrono_tz::Tz::UTC)
                .await?
                .iter()
                .map(|o| crate::pages::calendar_views::occ_view(o, None, ""))
                .collect();
        let past =
            convene_app::calendars::past_meetings(&state.svc, &cal, state.svc.clock.now(), 5)
                .await?
                .into_iter()
                .map(|m| {
                    (
                        crate::pages::calendar_views::occ_view(&m.occ, None, ""),
                        m.reports,
                    )
                })
                .collect();
        (upcoming, past)
    } else {
        (Vec::new(), Vec::new())
    };
    let posts = if g.approval == "approved" {
        convene_app::blog::published(
            &state.svc,
            convene_store::posts::Listing {
                group_id: Some(g.id),
                ..Default::default()
            },
            3,
            0,
        )
        .await?
        .into_iter()
        .map(|p| {
            let at = p.row.published_at.unwrap_or(p.row.updated_at);
            (
                p.row.slug,
                p.row.title,
                at.format("%-d %B %Y").to_string(),
                at.format("%Y-%m-%d").to_string(),
            )
        })
        .collect()
    } else {
        Vec::new()
    };
    let ctx = PageCtx::new(&state, &visitor, g.name.clone()).with_notice(done.done.as_deref());
    let photos = crate::pages::media::gallery(&state, "group", g.id).await?;
    let lists = convene_app::lists::settings::group_lists(&state.svc, g.id)
        .await?
        .into_iter()
        .map(|l| (l.name, l.display_name, l.description))
        .collect();
    let my_email = visitor
        .signed_in
        .as_ref()
        .map(|s| s.user.email.clone())
        .unwrap_or_default();
    let show = ShowPage {
        posts,
        blog_path: crate::feed_links::group_blog(&g.slug),
        feeds: crate::feed_links::feeds_of(&crate::feed_links::group_blog(&g.slug)),
        calendar_feed: convene_app::calendars::Calendar::Group(Box::new(g.clone())).feed_path(),
        lists,
        my_email,
        photos,
        photo_action: format!("/groups/{}/photos", g.slug),
        events,
        past_meetings,
        ctx,
        place,
        continent: continent_name(&g.continent).to_owned(),
        country: country_name(&g.country),
        description_html: crate::markdown::render(&g.description),
        languages: g.languages.split_whitespace().map(str::to_owned).collect(),
        links,
        confirmed: g
            .confirmed_at
            .map(|at| (ago(at, now), at.format("%Y-%m-%d").to_string())),
        canonical,
        json_ld: script_safe(&ld.to_string()),
        page,
    };
    Ok(render(StatusCode::OK, &show))
}
