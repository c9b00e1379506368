//! Coming from cargo-audit and cargo-deny: `cargo spdf init --import` turns `.cargo/audit.toml`
//! and `deny.toml` into spdf.toml entries that `check` judges as the other tools did, with the
//! imported waivers incomplete until the team completes them; and `check` notes the advisories
//! such a file ignores that the policy does not waive.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use support::*;

/// The demo workspace with fixture files of `fixtures/import` copied in: `(fixture, destination)`.
fn demo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let ws = copy_workspace("demo");
    for (from, to) in files {
        std::fs::copy(fixtures().join("import").join(from), ws.path().join(to)).unwrap();
    }
    ws
}

/// The demo workspace with both tools' files.
fn demo_with_both() -> tempfile::TempDir {
    demo_with(&[("audit.toml", ".cargo/audit.toml"), ("deny.toml", "deny.toml")])
}

fn init(dir: &Path, args: &[&str]) -> std::process::Output {
    spdf(dir).arg("init").args(args).output().unwrap()
}

fn policy_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("spdf.toml")).unwrap()
}

/// `check --gate advisories` at a stage, as JSON.
fn advisories(dir: &Path, stage: &str) -> (i32, serde_json::Value) {
    check_gates(dir, &["advisories"], &["--stage", stage], &[])
}

/// `(code, level, advisory or waiver id)` of the findings, leaving out the yanked lookups (offline).
fn keyed(doc: &serde_json::Value) -> BTreeSet<(String, String, String)> {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] != "yanked")
        .map(|f| {
            let id = if f["advisory"].is_null() { &f["exception"]["id"] } else { &f["advisory"]["id"] };
            (s(&f["code"]), s(&f["level"]), s(id))
        })
        .collect()
}

fn notes(doc: &serde_json::Value) -> Vec<String> {
    doc["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned()).collect()
}

/// The notes about the other tools' files.
fn tool_notes(doc: &serde_json::Value) -> Vec<String> {
    notes(doc).into_iter().filter(|n| n.contains("audit.toml") || n.contains("deny.toml")).collect()
}

fn owned(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items.iter().map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned())).collect()
}

#[test]
fn the_imported_policy_names_its_sources_and_what_was_not_imported() {
    let ws = demo_with_both();
    let out = init(ws.path(), &["--import"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "Imported 5 waivers, 5 bans, 3 licences, 6 sources from .cargo/audit.toml and deny.toml"
        ),
        "{err}"
    );
    let text = policy_text(ws.path());
    // Every line of the "not imported" block is also a warning on stderr.
    let skipped: Vec<&str> =
        text.lines().filter_map(|l| l.strip_prefix("#   ")).filter(|l| l.contains(".toml:")).collect();
    assert_eq!(skipped.len(), 33, "{text}");
    for line in &skipped {
        assert!(err.contains(&format!("warning: not imported: {line}\n")), "{line}\n{err}");
    }
    let product = text.lines().find(|l| l.starts_with("product = ")).unwrap().to_owned();
    let snapshot = text.replace(&product, "product = \"[WORKSPACE DIR]\"");
    insta::assert_snapshot!("imported-spdf.toml", snapshot);
}

#[test]
fn check_with_the_imported_policy_waives_what_the_other_tools_ignored() {
    let ws = demo_with_both();
    let (_, before) = advisories(ws.path(), "local");
    let found: BTreeSet<String> = keyed(&before).into_iter().map(|(_, _, id)| id).collect();
    assert_eq!(found.len(), 6, "{found:?}");
    assert_eq!(code(&init(ws.path(), &["--import"])), 0);

    let (code_after, after) = advisories(ws.path(), "local");
    assert_eq!(code_after, 1, "RUSTSEC-2099-0007 is not ignored by either tool: {after:#}");
    // Ignored by the other tools and present: waived now; everything else as before.
    let ignored = ["RUSTSEC-2099-0001", "RUSTSEC-2099-0002", "RUSTSEC-2099-0003", "RUSTSEC-2099-0004"];
    let expected: BTreeSet<_> = keyed(&before)
        .into_iter()
        .map(
            |(c, level, id)| {
                if ignored.contains(&id.as_str()) { (c, "excepted".to_owned(), id) } else { (c, level, id) }
            },
        )
        .chain(owned(&[("exception-unused", "warn", "RUSTSEC-2099-0009")]))
        .chain(
            ignored
                .iter()
                .chain(&["RUSTSEC-2099-0009"])
                .map(|id| ("exception-incomplete".to_owned(), "warn".to_owned(), (*id).to_owned())),
        )
        .collect();
    assert_eq!(keyed(&after), expected);
    assert_eq!(tool_notes(&after), Vec::<String>::new(), "the policy waives every ignored advisory");

    // At the release stage an incomplete waiver fails, until it has a reason and an expiry.
    let (code_release, release) = advisories(ws.path(), "release");
    assert_eq!(code_release, 1);
    let incomplete = |doc: &serde_json::Value| -> Vec<(String, String)> {
        keyed(doc).into_iter().filter(|k| k.0 == "exception-incomplete").map(|(_, l, id)| (l, id)).collect()
    };
    assert_eq!(incomplete(&release).len(), 5);
    assert!(incomplete(&release).iter().all(|(level, _)| level == "deny"), "{:?}", incomplete(&release));
    let text = policy_text(ws.path());
    let completed = text.replacen(
        "id = \"RUSTSEC-2099-0002\"\nreason = \"compare() is not used on secrets\"\n# expires = \"YYYY-MM-DD\"\n",
        "id = \"RUSTSEC-2099-0002\"\nreason = \"compare() is not used on secrets\"\nexpires = \"2099-12-31\"\n",
        1,
    );
    assert_ne!(completed, text);
    std::fs::write(ws.path().join("spdf.toml"), completed).unwrap();
    let (_, release) = advisories(ws.path(), "release");
    let ids: Vec<String> = incomplete(&release).into_iter().map(|(_, id)| id).collect();
    assert_eq!(ids, ["RUSTSEC-2099-0001", "RUSTSEC-2099-0003", "RUSTSEC-2099-0004", "RUSTSEC-2099-0009"]);
}

#[test]
fn the_marker_lets_a_medical_policy_hold_waivers_without_expiry() {
    let ws = demo_with(&[("deny.toml", "deny.toml")]);
    let out = init(ws.path(), &["--import", "--profile", "medical"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (code_local, doc) = advisories(ws.path(), "local");
    assert_eq!(code_local, 1, "{doc:#}");
    assert_eq!(doc["policy"]["profile"], "medical");
    let levels: BTreeSet<_> =
        keyed(&doc).into_iter().filter(|k| k.0 == "exception-incomplete").map(|k| k.1).collect();
    assert_eq!(levels, BTreeSet::from(["warn".to_owned()]));

    // Without the marker the waivers are what the medical profile rejects: no expiry.
    let unmarked = policy_text(ws.path()).replace("imported = true\n", "");
    std::fs::write(ws.path().join("spdf.toml"), unmarked).unwrap();
    let out = check_human(ws.path(), "advisories");
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("the medical profile requires an `expires` date on every waiver"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("waiver for RUSTSEC-2099-0001 has no `reason`"), "{}", stderr(&out));
}

#[test]
fn older_deny_toml_shapes_are_imported() {
    let ws = demo_with(&[("deny-legacy.toml", "deny.toml")]);
    let out = init(ws.path(), &["--import"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = policy_text(ws.path());
    assert_eq!(text.matches("[[advisories.exceptions]]\nid = \"RUSTSEC-2099-0001\"").count(), 1, "{text}");
    assert!(text.contains("# from deny.toml:16, deny.toml:17\n"), "{text}");
    assert!(
        text.contains("# And `notice`, as in deny.toml:13 ([advisories] notice = \"deny\").\n"),
        "{text}"
    );
    assert!(text.contains("deny = [\"vulnerability\", \"unsound\", \"notice\", \"kev\"]\n"), "{text}");
    assert!(text.contains("severity-threshold = \"medium\"\n"), "{text}");
    assert!(text.contains("    { name = \"openssl\" },   # deny.toml:29\n"), "{text}");
    assert!(text.contains("    { name = \"time\", version = \"<0.2\" },   # deny.toml:30\n"), "{text}");
    assert!(
        text.contains("allow = [\n    \"MIT\",   # deny.toml:25\n    \"Apache-2.0\",   # deny.toml:25\n]\n"),
        "{text}"
    );
    for skipped in [
        "deny.toml:3: targets: cargo spdf judges every locked package",
        "deny.toml:9: [advisories] db-url: ",
        "deny.toml:11: [advisories] unmaintained = \"warn\": ",
        "deny.toml:12: [advisories] yanked = \"warn\": ",
        "deny.toml:21: [licenses] unlicensed: removed from cargo-deny",
        "deny.toml:23: [licenses] allow-osi-fsf-free: ",
        "deny.toml:34: [sources] unknown-registry = \"warn\": ",
    ] {
        assert!(text.contains(&format!("#   {skipped}")), "{skipped}\n{text}");
        assert!(stderr(&out).contains(&format!("not imported: {skipped}")), "{skipped}\n{}", stderr(&out));
    }
    let (code_check, doc) = advisories(ws.path(), "local");
    assert!(code_check == 0 || code_check == 1, "{doc:#}");
    assert!(keyed(&doc).contains(&("vulnerability".into(), "excepted".into(), "RUSTSEC-2099-0001".into())));
}

#[test]
fn check_notes_the_ignores_the_policy_does_not_waive() {
    let ws = demo_with_both();
    let plain = copy_workspace("demo");
    for stage in ["local", "pre-merge", "release"] {
        let (with_files, doc) = advisories(ws.path(), stage);
        let (without, plain_doc) = advisories(plain.path(), stage);
        assert_eq!(with_files, without, "{stage}: another tool's ignores change nothing");
        assert_eq!(keyed(&doc), keyed(&plain_doc), "{stage}");
        assert!(keyed(&doc).contains(&("vulnerability".into(), "deny".into(), "RUSTSEC-2099-0001".into())));
        let notes = tool_notes(&doc);
        assert_eq!(notes.len(), 2, "{stage}: {notes:#?}");
        assert!(
            notes[0].starts_with(".cargo/audit.toml ignores RUSTSEC-2099-0002, RUSTSEC-2099-0004, which the built-in baseline policy does not waive: the gate does not honour cargo-audit's ignores"),
            "{}",
            notes[0]
        );
        assert!(
            notes[1].starts_with("deny.toml ignores RUSTSEC-2099-0001, RUSTSEC-2099-0002, RUSTSEC-2099-0003, RUSTSEC-2099-0009, which the built-in baseline policy does not waive: the gate does not honour cargo-deny's ignores"),
            "{}",
            notes[1]
        );
    }

    // A waiver of an alias (CVE-2099-1001 is RUSTSEC-2099-0001) covers the ignore too.
    std::fs::write(
        ws.path().join("spdf.toml"),
        "[[advisories.exceptions]]\nid = \"CVE-2099-1001\"\nreason = \"parse() only sees our own files\"\n\n\
         [[advisories.exceptions]]\nid = \"RUSTSEC-2099-0004\"\nreason = \"replacement scheduled\"\n",
    )
    .unwrap();
    let (_, doc) = advisories(ws.path(), "local");
    let notes = tool_notes(&doc);
    assert!(
        notes[0].starts_with(".cargo/audit.toml ignores RUSTSEC-2099-0002, which spdf.toml does not waive"),
        "{notes:#?}"
    );
    assert!(
        notes[1].starts_with("deny.toml ignores RUSTSEC-2099-0002, RUSTSEC-2099-0003, RUSTSEC-2099-0009, which spdf.toml does not waive"),
        "{notes:#?}"
    );
}

#[test]
fn cargo_deny_s_other_file_names_are_found() {
    for place in [".deny.toml", ".cargo/deny.toml"] {
        let ws = demo_with(&[("deny-legacy.toml", place)]);
        let (_, doc) = advisories(ws.path(), "local");
        let notes = tool_notes(&doc);
        assert_eq!(notes.len(), 1, "{place}: {notes:#?}");
        assert!(notes[0].starts_with(&format!("{place} ignores RUSTSEC-2099-0001, which")), "{notes:#?}");
        let out = init(ws.path(), &["--import", "-q"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(policy_text(ws.path()).contains(&format!("# from {place}:16, {place}:17\n")), "{place}");
    }
}

#[test]
fn a_broken_file_is_a_note_for_check_and_an_error_for_init() {
    let ws = demo_with(&[("broken-deny.toml", "deny.toml")]);
    let plain = copy_workspace("demo");
    let (with_file, doc) = advisories(ws.path(), "local");
    let (without, plain_doc) = advisories(plain.path(), "local");
    assert_eq!(with_file, without, "a broken deny.toml is not cargo-spdf's input");
    assert_eq!(keyed(&doc), keyed(&plain_doc));
    let notes = tool_notes(&doc);
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(
        notes[0].starts_with("deny.toml could not be read, so the advisories it ignores were not compared with the built-in baseline policy: deny.toml:7:1: "),
        "{}",
        notes[0]
    );

    let out = init(ws.path(), &["--import"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--import: cannot read deny.toml: deny.toml:7:1: "), "{}", stderr(&out));
    assert!(!ws.path().join("spdf.toml").exists());

    // A value of the wrong type is what cargo-audit rejects too.
    let ws = copy_workspace("demo");
    std::fs::write(ws.path().join(".cargo/audit.toml"), "[advisories]\nignore = \"RUSTSEC-2099-0001\"\n")
        .unwrap();
    let (_, doc) = advisories(ws.path(), "local");
    let notes = tool_notes(&doc);
    assert!(notes[0].starts_with(".cargo/audit.toml could not be read, so the advisories it ignores were not compared with the built-in baseline policy: .cargo/audit.toml:2:10: invalid type"), "{notes:#?}");
}

#[test]
fn import_without_the_other_tools_files_is_an_error() {
    let ws = copy_workspace("demo");
    let out = init(ws.path(), &["--import"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--import: no .cargo/audit.toml, deny.toml, .deny.toml or .cargo/deny.toml in"),
        "{}",
        stderr(&out)
    );
    assert!(!ws.path().join("spdf.toml").exists());
}
