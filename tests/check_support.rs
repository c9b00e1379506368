//! The support gate: FDA level of support and end of support for every shipped component.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use support::*;

/// 2025-01-01T00:00:00Z.
const JAN_2025: &str = "1735689600";

fn check(dir: &std::path::Path, policy: &str, stage: &str) -> (i32, serde_json::Value) {
    std::fs::write(dir.join("spdf.toml"), policy).unwrap();
    let out = spdf(dir)
        .args(["check", "--offline", "--gate", "support", "--format", "json", "--stage", stage, "--db"])
        .arg(fixture_db())
        .env("SOURCE_DATE_EPOCH", JAN_2025)
        .output()
        .unwrap();
    (code(&out), json(&out))
}

fn missing(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "support-missing")
        .map(|f| (f["package"]["name"].as_str().unwrap().to_owned(), f["level"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn medical_warns_before_release_and_denies_at_release() {
    let ws = copy_workspace("demo");
    let (code, doc) = check(ws.path(), "profile = \"medical\"\n", "local");
    assert_eq!(code, 0);
    let names: Vec<String> = missing(&doc)
        .into_iter()
        .map(|(n, l)| {
            assert_eq!(l, "warn");
            n
        })
        .collect();
    // Members are maintained by the manufacturer and oldlib is unmaintained per RustSec: both
    // have a level. testhelper is dev-only and not part of the product.
    assert_eq!(
        names,
        [
            "buildhelper",
            "gonelib",
            "nolicense",
            "noticelib",
            "safelib",
            "unsoundlib",
            "vulnlib",
            "winlib",
            "winonly"
        ]
    );
    let (code, doc) = check(ws.path(), "profile = \"medical\"\n", "release");
    assert_eq!(code, 1);
    assert!(missing(&doc).iter().all(|(_, level)| level == "deny"));
}

#[test]
fn baseline_asks_for_support_data_at_release_only() {
    let ws = copy_workspace("demo");
    let (code, doc) = check(ws.path(), "", "local");
    assert_eq!(code, 0);
    assert!(missing(&doc).is_empty());
    let (code, doc) = check(ws.path(), "", "release");
    assert_eq!(code, 1);
    assert_eq!(missing(&doc).len(), 9);
}

#[test]
fn policy_entries_state_support_and_end_dates_are_enforced() {
    let ws = copy_workspace("demo");
    let policy = r#"
[[support]]
packages = ["vulnlib"]
level = "actively maintained"
end-of-support = "2024-12-31"

[[support]]
packages = ["*"]
justification = "no supplier statement; reviewed every release"
"#;
    let (code, doc) = check(ws.path(), policy, "release");
    assert_eq!(code, 1);
    assert!(missing(&doc).is_empty());
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let ended = &findings[0];
    assert_eq!(ended["code"], "support-ended");
    assert_eq!(ended["level"], "deny");
    assert_eq!(ended["package"]["name"], "vulnlib");
    assert_eq!(ended["actual"], "2024-12-31");
    assert_eq!(ended["location"], serde_json::json!({"file": "spdf.toml", "line": 2}));
}

#[test]
fn invalid_support_entries_are_errors() {
    let ws = copy_workspace("demo");
    std::fs::write(
        ws.path().join("spdf.toml"),
        "[[support]]\npackages = [\"x\"]\nlevel = \"maintained\"\n\n[[support]]\npackages = [\"y\"]\n",
    )
    .unwrap();
    let out = spdf(ws.path()).args(["check", "--offline", "--db"]).arg(fixture_db()).output().unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("spdf.toml:3:9: invalid `level` value \"maintained\"; expected one of: actively maintained, no longer maintained, abandoned"), "{err}");
    assert!(
        err.contains("spdf.toml:5:1: `[[support]]` entry needs a `level`, or a `justification`"),
        "{err}"
    );
}
