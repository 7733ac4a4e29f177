//! The wiki page reader, on a hand-written page in the same format as the
//! community's list of local user groups.

use convene_rosterfile::{Entry, Link, LinkKind, Problem, parse_wiki};

const PAGE: &str = include_str!("fixtures/wiki-roster.md");

/// The 1-based line of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
}

fn link(kind: LinkKind, url: &str, label: &str) -> Link {
    Link {
        kind,
        url: url.into(),
        label: label.into(),
    }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn parsed() -> (Vec<Entry>, Vec<Problem>) {
    parse_wiki(PAGE)
}

fn entry<'a>(entries: &'a [Entry], name: &str) -> &'a Entry {
    entries
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no entry named {name:?}"))
}

#[test]
fn a_group_with_nested_links_and_a_duplicate() {
    let (entries, _) = parsed();
    let accra = entry(&entries, "Accra Python Users");
    let expected = Entry {
        line: line_of(PAGE, "[Accra Python Users](https://accra-py.example/)"),
        name: "Accra Python Users".into(),
        continent: s("Africa"),
        country: s("Ghana"),
        city: s("Accra"),
        links: vec![
            link(
                LinkKind::Website,
                "https://accra-py.example/",
                "Accra Python Users",
            ),
            link(
                LinkKind::MailingList,
                "https://mail.python.org/mailman/listinfo/accra-py",
                "Mailing List",
            ),
            link(LinkKind::Chat, "https://accrapy.slack.com/", "Slack"),
            link(LinkKind::Code, "https://github.com/accrapy", "GitHub"),
            // From the second bullet with the same name, merged in.
            link(
                LinkKind::Meetup,
                "https://www.meetup.com/accra-python/",
                "Accra Python Users",
            ),
        ],
        ..Entry::default()
    };
    assert_eq!(accra, &expected);
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.name == "Accra Python Users")
            .count(),
        1
    );
}

#[test]
fn a_group_without_a_link_takes_its_name_from_the_text() {
    let (entries, _) = parsed();
    let kumasi = entry(&entries, "The Python Community Kumasi");
    assert_eq!(kumasi.country.as_deref(), Some("Ghana"));
    assert_eq!(kumasi.city, None);
    assert_eq!(
        kumasi.description.as_deref(),
        Some("A friendly community for the Ashanti region")
    );
    assert_eq!(
        kumasi.links,
        vec![
            link(LinkKind::Website, "https://kumasi-py.example", "Website"),
            link(LinkKind::Social, "https://twitter.com/kumasipy", "Twitter")
        ]
    );
    // A link to another wiki page reads as its text.
    let ladies = entry(&entries, "PyLadies Ghana");
    assert_eq!(
        ladies.links,
        vec![link(
            LinkKind::Website,
            "https://ghana.pyladies.example",
            "Website"
        )]
    );
}

#[test]
fn country_and_state_headings() {
    let (entries, _) = parsed();
    let la = entry(&entries, "PyLadies LA");
    assert_eq!(la.continent, None);
    assert_eq!(la.country.as_deref(), Some("United States"));
    assert_eq!(la.region.as_deref(), Some("California"));
    assert_eq!(la.city.as_deref(), Some("Los Angeles"));
    assert_eq!(la.description, None);
    assert_eq!(
        la.links,
        vec![
            link(
                LinkKind::Meetup,
                "https://www.meetup.com/pyladies-la-example/",
                "PyLadies LA"
            ),
            link(LinkKind::Chat, "https://discord.gg/pyladiesla", "Discord"),
            link(
                LinkKind::Social,
                "https://fosstodon.org/@pyladiesla",
                "Mastodon"
            ),
        ]
    );
    let bay = entry(&entries, "BayPIGgies");
    assert_eq!(bay.city, None);
    assert_eq!(
        bay.description.as_deref(),
        Some("San Francisco Bay Area Python Interest Group.")
    );

    let maputo = entry(&entries, "PyMaputo");
    assert_eq!(
        (maputo.country.as_deref(), maputo.region.as_deref()),
        (Some("Mozambique"), Some("Maputo"))
    );
    // A bullet with only "GitHub" adds its link to the group above it.
    assert_eq!(
        maputo.links.iter().map(|l| l.kind).collect::<Vec<_>>(),
        vec![LinkKind::Website, LinkKind::Code]
    );

    // A top-level heading can be a country.
    let montreal = entry(&entries, "MontrealPython");
    assert_eq!(
        (montreal.continent.as_deref(), montreal.country.as_deref()),
        (None, Some("Canada"))
    );
    // ... or a world area with no country.
    let ttpug = entry(&entries, "TTPUG");
    assert_eq!(
        (ttpug.continent.as_deref(), ttpug.country.as_deref()),
        (Some("Caribbean"), None)
    );
    assert_eq!(
        ttpug.description.as_deref(),
        Some("Trinidad and Tobago Python Users Group")
    );
}

#[test]
fn odd_headings() {
    let (entries, _) = parsed();
    assert_eq!(
        entry(&entries, "PyKhmer & Friends").country.as_deref(),
        Some("Cambodia")
    );
    assert_eq!(
        entry(&entries, "ThaiPy - Bangkok Python Meetup")
            .country
            .as_deref(),
        Some("Thailand")
    );
    // "Other Africa" only repeats the continent.
    let tunisia = entry(&entries, "Python Tunisia");
    assert_eq!(
        (
            tunisia.continent.as_deref(),
            tunisia.country.as_deref(),
            tunisia.city.as_deref()
        ),
        (Some("Africa"), None, Some("Tunisia"))
    );
    assert_eq!(
        entry(&entries, "Nairobi Python User Group").city.as_deref(),
        Some("Nairobi, Kenya")
    );
    // "Indian Ocean" is an area, not a country.
    let pymu = entry(&entries, "pymu");
    assert_eq!(
        (pymu.country.as_deref(), pymu.region.as_deref()),
        (None, Some("Indian Ocean"))
    );
    assert_eq!(
        pymu.description.as_deref(),
        Some("Mauritius (Python Mauritius User-Group)")
    );
    // "User Groups" sorts, it is not a region.
    let cologne = entry(&entries, "Python User Group Cologne (PyCologne)");
    assert_eq!(
        (cologne.country.as_deref(), cologne.region.as_deref()),
        (Some("Germany"), None)
    );
    assert_eq!(cologne.city.as_deref(), Some("Cologne, Germany"));
    assert_eq!(
        cologne.links,
        vec![link(
            LinkKind::Meetup,
            "https://www.meetup.com/pug-cologne-example/",
            "Python User Group Cologne"
        )]
    );
}

#[test]
fn label_bullets_and_bare_addresses() {
    let (entries, _) = parsed();
    let pugs = entry(&entries, "PUGS");
    assert_eq!(
        pugs.description.as_deref(),
        Some("Python User Group Singapore")
    );
    assert_eq!(
        pugs.links,
        vec![
            link(LinkKind::Website, "https://pugs.example/", "PUGS"),
            link(LinkKind::Website, "https://python-sg.example", "Website"),
            link(
                LinkKind::MailingList,
                "https://groups.google.com/group/pugs-example",
                "local pyladies"
            ),
        ]
    );
    let leipzig = entry(&entries, "Py.Leipzig");
    assert_eq!(leipzig.description.as_deref(), Some("Python in Leipzig."));
    assert_eq!(
        leipzig.links.iter().map(|l| l.kind).collect::<Vec<_>>(),
        vec![LinkKind::Website, LinkKind::Meetup]
    );
}

#[test]
fn bullets_that_list_groups() {
    let (entries, _) = parsed();
    let brasil = entry(&entries, "Python Brasil");
    assert_eq!(brasil.description.as_deref(), Some("National community"));
    assert_eq!(brasil.links.len(), 1);
    let tche = entry(&entries, "PyTchê");
    assert_eq!(
        (tche.country.as_deref(), tche.city.as_deref()),
        (Some("Brazil"), Some("Rio Grande do Sul"))
    );
    let sp = entry(&entries, "Grupy-SP");
    assert_eq!(sp.city.as_deref(), Some("São Paulo"));
    assert_eq!(
        sp.links.iter().map(|l| l.kind).collect::<Vec<_>>(),
        vec![LinkKind::MailingList, LinkKind::Meetup]
    );
    let cali = entry(&entries, "Python Cali");
    assert_eq!(cali.country.as_deref(), Some("Colombia"));
    assert_eq!(
        cali.links
            .iter()
            .map(|l| l.label.as_str())
            .collect::<Vec<_>>(),
        vec!["Meetup", "Website"]
    );
    assert!(entries.iter().any(|e| e.name == "Django Bogotá"));
    assert!(
        !entries
            .iter()
            .any(|e| e.name.contains("Regional") || e.name.contains("Cities"))
    );
}

#[test]
fn text_forms() {
    let (entries, _) = parsed();
    let montreal = entry(&entries, "MontrealPython");
    assert_eq!(
        montreal.description.as_deref(),
        Some("Montréal's Python community. Meets monthly; see our feed.")
    );
    assert_eq!(
        montreal.links[1],
        link(
            LinkKind::BlogFeed,
            "https://montrealpython.example/feed/",
            "our feed"
        )
    );
    assert_eq!(
        entry(&entries, "Old Town PUG").status.as_deref(),
        Some("closed")
    );
    assert_eq!(
        entry(&entries, "Madison Python Users' Group").links[0].label,
        "Madison"
    );
    let prpig = entry(&entries, "prPIG");
    assert_eq!(
        prpig.description.as_deref(),
        Some("Puerto Rico Python Interest Group. Started in January 2013.")
    );
    let peru = entry(&entries, "Python Peru");
    assert_eq!(
        peru.description.as_deref(),
        Some("Peruvian user community. Send e-mail to the list")
    );
    assert_eq!(
        peru.links,
        vec![link(
            LinkKind::MailingList,
            "mailto:python-pe@lists.example",
            "the list"
        )]
    );
}

#[test]
fn refused_and_broken_links() {
    let (entries, _) = parsed();
    let tema = entry(&entries, "Tema PUG");
    assert!(tema.links.is_empty());
    assert_eq!(tema.city.as_deref(), Some("Tema"));
    let data = entry(&entries, "Data Link PUG");
    assert_eq!(data.description.as_deref(), Some("Meets downtown."));
    assert_eq!(
        data.links.iter().map(|l| l.kind).collect::<Vec<_>>(),
        vec![LinkKind::Website, LinkKind::Social]
    );
    for e in &entries {
        for l in &e.links {
            assert!(
                l.url.starts_with("https://")
                    || l.url.starts_with("http://")
                    || l.url.starts_with("mailto:"),
                "{}",
                l.url
            );
        }
    }
    let broken = entry(&entries, "Broken PUG");
    assert_eq!(broken.city.as_deref(), Some("Halifax"));
    assert_eq!(
        broken.links,
        vec![link(
            LinkKind::Website,
            "https://broken-pug.example",
            "Broken PUG"
        )]
    );
    let open = entry(&entries, "Open Paren PUG");
    assert_eq!(open.city.as_deref(), Some("Regina"));
    assert_eq!(
        open.links,
        vec![link(
            LinkKind::Website,
            "https://open-paren.example",
            "Open Paren PUG"
        )]
    );
}

#[test]
fn intro_contents_images_and_footnotes_are_not_groups() {
    let (entries, _) = parsed();
    for e in &entries {
        for unwanted in [
            "list below",
            "world map",
            "Python Meetups",
            "sometimes called",
            "SomeEditor",
            "Contents",
            "meeting-small",
        ] {
            assert!(!e.name.contains(unwanted), "{e:?}");
        }
        assert_ne!(e.name, "Africa");
    }
    assert_eq!(entries.len(), 31);
    let lines: Vec<usize> = entries.iter().map(|e| e.line).collect();
    assert!(
        lines.windows(2).all(|w| w[0] < w[1]),
        "entries follow the page"
    );
}

#[test]
fn problems_are_reported_with_their_lines() {
    let (entries, problems) = parsed();
    let expected: Vec<(usize, &str)> = vec![
        (line_of(PAGE, "[Orphan PUG]"), "comes before any heading"),
        (
            line_of(PAGE, "(https://www.meetup.com/accra-python/)"),
            "listed twice",
        ),
        (
            line_of(PAGE, "[Tema PUG]"),
            "“javascript:” links are not allowed",
        ),
        (
            line_of(PAGE, "* IRC: <https://webchat.example"),
            "no group name",
        ),
        (line_of(PAGE, "[Facebook Groups page]"), "no group name"),
        (line_of(PAGE, "IRC: #pythonph"), "no group name"),
        (line_of(PAGE, "[Broken PUG("), "“[” is never closed"),
        (
            line_of(PAGE, "[Open Paren PUG]"),
            "“(” after “[Open Paren PUG]” is never closed",
        ),
        (
            line_of(PAGE, "(http://oldtown-pug.example/)") + 1,
            "no group name",
        ),
        (
            line_of(PAGE, "[Data Link PUG]"),
            "“data:” links are not allowed",
        ),
        (
            line_of(PAGE, "[Data Link PUG]"),
            "“vbscript:” links are not allowed",
        ),
    ];
    let got: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for ((line, msg), (want_line, want)) in got.iter().zip(&expected) {
        assert_eq!(line, want_line, "{msg}");
        assert!(msg.contains(want), "{msg:?} should say {want:?}");
    }
    // The group before any heading is kept, without a place.
    let orphan = entry(&entries, "Orphan PUG");
    assert_eq!(
        (orphan.continent.as_deref(), orphan.country.as_deref()),
        (None, None)
    );
}

#[test]
fn over_long_fields() {
    let long_name = "Long ".repeat(50);
    let long_text = "word ".repeat(500);
    let page = format!(
        "Europe\n------\n\n### Iceland\n\n* [{long_name}](https://long.example/) - Reykjavík\n* [Talkative PUG](https://talk.example/) - {long_text}\n"
    );
    let (entries, problems) = parse_wiki(&page);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name, "Talkative PUG");
    assert_eq!(
        entries[0].description.as_ref().map(|d| d.chars().count()),
        Some(2000)
    );
    assert_eq!(problems.len(), 2);
    assert_eq!(problems[0].line, 6);
    assert!(
        problems[0].message.contains("name has 249 characters"),
        "{}",
        problems[0].message
    );
    assert_eq!(problems[1].line, 7);
    assert!(
        problems[1]
            .message
            .contains("description has 2499 characters"),
        "{}",
        problems[1].message
    );
}

#[test]
fn empty_and_plain_pages() {
    assert_eq!(parse_wiki(""), (vec![], vec![]));
    let (entries, problems) =
        parse_wiki("Just a paragraph.\n\nAnother one with a [link](https://x.example/).\n");
    assert!(entries.is_empty() && problems.is_empty());
}

#[test]
fn hostile_input_stays_cheap() {
    let mut page = String::from("Europe\n------\n\n### Malta\n\n");
    page.push_str(&format!("* {}\n", "[".repeat(200_000)));
    page.push_str(&format!("* {}x\n", "[[a]".repeat(50_000)));
    for i in 0..2_000 {
        page.push_str(&format!(
            "{}* [G{i}](https://g.example/{i})\n",
            " ".repeat(i)
        ));
    }
    let started = std::time::Instant::now();
    let (entries, problems) = parse_wiki(&page);
    assert!(
        started.elapsed().as_secs() < 5,
        "took {:?}",
        started.elapsed()
    );
    let line6: Vec<&str> = problems
        .iter()
        .filter(|p| p.line == 6)
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(line6.len(), 2, "{line6:?}");
    assert!(
        line6[0].contains("never closed") && line6[1].contains("no group name"),
        "{line6:?}"
    );
    assert_eq!(
        entries.iter().filter(|e| e.name.starts_with('G')).count(),
        1
    );
    assert_eq!(
        entries
            .iter()
            .find(|e| e.name == "G0")
            .map(|e| e.links.len()),
        Some(2_000)
    );
}

#[test]
fn bullets_of_links_only_are_kept_apart_under_their_heading() {
    let page = "Africa\n------\n\n### Ivory Coast\n\n* [Website](http://www.pythonci.example/)\n* [Twitter](https://twitter.com/PythonCIexample)\n\n### Mozambique\n\n#### Maputo\n\n* [Slack](https://pythonmaputo.slack.example/)\n\n### Ghana\n\n* [Accra Python Users](https://accra-py.example/) - Accra\n  + [GitHub](https://github.com/accrapy)\n";
    let parsed = convene_rosterfile::parse_wiki_page(page);
    let names: Vec<&str> = parsed.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["Accra Python Users"]);
    let held: Vec<(&str, Option<&str>, usize)> = parsed
        .links_only
        .iter()
        .map(|e| (e.name.as_str(), e.country.as_deref(), e.links.len()))
        .collect();
    assert_eq!(
        held,
        vec![
            ("Ivory Coast", Some("Ivory Coast"), 2),
            ("Maputo", Some("Mozambique"), 1)
        ]
    );
    assert!(
        parsed
            .problems
            .iter()
            .all(|p| p.message.contains("kept as links only")),
        "{:?}",
        parsed.problems
    );
}
