//! `cargo spdf init`: the written policy is accepted by `check` as it is, names the members,
//! and is never replaced without `--force`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use std::path::Path;
use support::*;

fn init(dir: &Path, args: &[&str]) -> std::process::Output {
    spdf(dir).arg("init").args(args).output().unwrap()
}

#[test]
fn every_profile_writes_a_policy_that_check_accepts() {
    for profile in ["baseline", "medical", "firmware"] {
        let ws = copy_workspace("demo");
        let out = init(ws.path(), &["--profile", profile]);
        assert_eq!(code(&out), 0, "{profile}: {}", stderr(&out));
        assert!(stderr(&out).contains("Wrote spdf.toml"), "{}", stderr(&out));
        let text = std::fs::read_to_string(ws.path().join("spdf.toml")).unwrap();
        assert!(text.contains(&format!("profile = \"{profile}\"")), "{text}");
        assert!(text.contains("demo-app, demo-core"), "the members are listed:\n{text}");
        assert!(text.contains("# member = \"demo-app\""), "{text}");
        let (code, doc) = check_gates(ws.path(), &["advisories"], &[], &[]);
        assert!(code == 0 || code == 1, "{profile}: exit {code}: {doc:#}");
        assert_eq!(doc["policy"]["profile"], profile);
        assert_eq!(doc["policy"]["path"], "spdf.toml");
    }
}

#[test]
fn an_existing_policy_is_replaced_only_with_force() {
    let ws = copy_workspace("demo");
    let policy = ws.path().join("spdf.toml");
    assert_eq!(code(&init(ws.path(), &[])), 0);
    std::fs::write(&policy, "profile = \"baseline\"\n# edited by hand\n").unwrap();
    let out = init(ws.path(), &["--profile", "medical"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("spdf.toml already exists; use --force to replace it"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&policy).unwrap(), "profile = \"baseline\"\n# edited by hand\n");
    let out = init(ws.path(), &["--profile", "medical", "--force"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(std::fs::read_to_string(&policy).unwrap().contains("profile = \"medical\""));
}

#[test]
fn init_writes_at_the_workspace_root_from_a_member_or_manifest_path() {
    let ws = copy_workspace("demo");
    let out = init(&ws.path().join("app"), &["-q"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "quiet: {}", stderr(&out));
    assert!(ws.path().join("spdf.toml").is_file());
    assert!(!ws.path().join("app/spdf.toml").exists());

    let single = copy_workspace("clean");
    let elsewhere = tempfile::tempdir().unwrap();
    let manifest = single.path().join("Cargo.toml");
    let out = spdf(elsewhere.path()).args(["init", "--manifest-path"]).arg(&manifest).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(single.path().join("spdf.toml")).unwrap();
    assert!(text.contains("product = \"clean-app\""), "a single member names the product:\n{text}");
}

#[test]
fn init_refuses_when_the_manifest_holds_the_policy() {
    let ws = copy_workspace("demo");
    let manifest = ws.path().join("Cargo.toml");
    let text =
        std::fs::read_to_string(&manifest).unwrap() + "\n[workspace.metadata.spdf]\nprofile = \"medical\"\n";
    std::fs::write(&manifest, text).unwrap();
    let out = init(ws.path(), &[]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("[workspace.metadata.spdf]"), "{}", stderr(&out));
    assert!(!ws.path().join("spdf.toml").exists());
}

#[test]
fn init_outside_a_workspace_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = init(dir.path(), &[]);
    assert_eq!(code(&out), 2);
    assert!(!dir.path().join("spdf.toml").exists());
}
