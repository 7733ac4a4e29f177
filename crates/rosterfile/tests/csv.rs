//! The CSV reader and writer: the documented header, bad files and rows,
//! and reading back what convene writes.

use convene_rosterfile::{CSV_COLUMNS, Entry, Link, LinkKind, parse_csv, parse_wiki, write_csv};

const FULL: &str = include_str!("fixtures/roster.csv");
const PARTIAL: &str = include_str!("fixtures/roster-partial.csv");

fn link(kind: LinkKind, url: &str) -> Link {
    Link {
        kind,
        url: url.into(),
        label: String::new(),
    }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn without_lines(entries: &[Entry]) -> Vec<Entry> {
    entries
        .iter()
        .cloned()
        .map(|e| Entry { line: 0, ..e })
        .collect()
}

#[test]
fn reads_every_column() {
    let (entries, problems) = parse_csv(FULL.as_bytes());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(entries.len(), 4);
    let expected = Entry {
        line: 2,
        name: "Cape Town Python Users Group".into(),
        slug: s("ctpug"),
        continent: None,
        country: s("ZA"),
        region: s("Western Cape"),
        city: s("Cape Town"),
        description: s("Talks, sprints and \"braai\" evenings."),
        links: vec![
            link(LinkKind::Website, "https://ctpug.example/"),
            link(LinkKind::Meetup, "https://www.meetup.com/ctpug-example/"),
            link(
                LinkKind::MailingList,
                "https://groups.google.com/group/ctpug-example",
            ),
            link(LinkKind::Chat, "https://ctpug.slack.com/"),
            link(LinkKind::Code, "https://github.com/ctpug-example"),
            link(LinkKind::Social, "https://twitter.com/ctpug_example"),
            link(LinkKind::Social, "https://fosstodon.org/@ctpug"),
            link(LinkKind::BlogFeed, "https://ctpug.example/feed.atom"),
            link(LinkKind::Other, "https://ctpug.example/wiki"),
        ],
        status: s("active"),
        latitude: Some(-33.9249),
        longitude: Some(18.4241),
        languages: vec!["en".into(), "af".into()],
        meeting_pattern: s("First Thursday, 18:30"),
        founded: s("2009"),
    };
    assert_eq!(entries[0], expected);
    // A quoted field across two lines; the next record's line counts both.
    assert_eq!(
        entries[1].description.as_deref(),
        Some("Two lines:\nmeetups and a yearly conference.")
    );
    assert_eq!(entries[1].region, None);
    assert_eq!(
        (entries[2].line, entries[2].name.as_str()),
        (5, "Python Users, Berlin")
    );
    assert_eq!(entries[3].languages, vec!["pt-BR".to_owned()]);
}

#[test]
fn round_trip() {
    let (entries, _) = parse_csv(FULL.as_bytes());
    let written = write_csv(&entries);
    assert!(written.starts_with(&format!("{}\r\n", CSV_COLUMNS.join(","))));
    let (again, problems) = parse_csv(written.as_bytes());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(without_lines(&again), without_lines(&entries));
    assert_eq!(write_csv(&again), written);
}

#[test]
fn wiki_entries_export_and_read_back() {
    let page = "Africa\n------\n\n### Ghana\n\n* [Accra PUG](https://accra.example/) - Accra\n  + [List](https://groups.google.com/g/accra) [Chat](https://t.me/accra)\n";
    let (entries, _) = parse_wiki(page);
    let (back, problems) = parse_csv(write_csv(&entries).as_bytes());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(back.len(), 1);
    assert_eq!(
        (
            back[0].name.as_str(),
            back[0].country.as_deref(),
            back[0].city.as_deref()
        ),
        ("Accra PUG", Some("Ghana"), Some("Accra"))
    );
    let kinds: Vec<LinkKind> = back[0].links.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        vec![LinkKind::Website, LinkKind::MailingList, LinkKind::Chat]
    );
}

#[test]
fn some_columns_in_any_order_with_a_byte_order_mark() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(PARTIAL.as_bytes());
    let (entries, problems) = parse_csv(&bytes);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (
            entries[0].name.as_str(),
            entries[0].country.as_deref(),
            entries[0].city.as_deref()
        ),
        ("Accra Python Users", Some("GH"), Some("Accra"))
    );
    assert_eq!((entries[1].line, entries[1].city.as_deref()), (4, None));
}

#[test]
fn missing_required_column() {
    let (entries, problems) = parse_csv(b"name,city\nAccra PUG,Accra\n");
    assert!(entries.is_empty());
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 1);
    assert!(
        problems[0].message.contains("country"),
        "{}",
        problems[0].message
    );
}

#[test]
fn invalid_utf8() {
    let (entries, problems) = parse_csv(b"name,country\nCaf\xe9 PUG,FR\n");
    assert!(entries.is_empty());
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 1);
    assert!(
        problems[0].message.contains("UTF-8") && problems[0].message.contains("line 2"),
        "{}",
        problems[0].message
    );
}

#[test]
fn empty_file() {
    let (entries, problems) = parse_csv(b"");
    assert!(entries.is_empty());
    assert_eq!(problems.len(), 1);
}

#[test]
fn bad_rows_are_left_out_and_the_rest_kept() {
    let csv = "name,country,latitude,longitude\n\
               Good PUG,NL,52.37,4.89\n\
               Bad Lat PUG,NL,abc,4.89\n\
               Far PUG,NL,95,4.89\n\
               Half PUG,NL,52.1,\n\
               ,NL,,\n\
               No Country PUG,,,\n\
               Short PUG,NL\n\
               Also Good PUG,BE,,\n";
    let (entries, problems) = parse_csv(csv.as_bytes());
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["Good PUG", "Also Good PUG"]);
    assert_eq!(entries[1].line, 9);
    let got: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    let expected = [
        (3, "latitude “abc” is not a number"),
        (4, "not between -90 and 90"),
        (5, "only one of latitude and longitude"),
        (6, "no name"),
        (7, "no country"),
        (8, "has 2 fields but the header has 4"),
    ];
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for ((line, msg), (want_line, want)) in got.iter().zip(expected) {
        assert_eq!(*line, want_line, "{msg}");
        assert!(msg.contains(want), "{msg:?} should say {want:?}");
    }
}

#[test]
fn refused_links_are_dropped_and_the_row_kept() {
    let csv = "name,country,website,social,other\n\
               Sneaky PUG,FR,javascript:alert(1),https://twitter.com/sneaky DATA:text/html;base64;PHNjcmlwdD4=,vbscript:msgbox\n";
    let (entries, problems) = parse_csv(csv.as_bytes());
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].links,
        vec![link(LinkKind::Social, "https://twitter.com/sneaky")]
    );
    assert_eq!(problems.len(), 3);
    assert!(problems.iter().all(|p| p.line == 2));
    assert!(
        problems[0]
            .message
            .starts_with("website: link dropped: “javascript:”"),
        "{}",
        problems[0].message
    );
    assert!(
        problems[1].message.contains("“data:”"),
        "{}",
        problems[1].message
    );
    assert!(
        problems[2].message.contains("“vbscript:”"),
        "{}",
        problems[2].message
    );
}

#[test]
fn header_oddities() {
    let (entries, problems) = parse_csv(b"name,country,colour,name\nPUG,IT,blue,Other\n");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name, "PUG");
    assert_eq!(problems.len(), 2);
    assert!(problems.iter().all(|p| p.line == 1));
}

#[test]
fn broken_quotes() {
    let csv = "name,country\n\"Quoted\" PUG,IT\nFine PUG,IT\n\"Never closed,IT\nLost PUG,IT\n";
    let (entries, problems) = parse_csv(csv.as_bytes());
    assert_eq!(
        entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        vec!["Fine PUG"]
    );
    assert_eq!(
        problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![2, 4]
    );
    assert!(
        problems[1].message.contains("never closed"),
        "{}",
        problems[1].message
    );
}

#[test]
fn writing_quotes_what_needs_it() {
    let e = Entry {
        name: "Python, \"the\" group".into(),
        country: s("GB"),
        description: s("line one\nline two"),
        latitude: Some(51.5),
        longitude: Some(-0.1275),
        languages: vec!["en".into(), "cy".into()],
        links: vec![
            Link::new("https://www.meetup.com/x/", "x"),
            Link::new("https://pug.example/", "site"),
        ],
        ..Entry::default()
    };
    let out = write_csv(std::slice::from_ref(&e));
    let row = out.split("\r\n").nth(1).unwrap_or_default();
    assert!(row.starts_with("\"Python, \"\"the\"\" group\",,,,,GB,51.5,-0.1275,en cy,,,\"line one\nline two\",https://pug.example/,https://www.meetup.com/x/,"), "{row}");
    let (back, problems) = parse_csv(out.as_bytes());
    assert!(problems.is_empty());
    assert_eq!(back[0].name, e.name);
    assert_eq!(back[0].description, e.description);
    assert_eq!(
        (back[0].latitude, back[0].longitude),
        (Some(51.5), Some(-0.1275))
    );
}
