//! The roster: group entries, their links and their revisions.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A group entry as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GroupRow {
    /// Id.
    pub id: i64,
    /// Stable URL name.
    pub slug: String,
    /// Name.
    pub name: String,
    /// One or two sentences (plain text).
    pub short_description: String,
    /// Long description (Markdown).
    pub description: String,
    /// City.
    pub city: String,
    /// Region or state.
    pub region: String,
    /// ISO 3166-1 alpha-2, or empty when unknown.
    pub country: String,
    /// Continent code (AF, AN, AS, EU, NA, OC, SA), or empty.
    pub continent: String,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// BCP 47 tags separated by spaces.
    pub languages: String,
    /// "second Tuesday, 7 pm".
    pub meeting_pattern: String,
    /// Year, month or date, or empty.
    pub founded: String,
    /// active, dormant or closed.
    pub status: String,
    /// approved, pending or rejected.
    pub approval: String,
    /// Who proposed it (for pending and rejected proposals).
    pub proposed_by: Option<i64>,
    /// Why a proposal was rejected.
    pub rejection_reason: Option<String>,
    /// When an organizer or coordinator last confirmed the entry.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Who confirmed it.
    pub confirmed_by: Option<i64>,
    /// web, import or api.
    pub source: String,
    /// When an import last wrote it.
    pub imported_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The fields a person edits.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFields {
    /// Stable URL name.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Short description.
    pub short_description: String,
    /// Markdown.
    pub description: String,
    /// City.
    pub city: String,
    /// Region.
    pub region: String,
    /// Alpha-2 or empty.
    pub country: String,
    /// Continent code or empty.
    pub continent: String,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Space-separated tags.
    pub languages: String,
    /// Meeting pattern in words.
    pub meeting_pattern: String,
    /// Founded.
    pub founded: String,
    /// Status.
    pub status: String,
}

impl GroupRow {
    /// The editable fields of this row.
    pub fn fields(&self) -> GroupFields {
        GroupFields {
            slug: self.slug.clone(),
            name: self.name.clone(),
            short_description: self.short_description.clone(),
            description: self.description.clone(),
            city: self.city.clone(),
            region: self.region.clone(),
            country: self.country.clone(),
            continent: self.continent.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
            languages: self.languages.clone(),
            meeting_pattern: self.meeting_pattern.clone(),
            founded: self.founded.clone(),
            status: self.status.clone(),
        }
    }
}

macro_rules! select {
    ($tail:literal) => {
        concat!("SELECT id, slug, name, short_description, description, city, region, country, continent, latitude, longitude, languages, meeting_pattern, founded, status, approval, proposed_by, rejection_reason, confirmed_at, confirmed_by, source, imported_at, created_at, updated_at FROM groups ", $tail)
    };
}

mod search;
pub use search::{search, search_engine};

/// How a new entry came to be.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// approved or pending.
    pub approval: &'a str,
    /// Proposer.
    pub proposed_by: Option<i64>,
    /// web, import or api.
    pub source: &'a str,
    /// Set when an import writes it.
    pub imported_at: Option<DateTime<Utc>>,
}

/// Stores a new entry. [`crate::StoreError::Duplicate`] if the slug is taken.
pub async fn insert(
    ex: Ex<'_>,
    f: &GroupFields,
    origin: Origin<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO groups (slug, name, short_description, description, city, region, country, continent, latitude, longitude, languages, meeting_pattern, founded, status, approval, proposed_by, source, imported_at, created_at, updated_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19) RETURNING id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(&f.slug)
        .bind(&f.name)
        .bind(&f.short_description)
        .bind(&f.description)
        .bind(&f.city)
        .bind(&f.region)
        .bind(&f.country)
        .bind(&f.continent)
        .bind(f.latitude)
        .bind(f.longitude)
        .bind(&f.languages)
        .bind(&f.meeting_pattern)
        .bind(&f.founded)
        .bind(&f.status)
        .bind(origin.approval)
        .bind(origin.proposed_by)
        .bind(origin.source)
        .bind(origin.imported_at)
        .bind(now)
        .fetch_one(c)
        .await)?)
}

/// Replaces the editable fields of entry `id`.
pub async fn update(
    ex: Ex<'_>,
    id: i64,
    f: &GroupFields,
    imported_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    const SQL: &str = "UPDATE groups SET slug = $2, name = $3, short_description = $4, description = $5, city = $6, region = $7, country = $8, continent = $9, \
        latitude = $10, longitude = $11, languages = $12, meeting_pattern = $13, founded = $14, status = $15, imported_at = COALESCE($16, imported_at), updated_at = $17 WHERE id = $1";
    run!(ex, |c| sqlx::query(SQL)
        .bind(id)
        .bind(&f.slug)
        .bind(&f.name)
        .bind(&f.short_description)
        .bind(&f.description)
        .bind(&f.city)
        .bind(&f.region)
        .bind(&f.country)
        .bind(&f.continent)
        .bind(f.latitude)
        .bind(f.longitude)
        .bind(&f.languages)
        .bind(&f.meeting_pattern)
        .bind(&f.founded)
        .bind(&f.status)
        .bind(imported_at)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The entry with this slug (any approval state).
pub async fn by_slug(ex: Ex<'_>, slug: &str) -> Result<Option<GroupRow>> {
    const SQL: &str = select!("WHERE slug = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, GroupRow>(SQL)
        .bind(slug)
        .fetch_optional(c)
        .await)?)
}

/// The approved entries called `name`, ignoring case (a few at most).
pub async fn approved_by_name(ex: Ex<'_>, name: &str) -> Result<Vec<GroupRow>> {
    const SQL: &str =
        select!("WHERE approval = 'approved' AND lower(name) = lower($1) ORDER BY slug LIMIT 10");
    Ok(run!(ex, |c| sqlx::query_as::<_, GroupRow>(SQL)
        .bind(name)
        .fetch_all(c)
        .await)?)
}

/// The names of all approved entries, by name (for a picker).
pub async fn approved_names(ex: Ex<'_>) -> Result<Vec<String>> {
    const SQL: &str = "SELECT name FROM groups WHERE approval = 'approved' ORDER BY lower(name)";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(SQL)
        .fetch_all(c)
        .await)?)
}

/// The entry with this id.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<GroupRow>> {
    const SQL: &str = select!("WHERE id = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, GroupRow>(SQL)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Sets the approval state (and the reason, for a rejection).
pub async fn set_approval(
    ex: Ex<'_>,
    id: i64,
    approval: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64> {
    const SQL: &str =
        "UPDATE groups SET approval = $2, rejection_reason = $3, updated_at = $4 WHERE id = $1";
    execute!(ex, SQL, id, approval, reason, now).map_err(Into::into)
}

/// Records that the entry was confirmed as current.
pub async fn confirm(ex: Ex<'_>, id: i64, by: Option<i64>, now: DateTime<Utc>) -> Result<u64> {
    const SQL: &str = "UPDATE groups SET confirmed_at = $3, confirmed_by = $2 WHERE id = $1";
    execute!(ex, SQL, id, by, now).map_err(Into::into)
}

/// Which approved entries to list. `None` means any.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Continent code.
    pub continent: Option<String>,
    /// Alpha-2.
    pub country: Option<String>,
    /// Region name.
    pub region: Option<String>,
    /// One BCP 47 tag the group speaks.
    pub language: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Only entries confirmed at or after this time.
    pub confirmed_since: Option<DateTime<Utc>>,
}

/// A value bound into a filtered query.
enum Arg {
    Text(String),
    Time(DateTime<Utc>),
    Int(i64),
}

/// The WHERE clause for `f`, made only of constant fragments with `$n`
/// placeholders (so indexes can serve each filter), and the values to bind.
fn filter_sql(f: &Filter) -> (String, Vec<Arg>) {
    let mut sql = String::from("approval = 'approved'");
    let mut args = Vec::new();
    let mut add = |fragment: &str, arg: Arg| {
        args.push(arg);
        sql.push_str(&fragment.replace('?', &format!("${}", args.len())));
    };
    if let Some(v) = &f.continent {
        add(" AND continent = ?", Arg::Text(v.clone()));
    }
    if let Some(v) = &f.country {
        add(" AND country = ?", Arg::Text(v.clone()));
    }
    if let Some(v) = &f.region {
        add(" AND region = ?", Arg::Text(v.clone()));
    }
    if let Some(v) = &f.language {
        add(
            " AND (' ' || languages || ' ') LIKE ?",
            Arg::Text(format!("% {} %", v.replace(['%', '_'], ""))),
        );
    }
    if let Some(v) = &f.status {
        add(" AND status = ?", Arg::Text(v.clone()));
    }
    if let Some(v) = f.confirmed_since {
        add(" AND confirmed_at >= ?", Arg::Time(v));
    }
    (sql, args)
}

/// Binds `args` in order to a query (of either backend).
macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Time(t) => q.bind(*t),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

/// Approved entries matching `f`, by name.
pub async fn list(ex: Ex<'_>, f: &Filter, limit: i64, offset: i64) -> Result<Vec<GroupRow>> {
    let (w, mut args) = filter_sql(f);
    let n = args.len();
    args.push(Arg::Int(limit));
    args.push(Arg::Int(offset));
    let sql = format!(
        "{} WHERE {w} ORDER BY approval, name, id LIMIT ${} OFFSET ${}",
        select!(""),
        n + 1,
        n + 2
    );
    Ok(run!(ex, |c| bind_all!(
        sqlx::query_as::<_, GroupRow>(sqlx::AssertSqlSafe(sql.clone())),
        &args
    )
    .fetch_all(c)
    .await)?)
}

/// Approved entries of `country` (alpha-2) without a pin, by name: the
/// groups "near me" can only name, not measure.
pub async fn unplaced_in_country(ex: Ex<'_>, country: &str, limit: i64) -> Result<Vec<GroupRow>> {
    const SQL: &str = select!(
        "WHERE approval = 'approved' AND country = $1 AND (latitude IS NULL OR longitude IS NULL) ORDER BY name, id LIMIT $2"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, GroupRow>(SQL)
        .bind(country)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// How many approved entries match `f`, per continent, country and region.
pub async fn place_counts(ex: Ex<'_>, f: &Filter) -> Result<Vec<(String, String, String, i64)>> {
    let (w, args) = filter_sql(f);
    let sql = format!(
        "SELECT continent, country, region, COUNT(*) FROM groups WHERE {w} GROUP BY continent, country, region"
    );
    Ok(run!(ex, |c| bind_all!(
        sqlx::query_as::<_, (String, String, String, i64)>(sqlx::AssertSqlSafe(sql.clone())),
        &args
    )
    .fetch_all(c)
    .await)?)
}

/// Approved entries with a pin whose latitude is within `band` degrees of
/// `lat`, nearest to (`lat`, `lon`) first by a flat approximation
/// (`x_scale` is the cosine of the latitude), at most `limit`; the caller
/// sorts these few by true distance.
pub async fn nearest(
    ex: Ex<'_>,
    lat: f64,
    lon: f64,
    x_scale: f64,
    band: f64,
    limit: i64,
) -> Result<Vec<Located>> {
    // SQLite is told to use the latitude index: without statistics its
    // planner prefers the (unselective) approval column and scans everything.
    const SQLITE: &str = "SELECT id, slug, name, city, country, continent, latitude, longitude, status, confirmed_at, created_at FROM groups INDEXED BY ix_groups_latitude \
        WHERE latitude BETWEEN $5 AND $6 AND approval = 'approved' AND longitude IS NOT NULL \
        ORDER BY (latitude - $1) * (latitude - $1) + ((longitude - $2) * $3) * ((longitude - $2) * $3) LIMIT $4";
    const POSTGRES: &str = "SELECT id, slug, name, city, country, continent, latitude, longitude, status, confirmed_at, created_at FROM groups \
        WHERE latitude BETWEEN $5 AND $6 AND approval = 'approved' AND longitude IS NOT NULL \
        ORDER BY (latitude - $1) * (latitude - $1) + ((longitude - $2) * $3) * ((longitude - $2) * $3) LIMIT $4";
    macro_rules! q {
        ($sql:expr, $c:expr) => {
            sqlx::query_as::<_, Located>($sql)
                .bind(lat)
                .bind(lon)
                .bind(x_scale)
                .bind(limit)
                .bind(lat - band)
                .bind(lat + band)
                .fetch_all($c)
                .await?
        };
    }
    Ok(match ex {
        Ex::Sqlite(c) => q!(SQLITE, c),
        Ex::Postgres(c) => q!(POSTGRES, c),
    })
}

/// Entries waiting for a coordinator's approval, oldest first.
pub async fn pending(ex: Ex<'_>) -> Result<Vec<GroupRow>> {
    const SQL: &str = select!("WHERE approval = 'pending' ORDER BY created_at, id");
    Ok(run!(ex, |c| sqlx::query_as::<_, GroupRow>(SQL)
        .fetch_all(c)
        .await)?)
}

/// Every approved entry (for exports, the map and distance sorting).
pub async fn all_approved(ex: Ex<'_>) -> Result<Vec<GroupRow>> {
    const SQL: &str = select!("WHERE approval = 'approved' ORDER BY name, id");
    Ok(run!(ex, |c| sqlx::query_as::<_, GroupRow>(SQL)
        .fetch_all(c)
        .await)?)
}

/// The ids of every listed group, in [`all_approved`]'s order (by name),
/// so that an export can read the groups a page at a time with
/// [`approved_by_ids`].
pub async fn approved_ids(ex: Ex<'_>) -> Result<Vec<i64>> {
    const SQL: &str = "SELECT id FROM groups WHERE approval = 'approved' ORDER BY name, id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .fetch_all(c)
        .await)?)
}

/// The listed groups with these ids, in the order given, each with its
/// links in order.
pub async fn approved_by_ids(ex: Ex<'_>, ids: &[i64]) -> Result<Vec<(GroupRow, Vec<LinkRow>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    // The ids are integers formatted here, never text from outside.
    let groups_sql = format!(
        "{} WHERE approval = 'approved' AND id IN ({list})",
        select!("")
    );
    let links_sql = format!(
        "SELECT l.id, l.group_id, l.position, l.kind, l.url, l.label, l.check_status, l.check_detail, l.final_url, l.checked_at \
         FROM group_links l WHERE l.group_id IN ({list}) ORDER BY l.group_id, l.position, l.id"
    );
    // Not kept prepared: each list of ids is a statement of its own.
    let (rows, links) = match ex {
        Ex::Sqlite(c) => (
            sqlx::query_as::<_, GroupRow>(sqlx::AssertSqlSafe(groups_sql))
                .persistent(false)
                .fetch_all(&mut *c)
                .await?,
            sqlx::query_as::<_, LinkRow>(sqlx::AssertSqlSafe(links_sql))
                .persistent(false)
                .fetch_all(&mut *c)
                .await?,
        ),
        Ex::Postgres(c) => (
            sqlx::query_as::<_, GroupRow>(sqlx::AssertSqlSafe(groups_sql))
                .persistent(false)
                .fetch_all(&mut *c)
                .await?,
            sqlx::query_as::<_, LinkRow>(sqlx::AssertSqlSafe(links_sql))
                .persistent(false)
                .fetch_all(&mut *c)
                .await?,
        ),
    };
    let mut by_group: std::collections::HashMap<i64, Vec<LinkRow>> =
        std::collections::HashMap::new();
    for l in links {
        by_group.entry(l.group_id).or_default().push(l);
    }
    let place: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut out: Vec<(GroupRow, Vec<LinkRow>)> = rows
        .into_iter()
        .map(|g| {
            let links = by_group.remove(&g.id).unwrap_or_default();
            (g, links)
        })
        .collect();
    out.sort_by_key(|(g, _)| place.get(&g.id).copied().unwrap_or(usize::MAX));
    Ok(out)
}

/// Every slug that starts with `prefix` (to suggest a free one).
pub async fn slugs_like(ex: Ex<'_>, prefix: &str) -> Result<Vec<String>> {
    const SQL: &str = "SELECT slug FROM groups WHERE slug = $1 OR slug LIKE ($1 || '-%')";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(SQL)
        .bind(prefix)
        .fetch_all(c)
        .await)?)
}

/// One stored link.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LinkRow {
    /// Id.
    pub id: i64,
    /// Entry.
    pub group_id: i64,
    /// Order on the page.
    pub position: i64,
    /// Kind name.
    pub kind: String,
    /// URL.
    pub url: String,
    /// Text shown.
    pub label: String,
    /// The link checker's verdict: ok, redirect, broken, unreachable.
    pub check_status: Option<String>,
    /// Its details: the HTTP status or error.
    pub check_detail: Option<String>,
    /// Where redirects ended.
    pub final_url: Option<String>,
    /// When it was checked.
    pub checked_at: Option<DateTime<Utc>>,
}

/// The links of entry `group_id`, in order.
pub async fn links(ex: Ex<'_>, group_id: i64) -> Result<Vec<LinkRow>> {
    const SQL: &str = "SELECT id, group_id, position, kind, url, label, check_status, check_detail, final_url, checked_at FROM group_links WHERE group_id = $1 ORDER BY position, id";
    Ok(run!(ex, |c| sqlx::query_as::<_, LinkRow>(SQL)
        .bind(group_id)
        .fetch_all(c)
        .await)?)
}

/// Every link of approved entries (for exports).
pub async fn all_links(ex: Ex<'_>) -> Result<Vec<LinkRow>> {
    const SQL: &str = "SELECT l.id, l.group_id, l.position, l.kind, l.url, l.label, l.check_status, l.check_detail, l.final_url, l.checked_at FROM group_links l JOIN groups g ON g.id = l.group_id WHERE g.approval = 'approved' ORDER BY l.group_id, l.position, l.id";
    Ok(run!(ex, |c| sqlx::query_as::<_, LinkRow>(SQL)
        .fetch_all(c)
        .await)?)
}

/// Replaces the links of entry `group_id` with `new` (kind, url, label),
/// keeping the link checker's findings for URLs that stay.
pub async fn replace_links(
    mut ex: Ex<'_>,
    group_id: i64,
    new: &[(String, String, String)],
) -> Result<()> {
    let old = links(ex.reborrow(), group_id).await?;
    execute!(
        ex.reborrow(),
        "DELETE FROM group_links WHERE group_id = $1",
        group_id
    )?;
    const SQL: &str = "INSERT INTO group_links (group_id, position, kind, url, label, check_status, check_detail, final_url, checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    for (position, (kind, url, label)) in new.iter().enumerate() {
        let kept = old.iter().find(|o| &o.url == url);
        execute!(
            ex.reborrow(),
            SQL,
            group_id,
            position as i64,
            kind,
            url,
            label,
            kept.and_then(|o| o.check_status.clone()),
            kept.and_then(|o| o.check_detail.clone()),
            kept.and_then(|o| o.final_url.clone()),
            kept.and_then(|o| o.checked_at)
        )?;
    }
    Ok(())
}

/// One recorded change to an entry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RevisionRow {
    /// Id.
    pub id: i64,
    /// Entry.
    pub group_id: i64,
    /// Who made it (none for imports run from the command line).
    pub user_id: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// "edited", "imported", "reverted to revision 3"...
    pub summary: String,
    /// JSON: a list of {field, old, new}.
    pub changes: String,
}

/// Records a revision.
pub async fn insert_revision(
    ex: Ex<'_>,
    group_id: i64,
    user_id: Option<i64>,
    now: DateTime<Utc>,
    summary: &str,
    changes: &str,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO group_revisions (group_id, user_id, created_at, summary, changes) VALUES ($1, $2, $3, $4, $5) RETURNING id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(group_id)
        .bind(user_id)
        .bind(now)
        .bind(summary)
        .bind(changes)
        .fetch_one(c)
        .await)?)
}

/// The revisions of an entry, newest first.
pub async fn revisions(ex: Ex<'_>, group_id: i64) -> Result<Vec<RevisionRow>> {
    const SQL: &str = "SELECT id, group_id, user_id, created_at, summary, changes FROM group_revisions WHERE group_id = $1 ORDER BY id DESC";
    Ok(run!(ex, |c| sqlx::query_as::<_, RevisionRow>(SQL)
        .bind(group_id)
        .fetch_all(c)
        .await)?)
}

/// How many approved entries there are.
pub async fn count_approved(ex: Ex<'_>) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM groups WHERE approval = 'approved'";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .fetch_one(c)
        .await)?)
}

/// The few columns the map and distance sorting need.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Located {
    /// Id.
    pub id: i64,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// City.
    pub city: String,
    /// Alpha-2.
    pub country: String,
    /// Continent code.
    pub continent: String,
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
    /// Status.
    pub status: String,
    /// Last confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// Every approved entry that has coordinates.
pub async fn located(ex: Ex<'_>) -> Result<Vec<Located>> {
    const SQL: &str = "SELECT id, slug, name, city, country, continent, latitude, longitude, status, confirmed_at, created_at FROM groups WHERE approval = 'approved' AND latitude IS NOT NULL AND longitude IS NOT NULL";
    Ok(run!(ex, |c| sqlx::query_as::<_, Located>(SQL)
        .fetch_all(c)
        .await)?)
}

/// The names of the accounts that organize group `group_id`.
pub async fn organizer_names(ex: Ex<'_>, group_id: i64) -> Result<Vec<String>> {
    const SQL: &str = "SELECT u.display_name FROM role_grants r JOIN users u ON u.id = r.user_id WHERE r.role = 'organizer' AND r.scope = $1 AND u.disabled_at IS NULL ORDER BY r.id";
    let scope = convene_domain::Scope::Group(group_id).to_stored();
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(SQL)
        .bind(&scope)
        .fetch_all(c)
        .await)?)
}

/// Approved entries not confirmed since `before` (never-confirmed ones
/// count from their creation), oldest first.
pub async fn stale(ex: Ex<'_>, before: DateTime<Utc>, limit: i64) -> Result<Vec<GroupRow>> {
    const SQL: &str = select!(
        "WHERE approval = 'approved' AND COALESCE(confirmed_at, created_at) < $1 ORDER BY COALESCE(confirmed_at, created_at), id LIMIT $2"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, GroupRow>(SQL)
        .bind(before)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Links the checker found broken or unreachable, with their group's slug and name.
pub async fn broken_links(
    ex: Ex<'_>,
    limit: i64,
) -> Result<Vec<(String, String, String, String, Option<String>)>> {
    const SQL: &str = "SELECT g.slug, g.name, l.url, l.check_status, l.check_detail FROM group_links l JOIN groups g ON g.id = l.group_id \
        WHERE g.approval = 'approved' AND l.check_status IN ('broken', 'unreachable') ORDER BY g.name, l.position LIMIT $1";
    Ok(run!(ex, |c| sqlx::query_as::<
        _,
        (String, String, String, String, Option<String>),
    >(SQL)
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// How many approved entries were not confirmed since `before`.
pub async fn count_stale(ex: Ex<'_>, before: DateTime<Utc>) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM groups WHERE approval = 'approved' AND COALESCE(confirmed_at, created_at) < $1";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(before)
        .fetch_one(c)
        .await)?)
}

/// Approved, not closed entries confirmed before `confirmed_before` whose
/// organizers were not asked since `asked_before`.
pub async fn due_for_confirmation(
    ex: Ex<'_>,
    confirmed_before: DateTime<Utc>,
    asked_before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<GroupRow>> {
    const SQL: &str = select!(
        "WHERE approval = 'approved' AND status <> 'closed' AND COALESCE(confirmed_at, created_at) < $1 \
        AND (confirmation_requested_at IS NULL OR confirmation_requested_at < $2) ORDER BY COALESCE(confirmed_at, created_at), id LIMIT $3"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, GroupRow>(SQL)
        .bind(confirmed_before)
        .bind(asked_before)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Records that the organizers were asked to confirm.
pub async fn mark_confirmation_requested(ex: Ex<'_>, id: i64, now: DateTime<Utc>) -> Result<u64> {
    execute!(
        ex,
        "UPDATE groups SET confirmation_requested_at = $2 WHERE id = $1",
        id,
        now
    )
    .map_err(Into::into)
}

/// The organizers of group `group_id`: (account id, address, name).
pub async fn organizers(ex: Ex<'_>, group_id: i64) -> Result<Vec<(i64, String, String)>> {
    const SQL: &str = "SELECT u.id, u.email, u.display_name FROM role_grants r JOIN users u ON u.id = r.user_id WHERE r.role = 'organizer' AND r.scope = $1 AND u.disabled_at IS NULL ORDER BY r.id";
    let scope = convene_domain::Scope::Group(group_id).to_stored();
    Ok(run!(ex, |c| sqlx::query_as::<_, (i64, String, String)>(
        SQL
    )
    .bind(&scope)
    .fetch_all(c)
    .await)?)
}

/// Records what the link checker found for link `id`.
pub async fn record_link_check(
    ex: Ex<'_>,
    id: i64,
    status: &str,
    detail: &str,
    final_url: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64> {
    const SQL: &str = "UPDATE group_links SET check_status = $2, check_detail = $3, final_url = $4, checked_at = $5 WHERE id = $1";
    execute!(ex, SQL, id, status, detail, final_url, now).map_err(Into::into)
}

/// Approved groups having a link never checked or last checked before `before`.
pub async fn groups_with_links_due(
    ex: Ex<'_>,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<i64>> {
    const SQL: &str = "SELECT DISTINCT l.group_id FROM group_links l JOIN groups g ON g.id = l.group_id \
        WHERE g.approval = 'approved' AND (l.checked_at IS NULL OR l.checked_at < $1) ORDER BY l.group_id LIMIT $2";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(before)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}
