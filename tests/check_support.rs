//! The support gate: FDA level of support and end of support for every shipped component,
//! derived from evidence (RustSec, the manufacturer, the crates.io index's release activity)
//! where the policy gives none, and `support-missing`, saying why, where nothing can be stated.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use serde_json::Value;
use std::path::Path;
use support::index_server::IndexServer;
use support::*;

/// 2025-01-01T00:00:00Z.
const JAN_2025: &str = "1735689600";

const MANUFACTURER: &str = "[sbom]\nmanufacturer = \"Example Medical Devices Inc.\"\n";

fn run(dir: &Path, stage: &str, extra: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
    let mut cmd = spdf(dir);
    cmd.args(["check", "--offline", "--gate", "support", "--format", "json", "--stage", stage, "--db"])
        .arg(fixture_db())
        .args(extra)
        .env("SOURCE_DATE_EPOCH", JAN_2025);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (code(&out), json(&out))
}

fn check(dir: &Path, policy: &str, stage: &str) -> (i32, Value) {
    std::fs::write(dir.join("spdf.toml"), policy).unwrap();
    run(dir, stage, &[], &[])
}

/// `(package, level)` of every `support-missing` finding.
fn missing(doc: &Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "support-missing")
        .map(|f| (f["package"]["name"].as_str().unwrap().to_owned(), f["level"].as_str().unwrap().to_owned()))
        .collect()
}

fn message<'a>(doc: &'a Value, name: &str) -> &'a str {
    doc["findings"].as_array().unwrap().iter().find(|f| f["package"]["name"] == name).unwrap()["message"]
        .as_str()
        .unwrap()
}

fn note(doc: &Value) -> String {
    doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|n| n.starts_with("support:"))
        .unwrap()
        .to_owned()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[test]
fn levels_come_from_evidence_and_what_cannot_be_stated_warns_then_denies_at_release() {
    let ws = copy_workspace("demo");
    // Without a policy: every third-party component that ships gets its level from RustSec or
    // from its release activity; the members need a manufacturer, and nolicense is not in the
    // index. buildhelper (build-only) and testhelper (dev-only) do not ship.
    let (code, doc) = check(ws.path(), "", "local");
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(missing(&doc), pairs(&[("demo-app", "warn"), ("demo-core", "warn"), ("nolicense", "warn")]));
    assert!(
        message(&doc, "demo-app")
            .ends_with("a workspace member, and no [sbom] manufacturer is declared to support it")
    );
    assert!(
        message(&doc, "nolicense").ends_with(
            "its release history could not be read from the crates.io index: crate not in the index"
        )
    );
    assert_eq!(
        note(&doc),
        "support: 11 shipped components: 4 actively maintained, 3 no longer maintained, 1 abandoned, 3 without a level (levels from: rustsec-unmaintained 1, registry-activity 7); 0 with an end-of-support date, 8 with a justification instead, 3 with neither"
    );
    let (code, doc) = check(ws.path(), MANUFACTURER, "release");
    assert_eq!(code, 1);
    assert_eq!(missing(&doc), pairs(&[("nolicense", "deny")]));
    let (code, doc) = check(ws.path(), &format!("profile = \"medical\"\n{MANUFACTURER}"), "pre-merge");
    assert_eq!((code, missing(&doc)), (0, pairs(&[("nolicense", "warn")])));
}

#[test]
fn the_release_stage_requires_a_manufacturer_for_the_members() {
    let ws = copy_workspace("demo");
    let (code, doc) = check(
        ws.path(),
        "[[support]]\npackages = [\"nolicense\"]\njustification = \"vendored; reviewed at every release\"\n",
        "release",
    );
    assert_eq!(code, 1);
    assert_eq!(missing(&doc), pairs(&[("demo-app", "deny"), ("demo-core", "deny")]));
    let f = doc["findings"].as_array().unwrap().iter().find(|f| f["package"]["name"] == "demo-app").unwrap();
    assert_eq!(f["location"], serde_json::json!({"file": "app/Cargo.toml"}));
    assert!(f["help"][0].as_str().unwrap().contains("[sbom] manufacturer"), "{f:#}");
}

#[test]
fn policy_entries_win_field_by_field_and_end_dates_are_enforced() {
    let ws = copy_workspace("demo");
    let policy = format!(
        "{MANUFACTURER}\n[[support]]\npackages = [\"vulnlib\"]\nlevel = \"actively maintained\"\nend-of-support = \"2024-12-31\"\nassessed = 2024-11-04\nassessed-by = \"Release QA\"\n\n[[support]]\npackages = [\"*\"]\njustification = \"no supplier statement; reviewed every release\"\n"
    );
    let (code, doc) = check(ws.path(), &policy, "release");
    assert_eq!(code, 1);
    assert!(missing(&doc).is_empty());
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let ended = &findings[0];
    assert_eq!(ended["code"], "support-ended");
    assert_eq!(ended["level"], "deny");
    assert_eq!(ended["package"]["name"], "vulnlib");
    assert_eq!(ended["actual"], "2024-12-31");
    assert_eq!(ended["location"], serde_json::json!({"file": "spdf.toml", "line": 4}));
}

#[test]
fn the_thresholds_are_the_policys() {
    let ws = copy_workspace("demo");
    // With a 6-month window for "actively maintained" and 12 for "abandoned", as of 2025-01-01
    // vulnlib (2024-10-01) and unsoundlib (2024-08-01) are active with the two members, safelib
    // and winonly no longer maintained with oldlib (RustSec), and gonelib, winlib and noticelib
    // abandoned with nolicense (the policy's entry).
    let policy = format!(
        "{MANUFACTURER}\n[support]\nactive-within-months = 6\nabandoned-after-months = 12\n\n[[support.entries]]\npackages = [\"nolicense\"]\nlevel = \"abandoned\"\n"
    );
    let (code, doc) = check(ws.path(), &policy, "local");
    assert_eq!((code, missing(&doc)), (0, vec![]));
    assert!(
        note(&doc).contains("4 actively maintained, 3 no longer maintained, 4 abandoned"),
        "{}",
        note(&doc)
    );
    std::fs::write(
        ws.path().join("spdf.toml"),
        "[support]\nactive-within-months = 60\nabandoned-after-months = 24\n",
    )
    .unwrap();
    let out = check_human(ws.path(), "support");
    assert_eq!(code_of(&out), 2);
    assert!(
        stderr(&out).contains("spdf.toml:2:24: `support.active-within-months` (60) must be below `support.abandoned-after-months` (24)"),
        "{}",
        stderr(&out)
    );
}

fn code_of(out: &std::process::Output) -> i32 {
    code(out)
}

/// A copy of the fixture index without the given crates' files.
fn index_without(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_index(), dir.path());
    for name in names {
        let path = format!("{}/{}/{name}", &name[..2], &name[2..4]);
        std::fs::remove_file(dir.path().join(path)).unwrap();
    }
    dir
}

#[test]
fn build_only_dependencies_and_tool_members_do_not_ship() {
    let index = index_without(&["buildhelper", "safelib"]);
    let url = url::Url::from_directory_path(index.path()).unwrap().to_string();
    let env = [("CARGO_SPDF_INDEX_URL", url.as_str())];
    let ws = copy_workspace("demo");
    std::fs::write(ws.path().join("spdf.toml"), MANUFACTURER).unwrap();
    let (_, doc) = run(ws.path(), "local", &[], &env);
    // buildhelper only runs at build time: its unknown history is not a shipped component's.
    assert_eq!(missing(&doc), pairs(&[("nolicense", "warn"), ("safelib", "warn")]));
    // With demo-app a tool, the product is demo-core: nolicense is only the tool's.
    std::fs::write(
        ws.path().join("spdf.toml"),
        format!("{MANUFACTURER}\n[members]\ntools = [\"demo-app\"]\n"),
    )
    .unwrap();
    let (_, doc) = run(ws.path(), "local", &[], &env);
    assert_eq!(missing(&doc), pairs(&[("safelib", "warn")]), "nolicense is only the tool member's");
}

#[test]
fn offline_without_a_cache_says_so_for_every_component_and_a_cache_stands_in() {
    let server = IndexServer::start(&fixture_index());
    let home = tempfile::tempdir().unwrap();
    let env = [("CARGO_SPDF_INDEX_URL", server.url.as_str()), ("CARGO_HOME", home.path().to_str().unwrap())];
    let ws = copy_workspace("demo");
    std::fs::write(ws.path().join("spdf.toml"), MANUFACTURER).unwrap();
    // Offline, nothing cached: nothing can be derived, and the gate says so, never silence.
    let (code, doc) = run(ws.path(), "release", &[], &env);
    assert_eq!(code, 1);
    let names: Vec<String> = missing(&doc)
        .into_iter()
        .map(|(n, l)| {
            assert_eq!(l, "deny");
            n
        })
        .collect();
    assert_eq!(
        names,
        ["gonelib", "nolicense", "noticelib", "safelib", "unsoundlib", "vulnlib", "winlib", "winonly"]
    );
    assert!(message(&doc, "safelib").contains("offline (--offline or --frozen): the index was not consulted, and no copy of the crate's file is cached"));
    assert_eq!(server.requests(), vec![]);
    // Online, the index answers and fills the cache ...
    let mut online = spdf(ws.path());
    online
        .args(["check", "--gate", "support", "--format", "json", "--db"])
        .arg(fixture_db())
        .env("SOURCE_DATE_EPOCH", JAN_2025);
    for (k, v) in env {
        online.env(k, v);
    }
    let out = online.output().unwrap();
    assert_eq!(missing(&json(&out)), pairs(&[("nolicense", "warn")]));
    // ... which stands in for it offline, with the date it was fetched.
    let (_, doc) = run(ws.path(), "local", &[], &env);
    assert_eq!(missing(&doc), pairs(&[("nolicense", "warn")]));
    let mut sbom = spdf(ws.path());
    sbom.args(["sbom", "--offline", "--db"]).arg(fixture_db()).env("SOURCE_DATE_EPOCH", JAN_2025);
    for (k, v) in env {
        sbom.env(k, v);
    }
    let out = sbom.output().unwrap();
    let sbom = json(&out);
    let safelib = sbom["components"].as_array().unwrap().iter().find(|c| c["name"] == "safelib").unwrap();
    let props: Vec<&str> =
        safelib["properties"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert!(props.contains(&"cargo-spdf:registry:cachedAt"), "{props:?}");
    let justification = safelib["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "cargo-spdf:fda:justification")
        .unwrap();
    assert!(justification["value"].as_str().unwrap().contains("; crates.io index as of "));
}

#[test]
fn old_crates_without_a_policy_have_a_level_and_an_end_of_support_or_a_justification() {
    let dir = fixtures().join("workspaces/old-crates");
    let db = shared().join("advisory-db");
    let out = spdf(&dir)
        .args(["check", "--offline", "--gate", "support", "--format", "json", "--db"])
        .arg(&db)
        .env("SOURCE_DATE_EPOCH", JAN_2025)
        .output()
        .unwrap();
    let doc = json(&out);
    assert_eq!(code(&out), 0, "{doc:#}");
    // The one finding: the product itself, which no manufacturer is declared to support.
    assert_eq!(missing(&doc), pairs(&[("old-crates", "warn")]));
    let summary = note(&doc);
    assert_eq!(
        summary,
        "support: 69 shipped components: 41 actively maintained, 20 no longer maintained, 7 abandoned, 1 without a level (levels from: rustsec-unmaintained 3, registry-activity 65); 0 with an end-of-support date, 68 with a justification instead, 1 with neither"
    );
    let out = spdf(&dir)
        .args(["sbom", "--offline", "--db"])
        .arg(&db)
        .env("SOURCE_DATE_EPOCH", JAN_2025)
        .output()
        .unwrap();
    let sbom = json(&out);
    let components = sbom["components"].as_array().unwrap();
    assert!(components.len() > 60);
    let mut levels = std::collections::BTreeSet::new();
    for c in components {
        let prop = |name: &str| {
            c["properties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .map(|p| p["value"].as_str().unwrap())
        };
        let name = c["name"].as_str().unwrap();
        let level = prop("cargo-spdf:fda:levelOfSupport").unwrap_or_else(|| panic!("{name} has no level"));
        levels.insert(level.to_owned());
        assert!(
            ["rustsec-unmaintained", "registry-activity"]
                .contains(&prop("cargo-spdf:fda:supportSource").unwrap()),
            "{name}"
        );
        assert!(
            prop("cdx:lifecycle:milestone:endOfSupport").is_some()
                || prop("cargo-spdf:fda:justification").is_some(),
            "{name}"
        );
        assert!(prop("cargo-spdf:registry:lastRelease").is_some(), "{name}");
    }
    assert_eq!(levels.len(), 3, "every FDA level occurs: {levels:?}");
}

#[test]
fn invalid_support_entries_are_errors() {
    let ws = copy_workspace("demo");
    std::fs::write(
        ws.path().join("spdf.toml"),
        "[[support]]\npackages = [\"x\"]\nlevel = \"maintained\"\n\n[[support]]\npackages = [\"y\"]\n\n[[support]]\npackages = [\"z\"]\njustification = \"j\"\nassessed = \"last week\"\n",
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
    assert!(
        err.contains("spdf.toml:11:12: invalid `assessed` date \"last week\"; expected YYYY-MM-DD"),
        "{err}"
    );
}
