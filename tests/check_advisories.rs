//! `cargo spdf check`, advisories gate: findings, levels, waivers, exit codes, over the demo
//! fixture workspace and the fixture advisory database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use support::*;

/// 2025-01-01T00:00:00Z: "now" for tests that judge expiry and age.
const JAN_2025: &str = "1735689600";

fn check_json(dir: &std::path::Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = spdf(dir)
        .args(["spdf", "check", "--gate", "advisories", "--format", "json", "--db"])
        .arg(fixture_db())
        .args(extra)
        .env("SOURCE_DATE_EPOCH", JAN_2025)
        .output()
        .unwrap();
    (code(&out), json(&out))
}

fn write_policy(dir: &std::path::Path, text: &str) {
    std::fs::write(dir.join("spdf.toml"), text).unwrap();
}

#[test]
fn baseline_reports_every_kind_with_its_default_level() {
    let ws = copy_workspace("demo");
    let (code, doc) = check_json(ws.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        finding_keys(&doc),
        keys(&[
            ("notice", "warn", "RUSTSEC-2099-0005", "noticelib"),
            ("unmaintained", "warn", "RUSTSEC-2099-0004", "oldlib"),
            ("unsound", "deny", "RUSTSEC-2099-0003", "unsoundlib"),
            ("vulnerability", "deny", "RUSTSEC-2099-0001", "vulnlib"),
            ("vulnerability", "deny", "RUSTSEC-2099-0002", "vulnlib"),
            ("vulnerability", "deny", "RUSTSEC-2099-0007", "winlib"),
            // The fixture index lists gonelib 1.0.0 as yanked, and has no nolicense at all
            // (status unknown); the baseline warns about both.
            ("yanked", "warn", "", "gonelib"),
            ("yanked", "warn", "", "nolicense"),
        ])
    );
    // The withdrawn gonelib advisory and safelib's "unaffected" range report nothing.
    assert_eq!(doc["summary"], serde_json::json!({"deny": 4, "warn": 4, "excepted": 0}));
    assert_eq!(doc["policy"]["source"], "built-in");
    assert!(doc["notes"][0].as_str().unwrap().contains("baseline"));
}

#[test]
fn platform_specific_advisories_carry_their_platform() {
    let ws = copy_workspace("demo");
    let (_, doc) = check_json(ws.path(), &[]);
    let win = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["advisory"]["id"] == "RUSTSEC-2099-0007")
        .unwrap();
    assert_eq!(win["advisory"]["os"], serde_json::json!(["windows"]));
    assert!(win["message"].as_str().unwrap().contains("only on windows"));
}

#[test]
fn json_document_shape() {
    let ws = copy_workspace("demo");
    let (_, doc) = check_json(ws.path(), &[]);
    insta::assert_json_snapshot!(doc, {
        ".tool.version" => "[VERSION]",
        ".workspace.root" => "[ROOT]",
        ".database.path" => "[DB]",
    });
}

#[test]
fn findings_point_at_the_cargo_lock_entry() {
    let ws = copy_workspace("demo");
    let (_, doc) = check_json(ws.path(), &[]);
    let lock = std::fs::read_to_string(ws.path().join("Cargo.lock")).unwrap();
    for f in doc["findings"].as_array().unwrap() {
        let line = usize::try_from(f["location"]["line"].as_u64().unwrap()).unwrap();
        assert_eq!(f["location"]["file"], "Cargo.lock");
        let text = lock.lines().nth(line - 1).unwrap();
        assert_eq!(text, format!("name = \"{}\"", f["package"]["name"].as_str().unwrap()));
    }
}

#[test]
fn deny_list_and_severity_threshold_come_from_the_policy() {
    let ws = copy_workspace("demo");
    write_policy(
        ws.path(),
        "[advisories]\ndeny = [\"vulnerability\", \"unmaintained\"]\nseverity-threshold = \"medium\"\n",
    );
    let (code, doc) = check_json(ws.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        finding_keys(&doc),
        keys(&[
            ("notice", "warn", "RUSTSEC-2099-0005", "noticelib"),
            ("unmaintained", "deny", "RUSTSEC-2099-0004", "oldlib"),
            ("unsound", "warn", "RUSTSEC-2099-0003", "unsoundlib"),
            // CVSS 9.8: above the threshold.
            ("vulnerability", "deny", "RUSTSEC-2099-0001", "vulnlib"),
            // CVSS 1.8 (low): below the threshold, so it warns.
            ("vulnerability", "warn", "RUSTSEC-2099-0002", "vulnlib"),
            // Unscored: never below a threshold.
            ("vulnerability", "deny", "RUSTSEC-2099-0007", "winlib"),
            // Yanked is not in this deny list: yanked (gonelib) and unknown (nolicense) warn.
            ("yanked", "warn", "", "gonelib"),
            ("yanked", "warn", "", "nolicense"),
        ])
    );
    assert_eq!(doc["policy"]["source"], "file");
    assert_eq!(doc["policy"]["path"], "spdf.toml");
}

const WAIVE_ALL: &str = r#"
[advisories]
deny = ["vulnerability"]

[[advisories.exceptions]]
id = "RUSTSEC-2099-0001"
package = "vulnlib@1"
reason = "the parser is only fed signed firmware images"
expires = "2025-06-30"
state = "not_affected"
justification = "code_not_reachable"
approved-by = "Release QA"

[[advisories.exceptions]]
id = "CVE-2099-1002"
reason = "timing is not observable on the device"

[[advisories.exceptions]]
id = "RUSTSEC-2099-0007"
reason = "the device does not run Windows"
"#;

#[test]
fn waivers_keep_the_finding_as_excepted_and_match_aliases() {
    let ws = copy_workspace("demo");
    write_policy(ws.path(), WAIVE_ALL);
    let (code, doc) = check_json(ws.path(), &[]);
    assert_eq!(code, 0, "{doc:#}");
    let excepted: Vec<_> =
        doc["findings"].as_array().unwrap().iter().filter(|f| f["level"] == "excepted").collect();
    assert_eq!(excepted.len(), 3);
    let first = excepted.iter().find(|f| f["advisory"]["id"] == "RUSTSEC-2099-0001").unwrap();
    assert_eq!(
        first["exception"],
        serde_json::json!({
            "id": "RUSTSEC-2099-0001",
            "reason": "the parser is only fed signed firmware images",
            "expires": "2025-06-30",
            "state": "not_affected",
            "justification": "code_not_reachable",
            "approved_by": "Release QA",
            "location": {"file": "spdf.toml", "line": 5}
        })
    );
    assert_eq!(doc["summary"]["excepted"], 3);
}

#[test]
fn an_expired_waiver_waives_nothing_and_fails() {
    let ws = copy_workspace("demo");
    write_policy(ws.path(), WAIVE_ALL);
    // 2025-07-01: the day after the first waiver's expiry.
    let out = spdf(ws.path())
        .args(["check", "--format", "json", "--db"])
        .arg(fixture_db())
        .env("SOURCE_DATE_EPOCH", "1751328000")
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let doc = json(&out);
    let keys = finding_keys(&doc);
    assert!(keys.contains(&("exception-expired".into(), "deny".into(), String::new(), String::new())));
    assert!(keys.contains(&(
        "vulnerability".into(),
        "deny".into(),
        "RUSTSEC-2099-0001".into(),
        "vulnlib".into()
    )));
    let expired =
        doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "exception-expired").unwrap();
    assert_eq!(expired["location"], serde_json::json!({"file": "spdf.toml", "line": 5}));
}

#[test]
fn a_waiver_that_matches_nothing_warns() {
    let ws = copy_workspace("demo");
    write_policy(
        ws.path(),
        "[[advisories.exceptions]]\nid = \"RUSTSEC-2099-0001\"\npackage = \"vulnlib@>=1.1\"\nreason = \"scoped to versions not in use\"\n\n[[advisories.exceptions]]\nid = \"RUSTSEC-2099-0009\"\nreason = \"absentlib is not used\"\n",
    );
    let (code, doc) = check_json(ws.path(), &[]);
    assert_eq!(code, 1);
    let unused: Vec<_> =
        doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "exception-unused").collect();
    assert_eq!(unused.len(), 2);
    assert!(unused.iter().all(|f| f["level"] == "warn"));
    let vuln = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["advisory"]["id"] == "RUSTSEC-2099-0001")
        .unwrap();
    assert_eq!(vuln["level"], "deny", "the version scope does not cover vulnlib 1.0.0");
}

#[test]
fn a_stale_database_is_a_finding() {
    let ws = copy_workspace("demo");
    write_policy(ws.path(), "[advisories]\nmax-db-age-days = 30\n");
    let (code, doc) = check_json(ws.path(), &[]);
    assert_eq!(code, 1);
    let stale = doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "db-stale").unwrap();
    assert_eq!(stale["level"], "deny");
    // Newest fixture advisory: 2024-09-01; now: 2025-01-01.
    assert_eq!(stale["actual"], "122 days");
    assert_eq!(doc["database"]["age_days"], 122);

    write_policy(ws.path(), "[advisories]\nmax-db-age-days = 200\n");
    let (_, doc) = check_json(ws.path(), &[]);
    assert!(doc["findings"].as_array().unwrap().iter().all(|f| f["code"] != "db-stale"));
}

#[test]
fn an_unparsable_entry_for_a_locked_crate_fails_closed() {
    let ws = copy_workspace("demo");
    let db = tempfile::tempdir().unwrap();
    copy_dir(&fixture_db(), db.path());
    std::fs::write(
        db.path().join("crates/safelib/RUSTSEC-2099-0010.md"),
        "```toml\n[advisory]\nid = \"RUSTSEC-2099-0010\"\n",
    )
    .unwrap();
    let out = spdf(ws.path()).args(["check", "--format", "json", "--db"]).arg(db.path()).output().unwrap();
    assert_eq!(code(&out), 1);
    let doc = json(&out);
    let invalid =
        doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "db-entry-invalid").unwrap();
    assert_eq!(invalid["level"], "deny");
    assert_eq!(invalid["package"]["name"], "safelib");
    assert!(invalid["message"].as_str().unwrap().contains("crates/safelib/RUSTSEC-2099-0010.md"));
}

#[test]
fn an_unparsable_entry_for_an_absent_crate_is_not_read() {
    let ws = copy_workspace("clean");
    let db = tempfile::tempdir().unwrap();
    copy_dir(&fixture_db(), db.path());
    std::fs::write(db.path().join("crates/absentlib/RUSTSEC-2099-0009.md"), "not an advisory").unwrap();
    let out = spdf(ws.path()).args(["check", "-v", "--db"]).arg(db.path()).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("read the 1 files of locked crates, left 8 others unread"), "{err}");
}

#[test]
fn a_clean_workspace_passes() {
    let ws = copy_workspace("clean");
    let out = spdf(ws.path()).args(["check", "--db"]).arg(fixture_db()).output().unwrap();
    assert_eq!(code(&out), 0);
    assert!(stderr(&out).contains("PASS"), "{}", stderr(&out));
}

#[test]
fn stage_tables_are_laid_over_the_top_level() {
    let ws = copy_workspace("demo");
    write_policy(
        ws.path(),
        "[advisories]\ndeny = []\n\n[stage.release]\nadvisories = { deny = [\"unmaintained\"] }\n",
    );
    let (code, doc) = check_json(ws.path(), &[]);
    assert_eq!(code, 0, "nothing is denied at the local stage");
    let kev = fixtures().join("kev/known_exploited_vulnerabilities.json");
    let (code, doc_release) = check_json(ws.path(), &["--stage", "release", "--kev", kev.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(doc["stage"], "local");
    assert_eq!(doc_release["stage"], "release");
    // The unmaintained oldlib (the release table's deny list replaces the top level's, so the
    // KEV-listed vulnlib advisory only warns), and the database and the KEV catalog, older than
    // the release stage's default of 7 days.
    assert_eq!(doc_release["summary"]["deny"], 3, "{doc_release:#}");
    for code in ["db-stale", "kev-stale"] {
        assert!(
            doc_release["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == code && f["level"] == "deny"),
            "{code}"
        );
    }
    let kev = doc_release["findings"].as_array().unwrap().iter().find(|f| f["code"] == "kev").unwrap();
    assert_eq!(kev["level"], "warn");
}

#[test]
fn policy_in_the_workspace_manifest() {
    let ws = copy_workspace("demo");
    let manifest = ws.path().join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[workspace.metadata.spdf]\nadvisories = { deny = [\"vulnerability\"] }\n");
    std::fs::write(&manifest, text).unwrap();
    let (code, doc) = check_json(ws.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(doc["policy"]["source"], "manifest");
    let unsound = doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "unsound").unwrap();
    assert_eq!(unsound["level"], "warn");
}

#[test]
fn database_lookup_order() {
    let ws = copy_workspace("clean");
    let missing = ws.path().join("no-such-db");
    // CARGO_SPDF_DB is used when neither --db nor the policy names one.
    let out = spdf(ws.path()).arg("check").env("CARGO_SPDF_DB", fixture_db()).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // CARGO_SPDF_DB (the operator's) beats the policy's advisories.db (the repository's).
    write_policy(ws.path(), "[advisories]\ndb = \"no-such-db\"\n");
    let out = spdf(ws.path()).arg("check").env("CARGO_SPDF_DB", fixture_db()).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Without it, the policy's database is used, and a missing one is named.
    let out = spdf(ws.path()).arg("check").output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no-such-db"), "{}", stderr(&out));
    assert!(stderr(&out).contains("advisories.db in the policy"), "{}", stderr(&out));
    // --db beats the policy.
    let out = spdf(ws.path()).args(["check", "--db"]).arg(fixture_db()).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!missing.exists());
}

#[test]
fn invoked_as_cargo_subcommand_or_directly() {
    let ws = copy_workspace("clean");
    for args in [&["spdf", "check"][..], &["check"][..]] {
        let out = spdf(ws.path()).args(args).arg("--db").arg(fixture_db()).output().unwrap();
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn manifest_path_selects_the_workspace() {
    let ws = copy_workspace("demo");
    let elsewhere = tempfile::tempdir().unwrap();
    let out = spdf(elsewhere.path())
        .args(["check", "--gate", "advisories", "--format", "json", "--manifest-path"])
        .arg(ws.path().join("app/Cargo.toml"))
        .arg("--db")
        .arg(fixture_db())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let doc = json(&out);
    assert_eq!(
        doc["workspace"]["packages"], 13,
        "the member resolves to the workspace root and its Cargo.lock"
    );
}

#[test]
fn color_follows_flags_and_environment() {
    let ws = copy_workspace("demo");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = spdf(ws.path());
        cmd.args(["check", "--db"]).arg(fixture_db()).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        stderr(&cmd.output().unwrap()).contains("\u{1b}[")
    };
    assert!(run(&["--color", "always"], &[]));
    assert!(!run(&["--color", "never"], &[("CARGO_TERM_COLOR", "always")]));
    assert!(run(&[], &[("CARGO_TERM_COLOR", "always")]));
    assert!(!run(&[], &[]), "not a terminal");
}

#[test]
fn json_to_a_file_and_human_to_stderr() {
    let ws = copy_workspace("demo");
    let report = ws.path().join("report.json");
    let out = spdf(ws.path())
        .args(["check", "--format", "json", "--output"])
        .arg(&report)
        .arg("--db")
        .arg(fixture_db())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(doc["schema"], "cargo-spdf/check/v1");
    let out = spdf(ws.path()).args(["check", "--db"]).arg(fixture_db()).output().unwrap();
    assert!(out.stdout.is_empty(), "the human report goes to stderr");
    let err = stderr(&out);
    assert!(err.contains("vulnlib 1.0.0"), "{err}");
    assert!(
        err.contains("upgrade vulnlib 1.0.0 to 1.2.0 (`cargo update -p vulnlib@1.0.0 --precise 1.2.0`)"),
        "{err}"
    );
    assert!(err.contains("[[advisories.exceptions]] id = \"RUSTSEC-2099-0001\""), "{err}");
    assert!(err.contains("FAIL"), "{err}");
}

#[test]
fn quiet_shows_only_what_fails() {
    let ws = copy_workspace("demo");
    let out = spdf(ws.path()).args(["check", "-q", "--db"]).arg(fixture_db()).output().unwrap();
    let err = stderr(&out);
    assert!(err.contains("error[vulnerability]"), "{err}");
    assert!(!err.contains("warning["), "{err}");
}

#[test]
fn a_git_checkout_is_identified_by_its_commit() {
    let ws = copy_workspace("clean");
    let db = tempfile::tempdir().unwrap();
    copy_dir(&fixture_db(), db.path());
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .arg("-C")
            .arg(db.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"])
            .args(args)
            .env("GIT_COMMITTER_DATE", "2024-10-01T12:00:00Z")
            .env("GIT_AUTHOR_DATE", "2024-10-01T12:00:00Z")
            .status()
            .unwrap();
        assert!(status.success());
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "snapshot"]);
    let head = std::process::Command::new("git")
        .arg("-C")
        .arg(db.path())
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap().trim().to_owned();
    let out = spdf(ws.path())
        .args(["check", "--format", "json", "--db"])
        .arg(db.path())
        .env("SOURCE_DATE_EPOCH", JAN_2025)
        .output()
        .unwrap();
    let doc = json(&out);
    assert_eq!(doc["database"]["commit"], head.as_str());
    assert_eq!(doc["database"]["digest"], serde_json::Value::Null);
    assert_eq!(doc["database"]["last_updated"], "2024-10-01T12:00:00Z");
    assert_eq!(doc["database"]["age_days"], 91);
    assert_eq!(doc["database"]["advisories"], 9);
}
