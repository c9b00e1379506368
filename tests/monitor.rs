//! `cargo spdf monitor`: released versions' evidence bundles, made by the real `cargo spdf
//! evidence` with an older advisory database, monitored against a newer one; SBOMs of another
//! tool; tampered bundles; folders of versions; every exit code and format.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;
use support::*;

/// 2024-06-03: when the releases were made (the old database is two days old then).
const RELEASED: &str = "1717372800";
/// 2024-09-02: when they are monitored (the new database is seven days old then).
const NOW: &str = "1725235200";

fn monitor_fixtures() -> PathBuf {
    fixtures().join("monitor")
}

fn old_db() -> PathBuf {
    monitor_fixtures().join("advisory-db-old")
}

fn new_db() -> PathBuf {
    monitor_fixtures().join("advisory-db-new")
}

fn old_kev() -> PathBuf {
    fixtures().join("kev/known_exploited_vulnerabilities.json")
}

fn key(name: &str) -> PathBuf {
    fixtures().join("keys").join(name)
}

/// The policy of release 1.0.0: nothing but the product's name and version.
const POLICY_1_0: &str = "[sbom]\nproduct = \"Infusion Pump Controller\"\nversion = \"1.0.0\"\n";

/// The policy of release 1.1.0: low vulnerabilities only warn, a waiver that runs out on
/// 2024-08-31, and support data for two crates.
const POLICY_1_1: &str = r#"[sbom]
product = "Infusion Pump Controller"
version = "1.1.0"

[advisories]
severity-threshold = "medium"

[[advisories.exceptions]]
id = "RUSTSEC-2099-0001"
package = "vulnlib"
reason = "vulnlib::parse only ever sees the device's own signed configuration"
expires = "2024-08-31"
state = "not_affected"
justification = "code_not_reachable"
approved-by = "Release QA"

[[support]]
packages = ["safelib"]
level = "actively maintained"
end-of-support = "2024-08-31"

[[support]]
packages = ["vulnlib"]
level = "actively maintained"
end-of-support = "2024-09-20"
"#;

/// Two releases of the demo workspace, 1.0.0 and 1.1.0, each an evidence bundle made with the
/// old database and signed with the test key, under `<dir>/releases/`. Made once per test run.
fn releases() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("monitor-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("releases")).unwrap();
        let ws = copy_workspace("demo");
        for (version, policy) in [("1.0.0", POLICY_1_0), ("1.1.0", POLICY_1_1)] {
            std::fs::write(ws.path().join("spdf.toml"), policy).unwrap();
            let out = dir.join("releases").join(version);
            let run = spdf(ws.path())
                .args(["evidence", "--offline", "--out"])
                .arg(&out)
                .arg("--db")
                .arg(old_db())
                .arg("--kev")
                .arg(old_kev())
                .arg("--sign-key")
                .arg(key("test-ed25519.pem"))
                .env("SOURCE_DATE_EPOCH", RELEASED)
                .output()
                .unwrap();
            // The demo workspace fails its release check (lints, licences...): the bundle is
            // written all the same, which is all these tests need.
            assert_eq!(code(&run), 1, "{}", stderr(&run));
            assert!(out.join("spdf.toml").is_file());
        }
        dir.join("releases")
    })
}

/// A copy of the releases, for a test that changes them.
fn copy_of_releases() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(releases(), &dir.path().join("releases"));
    dir
}

/// `cargo spdf monitor` against `db` and `kev`, offline, at [`NOW`].
fn monitor(db: &Path, kev: &Path, args: &[&str]) -> Output {
    let cwd = tempfile::tempdir().unwrap();
    spdf(cwd.path())
        .args(["monitor", "--offline", "--db"])
        .arg(db)
        .arg("--kev")
        .arg(kev)
        .args(args)
        .env("SOURCE_DATE_EPOCH", NOW)
        .output()
        .unwrap()
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `(kind, level, advisory id or "", package or "")` of every item of a product, sorted.
fn item_keys(product: &Value) -> Vec<(String, String, String, String)> {
    let mut keys: Vec<_> = product["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_owned(),
                i["level"].as_str().unwrap().to_owned(),
                i["advisory"]["id"].as_str().unwrap_or("").to_owned(),
                i["package"]["name"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    keys.sort();
    keys
}

fn item<'a>(product: &'a Value, kind: &str, advisory: &str) -> &'a Value {
    product["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == kind && i["advisory"]["id"].as_str().unwrap_or("") == advisory)
        .unwrap_or_else(|| panic!("no {kind} item for {advisory} in {product:#}"))
}

#[test]
fn a_bundle_made_before_an_advisory_reports_exactly_it_as_new_with_its_age() {
    let bundle = releases().join("1.0.0");
    let run = monitor(&new_db(), &old_kev(), &["--bundle", arg(&bundle), "--format", "json"]);
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    let doc = json(&run);
    assert_eq!(
        (doc["schema"].as_str(), doc["verdict"].as_str()),
        (Some("cargo-spdf/monitor/v1"), Some("fail"))
    );
    let product = &doc["products"][0];
    assert_eq!(product["product"], "Infusion Pump Controller");
    assert_eq!(
        (product["version"].as_str(), product["released"].as_str()),
        (Some("1.0.0"), Some("2024-06-03"))
    );
    assert_eq!(product["policy"]["source"], "bundle");
    assert_eq!(product["signature"], "not-checked");
    // The new advisory, and the two that changed: nothing else.
    assert_eq!(
        item_keys(product),
        keys(&[
            ("advisory-changed", "warn", "RUSTSEC-2099-0002", "vulnlib"),
            ("advisory-changed", "warn", "RUSTSEC-2099-0006", "gonelib"),
            ("new-vulnerability", "deny", "RUSTSEC-2099-0011", "safelib"),
        ])
    );
    let new = item(product, "new-vulnerability", "RUSTSEC-2099-0011");
    assert_eq!(
        new["clock"],
        serde_json::json!({"published": "2024-08-26", "days_since_published": 7, "start": "2024-08-26",
            "days_left_30": 23, "days_left_60": 53})
    );
    assert_eq!(new["advisory"]["severity"], "high");
    assert_eq!((product["new_vulnerabilities"].as_u64(), product["kev"].as_u64()), (Some(1), Some(0)));
    assert_eq!(product["oldest_unaddressed_days"], 7);
    let cvss = item(product, "advisory-changed", "RUSTSEC-2099-0002");
    assert_eq!(cvss["changes"][0]["field"], "cvss");
    assert_eq!(cvss["changes"][0]["before"], "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:L/A:N");
    assert_eq!(cvss["changes"][0]["after"], "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N");
    assert!(cvss["message"].as_str().unwrap().contains("rescored from 1.8 (low) to 7.5 (high)"), "{cvss}");
    let withdrawn = item(product, "advisory-changed", "RUSTSEC-2099-0006");
    assert_eq!(
        withdrawn["changes"][0],
        serde_json::json!({"field": "withdrawn", "before": null, "after": "2024-08-20"})
    );
    assert_eq!(withdrawn["clock"]["start"], "2024-08-20");
    assert_eq!(doc["database"]["age_days"], 7);
}

#[test]
fn the_human_report_opens_with_the_table() {
    let bundle = releases().join("1.0.0");
    let run = monitor(&new_db(), &old_kev(), &["--bundle", arg(&bundle), "--color", "never"]);
    assert_eq!(code(&run), 1);
    assert!(run.stdout.is_empty(), "the human report goes to stderr");
    let text = stderr(&run);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    for column in [
        "product",
        "version",
        "released",
        "new vulnerabilities",
        "KEV",
        "oldest unaddressed (days)",
        "verdict",
    ] {
        assert!(header.contains(column), "{column} in {header}");
    }
    let row: Vec<&str> = lines.next().unwrap().split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(row, ["Infusion Pump Controller", "1.0.0", "2024-06-03", "1", "0", "7", "FAIL"]);
    assert!(text.contains("error[new-vulnerability]: safelib 1.0.0: Out-of-bounds read in safelib::decode (RUSTSEC-2099-0011), published 2024-08-26 (7 days ago)"), "{text}");
    assert!(text.contains("23 of 30 days left to fix, 53 of 60 to disclose"), "{text}");
    assert!(text.contains("FAIL 1 fail, 0 to review, 0 ok, 0 refused"), "{text}");
}

#[test]
fn nothing_new_against_the_database_the_bundle_was_made_with() {
    let bundle = releases().join("1.0.0");
    let cwd = tempfile::tempdir().unwrap();
    let run = spdf(cwd.path())
        .args(["monitor", "--offline", "--format", "json", "--bundle", arg(&bundle), "--db"])
        .arg(old_db())
        .arg("--kev")
        .arg(old_kev())
        .env("SOURCE_DATE_EPOCH", "1717459200") // 2024-06-04
        .output()
        .unwrap();
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let doc = json(&run);
    assert_eq!(doc["verdict"], "pass");
    assert_eq!(doc["products"][0]["verdict"], "ok");
    assert_eq!(doc["products"][0]["items"], serde_json::json!([]));
    assert_eq!(doc["summary"]["ok"], 1);
}

#[test]
fn a_new_kev_listing_of_a_listed_vulnerability() {
    let bundle = releases().join("1.0.0");
    let run = monitor(
        &old_db(),
        &monitor_fixtures().join("kev-new.json"),
        &["--bundle", arg(&bundle), "--format", "json"],
    );
    let doc = json(&run);
    let product = &doc["products"][0];
    // RUSTSEC-2099-0001 was in the catalog at release; only RUSTSEC-2099-0002 is news.
    let kev = item(product, "kev", "RUSTSEC-2099-0002");
    assert_eq!(kev["level"], "deny");
    assert_eq!(kev["kev"]["cve"], "CVE-2099-1002");
    assert_eq!(kev["clock"]["start"], "2024-08-28");
    assert_eq!(kev["clock"]["days_left_30"], 25);
    assert_eq!(product["kev"], 1);
    // The old database is three months old by now: monitoring against it fails closed too.
    assert_eq!(
        item_keys(product),
        keys(&[("db-stale", "deny", "", ""), ("kev", "deny", "RUSTSEC-2099-0002", "vulnlib")])
    );
    assert_eq!(code(&run), 1);
}

#[test]
fn expired_waivers_ended_support_and_a_rescoring_that_now_fails() {
    let bundle = releases().join("1.1.0");
    let run = monitor(&new_db(), &old_kev(), &["--bundle", arg(&bundle), "--format", "json"]);
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    let product = &json(&run)["products"][0];
    assert_eq!(
        item_keys(product),
        keys(&[
            // Scored low, it only warned under the 1.1.0 policy; rescored high, it fails.
            ("advisory-changed", "deny", "RUSTSEC-2099-0002", "vulnlib"),
            ("advisory-changed", "warn", "RUSTSEC-2099-0006", "gonelib"),
            ("new-vulnerability", "deny", "RUSTSEC-2099-0011", "safelib"),
            ("support-ended", "deny", "", "safelib"),
            ("support-ending", "warn", "", "vulnlib"),
            ("waiver-expired", "deny", "", "vulnlib"),
        ])
    );
    let items = product["items"].as_array().unwrap();
    let dated = |kind: &str| items.iter().find(|i| i["kind"] == kind).unwrap()["date"].clone();
    assert_eq!((dated("support-ended"), dated("support-ending")), ("2024-08-31".into(), "2024-09-20".into()));
    assert_eq!(dated("waiver-expired"), "2024-08-31");
    // With a shorter window, the coming end of support is not reported.
    let run =
        monitor(&new_db(), &old_kev(), &["--bundle", arg(&bundle), "--format", "json", "--within", "7"]);
    let kinds: Vec<String> = item_keys(&json(&run)["products"][0]).into_iter().map(|k| k.0).collect();
    assert!(
        kinds.contains(&"support-ended".to_owned()) && !kinds.contains(&"support-ending".to_owned()),
        "{kinds:?}"
    );
}

#[test]
fn a_vex_statement_or_a_waiver_addresses_the_new_advisory() {
    let bundle = releases().join("1.0.0");
    let vex = monitor_fixtures().join("vex-safelib.cdx.json");
    let run =
        monitor(&new_db(), &old_kev(), &["--bundle", arg(&bundle), "--vex", arg(&vex), "--format", "json"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let product = &json(&run)["products"][0];
    assert_eq!(product["verdict"], "review");
    let kinds: Vec<String> = item_keys(product).into_iter().map(|k| k.0).collect();
    assert_eq!(kinds, ["advisory-changed", "advisory-changed"]);
    // A waiver in the policy given with --policy covers it too, and says so.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("postmarket.toml");
    std::fs::write(
        &policy,
        "[[advisories.exceptions]]\nid = \"CVE-2099-1011\"\npackage = \"safelib\"\nreason = \"patch release 1.0.1 under way\"\nexpires = \"2024-09-30\"\n",
    )
    .unwrap();
    let run = monitor(
        &new_db(),
        &old_kev(),
        &["--bundle", arg(&bundle), "--policy", arg(&policy), "--format", "json"],
    );
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let product = &json(&run)["products"][0];
    assert_eq!(product["policy"]["source"], "flag");
    let new = item(product, "new-vulnerability", "RUSTSEC-2099-0011");
    assert_eq!(new["level"], "excepted");
    assert_eq!(new["exception"]["reason"], "patch release 1.0.1 under way");
    assert_eq!(product["new_vulnerabilities"], 0);
    assert_eq!(product["oldest_unaddressed_days"], Value::Null);
}

#[test]
fn a_tampered_bundle_is_refused_and_the_others_still_monitored() {
    let dir = copy_of_releases();
    let releases = dir.path().join("releases");
    copy_dir(&releases.join("1.0.0"), &releases.join("1.0.1"));
    // Dropping the new advisory's crate from the SBOM would hide it: the digest says no.
    let sbom = releases.join("1.0.1/sbom.cdx.json");
    let text =
        std::fs::read_to_string(&sbom).unwrap().replace("pkg:cargo/safelib@1.0.0", "pkg:cargo/safelib@1.1.0");
    std::fs::write(&sbom, text).unwrap();
    let run = monitor(&new_db(), &old_kev(), &["--bundles", arg(&releases), "--format", "json"]);
    assert_eq!(code(&run), 2, "{}", stderr(&run));
    let doc = json(&run);
    let verdicts: Vec<(&str, &str)> = doc["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["source"]["path"].as_str().unwrap().rsplit('/').next().unwrap(),
                p["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(verdicts, [("1.0.0", "fail"), ("1.0.1", "refused"), ("1.1.0", "fail")]);
    let refused = &doc["products"][1];
    assert_eq!(
        refused["problems"],
        serde_json::json!(["sbom.cdx.json: its SHA-256 does not match SHA256SUMS (the file was changed)"])
    );
    assert_eq!(refused["items"], serde_json::json!([]));
    assert_eq!(doc["summary"]["refused"], 1);
    // The human table has one row per version, the refused one included.
    let run = monitor(&new_db(), &old_kev(), &["--bundles", arg(&releases), "--color", "never"]);
    let text = stderr(&run);
    let rows: Vec<&str> = text.lines().skip(1).take_while(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[1].ends_with("REFUSED"), "{text}");
    assert!(text.contains("1.0.1: refused, nothing in it is trusted"), "{text}");
}

#[test]
fn signatures_are_checked_with_a_key() {
    let dir = copy_of_releases();
    let releases = dir.path().join("releases");
    let good = monitor(
        &new_db(),
        &old_kev(),
        &["--bundles", arg(&releases), "--key", arg(&key("test-ed25519.pub.pem")), "--format", "json"],
    );
    assert_eq!(code(&good), 1, "{}", stderr(&good));
    let doc = json(&good);
    assert!(doc["products"].as_array().unwrap().iter().all(|p| p["signature"] == "valid"), "{doc:#}");
    let wrong = monitor(
        &new_db(),
        &old_kev(),
        &[
            "--bundle",
            arg(&releases.join("1.0.0")),
            "--key",
            arg(&key("other-ed25519.pub.pem")),
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&wrong), 2);
    let problems = json(&wrong)["products"][0]["problems"].to_string();
    assert!(problems.contains("SHA256SUMS.sig: the signature does not match"), "{problems}");
    // An unsigned bundle, when a key is given, is not trusted either.
    std::fs::remove_file(releases.join("1.1.0/SHA256SUMS.sig")).unwrap();
    let unsigned = monitor(
        &new_db(),
        &old_kev(),
        &[
            "--bundle",
            arg(&releases.join("1.1.0")),
            "--key",
            arg(&key("test-ed25519.pub.pem")),
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&unsigned), 2);
    assert!(json(&unsigned)["products"][0]["problems"].to_string().contains("SHA256SUMS.sig is missing"));
}

#[test]
fn a_bundle_without_its_policy_falls_back_to_its_profile() {
    let dir = copy_of_releases();
    let bundle = dir.path().join("releases/1.1.0");
    // As a bundle made before the policy was recorded: no spdf.toml, SHA256SUMS without it.
    std::fs::remove_file(bundle.join("spdf.toml")).unwrap();
    std::fs::remove_file(bundle.join("SHA256SUMS.sig")).unwrap();
    let sums = std::fs::read_to_string(bundle.join("SHA256SUMS")).unwrap();
    let sums: String =
        sums.lines().filter(|l| !l.ends_with("  spdf.toml")).map(|l| format!("{l}\n")).collect();
    std::fs::write(bundle.join("SHA256SUMS"), sums).unwrap();
    let run = monitor(&new_db(), &old_kev(), &["--bundle", arg(&bundle), "--format", "json"]);
    let product = &json(&run)["products"][0];
    assert_eq!(product["policy"]["source"], "profile");
    assert_eq!(product["policy"]["profile"], "baseline");
    assert!(
        product["notes"][0]
            .as_str()
            .unwrap()
            .contains("records its policy's digest but not the policy itself")
    );
    // The waiver's expiry is in the bundle's VEX, so it is still found.
    let kinds: Vec<String> = item_keys(product).into_iter().map(|k| k.0).collect();
    assert!(kinds.contains(&"waiver-expired".to_owned()), "{kinds:?}");
}

#[test]
fn crates_that_became_unmaintained_or_yanked() {
    let db = tempfile::tempdir().unwrap();
    copy_dir(&new_db(), db.path());
    std::fs::create_dir_all(db.path().join("crates/oldlib")).unwrap();
    std::fs::copy(
        fixtures().join("advisory-db/crates/oldlib/RUSTSEC-2099-0004.md"),
        db.path().join("crates/oldlib/RUSTSEC-2099-0004.md"),
    )
    .unwrap();
    let index = tempfile::tempdir().unwrap();
    copy_dir(&fixture_index(), index.path());
    let winlib = index.path().join("wi/nl/winlib");
    let text = std::fs::read_to_string(&winlib).unwrap();
    let yanked: String = text
        .lines()
        .map(|l| {
            if l.contains("\"vers\":\"0.5.0\"") {
                l.replace("\"yanked\":false", "\"yanked\":true")
            } else {
                l.to_owned()
            }
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(yanked, text, "the index lists winlib 0.5.0");
    std::fs::write(&winlib, yanked).unwrap();
    let bundle = releases().join("1.0.0");
    let cwd = tempfile::tempdir().unwrap();
    let run = spdf(cwd.path())
        .args(["monitor", "--offline", "--format", "json", "--bundle", arg(&bundle), "--db"])
        .arg(db.path())
        .arg("--kev")
        .arg(old_kev())
        .env("SOURCE_DATE_EPOCH", NOW)
        .env("CARGO_SPDF_INDEX_URL", url::Url::from_directory_path(index.path()).unwrap().to_string())
        .output()
        .unwrap();
    let product = &json(&run)["products"][0];
    let keys = item_keys(product);
    assert!(
        keys.contains(&("unmaintained".into(), "warn".into(), "RUSTSEC-2099-0004".into(), "oldlib".into())),
        "{keys:?}"
    );
    assert!(keys.contains(&("yanked".into(), "warn".into(), String::new(), "winlib".into())), "{keys:?}");
    // gonelib 1.0.0 was already yanked at release, and nolicense already of unknown status.
    assert!(!keys.iter().any(|k| k.0 == "yanked" && k.3 != "winlib"), "{keys:?}");
    assert!(item(product, "unmaintained", "RUSTSEC-2099-0004")["clock"]["published"] == "2024-04-01");
}

#[test]
fn sboms_in_the_one_file_per_crate_layout_of_cargo_cyclonedx() {
    let sboms = monitor_fixtures().join("cargo-cyclonedx");
    let run = monitor(&new_db(), &old_kev(), &["--sbom", arg(&sboms), "--format", "json"]);
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    let doc = json(&run);
    let products: Vec<(&str, &str, &str)> = doc["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (p["product"].as_str().unwrap(), p["version"].as_str().unwrap(), p["released"].as_str().unwrap())
        })
        .collect();
    assert_eq!(products, [("demo-app", "1.2.0", "2024-06-03"), ("demo-core", "0.4.0", "2024-06-03")]);
    // Nothing was recorded with these SBOMs, so every advisory is new; the withdrawn one is
    // not reported, the git and path dependencies are not looked up, and the KEV listing of
    // RUSTSEC-2099-0001 is new. gonelib 1.0.0 is yanked in the fixture index.
    assert_eq!(
        item_keys(&doc["products"][0]),
        keys(&[
            ("kev", "deny", "RUSTSEC-2099-0001", "vulnlib"),
            ("new-vulnerability", "deny", "RUSTSEC-2099-0001", "vulnlib"),
            ("new-vulnerability", "deny", "RUSTSEC-2099-0002", "vulnlib"),
            ("new-vulnerability", "deny", "RUSTSEC-2099-0011", "safelib"),
            ("yanked", "warn", "", "gonelib"),
        ])
    );
    assert_eq!(
        item_keys(&doc["products"][1]),
        keys(&[("new-vulnerability", "deny", "RUSTSEC-2099-0011", "safelib")])
    );
    assert_eq!(doc["products"][0]["policy"]["source"], "profile");
    assert_eq!(doc["products"][0]["signature"], Value::Null);
}

#[test]
fn an_xml_sbom_of_another_tool_with_its_assessments() {
    let sbom = monitor_fixtures().join("other-tool.cdx.xml");
    let run = monitor(&new_db(), &old_kev(), &["--sbom", arg(&sbom), "--format", "json"]);
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    let product = &json(&run)["products"][0];
    assert_eq!(
        (product["product"].as_str(), product["version"].as_str()),
        (Some("Pump Firmware"), Some("3.0.0"))
    );
    // RUSTSEC-2099-0001 is listed (by its CVE, with the RustSec id as a reference, and its
    // vector without the CVSS:3.1/ prefix) as not affected: not new, not changed, and its KEV
    // listing is covered by that assessment.
    assert_eq!(
        item_keys(product),
        keys(&[
            ("kev", "excepted", "RUSTSEC-2099-0001", "vulnlib"),
            ("new-advisory", "deny", "RUSTSEC-2099-0003", "unsoundlib"),
            ("new-vulnerability", "deny", "RUSTSEC-2099-0002", "vulnlib"),
        ])
    );
    assert_eq!(item(product, "kev", "RUSTSEC-2099-0001")["assessment"], "not_affected in other-tool.cdx.xml");
}

#[test]
fn csv_has_one_row_per_product_version_and_item() {
    let dir = copy_of_releases();
    let releases = dir.path().join("releases");
    let ok = tempfile::tempdir().unwrap();
    let run = monitor(&new_db(), &old_kev(), &["--bundles", arg(&releases), "--format", "csv"]);
    assert_eq!(code(&run), 1);
    let text = String::from_utf8(run.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&header[..5], ["product", "version", "released", "source", "verdict"]);
    assert!(
        header.contains(&"days left (30)".to_owned()) && header.contains(&"days since published".to_owned())
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // 1.0.0 has three items, 1.1.0 six.
    assert_eq!(rows.len(), 9, "{text}");
    let new = rows.iter().find(|r| &r[1] == "1.0.0" && &r[5] == "new-vulnerability").unwrap();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!((&new[col("advisory")], &new[col("days since published")]), ("RUSTSEC-2099-0011", "7"));
    assert_eq!(&new[col("days left (60)")], "53");
    assert!(text.contains("\r\n"));
    // A version with nothing new still has its row.
    let run = spdf(ok.path())
        .args(["monitor", "--offline", "--format", "csv", "--bundle", arg(&releases.join("1.0.0")), "--db"])
        .arg(old_db())
        .arg("--kev")
        .arg(old_kev())
        .env("SOURCE_DATE_EPOCH", "1717459200")
        .output()
        .unwrap();
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let text = String::from_utf8(run.stdout).unwrap();
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_reader(text.as_bytes()).records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!((&rows[0][1], &rows[0][4], &rows[0][5]), ("1.0.0", "ok", ""));
}

#[test]
fn sarif_is_valid_and_has_one_result_per_item() {
    let dir = copy_of_releases();
    let releases = dir.path().join("releases");
    std::fs::write(releases.join("1.1.0/extra.txt"), "added after release").unwrap();
    let out = dir.path().join("monitor.sarif");
    let run = monitor(
        &new_db(),
        &old_kev(),
        &["--bundles", arg(&releases), "--format", "sarif", "--output", arg(&out)],
    );
    assert_eq!(code(&run), 2, "{}", stderr(&run));
    assert!(run.stdout.is_empty());
    let log: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let schema: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("schemas/sarif-2.1.0.json")).unwrap()).unwrap();
    let validator = jsonschema::options().offline().should_validate_formats(true).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "three items of 1.0.0 and the refused 1.1.0");
    let refused = results.iter().find(|r| r["ruleId"] == "refused").unwrap();
    assert_eq!(refused["level"], "error");
    assert!(
        refused["message"]["text"]
            .as_str()
            .unwrap()
            .contains("extra.txt: in the bundle but not listed in SHA256SUMS")
    );
    let new = results.iter().find(|r| r["ruleId"] == "new-vulnerability").unwrap();
    assert_eq!(new["properties"]["security-severity"], "8.1");
    assert!(
        new["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/releases/1.0.0/sbom.cdx.json")
    );
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["new-vulnerability", "advisory-changed", "refused"]);
}

#[test]
fn inputs_that_cannot_be_read_exit_2_and_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.cdx.json");
    std::fs::write(
        &bad,
        "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\",\n  \"components\": [,]\n}\n",
    )
    .unwrap();
    let good = monitor_fixtures().join("cargo-cyclonedx/core-lib/core-lib.cdx.json");
    let run =
        monitor(&new_db(), &old_kev(), &["--sbom", arg(&bad), "--sbom", arg(&good), "--format", "json"]);
    assert_eq!(code(&run), 2, "{}", stderr(&run));
    let doc = json(&run);
    assert!(doc["products"][0]["problems"][0].as_str().unwrap().contains("bad.cdx.json:4:"), "{doc:#}");
    assert_eq!(doc["products"][1]["verdict"], "fail", "the readable SBOM is still monitored");
    // A missing file, an empty folder, a missing database, no input at all.
    let missing = monitor(&new_db(), &old_kev(), &["--sbom", arg(&dir.path().join("none.cdx.json"))]);
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("none.cdx.json"), "{}", stderr(&missing));
    let empty = tempfile::tempdir().unwrap();
    let run = monitor(&new_db(), &old_kev(), &["--bundles", arg(empty.path())]);
    assert_eq!(code(&run), 2);
    assert!(stderr(&run).contains("no evidence bundle below it"), "{}", stderr(&run));
    let run = monitor(&dir.path().join("no-db"), &old_kev(), &["--sbom", arg(&good)]);
    assert_eq!(code(&run), 2);
    assert!(stderr(&run).contains("no-db (given with --db) does not exist"), "{}", stderr(&run));
    let run = monitor(&new_db(), &old_kev(), &[]);
    assert_eq!(code(&run), 2);
    assert!(stderr(&run).contains("--bundle <DIR>|--bundles <DIR>|--sbom <FILE>"), "{}", stderr(&run));
    let run = monitor(&new_db(), &old_kev(), &["--sbom", arg(&good), "--since", "last week"]);
    assert_eq!(code(&run), 2);
    // A folder that only looks like a bundle (its digest list removed) is refused, not skipped.
    let folder = copy_of_releases();
    std::fs::remove_file(folder.path().join("releases/1.0.0/SHA256SUMS")).unwrap();
    let run = monitor(
        &new_db(),
        &old_kev(),
        &["--bundles", arg(&folder.path().join("releases")), "--format", "json"],
    );
    assert_eq!(code(&run), 2);
    let problems = json(&run)["products"][0]["problems"].to_string();
    assert!(problems.contains("is not an evidence bundle: cannot read its SHA256SUMS"), "{problems}");
}

#[test]
fn since_moves_the_clocks() {
    let bundle = releases().join("1.0.0");
    let run = monitor(
        &new_db(),
        &old_kev(),
        &["--bundle", arg(&bundle), "--format", "json", "--since", "2024-09-01"],
    );
    let product = &json(&run)["products"][0];
    let new = item(product, "new-vulnerability", "RUSTSEC-2099-0011");
    assert_eq!(new["clock"]["start"], "2024-09-01");
    assert_eq!(
        (new["clock"]["days_left_30"].as_i64(), new["clock"]["days_since_published"].as_i64()),
        (Some(29), Some(7))
    );
    let changed = item(product, "advisory-changed", "RUSTSEC-2099-0002");
    assert_eq!(changed["clock"]["start"], "2024-09-01", "a change of unknown date counts from --since");
    assert_eq!(json(&run)["since"], "2024-09-01");
}

#[test]
fn new_patched_versions_and_an_advisory_that_no_longer_affects_the_version() {
    let db = tempfile::tempdir().unwrap();
    copy_dir(&new_db(), db.path());
    let edit = |file: &str, from: &str, to: &str| {
        let path = db.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    };
    // A backported fix for 1.0.x (1.0.0 is still affected), and a fix that turns out to cover 0.3.0.
    edit(
        "crates/vulnlib/RUSTSEC-2099-0001.md",
        "patched = [\">= 1.2.0\"]",
        "patched = [\">= 1.2.0\", \">= 1.0.5, < 1.1.0\"]",
    );
    edit("crates/unsoundlib/RUSTSEC-2099-0003.md", "patched = [\">= 0.4.0\"]", "patched = [\">= 0.3.0\"]");
    let bundle = releases().join("1.0.0");
    let run = monitor(db.path(), &old_kev(), &["--bundle", arg(&bundle), "--format", "json"]);
    let product = &json(&run)["products"][0];
    let patched = item(product, "advisory-changed", "RUSTSEC-2099-0001");
    assert_eq!(
        patched["changes"],
        serde_json::json!([{"field": "patched", "before": ">=1.2.0", "after": ">=1.2.0 or >=1.0.5, <1.1.0"}])
    );
    assert_eq!(patched["level"], "warn");
    let gone = item(product, "advisory-changed", "RUSTSEC-2099-0003");
    assert_eq!(gone["changes"][0]["field"], "affected");
    assert!(gone["message"].as_str().unwrap().contains("no longer affects this version"), "{gone}");
}
