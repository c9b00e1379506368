//! Parity with cargo-audit: on the same lockfile and the real advisory database snapshot in
//! ../shared, `cargo spdf check` reports exactly the (kind, advisory, package, version) set that
//! `cargo audit --db ../shared/advisory-db --no-fetch --json` reports. The expected sets are
//! cargo-audit's own output, recorded by bench/parity.sh.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use support::*;

fn our_set(workspace: &str) -> Vec<(String, String, String, String)> {
    let dir = fixtures().join("workspaces").join(workspace);
    let out = spdf(&dir)
        .args(["check", "--gate", "advisories", "--format", "json", "--db"])
        .arg(shared().join("advisory-db"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let mut set: Vec<_> = json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            ["vulnerability", "unsound", "unmaintained", "notice"].contains(&f["code"].as_str().unwrap())
        })
        .map(|f| {
            let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
            (s(&f["code"]), s(&f["advisory"]["id"]), s(&f["package"]["name"]), s(&f["package"]["version"]))
        })
        .collect();
    set.sort();
    set
}

fn audit_set(workspace: &str) -> Vec<(String, String, String, String)> {
    let path = fixtures().join("parity").join(format!("{workspace}.cargo-audit.json"));
    let rows: Vec<[String; 4]> = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut set: Vec<_> = rows.into_iter().map(|[a, b, c, d]| (a, b, c, d)).collect();
    set.sort();
    set
}

#[test]
fn old_crates_match_cargo_audit() {
    let ours = our_set("old-crates");
    let audit = audit_set("old-crates");
    assert_eq!(ours, audit);
    // The foundation's named crates are all there.
    for name in ["time", "chrono", "smallvec", "regex", "hyper", "openssl", "atty", "failure", "serde_cbor"] {
        assert!(ours.iter().any(|(_, _, p, _)| p == name), "{name}");
    }
}

#[test]
fn real_snapshot_identity_is_a_content_digest() {
    let dir = fixtures().join("workspaces/old-crates");
    let out = spdf(&dir)
        .args(["check", "--gate", "advisories", "--format", "json", "--db"])
        .arg(shared().join("advisory-db"))
        .output()
        .unwrap();
    let doc = json(&out);
    assert_eq!(doc["database"]["commit"], serde_json::Value::Null);
    assert_eq!(doc["database"]["digest"].as_str().unwrap().len(), 64);
    assert!(doc["database"]["advisories"].as_u64().unwrap() > 1000);
}
