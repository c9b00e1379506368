//! `check --run-clippy`: the lints gate compiles the workspace with clippy and reports the
//! required lints' actual violations (`lint-violation`) where they are in force, with the count
//! that local attributes suppress. Each test works on its own copy of the four-member fixture
//! (every member uses `unsafe` and `.unwrap()`), with clippy's target directory inside it.
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

/// `check --gate lints --format json` in `dir` with `args`, clippy building into `dir/target`.
fn lints_gate(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let target = dir.join("target");
    check_gates(dir, &["lints"], args, &[("CARGO_TARGET_DIR", target.to_str().unwrap())])
}

/// The `lint-violation` findings, as `(level, member, lint)`.
fn violations(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    let keys = lint_keys(doc).into_iter().filter(|(code, ..)| code == "lint-violation");
    keys.map(|(_, level, member, lint)| (level, member, lint)).collect()
}

fn triples(items: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    items.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect()
}

fn notes(doc: &serde_json::Value) -> Vec<String> {
    doc["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned()).collect()
}

/// The run with every required lint forced to warn reports both violations in every member. At
/// the effective levels clippy reports them where the lints are in force: `inherits` (workspace
/// lints) and `attr-only` (crate-root attributes) for both lints, `inherits-allow` for
/// `unsafe_code` only, since its crate-root `allow` suppresses `unwrap_used`. In `no-lints` both
/// lints are at their default level, allow, so the effective run reports nothing there: its
/// violations count as suppressed, and the static gate's `lint-missing` findings cover it.
#[test]
fn violations_where_the_required_lints_are_in_force() {
    let ws = copy_workspace("lints-four");
    let (code, doc) = lints_gate(ws.path(), &["--run-clippy"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(
        violations(&doc),
        triples(&[
            ("deny", "attr-only", "clippy::unwrap_used"),
            ("deny", "attr-only", "unsafe_code"),
            ("deny", "inherits", "clippy::unwrap_used"),
            ("deny", "inherits", "unsafe_code"),
            ("deny", "inherits-allow", "unsafe_code"),
        ])
    );
    let found = doc["findings"].as_array().unwrap();
    let inherits = found
        .iter()
        .find(|f| f["code"] == "lint-violation" && f["member"] == "inherits" && f["lint"] == "unsafe_code")
        .unwrap();
    assert_eq!(inherits["message"], "inherits: 1 violation of unsafe_code");
    assert_eq!(inherits["location"], serde_json::json!({"file": "inherits/src/lib.rs", "line": 10}));
    assert_eq!((inherits["required"].as_str(), inherits["actual"].as_str()), (Some("forbid"), Some("1")));
    // The static findings are unchanged.
    let statics =
        lint_keys(&doc).into_iter().filter(|(code, ..)| code != "lint-violation").collect::<Vec<_>>();
    assert_eq!(
        statics,
        keys(&[
            ("lint-missing", "deny", "no-lints", "clippy::unwrap_used"),
            ("lint-missing", "deny", "no-lints", "unsafe_code"),
            ("lint-overridden", "deny", "inherits-allow", "clippy::unwrap_used"),
        ])
    );
    let note = notes(&doc).into_iter().find(|n| n.starts_with("clippy ran")).unwrap();
    assert!(note.contains("5 violations of required lints at their effective level; 4 more"), "{note}");
    assert!(
        note.contains(
            "(inherits-allow: 2 of clippy::unwrap_used; no-lints: 1 of clippy::unwrap_used, 1 of unsafe_code)"
        ),
        "{note}"
    );
}

/// A violation under a local `expect` is counted as suppressed in the member's finding.
#[test]
fn the_finding_counts_what_local_attributes_suppress() {
    let ws = copy_workspace("lints-four");
    let lib = ws.path().join("inherits/src/lib.rs");
    let mut text = std::fs::read_to_string(&lib).unwrap();
    text.push_str(
        "\n#[expect(clippy::unwrap_used, reason = \"checked by the caller\")]\npub fn first(v: &[u8]) -> u8 {\n    *v.first().unwrap()\n}\n",
    );
    std::fs::write(&lib, text).unwrap();
    let (code, doc) = lints_gate(ws.path(), &["--run-clippy"]);
    assert_eq!(code, 1, "{doc:#}");
    let found = doc["findings"].as_array().unwrap();
    let unwrap = found
        .iter()
        .find(|f| {
            f["code"] == "lint-violation" && f["member"] == "inherits" && f["lint"] == "clippy::unwrap_used"
        })
        .unwrap();
    assert_eq!(
        unwrap["message"],
        "inherits: 1 violation of clippy::unwrap_used (and 1 suppressed by local attributes)"
    );
    assert_eq!(unwrap["location"], serde_json::json!({"file": "inherits/src/lib.rs", "line": 8}));
}

/// `--clippy-target` is passed to clippy as `--target`, and needs `--run-clippy`.
#[test]
fn clippy_target_is_passed_as_target() {
    let ws = copy_workspace("lints-four");
    let host = host_triple();
    let (exit, doc) = lints_gate(ws.path(), &["--run-clippy", "--clippy-target", &host]);
    assert_eq!(exit, 1, "{doc:#}");
    assert_eq!(violations(&doc).len(), 5, "{doc:#}");
    let note = notes(&doc).into_iter().find(|n| n.starts_with("clippy ran")).unwrap();
    assert!(note.contains(&format!("--target {host}")), "{note}");
    assert!(ws.path().join("target").join(&host).is_dir());

    let out = spdf(ws.path()).args(["check", "--clippy-target", &host]).output().unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

/// Without the flag nothing is compiled: no clippy output, no note, no `lint-violation`.
#[test]
fn without_the_flag_clippy_does_not_run() {
    let ws = copy_workspace("lints-four");
    let (code, doc) = lints_gate(ws.path(), &[]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(violations(&doc).is_empty());
    assert!(!notes(&doc).iter().any(|n| n.contains("clippy ran")), "{doc:#}");
    assert!(!ws.path().join("target/debug").exists(), "nothing was compiled");
}

/// `--run-clippy` without the lints gate compiles nothing, and says so.
#[test]
fn without_the_lints_gate_clippy_does_not_run() {
    let ws = copy_workspace("lints-four");
    let target = ws.path().join("target");
    let env = [("CARGO_TARGET_DIR", target.to_str().unwrap())];
    let (_, doc) = check_gates(ws.path(), &["build"], &["--run-clippy"], &env);
    assert!(notes(&doc).iter().any(|n| n.contains("the lints gate was not selected")), "{doc:#}");
    assert!(!target.join("debug").exists(), "nothing was compiled");
}

/// A workspace that does not compile cannot be counted: exit 2 with the compiler's error.
#[test]
fn a_workspace_that_does_not_build_is_an_error() {
    let ws = copy_workspace("lints-four");
    let lib = ws.path().join("inherits/src/lib.rs");
    let mut text = std::fs::read_to_string(&lib).unwrap();
    text.push_str("\npub fn broken() -> u32 {\n    \"not a number\"\n}\n");
    std::fs::write(&lib, text).unwrap();
    let out = spdf(ws.path())
        .args(["check", "--gate", "lints", "--run-clippy", "--offline"])
        .env("CARGO_TARGET_DIR", ws.path().join("target"))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(err.contains("the workspace does not build"), "{err}");
    assert!(err.contains("error[E0308]: mismatched types"), "{err}");
    assert!(err.contains("inherits/src/lib.rs"), "{err}");
    assert!(err.contains("could not compile `inherits`"), "{err}");
}

/// The host triple of the toolchain the tests run with.
fn host_triple() -> String {
    let out = std::process::Command::new("rustc").arg("-vV").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().find_map(|l| l.strip_prefix("host: ")).unwrap().to_owned()
}
