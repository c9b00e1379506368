//! The lints gate's static verdict against what the compiler does: clippy, run on fixtures
//! whose every member violates the required lints, reports a required lint in exactly the
//! members where the gate says it is in force. `lints-four` holds the manifest rules;
//! `lints-classes` the routes real workspaces take (rustflags that raise, an argument file,
//! code that does not ship, code for other crates, a member of a required group, renamed and
//! raw names, a macro that builds the attribute, hidden files and roots, `all = "allow"`). And
//! the rename table agrees with the toolchain's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use std::collections::BTreeSet;
use support::*;

/// `(member, requirement)` pairs the gate reports as not in force.
fn not_in_force(ws: &std::path::Path) -> BTreeSet<(String, String)> {
    let (_, doc) = check_gates(ws, &["lints"], &[], &[]);
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] == "deny")
        .map(|f| (f["member"].as_str().unwrap_or("").to_owned(), f["lint"].as_str().unwrap_or("").to_owned()))
        .collect()
}

/// `(member, requirement)` pairs clippy reports a violation of; `represents` maps a reported
/// lint to the requirement it stands for (a group's member to the group).
fn clippy_reports(ws: &std::path::Path, represents: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "clippy",
            "--workspace",
            "--offline",
            "--keep-going",
            "--message-format=json",
            "--",
            "--cap-lints",
            "warn",
        ])
        .current_dir(ws)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("CARGO_TARGET_DIR", ws.join("target"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut reported = BTreeSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let (Some(code), Some(target)) =
            (msg["message"]["code"]["code"].as_str(), msg["target"]["name"].as_str())
        else {
            continue;
        };
        if let Some((_, req)) = represents.iter().find(|(lint, _)| *lint == code) {
            reported.insert((target.replace('_', "-"), (*req).to_owned()));
        }
    }
    reported
}

fn assert_agree(fixture: &str, members: &[&str], represents: &[(&str, &str)]) {
    let ws = copy_workspace(fixture);
    let gate = not_in_force(ws.path());
    let reported = clippy_reports(ws.path(), represents);
    let requirements: BTreeSet<&str> = represents.iter().map(|(_, r)| *r).collect();
    for member in members {
        for req in &requirements {
            let key = ((*member).to_owned(), (*req).to_owned());
            assert_eq!(
                reported.contains(&key),
                !gate.contains(&key),
                "{fixture}: {member} {req}: clippy {} it, the gate says it is {}in force",
                if reported.contains(&key) { "reports" } else { "does not report" },
                if gate.contains(&key) { "not " } else { "" }
            );
        }
    }
    // Every verdict the gate gave was checked.
    for (member, _) in &gate {
        assert!(members.contains(&member.as_str()), "{fixture}: unexpected member {member}");
    }
}

#[test]
fn static_verdict_matches_clippy() {
    assert_agree(
        "lints-four",
        &["inherits", "no-lints", "inherits-allow", "attr-only"],
        &[("unsafe_code", "unsafe_code"), ("clippy::unwrap_used", "clippy::unwrap_used")],
    );
}

#[test]
fn the_routes_of_real_workspaces_match_clippy() {
    let members = [
        "raised",
        "test-only",
        "foreign",
        "group-member",
        "renamed",
        "raw-ident",
        "fragment",
        "path-hidden",
        "hidden-root",
        "all-allow",
    ];
    let represents = [
        ("unsafe_code", "unsafe_code"),
        ("clippy::unwrap_used", "clippy::unwrap_used"),
        ("clippy::eq_op", "clippy::correctness"),
    ];
    assert_agree("lints-classes", &members, &represents);
}

#[test]
fn the_rename_table_agrees_with_the_toolchain() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.rs");
    std::fs::write(&empty, "").unwrap();
    let cargo = std::env::var_os("CARGO").map(std::path::PathBuf::from);
    let driver = cargo
        .map(|c| c.with_file_name("clippy-driver"))
        .filter(|d| d.is_file())
        .unwrap_or_else(|| "clippy-driver".into());
    let mut cmd = std::process::Command::new(driver);
    cmd.args(["--edition", "2021", "--crate-type", "lib", "--emit=metadata", "--error-format=json", "-o"])
        .arg(dir.path().join("e.rmeta"));
    for (old, _) in cargo_spdf::lints::renames::all() {
        cmd.args(["-A", old]);
    }
    let out = cmd.arg(&empty).output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    let mut seen = 0;
    for line in text.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let message = msg["message"].as_str().unwrap_or_default();
        // A name the toolchain does not know at all would be a wrong entry.
        assert!(!message.starts_with("unknown lint"), "{message}");
        let Some(rest) = message.strip_prefix("lint `") else { continue };
        let Some((old, rest)) = rest.split_once("` has been renamed to `") else { continue };
        let new = rest.trim_end_matches('`');
        assert_eq!(cargo_spdf::lints::renames::renamed(old), Some(new), "{old}");
        seen += 1;
    }
    // The others are still current names in this toolchain (renamed later) or group aliases
    // (`bad_style`), which rustc accepts silently.
    assert!(seen + 2 >= cargo_spdf::lints::renames::all().len(), "{seen} renames:\n{text}");
}
