//! `cargo spdf db fetch|info` and the automatic fetch of a missing default database, against a
//! local git repository made from the fixture database (never the network).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::*;

/// 2024-05-01T12:00:00Z, the date of the source repository's first commit.
const FIRST_DATE: &str = "2024-05-01T12:00:00Z";
const FIRST_EPOCH: i64 = 1_714_564_800;

/// Runs git in `dir` with a fixed identity and commit date, ignoring the user's configuration.
fn git(dir: &Path, args: &[&str], date: &str) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A git repository holding a copy of the fixture database, in `root/source`; its commit.
fn source_repo(root: &Path) -> (PathBuf, String) {
    let repo = root.join("source");
    copy_dir(&fixture_db(), &repo);
    git(&repo, &["init", "-q"], FIRST_DATE);
    git(&repo, &["add", "."], FIRST_DATE);
    git(&repo, &["commit", "-q", "-m", "advisories"], FIRST_DATE);
    let commit = git(&repo, &["rev-parse", "HEAD"], FIRST_DATE).trim().to_owned();
    (repo, commit)
}

fn db_info(dir: &Path, db: &Path) -> serde_json::Value {
    let out = spdf(dir)
        .args(["db", "info", "--format", "json", "--db"])
        .arg(db)
        .env("SOURCE_DATE_EPOCH", (FIRST_EPOCH + 10 * 86_400).to_string())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    json(&out)
}

fn fetch(dir: &Path, db: &Path, url: Option<&Path>) -> std::process::Output {
    let mut cmd = spdf(dir);
    cmd.args(["db", "fetch", "--db"]).arg(db);
    match url {
        Some(url) => cmd.arg("--url").arg(url),
        // Without --url nor CARGO_SPDF_DB_URL, an existing checkout is updated from its origin.
        None => cmd.env_remove("CARGO_SPDF_DB_URL"),
    };
    cmd.output().unwrap()
}

#[test]
#[cfg_attr(not(feature = "fetch"), ignore = "needs the fetch feature")]
fn fetch_clones_then_updates_from_the_checkouts_origin() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, first) = source_repo(tmp.path());
    let db = tmp.path().join("adb");
    let out = fetch(tmp.path(), &db, Some(&repo));
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(err.contains("Cloning") && err.contains(&first[..12]) && err.contains("9 advisories"), "{err}");
    assert!(err.contains("of 2024-05-01"), "{err}");
    let info = db_info(tmp.path(), &db);
    assert_eq!(info["schema"], "cargo-spdf/db-info/v1");
    assert_eq!(info["commit"], first.as_str());
    assert_eq!(info["digest"], serde_json::Value::Null);
    assert_eq!(info["source"], "flag");
    assert_eq!(info["advisories"], 9);
    assert_eq!(info["last_updated"], FIRST_DATE);
    assert_eq!(info["age_days"], 10);

    git(&repo, &["rm", "-q", "-r", "crates/winlib"], "2024-06-01T08:00:00Z");
    git(&repo, &["commit", "-q", "-m", "withdraw winlib"], "2024-06-01T08:00:00Z");
    let second = git(&repo, &["rev-parse", "HEAD"], FIRST_DATE).trim().to_owned();
    let out = fetch(tmp.path(), &db, None);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(err.contains("Updating") && err.contains(&second[..12]) && err.contains("8 advisories"), "{err}");
    let info = db_info(tmp.path(), &db);
    assert_eq!(info["commit"], second.as_str());
    assert_eq!(info["advisories"], 8);
    assert!(!db.join("crates/winlib").exists(), "the checkout is reset to the new commit");
}

#[test]
#[cfg_attr(not(feature = "fetch"), ignore = "needs the fetch feature")]
fn fetch_is_quiet_with_q_and_info_is_readable() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, commit) = source_repo(tmp.path());
    let db = tmp.path().join("adb");
    let out = spdf(tmp.path())
        .args(["db", "fetch", "-q", "--db"])
        .arg(&db)
        .arg("--url")
        .arg(&repo)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let out = spdf(tmp.path()).args(["db", "info", "--db"]).arg(&db).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("commit:       {commit}\n")), "{text}");
    assert!(text.contains("found:        given with --db\n"), "{text}");
    assert!(text.contains("advisories:   9\n"), "{text}");
}

#[test]
#[cfg_attr(not(feature = "fetch"), ignore = "needs the fetch feature")]
fn a_file_url_and_a_relative_path_work_too() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, commit) = source_repo(tmp.path());
    let url = format!("file://{}", repo.display());
    let out = spdf(tmp.path()).args(["db", "fetch", "--db", "a", "--url", &url]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = spdf(tmp.path()).args(["db", "fetch", "--db", "b", "--url", "source"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Updating resolves the relative URL against the current directory, not the checkout.
    let out = spdf(tmp.path()).args(["db", "fetch", "--db", "b", "--url", "source"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for db in ["a", "b"] {
        assert_eq!(db_info(tmp.path(), &tmp.path().join(db))["commit"], commit.as_str());
    }
}

#[test]
#[cfg_attr(not(feature = "fetch"), ignore = "needs the fetch feature")]
fn fetch_refuses_a_directory_that_is_not_a_checkout() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, _) = source_repo(tmp.path());
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "keep me").unwrap();
    let out = fetch(tmp.path(), &other, Some(&repo));
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("is not a git checkout of an advisory database; refusing"),
        "{}",
        stderr(&out)
    );
    let left: Vec<_> = std::fs::read_dir(&other).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["notes.txt"]);
    assert_eq!(std::fs::read_to_string(other.join("notes.txt")).unwrap(), "keep me");

    let plain = tmp.path().join("plain");
    copy_dir(&fixture_db(), &plain);
    let out = fetch(tmp.path(), &plain, Some(&repo));
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("plain copy of an advisory database"), "{}", stderr(&out));
    assert!(!plain.join(".git").exists());
}

#[test]
#[cfg_attr(not(feature = "fetch"), ignore = "needs the fetch feature")]
fn an_unreachable_url_fails_quickly_and_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().join("cache");
    std::fs::create_dir(&parent).unwrap();
    for url in ["http://127.0.0.1:9/advisory-db.git", "/nonexistent/advisory-db.git"] {
        let started = Instant::now();
        let out = spdf(tmp.path())
            .args(["db", "fetch", "--db"])
            .arg(parent.join("adb"))
            .args(["--url", url])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{err}");
        assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
        assert!(err.contains(url) && err.contains("--db DIR or CARGO_SPDF_DB"), "{err}");
        assert!(std::fs::read_dir(&parent).unwrap().next().is_none(), "nothing left in {}", parent.display());
    }
}

#[test]
#[cfg_attr(not(feature = "fetch"), ignore = "needs the fetch feature")]
fn a_repository_that_is_not_an_advisory_database_is_not_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("other-repo");
    std::fs::create_dir(&repo).unwrap();
    std::fs::write(repo.join("README.md"), "not advisories").unwrap();
    git(&repo, &["init", "-q"], FIRST_DATE);
    git(&repo, &["add", "."], FIRST_DATE);
    git(&repo, &["commit", "-q", "-m", "x"], FIRST_DATE);
    let out = fetch(tmp.path(), &tmp.path().join("adb"), Some(&repo));
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("has no crates/ directory"), "{}", stderr(&out));
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["other-repo"]);
}

#[test]
#[cfg_attr(not(feature = "fetch"), ignore = "needs the fetch feature")]
fn offline_fetch_accepts_only_a_local_mirror() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, _) = source_repo(tmp.path());
    let out = spdf(tmp.path())
        .args(["db", "fetch", "--offline", "--db", "adb", "--url", "https://example.com/advisory-db.git"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--offline forbids fetching"), "{}", stderr(&out));
    let out = spdf(tmp.path())
        .args(["db", "fetch", "--offline", "--db", "adb", "--url"])
        .arg(&repo)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn info_on_a_missing_database_is_the_same_error_as_check() {
    let tmp = tempfile::tempdir().unwrap();
    let out = spdf(tmp.path()).args(["db", "info", "--db", "nowhere"]).output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("advisory database nowhere (given with --db) does not exist"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("nowhere").exists());
}

#[test]
fn info_on_a_plain_directory_gives_its_digest() {
    let tmp = tempfile::tempdir().unwrap();
    let info = db_info(tmp.path(), &fixture_db());
    assert_eq!(info["commit"], serde_json::Value::Null);
    assert_eq!(info["digest"].as_str().unwrap().len(), 64);
    assert_eq!(info["advisories"], 9);
}

#[test]
fn info_finds_the_database_named_by_the_policy() {
    let ws = copy_workspace("clean");
    std::fs::write(ws.path().join("spdf.toml"), format!("[advisories]\ndb = {:?}\n", fixture_db())).unwrap();
    let out = spdf(ws.path()).args(["db", "info", "--format", "json"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["source"], "policy");
}

/// `check --gate advisories --format json` in a copy of the clean workspace with an empty
/// `CARGO_HOME`.
fn check_with_empty_home(
    extra: &[&str],
    url: &Path,
) -> (tempfile::TempDir, tempfile::TempDir, std::process::Output) {
    let ws = copy_workspace("clean");
    let home = tempfile::tempdir().unwrap();
    let out = spdf(ws.path())
        .args(["check", "--gate", "advisories", "--format", "json"])
        .args(extra)
        .env("CARGO_HOME", home.path())
        .env("CARGO_SPDF_DB_URL", url)
        .output()
        .unwrap();
    (ws, home, out)
}

#[test]
#[cfg_attr(not(feature = "fetch"), ignore = "needs the fetch feature")]
fn check_fetches_a_missing_default_database() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, commit) = source_repo(tmp.path());
    let (_ws, home, out) = check_with_empty_home(&[], &repo);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(err.contains("Fetching") && err.contains("Fetched"), "{err}");
    let doc = json(&out);
    assert_eq!(doc["database"]["commit"], commit.as_str());
    assert!(home.path().join("advisory-db/crates/vulnlib").is_dir());
}

#[test]
fn check_never_fetches_offline() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, _) = source_repo(tmp.path());
    for flag in ["--offline", "--frozen"] {
        let (_ws, home, out) = check_with_empty_home(&[flag], &repo);
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{err}");
        assert!(
            err.contains("does not exist; point at a local copy with --db DIR or CARGO_SPDF_DB"),
            "{err}"
        );
        assert!(!err.contains("Fetching"), "{err}");
        assert!(!home.path().join("advisory-db").exists());
    }
}

#[test]
#[cfg_attr(not(feature = "fetch"), ignore = "needs the fetch feature")]
fn check_reports_a_failed_automatic_fetch() {
    let (_ws, home, out) = check_with_empty_home(&[], Path::new(NO_DB_URL));
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    let doc = json(&out);
    assert_eq!(doc["gates"][0]["status"], "not-evaluated", "{doc:#}");
    assert!(err.contains("(the default location), and fetching it failed"), "{err}");
    assert!(err.contains(NO_DB_URL) && err.contains("--db DIR or CARGO_SPDF_DB"), "{err}");
    let left: Vec<_> = std::fs::read_dir(home.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_named_database_that_is_missing_is_never_fetched() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, _) = source_repo(tmp.path());
    let missing = tmp.path().join("missing-db");
    let (_ws, _home, out) = check_with_empty_home(&["--db", missing.to_str().unwrap()], &repo);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("(given with --db) does not exist"), "{}", stderr(&out));
    assert!(!missing.exists());

    let ws = copy_workspace("clean");
    let out = spdf(ws.path())
        .args(["check", "--gate", "advisories"])
        .env("CARGO_SPDF_DB", &missing)
        .env("CARGO_SPDF_DB_URL", &repo)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("(named by CARGO_SPDF_DB) does not exist"), "{}", stderr(&out));
    assert!(!missing.exists());
}

#[test]
#[cfg(not(feature = "fetch"))]
fn without_the_fetch_feature_fetch_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, _) = source_repo(tmp.path());
    let out = fetch(tmp.path(), &tmp.path().join("adb"), Some(&repo));
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("built without the `fetch` feature"), "{}", stderr(&out));
    let (_ws, home, out) = check_with_empty_home(&[], &repo);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("does not exist; point at a local copy"), "{}", stderr(&out));
    assert!(!home.path().join("advisory-db").exists());
}
