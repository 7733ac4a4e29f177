//! Made-up groups for benchmarks: `convene admin seed-bench`.

use super::input::{GroupInput, validate};
use crate::{AppResult, Services};
use convene_store::groups::{self, Origin};

/// Adds `count` approved groups spread over the world's cities (the largest
/// first, round the gazetteer), with a description, languages and links,
/// as a roster of that size would have. Returns how many were added.
pub async fn seed_groups(svc: &Services, count: usize) -> AppResult<usize> {
    let mut cities: Vec<&convene_places::City> = convene_places::cities().iter().collect();
    cities.sort_by_key(|c| std::cmp::Reverse(c.population));
    let now = svc.clock.now();
    let mut added = 0;
    // Numbered after the groups already there, so seeding again adds more.
    let offset = {
        let mut conn = svc.db.conn().await?;
        groups::count_approved(conn.ex()).await? as usize
    };
    for chunk in (offset..offset + count).collect::<Vec<_>>().chunks(1000) {
        let mut tx = svc.db.begin().await?;
        for &n in chunk {
            let city = cities[n % cities.len()];
            let round = n / cities.len();
            let name = if round == 0 {
                format!("{} Python Users", city.name)
            } else {
                format!("{} Python Users {}", city.name, round + 1)
            };
            let input = GroupInput {
                name,
                slug: format!("bench-{n}"),
                short_description: format!(
                    "Pythonistas in {} meet to share talks, code and food.",
                    city.name
                ),
                description: format!(
                    "We meet every month in {}. Talks range from beginners' introductions to data science, web frameworks and packaging. Everyone is welcome.",
                    city.name
                ),
                city: city.name.clone(),
                region: city.region.clone(),
                country: city.country.clone(),
                latitude: city.lat.to_string(),
                longitude: city.lon.to_string(),
                languages: "en".into(),
                meeting_pattern: "second Tuesday, 7 pm".into(),
                founded: "2012".into(),
                status: "active".into(),
                links: vec![
                    ("website".into(), format!("https://bench-{n}.example.org/")),
                    (
                        "meetup".into(),
                        format!("https://www.meetup.com/bench-{n}/"),
                    ),
                ],
            };
            let valid = validate(&input)?;
            let origin = Origin {
                approval: "approved",
                proposed_by: None,
                source: "import",
                imported_at: Some(now),
            };
            let id = groups::insert(tx.ex(), &valid.fields, origin, now).await?;
            groups::replace_links(tx.ex(), id, &valid.links).await?;
            added += 1;
        }
        tx.commit().await?;
    }
    svc.db.optimize().await?;
    Ok(added)
}
