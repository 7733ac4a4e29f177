//! Both backends' migrations must reach the same schema.

use convene_store::schema::shape;
use convene_store::testing::{TEST_DATABASE_URL, TestDb};

#[tokio::test]
async fn sqlite_and_postgres_reach_the_same_schema() {
    let sqlite = TestDb::sqlite().await.unwrap();
    let sqlite_shape = shape(&sqlite.db).await.unwrap();
    assert!(sqlite_shape.tables.contains_key("jobs"));
    assert!(sqlite_shape.indexes.contains_key("ux_users_email"));

    let Ok(url) = std::env::var(TEST_DATABASE_URL) else {
        eprintln!("skipped the PostgreSQL half: set {TEST_DATABASE_URL} to compare both schemas");
        return;
    };
    let pg = TestDb::postgres(&url).await.unwrap();
    let pg_shape = shape(&pg.db).await.unwrap();
    assert_eq!(sqlite_shape.tables, pg_shape.tables);
    assert_eq!(sqlite_shape.indexes, pg_shape.indexes);
}
