//! KEV: advisories whose CVE is in CISA's Known Exploited Vulnerabilities catalog.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use support::*;

fn kev_fixture() -> std::path::PathBuf {
    fixtures().join("kev/known_exploited_vulnerabilities.json")
}

fn check(dir: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = spdf(dir)
        .args(["check", "--gate", "advisories", "--format", "json", "--db"])
        .arg(fixture_db())
        .args(args)
        .output()
        .unwrap();
    (code(&out), json(&out))
}

#[test]
fn a_listed_cve_alias_is_a_kev_finding_with_the_catalog_facts() {
    let ws = copy_workspace("demo");
    let (code, doc) = check(ws.path(), &["--kev", kev_fixture().to_str().unwrap()]);
    assert_eq!(code, 1);
    let kev: Vec<_> = doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "kev").collect();
    assert_eq!(kev.len(), 1);
    assert_eq!(kev[0]["level"], "deny");
    assert_eq!(kev[0]["advisory"]["id"], "RUSTSEC-2099-0001");
    assert_eq!(kev[0]["advisory"]["kev"], true);
    assert!(kev[0]["message"].as_str().unwrap().contains("since 2024-03-01"));
    assert!(kev[0]["help"][0].as_str().unwrap().contains("Apply updates per vendor instructions"));
    assert_eq!(kev[0]["location"]["file"], "Cargo.lock");
    // Every advisory finding records its KEV membership once a catalog is used.
    let other = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["advisory"]["id"] == "RUSTSEC-2099-0002")
        .unwrap();
    assert_eq!(other["advisory"]["kev"], false);
    assert_eq!(doc["kev"]["version"], "2099.01.01-excerpt");
}

#[test]
fn catalog_from_policy_and_environment() {
    let ws = copy_workspace("demo");
    std::fs::write(
        ws.path().join("spdf.toml"),
        format!("[kev]\ncatalog = \"{}\"\n", kev_fixture().display()),
    )
    .unwrap();
    let (_, doc) = check(ws.path(), &[]);
    assert_eq!(doc["kev"]["entries"], 3);
    std::fs::remove_file(ws.path().join("spdf.toml")).unwrap();
    let out = spdf(ws.path())
        .args(["check", "--gate", "advisories", "--format", "json", "--db"])
        .arg(fixture_db())
        .env("CARGO_SPDF_KEV", kev_fixture())
        .output()
        .unwrap();
    assert_eq!(json(&out)["kev"]["entries"], 3);
}

#[test]
fn a_waiver_covers_the_kev_finding_of_its_advisory() {
    let ws = copy_workspace("demo");
    std::fs::write(ws.path().join("spdf.toml"), "[advisories]\ndeny = [\"kev\"]\n\n[[advisories.exceptions]]\nid = \"CVE-2099-1001\"\nreason = \"the parser only reads signed images\"\nstate = \"not_affected\"\njustification = \"code_not_reachable\"\n").unwrap();
    let (code, doc) = check(ws.path(), &["--kev", kev_fixture().to_str().unwrap()]);
    assert_eq!(code, 0, "{doc:#}");
    let kev = doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "kev").unwrap();
    assert_eq!(kev["level"], "excepted");
}

#[test]
fn without_a_catalog_medical_warns_and_release_fails() {
    let ws = copy_workspace("demo");
    std::fs::write(ws.path().join("spdf.toml"), "profile = \"medical\"\n[advisories]\ndeny = []\n").unwrap();
    let (code, doc) = check(ws.path(), &[]);
    assert_eq!(code, 0);
    let not_run = doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "kev").unwrap();
    assert_eq!(not_run["level"], "warn");
    assert!(not_run["message"].as_str().unwrap().contains("the KEV check did not run"));
    let (code, doc) = check(ws.path(), &["--stage", "release"]);
    assert_eq!(code, 1);
    assert!(doc["findings"].as_array().unwrap().iter().any(|f| f["code"] == "kev" && f["level"] == "deny"));
    // Baseline says nothing before release.
    std::fs::write(ws.path().join("spdf.toml"), "[advisories]\ndeny = []\n").unwrap();
    let (_, doc) = check(ws.path(), &[]);
    assert!(doc["findings"].as_array().unwrap().iter().all(|f| f["code"] != "kev"));
}

#[test]
fn an_unreadable_catalog_is_exit_2() {
    let ws = copy_workspace("demo");
    let out = spdf(ws.path())
        .args(["check", "--gate", "advisories", "--kev", "missing.json", "--db"])
        .arg(fixture_db())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot read the KEV catalog missing.json"), "{}", stderr(&out));
    std::fs::write(ws.path().join("bad.json"), "{\"catalogVersion\": \"x\", \"vulnerabilities\": [{]}")
        .unwrap();
    let out = spdf(ws.path())
        .args(["check", "--gate", "advisories", "--kev", "bad.json", "--db"])
        .arg(fixture_db())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("bad.json:1:"), "{}", stderr(&out));
}

#[test]
fn libwebp_sys_with_the_real_catalog() {
    let dir = fixtures().join("workspaces/webp");
    let out = spdf(&dir)
        .args(["check", "--offline", "--format", "json", "--db"])
        .arg(shared().join("advisory-db"))
        .arg("--kev")
        .arg(shared().join("kev/known_exploited_vulnerabilities.json"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let doc = json(&out);
    let kev = doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "kev").unwrap();
    assert_eq!(kev["advisory"]["id"], "RUSTSEC-2023-0061");
    assert!(kev["message"].as_str().unwrap().contains("CVE-2023-4863"));
    assert_eq!(kev["level"], "deny");
}
