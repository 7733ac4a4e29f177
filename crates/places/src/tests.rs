//! Tests of the public API against the bundled data.

use super::*;
use crate::cities::all_cities;

/// The first result for `query`, as "name/country/region".
fn first(query: &str) -> Option<String> {
    find_places(query, 1)
        .first()
        .map(|c| format!("{}/{}/{}", c.name, c.country, c.region))
}

fn code_of(name: &str) -> Option<&'static str> {
    country_by_name(name).map(|c| c.code.as_str())
}

// Cities.

#[test]
fn pune_is_in_india() {
    let pune = find_places("Pune", 5);
    assert_eq!(pune[0].name, "Pune");
    assert_eq!(pune[0].country, "IN");
    assert_eq!(pune[0].region, "Maharashtra");
    assert!((pune[0].lat - 18.5196).abs() < 0.01 && (pune[0].lon - 73.8554).abs() < 0.01);
}

#[test]
fn cambridge_massachusetts_by_name_and_by_abbreviation() {
    for query in [
        "Cambridge, Massachusetts",
        "Cambridge, MA",
        "cambridge,ma",
        "Cambridge, MA, USA",
    ] {
        assert_eq!(
            first(query).as_deref(),
            Some("Cambridge/US/Massachusetts"),
            "{query}"
        );
        assert!(
            find_places(query, 10)
                .iter()
                .all(|c| c.region == "Massachusetts")
        );
    }
}

#[test]
fn cambridge_alone_is_the_largest_cambridge_first() {
    // GeoNames: Cambridge GB 145,674; Cambridge, Ontario 129,920;
    // Cambridge, Massachusetts 110,402; Cambridge, New Zealand 15,192.
    let found = find_places("Cambridge", 4);
    let got: Vec<(&str, &str)> = found
        .iter()
        .map(|c| (c.name.as_str(), c.country.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Cambridge", "GB"),
            ("Cambridge", "CA"),
            ("Cambridge", "US"),
            ("Cambridge", "NZ")
        ]
    );
}

#[test]
fn cambridge_narrowed_by_country() {
    for query in [
        "cambridge, uk",
        "Cambridge, England",
        "Cambridge, United Kingdom",
        "Cambridge, GB",
    ] {
        let found = find_places(query, 10);
        assert!(!found.is_empty(), "{query}");
        assert!(found.iter().all(|c| c.country == "GB"), "{query}");
        assert_eq!(found[0].name, "Cambridge");
    }
    assert_eq!(
        first("Cambridge, NZ").as_deref(),
        Some("Cambridge/NZ/Waikato Region")
    );
    // "CA" is both California and Canada; only Canada has a Cambridge.
    assert_eq!(
        first("Cambridge, CA").as_deref(),
        Some("Cambridge/CA/Ontario")
    );
    assert!(find_places("Cambridge, MA, UK", 10).is_empty());
}

#[test]
fn accents_do_not_matter() {
    for query in [
        "São Paulo",
        "sao paulo",
        "SAO PAULO",
        "Sao Paulo, Brazil",
        "São Paulo, Brasil",
    ] {
        assert_eq!(
            first(query).as_deref(),
            Some("São Paulo/BR/São Paulo"),
            "{query}"
        );
    }
    for query in ["Zürich", "zurich", "ZURICH", "Zürich, Switzerland"] {
        assert_eq!(first(query).as_deref(), Some("Zürich/CH/Zurich"), "{query}");
    }
}

#[test]
fn portland_oregon_and_portland_maine() {
    // Both are in the data: Portland, Oregon 652,503; Portland, Maine 66,881.
    assert_eq!(
        first("Portland, Oregon").as_deref(),
        Some("Portland/US/Oregon")
    );
    assert_eq!(first("Portland, OR").as_deref(), Some("Portland/US/Oregon"));
    assert_eq!(
        first("Portland, Maine").as_deref(),
        Some("Portland/US/Maine")
    );
    assert_eq!(first("Portland, ME").as_deref(), Some("Portland/US/Maine"));
    assert_eq!(first("Portland").as_deref(), Some("Portland/US/Oregon"));
    let maine = find_places("Portland, Maine", 1);
    assert!((maine[0].lat - 43.66).abs() < 0.01 && (maine[0].lon + 70.26).abs() < 0.01);
}

#[test]
fn without_commas_trailing_words_narrow() {
    assert_eq!(
        first("Portland Oregon").as_deref(),
        Some("Portland/US/Oregon")
    );
    assert_eq!(
        first("Portland Maine").as_deref(),
        Some("Portland/US/Maine")
    );
    assert_eq!(first("Paris Texas").as_deref(), Some("Paris/US/Texas"));
    assert_eq!(
        first("New York USA").as_deref(),
        Some("New York City/US/New York")
    );
}

#[test]
fn paris_france_is_not_paris_texas() {
    assert_eq!(
        first("Paris, France").as_deref(),
        Some("Paris/FR/Île-de-France")
    );
    assert!(
        find_places("Paris, France", 20)
            .iter()
            .all(|c| c.country == "FR")
    );
    assert_eq!(first("Paris").as_deref(), Some("Paris/FR/Île-de-France"));
    assert_eq!(first("Paris, Texas").as_deref(), Some("Paris/US/Texas"));
    assert_eq!(first("Paris, TX").as_deref(), Some("Paris/US/Texas"));
}

#[test]
fn exact_names_come_before_longer_names() {
    // Paris, Texas (24,782) is called "Paris"; "Paris 15 Vaugirard"
    // (229,713) only starts with it.
    let names: Vec<String> = find_places("Paris", 50)
        .iter()
        .map(|c| format!("{}/{}", c.name, c.country))
        .collect();
    let texas = names.iter().position(|n| n == "Paris/US");
    let district = names.iter().position(|n| n.starts_with("Paris 15"));
    assert!(texas.is_some() && district.is_some());
    assert!(texas < district, "{names:?}");
}

#[test]
fn prefixes_match_from_three_characters() {
    assert_eq!(first("Camb").as_deref(), Some("Cambridge/GB/England"));
    assert_eq!(
        first("Cambridge, Mass").as_deref(),
        Some("Cambridge/US/Massachusetts")
    );
    assert!(
        find_places("Pu", 10)
            .iter()
            .all(|c| text::normalise(&c.name) == "pu")
    );
}

#[test]
fn alternate_names_match() {
    assert_eq!(first("Bombay").as_deref(), Some("Mumbai/IN/Maharashtra"));
    assert_eq!(first("München").as_deref(), Some("Munich/DE/Bavaria"));
    assert_eq!(first("Munchen").as_deref(), Some("Munich/DE/Bavaria"));
    assert_eq!(first("Kiev").as_deref(), Some("Kyiv/UA/Kyiv City"));
    assert_eq!(
        first("Den Haag").as_deref(),
        Some("The Hague/NL/South Holland")
    );
    assert_eq!(first("NYC").as_deref(), Some("New York City/US/New York"));
    assert_eq!(
        first("New York, NY").as_deref(),
        Some("New York City/US/New York")
    );
    assert_eq!(
        first("Washington, D.C.").as_deref(),
        Some("Washington/US/District of Columbia")
    );
    assert_eq!(
        first("St. Petersburg, Russia").as_deref(),
        Some("Saint Petersburg/RU/St.-Petersburg")
    );
    assert_eq!(
        first("St Petersburg, FL").as_deref(),
        Some("St. Petersburg/US/Florida")
    );
}

#[test]
fn canadian_and_australian_abbreviations() {
    assert_eq!(first("Toronto, ON").as_deref(), Some("Toronto/CA/Ontario"));
    assert_eq!(
        first("London, Ontario").as_deref(),
        Some("London/CA/Ontario")
    );
    assert_eq!(first("London").as_deref(), Some("London/GB/England"));
    assert_eq!(
        first("Sydney, NSW").as_deref(),
        Some("Sydney/AU/New South Wales")
    );
    assert_eq!(
        first("Perth, WA").as_deref(),
        Some("Perth/AU/Western Australia")
    );
}

#[test]
fn nothing_for_empty_or_nonsense_queries() {
    for query in [
        "",
        "   ",
        ",",
        " , , ",
        "xyzzyqq",
        "Paris, Narnia",
        "!!!",
        "12345",
    ] {
        assert!(find_places(query, 10).is_empty(), "{query:?}");
    }
    assert!(find_places("Paris", 0).is_empty());
}

#[test]
fn results_respect_the_limit_and_population_order() {
    let found = find_places("Springfield", 3);
    assert_eq!(found.len(), 3);
    assert!(found.windows(2).all(|w| w[0].population >= w[1].population));
    assert!(found.iter().all(|c| c.name == "Springfield"));
    assert_eq!(
        first("Springfield, IL").as_deref(),
        Some("Springfield/US/Illinois")
    );
}

// Countries.

#[test]
fn countries_by_code() {
    assert_eq!(
        country("US").map(|c| c.name.as_str()),
        Some("United States")
    );
    assert_eq!(
        country("gb").map(|c| c.name.as_str()),
        Some("United Kingdom")
    );
    assert_eq!(country(" de ").map(|c| c.name.as_str()), Some("Germany"));
    assert_eq!(country("XK").map(|c| c.name.as_str()), Some("Kosovo"));
    for missing in ["", "X", "XX", "USA", "UK", "AN", "CS"] {
        assert!(country(missing).is_none(), "{missing}");
    }
}

#[test]
fn countries_by_alternative_names() {
    let cases = [
        ("USA", "US"),
        ("United States of America", "US"),
        ("United States", "US"),
        ("U.S.", "US"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("Scotland", "GB"),
        ("Wales", "GB"),
        ("Northern Ireland", "GB"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Korea", "KR"),
        ("South Korea", "KR"),
        ("North Korea", "KP"),
        ("Ivory Coast", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("Holland", "NL"),
        ("The Netherlands", "NL"),
        ("Netherlands", "NL"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("Iran", "IR"),
        ("Taiwan", "TW"),
        ("Hong Kong", "HK"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("Macedonia", "MK"),
        ("North Macedonia", "MK"),
        ("Bosnia", "BA"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Swaziland", "SZ"),
        ("Eswatini", "SZ"),
        ("Burma", "MM"),
        ("Myanmar", "MM"),
        ("Deutschland", "DE"),
        ("España", "ES"),
        ("Schweiz", "CH"),
        ("Suisse", "CH"),
        ("Brasil", "BR"),
        ("México", "MX"),
        ("Österreich", "AT"),
        ("DRC", "CD"),
        ("Cape Verde", "CV"),
        ("East Timor", "TL"),
        ("Gambia", "GM"),
        ("the Gambia", "GM"),
        ("Åland Islands", "AX"),
        ("Aland Islands", "AX"),
    ];
    for (name, code) in cases {
        assert_eq!(code_of(name), Some(code), "{name}");
    }
}

#[test]
fn country_names_ignore_case_accents_and_the() {
    assert_eq!(code_of("  united   STATES "), Some("US"));
    assert_eq!(code_of("TURKIYE"), Some("TR"));
    assert_eq!(code_of("the netherlands"), Some("NL"));
    assert_eq!(code_of("THE UK"), Some("GB"));
    assert_eq!(code_of("cote divoire"), Some("CI"));
    for missing in ["", "the", "Narnia", "US of A", "Europe"] {
        assert_eq!(code_of(missing), None, "{missing}");
    }
}

#[test]
fn continents_of_countries() {
    let cases = [
        ("US", Continent::NorthAmerica),
        ("PA", Continent::NorthAmerica),
        ("BR", Continent::SouthAmerica),
        ("FR", Continent::Europe),
        ("GB", Continent::Europe),
        ("RU", Continent::Europe),
        ("TR", Continent::Asia),
        ("IN", Continent::Asia),
        ("EG", Continent::Africa),
        ("NG", Continent::Africa),
        ("AU", Continent::Oceania),
        ("NZ", Continent::Oceania),
        ("AQ", Continent::Antarctica),
    ];
    for (code, continent) in cases {
        assert_eq!(
            country(code).map(|c| c.continent),
            Some(continent),
            "{code}"
        );
    }
}

#[test]
fn continent_codes_names_and_slugs() {
    assert_eq!(Continent::all().len(), 7);
    for continent in Continent::all() {
        assert_eq!(Continent::from_code(continent.code()), Some(continent));
        assert_eq!(
            Continent::from_code(&continent.code().to_lowercase()),
            Some(continent)
        );
        assert_eq!(Continent::from_slug(continent.slug()), Some(continent));
        assert!(
            countries().iter().any(|c| c.continent == continent),
            "{continent:?}"
        );
    }
    assert_eq!(Continent::NorthAmerica.code(), "NA");
    assert_eq!(Continent::NorthAmerica.name(), "North America");
    assert_eq!(Continent::NorthAmerica.slug(), "north-america");
    assert_eq!(Continent::Antarctica.code(), "AN");
    assert_eq!(Continent::from_code("XX"), None);
    assert_eq!(Continent::from_slug("North America"), None);
}

#[test]
fn the_country_table() {
    let all = countries();
    assert_eq!(all.len(), 250, "249 ISO 3166-1 codes and Kosovo");
    let keys: Vec<String> = all.iter().map(|c| text::country_key(&c.name)).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "sorted by name");
    let mut codes: Vec<&str> = all.iter().map(|c| c.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
    for c in all {
        assert!(c.code.len() == 2 && c.code.chars().all(|ch| ch.is_ascii_uppercase()));
        assert!(
            (-90.0..=90.0).contains(&c.lat) && (-180.0..=180.0).contains(&c.lon),
            "{}",
            c.code
        );
        assert_eq!(country(&c.code), Some(c));
        assert_eq!(country_by_name(&c.name), Some(c));
    }
    let us = country("US").map(|c| (c.lat, c.lon));
    assert!(us.is_some_and(|(lat, lon)| (lat - 38.9).abs() < 0.1 && (lon + 77.04).abs() < 0.1));
}

#[test]
fn the_gazetteer() {
    let cities = all_cities();
    let rows = include_str!("../data/cities.tsv").lines().count();
    assert_eq!(cities.len(), rows, "every row parses");
    assert!(cities.len() > 30_000);
    assert!(
        cities
            .windows(2)
            .all(|w| w[0].population >= w[1].population)
    );
    for city in cities {
        assert!(!city.name.is_empty());
        assert!(
            country(&city.country).is_some(),
            "{} {}",
            city.name,
            city.country
        );
        assert!((-90.0..=90.0).contains(&city.lat) && (-180.0..=180.0).contains(&city.lon));
    }
    // Every place of 15,000 or more, and a few smaller capitals.
    let small = cities.iter().filter(|c| c.population < 15_000).count();
    assert!(small < 100, "{small}");
    assert!(
        cities
            .iter()
            .any(|c| c.name == "Vaduz" && c.country == "LI")
    );
    let with_region = cities.iter().filter(|c| !c.region.is_empty()).count();
    assert!(
        with_region * 100 >= cities.len() * 99,
        "{with_region} of {}",
        cities.len()
    );
}

// Geometry.

#[test]
fn london_to_paris() {
    let d = distance_km(51.5074, -0.1278, 48.8566, 2.3522);
    assert!((d - 344.0).abs() < 2.0, "{d}");
    let (london, paris) = (find_places("London", 1), find_places("Paris", 1));
    let d = distance_km(london[0].lat, london[0].lon, paris[0].lat, paris[0].lon);
    assert!((d - 344.0).abs() < 2.0, "{d}");
}

#[test]
fn distances_are_symmetric_and_bounded() {
    assert_eq!(distance_km(42.37, -71.11, 42.37, -71.11), 0.0);
    let there = distance_km(18.52, 73.86, 42.37, -71.11);
    let back = distance_km(42.37, -71.11, 18.52, 73.86);
    assert!((there - back).abs() < 1e-9);
    let half_way_round = distance_km(0.0, 0.0, 0.0, 180.0);
    assert!((half_way_round - std::f64::consts::PI * 6371.0088).abs() < 1e-6);
    let pole_to_pole = distance_km(90.0, 0.0, -90.0, 0.0);
    assert!((pole_to_pole - half_way_round).abs() < 1e-6);
    // Across the antimeridian: Fiji to Samoa is about 1,150 km, not 38,000.
    let d = distance_km(-18.14, 178.44, -13.83, -171.76);
    assert!((1_100.0..1_200.0).contains(&d), "{d}");
}

#[test]
fn coordinates_typed_by_hand() {
    assert_eq!(parse_coordinates("42.37, -71.11"), Some((42.37, -71.11)));
    assert_eq!(parse_coordinates("42.37 -71.11"), Some((42.37, -71.11)));
    assert_eq!(parse_coordinates("42.37,-71.11"), Some((42.37, -71.11)));
    assert_eq!(
        parse_coordinates("  (42.37, -71.11) "),
        Some((42.37, -71.11))
    );
    assert_eq!(parse_coordinates("[+42.37\t-71.11]"), Some((42.37, -71.11)));
    assert_eq!(parse_coordinates("0 0"), Some((0.0, 0.0)));
    assert_eq!(parse_coordinates("90, 180"), Some((90.0, 180.0)));
    assert_eq!(parse_coordinates("-90, -180"), Some((-90.0, -180.0)));
    assert_eq!(parse_coordinates("12, -179.9999"), Some((12.0, -179.9999)));
}

#[test]
fn coordinates_out_of_range_or_garbled() {
    for input in [
        "91,0",
        "91 0",
        "-90.0001, 0",
        "0, 180.5",
        "0, -181",
        "",
        "   ",
        "42.37",
        "42.37,",
        ", -71.11",
        "42.37, -71.11, 5",
        "1 2 3",
        "abc",
        "north, west",
        "NaN, 0",
        "inf, 0",
        "1e1, 2",
        "42..1, 3",
        "4 2.37, -71",
        "42,37 -71,11",
        "(42.37, -71.11",
        "--42, 1",
    ] {
        assert_eq!(parse_coordinates(input), None, "{input:?}");
    }
}

#[test]
fn a_country_name_is_the_country_never_a_town() {
    for (query, code) in [
        ("India", "IN"),
        ("Georgia", "GE"),
        ("USA", "US"),
        ("india", "IN"),
    ] {
        match resolve_place(query) {
            Place::Country(c) => assert_eq!(c.code, code, "{query}"),
            other => panic!("{query}: {other:?}"),
        }
    }
}

#[test]
fn a_region_with_its_country_is_the_region() {
    match resolve_place("Georgia, USA") {
        Place::Region { country, name } => {
            assert_eq!(country.code, "US");
            assert_eq!(name, "Georgia");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_city_with_its_country_is_looked_up_inside_it() {
    let Place::City(c) = resolve_place("Bengaluru, India") else {
        panic!("no city");
    };
    assert_eq!((c.name.as_str(), c.country.as_str()), ("Bengaluru", "IN"));
    let Place::City(c) = resolve_place("Cambridge, MA") else {
        panic!("no city");
    };
    assert_eq!(
        (c.country.as_str(), c.region.as_str()),
        ("US", "Massachusetts")
    );
    let Place::City(c) = resolve_place("Cambridge, England") else {
        panic!("no city");
    };
    assert_eq!(c.country, "GB");
    let Place::City(c) = resolve_place("Pune") else {
        panic!("no city");
    };
    assert_eq!(c.name, "Pune");
}

#[test]
fn a_shared_name_offers_its_namesakes() {
    let Place::Ambiguous(found) = resolve_place("Cambridge") else {
        panic!("Cambridge is not one place");
    };
    let labels: Vec<String> = found.iter().map(|c| city_label(c)).collect();
    assert!(
        labels.contains(&"Cambridge, England".to_owned()),
        "{labels:?}"
    );
    assert!(
        labels.contains(&"Cambridge, Massachusetts".to_owned()),
        "{labels:?}"
    );
    assert!(!labels.iter().any(|l| l.contains("Waikato")), "{labels:?}");
    // Each candidate's query finds exactly that city again.
    for city in found {
        assert_eq!(resolve_place(&city_query(city)), Place::City(city));
    }
    // A much larger namesake is simply the place meant.
    let Place::City(paris) = resolve_place("Paris") else {
        panic!("Paris");
    };
    assert_eq!(paris.country, "FR");
}

#[test]
fn nothing_is_nothing() {
    assert_eq!(resolve_place("Atlantis under the sea"), Place::Unknown);
    assert_eq!(resolve_place("Xqzzy"), Place::Unknown);
    assert_eq!(resolve_place("  "), Place::Unknown);
}

#[test]
fn addresses_name_their_city_inside_their_country() {
    let city = city_in_address("12 MG Road, Bengaluru, India").map(|c| c.name.as_str());
    assert_eq!(city, Some("Bengaluru"));
    let city = city_in_address("Hall 3, India").map(|c| c.name.as_str());
    assert_eq!(city, None, "a country alone is not a town");
    let city = city_in_address("1 Main St, Cambridge, MA 02139").map(|c| c.region.as_str());
    assert_eq!(city, Some("Massachusetts"));
    assert_eq!(city_in_address("The Pub, Cambridge"), None, "ambiguous");
    let city = city_in_address("Alexanderplatz 1, 10178 Berlin").map(|c| c.country.as_str());
    assert_eq!(city, Some("DE"));
}

#[test]
fn cities_named_inside_a_country() {
    assert_eq!(
        city_named_in("Baroda", "IN", None).map(|c| c.name.as_str()),
        Some("Vadodara")
    );
    assert_eq!(
        city_named_in("Pune", "IN", None).map(|c| c.name.as_str()),
        Some("Pune")
    );
    assert_eq!(city_named_in("India", "IN", None), None);
    assert_eq!(
        city_named_in("Cambridge", "US", Some("Massachusetts")).map(|c| c.region.as_str()),
        Some("Massachusetts")
    );
}

#[test]
fn regions_by_their_short_names() {
    let (region, largest) = region_named_in("Gilan", "IR").unwrap();
    assert_eq!((region, largest.name.as_str()), ("Gilan Province", "Rasht"));
    assert_eq!(
        region_named_in("Gujarat", "IN").map(|r| r.0),
        Some("Gujarat")
    );
    assert_eq!(region_named_in("Gujarat", "PK"), None);
}
