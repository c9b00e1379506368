//! Bad inputs: every one is exit code 2 with a message naming the file (and line), and nothing
//! is written.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use support::*;

fn check(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    spdf(dir).arg("check").args(args).arg("--db").arg(fixture_db()).output().unwrap()
}

fn assert_tool_error(out: &std::process::Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(code(out), 2, "{err}");
    assert!(out.stdout.is_empty(), "nothing on stdout: {}", String::from_utf8_lossy(&out.stdout));
    assert!(err.starts_with("error: ") || err.contains("\nerror: "), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    }
}

#[test]
fn invalid_policies_name_file_line_and_column() {
    let ws = copy_workspace("clean");
    let dir = fixtures().join("policies/invalid");
    let mut names: Vec<_> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert!(names.len() >= 8);
    for name in names {
        let out = check(ws.path(), &["--policy", dir.join(&name).to_str().unwrap()]);
        assert_eq!(code(&out), 2, "{name}: {}", stderr(&out));
        let text = stderr(&out).replace(&dir.display().to_string(), "[POLICIES]");
        insta::assert_snapshot!(name.trim_end_matches(".toml").to_owned(), text);
    }
}

#[test]
fn every_invalid_value_is_reported_at_once() {
    let ws = copy_workspace("clean");
    let policy = fixtures().join("policies/invalid/bad-values.toml");
    let out = check(ws.path(), &["--policy", policy.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(err.matches("bad-values.toml:").count(), 10, "{err}");
}

#[test]
fn missing_lockfile() {
    let ws = copy_workspace("clean");
    std::fs::remove_file(ws.path().join("Cargo.lock")).unwrap();
    assert_tool_error(&check(ws.path(), &[]), &["Cargo.lock does not exist", "cargo generate-lockfile"]);
}

#[test]
fn corrupt_lockfile() {
    let ws = copy_workspace("clean");
    let lock = ws.path().join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap().replace("version = \"1.0.0\"", "version = \"one\"");
    std::fs::write(&lock, text).unwrap();
    assert_tool_error(&check(ws.path(), &[]), &["Cargo.lock:14:"]);
    std::fs::write(&lock, "[[package]\nname = ").unwrap();
    assert_tool_error(&check(ws.path(), &[]), &["Cargo.lock:1:"]);
}

#[test]
fn missing_database() {
    let ws = copy_workspace("clean");
    let out = spdf(ws.path()).args(["check", "--db", "nowhere"]).output().unwrap();
    assert_tool_error(&out, &["advisory database nowhere (given with --db) does not exist", "--db DIR"]);
}

#[test]
fn missing_default_database_says_how_to_point_at_one() {
    let ws = copy_workspace("clean");
    let home = tempfile::tempdir().unwrap();
    let out = spdf(ws.path()).args(["check", "--offline"]).env("CARGO_HOME", home.path()).output().unwrap();
    assert_tool_error(&out, &["advisory-db", "--db DIR", "CARGO_SPDF_DB"]);
}

#[test]
fn a_directory_that_is_not_a_database() {
    let ws = copy_workspace("clean");
    let out = spdf(ws.path()).args(["check", "--db", "src"]).output().unwrap();
    assert_tool_error(&out, &["src (given with --db) is not a RustSec advisory database"]);
}

#[test]
fn missing_manifest_path() {
    let ws = copy_workspace("clean");
    assert_tool_error(
        &check(ws.path(), &["--manifest-path", "nope/Cargo.toml"]),
        &["nope/Cargo.toml does not exist"],
    );
    assert_tool_error(
        &check(ws.path(), &["--manifest-path", "src/main.rs"]),
        &["must be a path to a Cargo.toml"],
    );
}

#[test]
fn corrupt_manifest() {
    let ws = copy_workspace("clean");
    std::fs::write(ws.path().join("Cargo.toml"), "[package\n").unwrap();
    assert_tool_error(&check(ws.path(), &[]), &["Cargo.toml:1:"]);
}

#[test]
fn two_policies_are_ambiguous() {
    let ws = copy_workspace("clean");
    std::fs::write(ws.path().join("spdf.toml"), "").unwrap();
    let manifest = ws.path().join("Cargo.toml");
    let text =
        std::fs::read_to_string(&manifest).unwrap() + "\n[workspace.metadata.spdf]\nprofile = \"medical\"\n";
    std::fs::write(&manifest, text).unwrap();
    assert_tool_error(&check(ws.path(), &[]), &["both define a policy"]);
}

#[test]
fn output_into_a_missing_directory_writes_nothing() {
    let ws = copy_workspace("demo");
    let out = check(ws.path(), &["--format", "json", "--output", "no/such/dir/report.json"]);
    assert_tool_error(&out, &["cannot write no/such/dir/report.json", "does not exist"]);
    assert!(!ws.path().join("no").exists());
}

#[test]
fn output_over_a_file_is_atomic() {
    let ws = copy_workspace("demo");
    let target = ws.path().join("report.json");
    std::fs::write(&target, "old").unwrap();
    let out = check(ws.path(), &["--format", "json", "--output", "report.json"]);
    assert_eq!(code(&out), 1);
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.starts_with('{') && text.ends_with("}\n"));
    let leftovers: Vec<_> = std::fs::read_dir(ws.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".cargo-spdf-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn bad_source_date_epoch() {
    let ws = copy_workspace("clean");
    let out = spdf(ws.path())
        .args(["check", "--db"])
        .arg(fixture_db())
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_tool_error(&out, &["SOURCE_DATE_EPOCH"]);
}

#[test]
fn usage_errors_are_exit_2() {
    let ws = copy_workspace("clean");
    let out = spdf(ws.path()).args(["check", "--format", "pdf"]).output().unwrap();
    assert_eq!(code(&out), 2);
    let out = spdf(ws.path()).args(["--help"]).output().unwrap();
    assert_eq!(code(&out), 0);
}
