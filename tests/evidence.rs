//! `cargo spdf evidence` and `cargo spdf verify`: the bundle's files and digests, its
//! determinism, its refusal to overwrite, no partial bundle on failure, and signatures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use std::path::{Path, PathBuf};
use support::*;

/// 2024-09-02: the fixture database (newest advisory 2024-09-01) is one day old.
const SEP_2024: &str = "1725235200";

/// A passing release policy for the clean fixture: the manufacturer supports the product, the
/// policy states safelib's support, and the fixture KEV catalog (released 2024-03-01) may be as
/// old as it is.
const RELEASE_POLICY: &str = "[advisories]\nmax-kev-age-days = 200\n\n[sbom]\nmanufacturer = \"Example Medical Devices Inc.\"\n\n[[support]]\npackages = [\"safelib\"]\nlevel = \"actively maintained\"\nend-of-support = \"2030-12-31\"\nassessed = 2024-08-30\nassessed-by = \"Release QA\"\nreplacement-plan = \"none needed before 2030\"\n";

fn kev() -> PathBuf {
    fixtures().join("kev/known_exploited_vulnerabilities.json")
}

fn evidence(dir: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    spdf(dir)
        .args(["evidence", "--offline", "--out"])
        .arg(out)
        .arg("--db")
        .arg(fixture_db())
        .arg("--kev")
        .arg(kev())
        .args(extra)
        .env("SOURCE_DATE_EPOCH", SEP_2024)
        .output()
        .unwrap()
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

#[test]
fn a_passing_release_bundle_is_complete_and_checks_with_sha256sum() {
    let ws = copy_workspace("clean");
    std::fs::write(ws.path().join("spdf.toml"), RELEASE_POLICY).unwrap();
    let out = ws.path().join("evidence");
    let run = evidence(ws.path(), &out, &[]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert_eq!(
        files(&out),
        [
            "SHA256SUMS",
            "fda-sbom-addendum.csv",
            "provenance.json",
            "report.json",
            "report.md",
            "sbom.cdx.json",
            "sbom.cdx.xml",
            "spdf.toml",
            "vex.cdx.json"
        ]
    );
    assert_eq!(std::fs::read_to_string(out.join("spdf.toml")).unwrap(), RELEASE_POLICY);
    let check = std::process::Command::new("sha256sum")
        .arg("-c")
        .arg("SHA256SUMS")
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!((report["verdict"].as_str(), report["stage"].as_str()), (Some("pass"), Some("release")));
    assert_eq!(report["gates"].as_array().unwrap().len(), 7);
    let provenance: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("provenance.json")).unwrap()).unwrap();
    assert_eq!(provenance["time"], "2024-09-02T00:00:00Z");
    assert_eq!(provenance["source_date_epoch"], true);
    assert_eq!(provenance["policy"]["path"], "spdf.toml");
    assert_eq!(provenance["advisory_database"]["age_days"], 1);
    assert_eq!(provenance["kev_catalog"]["version"], "2099.01.01-excerpt");
    assert!(provenance["toolchain"]["rustc"].as_str().unwrap().starts_with("rustc "));
    assert!(provenance["toolchain"]["cargo"].as_str().unwrap().starts_with("cargo "));
    assert_eq!(provenance["workspace"]["lockfile_sha256"], report["workspace"]["lockfile_sha256"]);
    for sbom in ["sbom.cdx.json", "vex.cdx.json"] {
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join(sbom)).unwrap()).unwrap();
        assert!(cdx::json_errors(&doc, "1.6").is_empty(), "{sbom}");
    }
    let csv = std::fs::read_to_string(out.join("fda-sbom-addendum.csv")).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "product,product version,component,version,supplier,licence,purl,sha256,direct/transitive,dependency kind,level of support,end of support,justification,support source,support gap,assessed,assessed by,replacement plan,vulnerabilities,VEX state,KEV"
    );
    // Every row names the product and its version.
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1..].iter().all(|l| l.starts_with("clean-app,0.1.0,")), "{csv}");
    assert!(lines[1].starts_with("clean-app,0.1.0,clean-app,0.1.0,Example Medical Devices Inc.,MIT,,,product,runtime,actively maintained,,developed and maintained by the manufacturer"), "{csv}");
    assert!(
        lines[2].starts_with("clean-app,0.1.0,safelib,1.0.0,Safe Author,MIT,pkg:cargo/safelib@1.0.0,"),
        "{csv}"
    );
    assert!(
        lines[2].ends_with(",direct,runtime,actively maintained,2030-12-31,,policy,,2024-08-30,Release QA,none needed before 2030,,,no"),
        "{csv}"
    );
    // report.json names the workspace, database and catalog without local paths.
    let root = ws.path().canonicalize().unwrap().display().to_string();
    let json_text = std::fs::read_to_string(out.join("report.json")).unwrap();
    for leak in [root.as_str(), fixtures().to_str().unwrap()] {
        assert!(!json_text.contains(leak), "report.json leaks {leak}");
    }
    assert_eq!(report["workspace"]["root"], ws.path().file_name().unwrap().to_str().unwrap());
    assert_eq!(report["database"]["path"], "advisory-db");
    assert_eq!(report["kev"]["path"], "known_exploited_vulnerabilities.json");
    assert_eq!(provenance["kev_catalog"]["age_days"], 185);
    assert_eq!(provenance["toolchain"]["pinned"], serde_json::Value::Null);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    for section in [
        "**Verdict: PASS**",
        "## Inputs",
        "## Gate `advisories`: pass",
        "## Waivers",
        "## Documented lint deviations",
        "## Shipped components: FDA level of support and end of support",
        "| safelib | 1.0.0 | direct | MIT | actively maintained | 2030-12-31 | - | policy | 2024-08-30 by Release QA | - |",
        "## Build tooling (does not ship): level of support and end of support\n\nNone.",
        "| CISA KEV catalog | version 2099.01.01-excerpt (3 entries), released 2024-03-01T00:00:00.000Z, 185 days old |",
    ] {
        assert!(md.contains(section), "{section} in\n{md}");
    }
}

#[test]
fn same_inputs_same_bundle() {
    let ws = copy_workspace("clean");
    std::fs::write(ws.path().join("spdf.toml"), RELEASE_POLICY).unwrap();
    let (a, b) = (ws.path().join("a"), ws.path().join("b"));
    assert_eq!(code(&evidence(ws.path(), &a, &[])), 0);
    assert_eq!(code(&evidence(ws.path(), &b, &[])), 0);
    for name in files(&a) {
        assert_eq!(std::fs::read(a.join(&name)).unwrap(), std::fs::read(b.join(&name)).unwrap(), "{name}");
    }
}

#[test]
fn a_failing_check_still_writes_the_bundle_and_exits_1() {
    let ws = copy_workspace("demo");
    let out = ws.path().join("evidence");
    let run = evidence(ws.path(), &out, &[]);
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["verdict"], "fail");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("**Verdict: FAIL**"));
    assert!(stderr(&run).contains("evidence written to"));
    assert!(!out.join("spdf.toml").exists(), "the built-in profile has no policy file to record");
}

#[test]
fn an_existing_bundle_is_kept_without_force() {
    let ws = copy_workspace("clean");
    std::fs::write(ws.path().join("spdf.toml"), RELEASE_POLICY).unwrap();
    let out = ws.path().join("evidence");
    assert_eq!(code(&evidence(ws.path(), &out, &[])), 0);
    let before = std::fs::read(out.join("SHA256SUMS")).unwrap();
    std::fs::write(
        ws.path().join("spdf.toml"),
        RELEASE_POLICY.replace("Example Medical Devices Inc.", "Changed"),
    )
    .unwrap();
    let again = evidence(ws.path(), &out, &[]);
    assert_eq!(code(&again), 2);
    assert!(stderr(&again).contains("already exists; use --force to replace it"), "{}", stderr(&again));
    assert_eq!(std::fs::read(out.join("SHA256SUMS")).unwrap(), before);
    let forced = evidence(ws.path(), &out, &["--force"]);
    assert_eq!(code(&forced), 0, "{}", stderr(&forced));
    assert_ne!(std::fs::read(out.join("SHA256SUMS")).unwrap(), before);
    let leftovers: Vec<String> =
        files(ws.path()).into_iter().filter(|n| n.contains("partial") || n.contains("replaced")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_failure_midway_leaves_nothing_behind() {
    let ws = copy_workspace("clean");
    std::fs::write(ws.path().join("spdf.toml"), RELEASE_POLICY).unwrap();
    std::fs::write(
        ws.path().join("bad.pem"),
        "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let out = ws.path().join("evidence");
    let run = evidence(ws.path(), &out, &["--sign-key", "bad.pem"]);
    assert_eq!(code(&run), 2);
    assert!(stderr(&run).contains("bad.pem is not an Ed25519 private key"), "{}", stderr(&run));
    assert!(!out.exists());
    let names = files(ws.path());
    assert!(!names.iter().any(|n| n.contains("evidence")), "{names:?}");
}

#[test]
fn verify_accepts_a_good_bundle_and_rejects_changes_and_bad_signatures() {
    let ws = copy_workspace("clean");
    std::fs::write(ws.path().join("spdf.toml"), RELEASE_POLICY).unwrap();
    let out = ws.path().join("evidence");
    let key = fixtures().join("keys/test-ed25519.pem");
    let run = evidence(ws.path(), &out, &["--sign-key", key.to_str().unwrap()]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert!(out.join("SHA256SUMS.sig").is_file());
    let verify = |pubkey: &str| {
        spdf(ws.path())
            .args(["verify", "evidence", "--key"])
            .arg(fixtures().join("keys").join(pubkey))
            .output()
            .unwrap()
    };
    let good = verify("test-ed25519.pub.pem");
    assert_eq!(code(&good), 0, "{}", stderr(&good));
    assert!(stderr(&good).contains("8 files verified, signature valid"), "{}", stderr(&good));
    let wrong_key = verify("other-ed25519.pub.pem");
    assert_eq!(code(&wrong_key), 1);
    assert!(stderr(&wrong_key).contains("signature does not match"));
    // openssl agrees with the signature.
    let openssl = std::process::Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-rawin", "-inkey"])
        .arg(fixtures().join("keys/test-ed25519.pub.pem"))
        .args(["-in", "SHA256SUMS", "-sigfile", "SHA256SUMS.sig"])
        .current_dir(&out)
        .output();
    if let Ok(o) = openssl {
        assert!(o.status.success(), "openssl: {}", String::from_utf8_lossy(&o.stderr));
    }
    // A changed file.
    let md = out.join("report.md");
    std::fs::write(&md, std::fs::read_to_string(&md).unwrap().replace("PASS", "pass")).unwrap();
    let changed = verify("test-ed25519.pub.pem");
    assert_eq!(code(&changed), 1);
    assert!(
        stderr(&changed).contains("report.md: its SHA-256 does not match SHA256SUMS"),
        "{}",
        stderr(&changed)
    );
    // A changed SHA256SUMS (made to match the changed file) breaks the signature.
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    let digest = sha256_of(&md);
    let sums: String = sums
        .lines()
        .map(|l| if l.ends_with("  report.md") { format!("{digest}  report.md\n") } else { format!("{l}\n") })
        .collect();
    std::fs::write(out.join("SHA256SUMS"), sums).unwrap();
    let resigned = verify("test-ed25519.pub.pem");
    assert_eq!(code(&resigned), 1);
    assert!(stderr(&resigned).contains("signature does not match"), "{}", stderr(&resigned));
    // Not a bundle.
    let none = spdf(ws.path()).args(["verify", "src"]).output().unwrap();
    assert_eq!(code(&none), 2);
}

fn sha256_of(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

#[test]
fn a_stale_catalog_and_a_toolchain_other_than_the_pinned_one_fail_the_release() {
    let ws = copy_workspace("clean");
    // The release stage allows a KEV catalog 7 days old; the fixture's is 185 days old.
    std::fs::write(ws.path().join("spdf.toml"), RELEASE_POLICY.replace("max-kev-age-days = 200", ""))
        .unwrap();
    std::fs::write(ws.path().join("rust-toolchain.toml"), "[toolchain]\nchannel = \"1.70.0\"\n").unwrap();
    let out = ws.path().join("evidence");
    let run = evidence(ws.path(), &out, &[]);
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let find = |code: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code}: {report:#}"))
    };
    let stale = find("kev-stale");
    assert_eq!((stale["level"].as_str(), stale["gate"].as_str()), (Some("deny"), Some("advisories")));
    assert_eq!(stale["actual"], "185 days");
    let mismatch = find("toolchain-mismatch");
    assert_eq!((mismatch["level"].as_str(), mismatch["gate"].as_str()), (Some("deny"), Some("build")));
    assert_eq!(mismatch["required"], "1.70.0");
    assert_eq!(mismatch["location"], serde_json::json!({"file": "rust-toolchain.toml", "line": 2}));
    let provenance: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("provenance.json")).unwrap()).unwrap();
    assert_eq!(provenance["toolchain"]["pinned"], "1.70.0");
    assert_eq!(provenance["toolchain"]["matches_pin"], false);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("; pinned 1.70.0, which is NOT the one that ran |"), "{md}");
    // Before the release stage a mismatch warns, and the catalog's age is not judged.
    let check = spdf(ws.path())
        .args(["check", "--offline", "--gate", "build", "--gate", "advisories", "--format", "json", "--db"])
        .arg(fixture_db())
        .arg("--kev")
        .arg(kev())
        .env("SOURCE_DATE_EPOCH", SEP_2024)
        .output()
        .unwrap();
    let doc = json(&check);
    let codes: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["level"].as_str().unwrap()))
        .filter(|(c, _)| c.contains("stale") || c.contains("mismatch"))
        .collect();
    assert_eq!(codes, [("toolchain-mismatch", "warn")]);
}
