//! The lints gate's static verdict against what the compiler does: clippy, run on the
//! four-member fixture (every member uses `unsafe` and `unwrap`), reports a required lint in
//! exactly the members where the gate says it is in force.

mod support;

use std::collections::BTreeSet;
use support::*;

#[test]
fn static_verdict_matches_clippy() {
    let ws = copy_workspace("lints-four");
    let (_, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    let not_in_force: BTreeSet<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["member"].as_str().unwrap().to_owned(), f["lint"].as_str().unwrap().to_owned()))
        .collect();

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
        .current_dir(ws.path())
        .env_remove("RUSTFLAGS")
        .env("CARGO_TARGET_DIR", ws.path().join("target"))
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
        if code == "unsafe_code" || code == "clippy::unwrap_used" {
            reported.insert((target.replace('_', "-"), code.to_owned()));
        }
    }
    for member in ["inherits", "no-lints", "inherits-allow", "attr-only"] {
        for lint in ["unsafe_code", "clippy::unwrap_used"] {
            let key = (member.to_owned(), lint.to_owned());
            assert_eq!(
                reported.contains(&key),
                !not_in_force.contains(&key),
                "{member} {lint}: clippy {} it, the gate says it is {}in force",
                if reported.contains(&key) { "reports" } else { "does not report" },
                if not_in_force.contains(&key) { "not " } else { "" }
            );
        }
    }
}
