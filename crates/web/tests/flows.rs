//! Whole flows through the real router on a fresh database.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn coordinator_invites_organizer_who_accepts_signs_out_and_in() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    coord
        .get("/admin")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Run the site");

    let mut org = organizer(&app, &mut coord, "olu@example.org", "pug-lagos").await;
    org.get("/account")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("an organizer of the group pug-lagos");

    org.submit("/signout", &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(!org.signed_in());
    org.get("/account")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);

    let r = org
        .submit(
            "/signin",
            &[
                ("email", "olu@example.org"),
                ("password", "orange lantern meadow"),
            ],
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/account?done=signed-in");
    org.get("/account")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("olu@example.org");
}
