//! History intelligence on fixture histories whose answers are known by construction.

mod support;

use support::*;

const DAY: i64 = 86_400;

fn hot_rs(version: usize) -> String {
    format!(
        "//! Hot code.\npub fn decide(x: u32) -> u32 {{\n    if x > {version} {{ 1 }} else if x == 0 {{ 2 }} else {{ match x {{ 1 => 3, 2 => 4, _ => 5 }} }}\n}}\n"
    )
}

/// Alice, Bob and Eve; Eve wrote legacy.py and left; a.py and b.py always change together;
/// hot.rs changes in 20 commits; c.py and d.py change together only in bulk commits.
fn history_fixture() -> Fixture {
    let mut f = Fixture::new();
    let bulk: Vec<String> = (0..60).map(|i| format!("gen/f{i:02}.py")).collect();
    let mut first: Vec<(String, Vec<u8>)> = vec![
        ("a.py".into(), b"def a():\n    return 1\n".to_vec()),
        ("b.py".into(), b"def b():\n    return 2\n".to_vec()),
        ("c.py".into(), b"def c():\n    return 3\n".to_vec()),
        ("d.py".into(), b"def d():\n    return 4\n".to_vec()),
        ("hot.rs".into(), hot_rs(0).into_bytes()),
    ];
    for p in &bulk {
        first.push((p.clone(), b"X = 1\n".to_vec()));
    }
    let files: Vec<(&str, Option<&[u8]>)> = first
        .iter()
        .map(|(p, b)| (p.as_str(), Some(b.as_slice())))
        .collect();
    f.commit("start", &files, "Start the project", "Alice Smith", T0);
    f.commit(
        "legacy",
        &[(
            "legacy.py",
            Some(b"def old():\n    \"\"\"The old way.\"\"\"\n    return 0\n".as_slice()),
        )],
        "Add the legacy module",
        "Eve Gone",
        T0 + DAY,
    );
    let mut t = T0 + 2 * DAY;
    for i in 0..10 {
        let a = format!("def a():\n    return {}\n", i + 10);
        let b = format!("def b():\n    return {}\n", i + 20);
        let name: &'static str = Box::leak(format!("ab{i}").into_boxed_str());
        f.commit(
            name,
            &[("a.py", Some(a.as_bytes())), ("b.py", Some(b.as_bytes()))],
            "Change a and b",
            "Bob Jones",
            t,
        );
        t += DAY;
    }
    for i in 1..=20 {
        let name: &'static str = Box::leak(format!("hot{i}").into_boxed_str());
        f.commit(
            name,
            &[("hot.rs", Some(hot_rs(i).as_bytes()))],
            "Tune the decision",
            "Alice Smith",
            t,
        );
        t += DAY;
    }
    // Two bulk reformatting commits touch c.py and d.py with 60 other files.
    for round in 0..2 {
        let mut changes: Vec<(String, Vec<u8>)> = bulk
            .iter()
            .map(|p| (p.clone(), format!("X = {}\n", round + 2).into_bytes()))
            .collect();
        changes.push((
            "c.py".into(),
            format!("def c():\n    return {}\n", round + 30).into_bytes(),
        ));
        changes.push((
            "d.py".into(),
            format!("def d():\n    return {}\n", round + 40).into_bytes(),
        ));
        let files: Vec<(&str, Option<&[u8]>)> = changes
            .iter()
            .map(|(p, b)| (p.as_str(), Some(b.as_slice())))
            .collect();
        let name: &'static str = if round == 0 { "bulk0" } else { "bulk1" };
        f.commit(name, &files, "Reformat everything", "Alice Smith", t);
        t += DAY;
    }
    // A year later, the last commit: Eve has been gone for long.
    f.commit(
        "late",
        &[
            ("a.py", Some(b"def a():\n    return 99\n".as_slice())),
            ("b.py", Some(b"def b():\n    return 98\n".as_slice())),
        ],
        "Change a and b once more",
        "Bob Jones",
        t + 365 * DAY,
    );
    f
}

fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &html[start..];
    let end = rest[1..].find("<h2").map(|e| e + 1).unwrap_or(rest.len());
    &rest[..end]
}

fn rows(section: &str) -> Vec<&str> {
    section.split("<tr>").skip(2).collect()
}

#[test]
fn the_history_page_knows_what_was_built_in() {
    let f = history_fixture();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let history = read(&out.join("history.html"));

    // The hotspot: changed in 21 commits, and it branches.
    let hot = rows(table(&history, "hotspots"));
    assert!(hot[0].contains(">hot.rs<"), "{}", hot[0]);
    assert!(hot[0].contains(">21<"), "{}", hot[0]);

    // a.py and b.py change together, and nothing in the code says so.
    let coupling = table(&history, "coupling");
    let ab = rows(coupling)
        .into_iter()
        .find(|r| r.contains(">a.py<") && r.contains(">b.py<"))
        .expect("a.py ~ b.py");
    // The first commit added 65 files: a bulk commit, left out. 11 of their 12 commits remain.
    assert!(ab.contains(">11<"), "shared commits: {ab}");
    assert!(ab.contains(">92%<"), "{ab}");
    assert!(ab.contains("hidden"), "{ab}");
    // Bulk commits are no evidence: c.py and d.py are not coupled.
    assert!(
        !rows(coupling)
            .iter()
            .any(|r| r.contains(">c.py<") && r.contains(">d.py<")),
        "{coupling}"
    );

    // Eve wrote legacy.py and left a year ago.
    let risk = rows(table(&history, "at-risk"));
    assert!(
        risk.iter()
            .any(|r| r.contains(">legacy.py<") && r.contains("Eve Gone") && r.contains(">100%<")),
        "{risk:?}"
    );
    assert!(!risk.iter().any(|r| r.contains(">a.py<")), "Bob is active");
    let contributors = table(&history, "contributors");
    assert!(
        contributors.contains("Eve Gone <span class=\"muted\">(inactive)</span>"),
        "{contributors}"
    );

    // Activity: one bar per month from the first commit to the last.
    assert!(table(&history, "activity").matches("<rect").count() >= 12);

    // The file pages say it too.
    let a = read(&out.join("files/a.py.html"));
    assert!(a.contains("Changes together with"), "{a}");
    assert!(a.contains("Churn: 1 commits in the last 30 days, 1 commits in the last 90 days, 1 commits in the last 365 days"), "{a}");
    assert!(
        a.contains("b.py</code></a> (11 shared commits, 92%, <strong>hidden</strong>"),
        "{a}"
    );
    assert!(
        a.contains(
            "2 people know this file; by lines added: Bob Jones (11 lines), Alice Smith (2 lines)"
        ),
        "{a}"
    );
    let legacy = read(&out.join("files/legacy.py.html"));
    assert!(
        legacy.contains("Knowledge at risk: 100% of its lines come from Eve Gone"),
        "{legacy}"
    );
}

#[test]
fn the_narrative_tells_how_the_part_evolved() {
    let f = history_fixture();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let root_part = walk(&out.join("parts"))
        .into_iter()
        .map(|p| read(&p))
        .find(|html| html.contains("legacy.py"))
        .expect("the part holding legacy.py");
    assert!(root_part.contains("Knowledge at risk"), "{root_part}");
    assert!(
        root_part.contains("Its hotspots, where change meets complexity"),
        "{root_part}"
    );
    assert!(
        root_part.contains("Who wrote it, by lines added"),
        "{root_part}"
    );
}

#[test]
fn max_commits_and_since_bound_the_history_and_the_pages_say_so() {
    let f = history_fixture();
    let out = f.dir.path().join("site");
    let report = build_json(&[
        f.root().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--max-commits",
        "5",
    ]);
    assert_eq!(report["commits"], 5);
    assert_eq!(report["bounded"], true);
    assert!(read(&out.join("history.html")).contains("The history is partial"));
    let since = support::T0 + 20 * DAY;
    let day = repowiki::narrate::date(since);
    let report = build_json(&[
        f.root().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--since",
        &day,
    ]);
    assert!(
        report["commits"].as_u64().unwrap() < 34 && report["commits"].as_u64().unwrap() > 5,
        "{report}"
    );
    let bad = run(&["build", f.root().to_str().unwrap(), "--since", "yesterday"]);
    assert_eq!(bad.status.code(), Some(2));
}
