//! Migration 0013 moves roles and invitations from slugs to ids: each old
//! slug is read as of the day the role was given, so a renamed group keeps
//! its organizers and a group made later at a freed slug inherits nobody.
//! Runs on SQLite, and on PostgreSQL when `CONVENE_TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use convene_store::calendars::{self, CalendarFields};
use convene_store::groups::{self, GroupFields, Origin};
use convene_store::invitations::{self, NewInvitation};
use convene_store::testing::TestDb;
use convene_store::users::{self, NewUser};
use convene_store::{Db, execute, run, sqlx};

fn day(n: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + Duration::days(n)
}

fn fields(slug: &str, name: &str) -> GroupFields {
    GroupFields {
        slug: slug.into(),
        name: name.into(),
        short_description: String::new(),
        description: String::new(),
        city: "Boston".into(),
        region: String::new(),
        country: "US".into(),
        continent: "NA".into(),
        latitude: None,
        longitude: None,
        languages: "en".into(),
        meeting_pattern: String::new(),
        founded: String::new(),
        status: "active".into(),
    }
}

const WEB: Origin<'static> = Origin {
    approval: "approved",
    proposed_by: None,
    source: "web",
    imported_at: None,
};

async fn user(db: &Db, email: &str) -> i64 {
    let mut conn = db.conn().await.unwrap();
    users::insert(
        conn.ex(),
        &NewUser {
            email,
            display_name: email,
            password_hash: None,
            email_verified_at: None,
            created_at: day(0),
        },
    )
    .await
    .unwrap()
}

/// A role row in the form stored before 0013.
async fn legacy_grant(db: &Db, user_id: i64, role: &str, scope: &str, at: DateTime<Utc>) {
    let mut conn = db.conn().await.unwrap();
    execute!(
        conn.ex(),
        "INSERT INTO role_grants (user_id, role, scope, granted_by, created_at) VALUES ($1, $2, $3, NULL, $4)",
        user_id,
        role,
        scope,
        at
    )
    .unwrap();
}

async fn grants_of(db: &Db, user_id: i64) -> Vec<(String, String)> {
    let mut conn = db.conn().await.unwrap();
    run!(conn.ex(), |c| sqlx::query_as::<_, (String, String)>(
        "SELECT role, scope FROM role_grants WHERE user_id = $1 ORDER BY id"
    )
    .bind(user_id)
    .fetch_all(c)
    .await)
    .unwrap()
}

#[tokio::test]
async fn old_slug_grants_follow_the_group_they_were_given_for() {
    let t = TestDb::new().await.unwrap();
    let db = &t.db;
    let (ana, ben, eda) = (
        user(db, "ana@example.org").await,
        user(db, "ben@example.org").await,
        user(db, "eda@example.org").await,
    );
    let mut conn = db.conn().await.unwrap();
    // Day 0: the group at pug-old, a regional calendar and another group.
    let renamed = groups::insert(conn.ex(), &fields("pug-old", "PUG"), WEB, day(0))
        .await
        .unwrap();
    let europe = calendars::insert(
        conn.ex(),
        &CalendarFields {
            slug: "europe",
            name: "Europe",
            description: "",
            continent: "EU",
            country: "",
            region: "",
        },
        ana,
        day(0),
    )
    .await
    .unwrap();
    let berlin = groups::insert(conn.ex(), &fields("pyberlin", "PyBerlin"), WEB, day(0))
        .await
        .unwrap();
    // Day 2: a coordinator renames it (and the revision says so); day 3
    // someone proposes a new group at the freed slug.
    groups::update(conn.ex(), renamed, &fields("pug-new", "PUG"), None, day(2))
        .await
        .unwrap();
    groups::insert_revision(
        conn.ex(),
        renamed,
        Some(ana),
        day(2),
        "edited",
        r#"[{"field":"slug","old":"pug-old","new":"pug-new"}]"#,
    )
    .await
    .unwrap();
    let squatter = groups::insert(conn.ex(), &fields("pug-old", "Not PUG"), WEB, day(3))
        .await
        .unwrap();
    drop(conn);

    // Ana organized pug-old before the rename, was locked out, and was
    // given the role again under pug-new; Ben organizes the new pug-old.
    legacy_grant(db, ana, "coordinator", "", day(0)).await;
    legacy_grant(db, ana, "organizer", "group:pug-old", day(1)).await;
    legacy_grant(db, ana, "organizer", "group:pug-new", day(2)).await;
    legacy_grant(db, ben, "organizer", "group:pug-old", day(4)).await;
    legacy_grant(db, eda, "calendar_editor", "calendar:europe", day(1)).await;
    legacy_grant(db, eda, "calendar_editor", "calendar:pyberlin", day(1)).await;
    legacy_grant(db, eda, "organizer", "group:gone", day(1)).await;
    let mut conn = db.conn().await.unwrap();
    for (email, scope, at) in [
        ("new@example.org", "group:pug-old", day(1)),
        ("cal@example.org", "calendar:pyberlin", day(1)),
        ("lost@example.org", "group:gone", day(1)),
    ] {
        invitations::insert(
            conn.ex(),
            &NewInvitation {
                token_hash: &format!("hash-{email}"),
                email,
                role: "organizer",
                scope,
                invited_by: ana,
                created_at: at,
                expires_at: at + Duration::days(7),
            },
        )
        .await
        .unwrap();
    }
    // Run 0013 again over these rows.
    execute!(
        conn.ex(),
        "DELETE FROM _sqlx_migrations WHERE version = $1",
        13_i64
    )
    .unwrap();
    drop(conn);
    db.migrate().await.unwrap();

    let g = |id: i64| format!("group:{id}");
    assert_eq!(
        grants_of(db, ana).await,
        vec![
            ("coordinator".to_owned(), String::new()),
            ("organizer".to_owned(), g(renamed)),
        ]
    );
    assert_eq!(
        grants_of(db, ben).await,
        vec![("organizer".to_owned(), g(squatter))]
    );
    assert_eq!(
        grants_of(db, eda).await,
        vec![
            ("calendar_editor".to_owned(), format!("calendar:{europe}")),
            ("calendar_editor".to_owned(), g(berlin)),
        ]
    );
    let mut conn = db.conn().await.unwrap();
    let invites = run!(conn.ex(), |c| sqlx::query_as::<_, (String, String)>(
        "SELECT email, scope FROM invitations ORDER BY id"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    assert_eq!(
        invites,
        vec![
            ("new@example.org".to_owned(), g(renamed)),
            ("cal@example.org".to_owned(), g(berlin)),
        ]
    );
    // Every stored scope now reads back as a typed scope.
    let all = run!(conn.ex(), |c| sqlx::query_scalar::<_, String>(
        "SELECT scope FROM role_grants UNION ALL SELECT scope FROM invitations"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    for s in all {
        assert!(convene_domain::Scope::from_stored(&s).is_some(), "{s:?}");
    }
}
