//! The lifecycle stages: what `--stage release` adds to the policy, and what does not change
//! the stage.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use support::*;

/// 2024-09-02: the fixture database is one day old.
const SEP_2024: &str = "1725235200";

fn codes(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_owned(), f["level"].as_str().unwrap().to_owned()))
        .collect();
    v.sort();
    v
}

fn check(dir: &std::path::Path, gates: &[&str], stage: &str) -> serde_json::Value {
    let kev = fixtures().join("kev/known_exploited_vulnerabilities.json");
    let (_, doc) = check_gates(
        dir,
        gates,
        &["--stage", stage, "--kev", kev.to_str().unwrap()],
        &[("SOURCE_DATE_EPOCH", SEP_2024)],
    );
    doc
}

#[test]
fn ci_alone_does_not_change_the_stage() {
    let ws = copy_workspace("clean");
    let (_, doc) = check_gates(ws.path(), &["advisories"], &[], &[("CI", "true")]);
    assert_eq!(doc["stage"], "local");
}

#[test]
fn release_warns_about_waivers_about_to_expire() {
    let ws = copy_workspace("demo");
    // The waiver lapses 2024-09-20, 18 days after "now".
    std::fs::write(ws.path().join("spdf.toml"), "[advisories]\ndeny = []\n\n[[advisories.exceptions]]\nid = \"RUSTSEC-2099-0001\"\nreason = \"assessed\"\nexpires = \"2024-09-20\"\n").unwrap();
    let local = check(ws.path(), &["advisories"], "local");
    assert!(!codes(&local).iter().any(|(c, _)| c == "exception-expiring"));
    let release = check(ws.path(), &["advisories"], "release");
    let expiring: Vec<_> = release["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "exception-expiring")
        .collect();
    assert_eq!(expiring.len(), 1);
    assert_eq!(expiring[0]["level"], "warn");
    assert!(expiring[0]["message"].as_str().unwrap().contains("expires in 18 days (2024-09-20)"));
    // A waiver further out is quiet.
    std::fs::write(ws.path().join("spdf.toml"), "[advisories]\ndeny = []\n\n[[advisories.exceptions]]\nid = \"RUSTSEC-2099-0001\"\nreason = \"assessed\"\nexpires = \"2024-12-31\"\n").unwrap();
    assert!(
        !codes(&check(ws.path(), &["advisories"], "release")).iter().any(|(c, _)| c == "exception-expiring")
    );
}

#[test]
fn release_requires_a_committed_lockfile_whatever_the_policy() {
    let ws = copy_workspace("clean");
    std::fs::write(ws.path().join("spdf.toml"), "[build]\nrequire-lockfile = false\n").unwrap();
    let git = |args: &[&str]| {
        std::process::Command::new("git").arg("-C").arg(ws.path()).args(args).output().unwrap()
    };
    git(&["init", "-q"]);
    let local = check(ws.path(), &["build"], "local");
    assert!(!codes(&local).iter().any(|(c, _)| c == "lockfile-missing"));
    let release = check(ws.path(), &["build"], "release");
    assert!(codes(&release).contains(&("lockfile-missing".to_owned(), "deny".to_owned())), "{release:#}");
}

#[test]
fn release_needs_a_clean_work_tree_or_records_it() {
    let ws = copy_workspace("clean");
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(ws.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    std::fs::write(ws.path().join(".gitignore"), "/target\n").unwrap();
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "release candidate"]);
    assert!(!codes(&check(ws.path(), &["build"], "release")).iter().any(|(c, _)| c == "worktree-dirty"));
    std::fs::write(ws.path().join("src/main.rs"), "fn main() { /* changed */ }\n").unwrap();
    let local = check(ws.path(), &["build"], "local");
    assert!(!codes(&local).iter().any(|(c, _)| c == "worktree-dirty"), "only the release stage asks");
    let release = check(ws.path(), &["build"], "release");
    let dirty =
        release["findings"].as_array().unwrap().iter().find(|f| f["code"] == "worktree-dirty").unwrap();
    assert_eq!(dirty["level"], "deny");
    assert!(dirty["message"].as_str().unwrap().contains("src/main.rs"));
    std::fs::write(ws.path().join("spdf.toml"), "[build]\nallow-dirty = true\n").unwrap();
    let recorded = check(ws.path(), &["build"], "release");
    assert!(codes(&recorded).contains(&("worktree-dirty".to_owned(), "warn".to_owned())), "{recorded:#}");
}

#[test]
fn release_tables_of_the_policy_apply_only_at_release() {
    let ws = copy_workspace("demo");
    std::fs::write(ws.path().join("spdf.toml"), "[advisories]\ndeny = []\nmax-db-age-days = 1000\n\n[stage.release]\nadvisories = { max-db-age-days = 0 }\n").unwrap();
    let out = spdf(ws.path())
        .args(["check", "--offline", "--stage", "release", "--db"])
        .arg(fixture_db())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "max-db-age-days = 0 in the release table is invalid: {}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "spdf.toml:6:34: `advisories.max-db-age-days` must be a positive number of days, not 0"
        ),
        "{}",
        stderr(&out)
    );
    // At the local stage the release table is still validated, and the top level applies.
    std::fs::write(ws.path().join("spdf.toml"), "[advisories]\ndeny = []\nmax-db-age-days = 1000\n\n[stage.release]\nadvisories = { max-db-age-days = 1 }\n").unwrap();
    let local = check(ws.path(), &["advisories"], "local");
    assert!(!codes(&local).iter().any(|(c, _)| c == "db-stale"));
    let release = check(ws.path(), &["advisories"], "release");
    assert!(!codes(&release).iter().any(|(c, _)| c == "db-stale"), "one day old is within one day");
    std::fs::write(ws.path().join("spdf.toml"), "[advisories]\ndeny = []\nmax-db-age-days = 1000\n\n[stage.pre-merge]\nadvisories = { max-db-age-days = 1 }\n[stage.release]\nadvisories = { max-db-age-days = 1 }\n").unwrap();
    let out = spdf(ws.path())
        .args([
            "check",
            "--offline",
            "--gate",
            "advisories",
            "--stage",
            "pre-merge",
            "--format",
            "json",
            "--db",
        ])
        .arg(fixture_db())
        .output()
        .unwrap();
    assert!(
        json(&out)["findings"].as_array().unwrap().iter().any(|f| f["code"] == "db-stale"),
        "pre-merge: 822 days > 1"
    );
}
