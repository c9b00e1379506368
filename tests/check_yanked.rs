//! The yanked check of the advisories gate: yanked, not yanked, not in the index, offline, an
//! unreachable index, and the HTTP path with its cache, all against local stand-ins for the
//! crates.io index (the fixture directory, or a loopback server serving it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};
use support::index_server::IndexServer;
use support::*;

/// `(name, level, actual)` of every `yanked` finding, sorted.
fn yanked(doc: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "yanked")
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap().to_owned();
            (s(&f["package"]["name"]), s(&f["level"]), s(&f["actual"]))
        })
        .collect();
    out.sort();
    out
}

fn rows(items: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    items.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect()
}

fn finding<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "yanked" && f["package"]["name"] == name)
        .unwrap_or_else(|| panic!("no yanked finding for {name}: {doc:#}"))
}

/// `check --gate advisories --format json` with the fixture database and `extra` arguments.
fn check(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
    let mut cmd = spdf(dir);
    cmd.args(["check", "--gate", "advisories", "--format", "json", "--db"]).arg(fixture_db()).args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (code(&out), json(&out))
}

const DENY_YANKED: &str = "[advisories]\ndeny = [\"yanked\"]\n";

fn write_policy(dir: &Path, text: &str) {
    std::fs::write(dir.join("spdf.toml"), text).unwrap();
}

#[test]
fn a_yanked_version_warns_under_the_baseline() {
    let ws = copy_workspace("demo");
    let (code, doc) = check(ws.path(), &[], &[]);
    assert_eq!(code, 1, "the demo's vulnerabilities fail it");
    // gonelib 1.0.0 is yanked; nolicense is not in the index; every other package is not yanked.
    assert_eq!(yanked(&doc), rows(&[("gonelib", "warn", "yanked"), ("nolicense", "warn", "unknown")]));
    let gone = finding(&doc, "gonelib");
    assert_eq!(gone["message"], "gonelib 1.0.0 was yanked from crates.io");
    assert_eq!(gone["help"][0], "update to a version that is not yanked (`cargo update -p gonelib`)");
    assert_eq!(gone["gate"], "advisories");
    assert_eq!(gone["package"], serde_json::json!({"name": "gonelib", "version": "1.0.0"}));
    let lock = std::fs::read_to_string(ws.path().join("Cargo.lock")).unwrap();
    let line = usize::try_from(gone["location"]["line"].as_u64().unwrap()).unwrap();
    assert_eq!(lock.lines().nth(line - 1), Some("name = \"gonelib\""));
}

#[test]
fn a_yanked_version_fails_when_the_policy_denies_yanked() {
    let ws = copy_workspace("demo");
    write_policy(ws.path(), DENY_YANKED);
    let (code, doc) = check(ws.path(), &[], &[]);
    assert_eq!(code, 1);
    // Only yanked is denied, and an unknown status fails closed.
    assert_eq!(yanked(&doc), rows(&[("gonelib", "deny", "yanked"), ("nolicense", "deny", "unknown")]));
    assert_eq!(doc["summary"]["deny"], 2, "{doc:#}");

    write_policy(ws.path(), "[advisories]\ndeny = []\n");
    let (code, _) = check(ws.path(), &[], &[]);
    assert_eq!(code, 0, "nothing denied, nothing fails");
}

#[test]
fn a_version_that_is_not_yanked_passes() {
    let ws = copy_workspace("clean");
    write_policy(ws.path(), DENY_YANKED);
    let (code, doc) = check(ws.path(), &[], &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(yanked(&doc).is_empty());
}

#[test]
fn a_crate_or_version_not_in_the_index_is_unknown() {
    let ws = copy_workspace("demo");
    let (_, doc) = check(ws.path(), &[], &[]);
    let absent = finding(&doc, "nolicense");
    assert_eq!(
        absent["message"],
        "nolicense 0.2.0: the yanked status could not be established: crate not in the index"
    );
    assert!(absent["help"][0].as_str().unwrap().contains("CARGO_SPDF_INDEX_URL"));

    let ws = copy_workspace("clean");
    let lock = ws.path().join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap().replace("version = \"1.0.0\"", "version = \"1.0.7\"");
    std::fs::write(&lock, text).unwrap();
    let (code, doc) = check(ws.path(), &[], &[]);
    assert_eq!(code, 0, "unknown warns under the baseline");
    assert_eq!(yanked(&doc), rows(&[("safelib", "warn", "unknown")]));
    assert!(finding(&doc, "safelib")["message"].as_str().unwrap().ends_with(": version not in the index"));
    write_policy(ws.path(), DENY_YANKED);
    let (code, doc) = check(ws.path(), &[], &[]);
    assert_eq!(code, 1);
    assert_eq!(yanked(&doc), rows(&[("safelib", "deny", "unknown")]));
}

#[test]
fn offline_makes_no_request_and_fails_closed_when_yanked_is_denied() {
    let server = IndexServer::start(&fixture_index());
    let ws = copy_workspace("clean");
    for flag in ["--offline", "--frozen"] {
        let (code, doc) = check(ws.path(), &[flag], &[("CARGO_SPDF_INDEX_URL", &server.url)]);
        assert_eq!(code, 0, "unknown warns under the baseline");
        assert_eq!(yanked(&doc), rows(&[("safelib", "warn", "unknown")]));
        let message = finding(&doc, "safelib")["message"].as_str().unwrap().to_owned();
        assert!(message.contains("offline (--offline or --frozen)"), "{message}");
        let notes = doc["notes"].to_string();
        assert!(
            notes.contains("--offline: the yanked status of 1 crates.io packages was not looked up"),
            "{notes}"
        );
    }
    write_policy(ws.path(), DENY_YANKED);
    let (code, doc) = check(ws.path(), &["--offline"], &[("CARGO_SPDF_INDEX_URL", &server.url)]);
    assert_eq!(code, 1);
    assert_eq!(yanked(&doc), rows(&[("safelib", "deny", "unknown")]));
    assert_eq!(server.requests(), vec![], "--offline uses no network");
}

#[test]
fn offline_still_reads_a_local_mirror() {
    let ws = copy_workspace("demo");
    let (_, doc) = check(ws.path(), &["--offline"], &[]);
    assert_eq!(yanked(&doc), rows(&[("gonelib", "warn", "yanked"), ("nolicense", "warn", "unknown")]));
    assert!(!doc["notes"].to_string().contains("--offline"));
}

#[test]
fn an_unreachable_index_fails_fast_and_is_unknown() {
    let ws = copy_workspace("demo");
    write_policy(ws.path(), "[advisories]\ndeny = []\n");
    let home = tempfile::tempdir().unwrap();
    // Port 9 (discard) on the loopback interface: nothing listens, the connection is refused.
    let env =
        [("CARGO_SPDF_INDEX_URL", "http://127.0.0.1:9/"), ("CARGO_HOME", home.path().to_str().unwrap())];
    let started = Instant::now();
    let (code, doc) = check(ws.path(), &[], &env);
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    assert_eq!(code, 0, "unknown warns when yanked is not denied");
    let found = yanked(&doc);
    assert_eq!(found.len(), 11, "every crates.io package: {found:?}");
    assert!(found.iter().all(|(_, level, actual)| level == "warn" && actual == "unknown"));
    let message = finding(&doc, "safelib")["message"].as_str().unwrap().to_owned();
    assert!(message.contains("the index could not be reached (http://127.0.0.1:9)"), "{message}");

    write_policy(ws.path(), DENY_YANKED);
    let (code, _) = check(ws.path(), &[], &env);
    assert_eq!(code, 1, "fails closed");
}

#[test]
fn an_http_error_is_unknown() {
    let server = IndexServer::start_with(&fixture_index(), Some(503));
    let ws = copy_workspace("clean");
    let home = tempfile::tempdir().unwrap();
    let env = [("CARGO_SPDF_INDEX_URL", server.url.as_str()), ("CARGO_HOME", home.path().to_str().unwrap())];
    let (code, doc) = check(ws.path(), &[], &env);
    assert_eq!(code, 0);
    let message = finding(&doc, "safelib")["message"].as_str().unwrap().to_owned();
    assert!(message.contains(&format!("{}sa/fe/safelib: HTTP status 503", server.url)), "{message}");
}

/// Sets every cache entry under `home` back to 1970, so the next run revalidates it.
fn age_cache(home: &Path) -> usize {
    let mut aged = 0;
    let mut dirs = vec![home.join("cargo-spdf/index-cache")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let mut doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                doc["fetched"] = 0.into();
                std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
                aged += 1;
            }
        }
    }
    aged
}

#[test]
fn the_http_index_and_its_cache() {
    let index = tempfile::tempdir().unwrap();
    copy_dir(&fixture_index(), index.path());
    let server = IndexServer::start(index.path());
    let ws = copy_workspace("demo");
    let home = tempfile::tempdir().unwrap();
    let env = [("CARGO_SPDF_INDEX_URL", server.url.as_str()), ("CARGO_HOME", home.path().to_str().unwrap())];
    let expected = rows(&[("gonelib", "warn", "yanked"), ("nolicense", "warn", "unknown")]);

    // First run: one request per crates.io crate, the same answers as the file index.
    let (_, doc) = check(ws.path(), &[], &env);
    assert_eq!(yanked(&doc), expected);
    let mut paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    paths.sort();
    assert_eq!(paths.len(), 11, "{paths:?}");
    assert!(paths.contains(&"/go/ne/gonelib".to_owned()) && paths.contains(&"/no/li/nolicense".to_owned()));

    // Second run: every answer found is fresh in the cache; only the 404 is asked again.
    server.clear();
    let (_, doc) = check(ws.path(), &[], &env);
    assert_eq!(yanked(&doc), expected);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, vec!["/no/li/nolicense".to_owned()]);

    // Once stale, entries are revalidated with If-None-Match and kept on 304.
    assert_eq!(age_cache(home.path()), 10);
    server.clear();
    let (_, doc) = check(ws.path(), &[], &env);
    assert_eq!(yanked(&doc), expected);
    let conditional = server.requests().iter().filter(|r| r.if_none_match.is_some()).count();
    assert_eq!(conditional, 10);

    // A yank published since is seen at the next revalidation.
    let safelib = index.path().join("sa/fe/safelib");
    let text = std::fs::read_to_string(&safelib).unwrap().replacen("\"yanked\":false", "\"yanked\":true", 1);
    std::fs::write(&safelib, text).unwrap();
    age_cache(home.path());
    let (_, doc) = check(ws.path(), &[], &env);
    assert!(yanked(&doc).contains(&("safelib".to_owned(), "warn".to_owned(), "yanked".to_owned())));
}

#[test]
fn a_bad_index_url_is_a_tool_error() {
    let ws = copy_workspace("clean");
    for (url, says) in [
        ("ftp://example.org/index/", "must be an http://, https:// or file:// URL"),
        ("file:///no/such/index/", "the index directory /no/such/index/ does not exist"),
    ] {
        let out = spdf(ws.path())
            .args(["check", "--gate", "advisories", "--db"])
            .arg(fixture_db())
            .env("CARGO_SPDF_INDEX_URL", url)
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{url}");
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
}

#[test]
fn the_human_report_summarizes_many_unknown_statuses() {
    let ws = copy_workspace("demo");
    let out = spdf(ws.path())
        .args(["check", "--gate", "advisories", "--offline", "--db"])
        .arg(fixture_db())
        .env("CARGO_SPDF_INDEX_URL", "http://127.0.0.1:9/")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(err.contains("warning[yanked]: 11 findings in 11 packages\n"), "{err}");
    assert_eq!(err.matches("warning[yanked]").count(), 1, "one group: {err}");
    assert_eq!(
        err.matches("the yanked status could not be established").count(),
        1,
        "one entry for one cause: {err}"
    );
    assert!(err.contains("= 11 packages: buildhelper 1.0.0, gonelib 1.0.0,"), "{err}");
    assert!(err.contains("and 6 more (-v lists them all)"), "{err}");
    assert!(err.contains("note: --offline: the yanked status of 11 crates.io packages"), "{err}");
}

#[test]
fn a_few_unknown_statuses_stay_under_their_package() {
    let ws = copy_workspace("demo");
    let out =
        spdf(ws.path()).args(["check", "--gate", "advisories", "--db"]).arg(fixture_db()).output().unwrap();
    let err = stderr(&out);
    assert!(err.contains("warning[yanked]: 2 findings in 2 packages\n"), "{err}");
    assert!(
        err.contains(
            "\n  nolicense 0.2.0: the yanked status could not be established: crate not in the index\n"
        ),
        "{err}"
    );
    assert!(err.contains("\n  gonelib 1.0.0 was yanked from crates.io\n"), "{err}");
}
