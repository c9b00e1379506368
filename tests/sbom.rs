//! `cargo spdf sbom`: scope, identity, licences, supplier, FDA support data, VEX, determinism.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use serde_json::Value;
use support::*;

/// 2025-01-01T00:00:00Z.
const JAN_2025: &str = "1735689600";

fn sbom_in(dir: &std::path::Path, args: &[&str]) -> Value {
    let out = spdf(dir)
        .args(["sbom", "--offline", "--db"])
        .arg(fixture_db())
        .args(args)
        .env("SOURCE_DATE_EPOCH", JAN_2025)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn demo(args: &[&str]) -> Value {
    sbom_in(&fixtures().join("workspaces/demo"), args)
}

fn component<'a>(doc: &'a Value, name: &str) -> Option<&'a Value> {
    doc["components"].as_array()?.iter().find(|c| c["name"] == name)
}

fn property<'a>(c: &'a Value, name: &str) -> Option<&'a str> {
    c["properties"].as_array()?.iter().find(|p| p["name"] == name)?["value"].as_str()
}

fn names(doc: &Value) -> Vec<String> {
    doc["components"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn scope_marks_build_only_and_leaves_dev_only_out() {
    let doc = demo(&[]);
    let build = component(&doc, "buildhelper").unwrap();
    assert_eq!(build["scope"], "excluded");
    assert_eq!(property(build, "cargo-spdf:dependencyKind"), Some("build"));
    let runtime = component(&doc, "vulnlib").unwrap();
    assert_eq!(runtime["scope"], "required");
    assert_eq!(property(runtime, "cargo-spdf:dependencyKind"), Some("runtime"));
    assert_eq!(property(runtime, "cargo-spdf:directDependency"), Some("true"));
    assert_eq!(property(component(&doc, "safelib").unwrap(), "cargo-spdf:directDependency"), Some("true"));
    assert!(component(&doc, "testhelper").is_none(), "dev-only dependencies are left out by default");
    let with_dev = demo(&["--include-dev"]);
    let dev = component(&with_dev, "testhelper").unwrap();
    assert_eq!(
        (dev["scope"].as_str(), property(dev, "cargo-spdf:dependencyKind")),
        (Some("excluded"), Some("dev"))
    );
}

#[test]
fn target_keeps_only_what_that_target_pulls_in() {
    assert!(component(&demo(&[]), "winonly").is_some());
    let linux = demo(&["--target", "x86_64-unknown-linux-gnu"]);
    assert!(component(&linux, "winonly").is_none());
    assert!(component(&linux, "vulnlib").is_some());
    let props = &linux["metadata"]["properties"];
    assert!(
        props
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "cargo-spdf:target" && p["value"] == "x86_64-unknown-linux-gnu")
    );
    let windows = demo(&["--target", "x86_64-pc-windows-msvc"]);
    assert!(component(&windows, "winonly").is_some());
}

#[test]
fn identity_purl_hash_and_licence() {
    let doc = demo(&[]);
    let lock = std::fs::read_to_string(fixtures().join("workspaces/demo/Cargo.lock")).unwrap();
    let vulnlib = component(&doc, "vulnlib").unwrap();
    assert_eq!(vulnlib["bom-ref"], "pkg:cargo/vulnlib@1.0.0");
    assert_eq!(vulnlib["purl"], "pkg:cargo/vulnlib@1.0.0");
    assert_eq!(vulnlib["version"], "1.0.0");
    let hash = vulnlib["hashes"][0]["content"].as_str().unwrap();
    assert_eq!(vulnlib["hashes"][0]["alg"], "SHA-256");
    assert!(lock.contains(&format!("checksum = \"{hash}\"")));
    assert_eq!(vulnlib["licenses"], serde_json::json!([{"expression": "MIT OR Apache-2.0"}]));
    // 1.6 lists the authors as contacts; the deprecated `author` string is 1.5's.
    assert_eq!(vulnlib["authors"], serde_json::json!([{"name": "Vuln Author", "email": "vuln@example.org"}]));
    assert!(vulnlib.get("author").is_none());
    assert_eq!(
        component(&demo(&["--spec-version", "1.5"]), "vulnlib").unwrap()["author"],
        "Vuln Author <vuln@example.org>"
    );
    assert_eq!(vulnlib["supplier"]["contact"][0]["email"], "vuln@example.org");
    let refs: Vec<(&str, &str)> = vulnlib["externalReferences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["type"].as_str().unwrap(), r["url"].as_str().unwrap()))
        .collect();
    assert_eq!(
        refs,
        [("vcs", "https://github.com/example/vulnlib"), ("documentation", "https://docs.rs/vulnlib")]
    );
    // crates.io's lax `MIT/Apache-2.0` becomes an SPDX expression.
    assert_eq!(component(&doc, "gonelib").unwrap()["licenses"][0]["expression"], "MIT OR Apache-2.0");
    assert_eq!(
        component(&doc, "unsoundlib").unwrap()["licenses"][0]["expression"],
        "Apache-2.0 WITH LLVM-exception"
    );
    // A licence file only is said to be one.
    let oldlib = component(&doc, "oldlib").unwrap();
    assert_eq!(
        oldlib["licenses"][0]["license"]["name"],
        "licence file LICENSE.txt (no SPDX expression declared)"
    );
    assert!(component(&doc, "nolicense").unwrap().get("licenses").is_none());
}

#[test]
fn path_packages_are_relative_to_the_workspace_root() {
    let doc = demo(&[]);
    let app = component(&doc, "demo-app").unwrap();
    assert_eq!(app["bom-ref"], "path+app#demo-app@1.2.0");
    // Not `pkg:cargo/demo-app@1.2.0`, which would name whatever crate has that name on crates.io;
    // with no repository known there is no purl at all.
    assert!(app.get("purl").is_none(), "{app:#}");
    assert_eq!(property(app, "cargo-spdf:path"), Some("app"));
    assert!(app.get("hashes").is_none());
}

#[test]
fn first_party_purls_name_the_product_repository() {
    let ws = copy_workspace("demo");
    std::fs::write(
        ws.path().join("spdf.toml"),
        "[sbom]\nproduct = \"Pump Host\"\nmanufacturer = \"Example Medical Devices Inc.\"\nrepository = \"https://git.example.com/pump/host\"\n",
    )
    .unwrap();
    let doc = sbom_in(ws.path(), &[]);
    assert_eq!(
        component(&doc, "demo-app").unwrap()["purl"],
        "pkg:cargo/demo-app@1.2.0?vcs_url=git%2Bhttps://git.example.com/pump/host"
    );
    let product = &doc["metadata"]["component"];
    assert_eq!(
        product["purl"],
        "pkg:generic/Example%20Medical%20Devices%20Inc./Pump%20Host?vcs_url=git%2Bhttps://git.example.com/pump/host"
    );
    assert_eq!(product["supplier"]["name"], "Example Medical Devices Inc.");
    assert_eq!(product["supplier"]["url"][0], "https://git.example.com/pump/host");
    // The members' versions differ, so only [workspace.package] or [sbom] can give the product's.
    assert!(product.get("version").is_none());
    let manifest = ws.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("[workspace.package]\n", "[workspace.package]\nversion = \"3.1.0\"\n");
    std::fs::write(&manifest, text).unwrap();
    let doc = sbom_in(ws.path(), &[]);
    assert_eq!(doc["metadata"]["component"]["version"], "3.1.0");
    assert!(doc["metadata"]["component"]["purl"].as_str().unwrap().contains("/Pump%20Host@3.1.0?"));
}

#[test]
fn no_local_path_leaks_into_any_output() {
    let ws = copy_workspace("demo");
    let root = ws.path().canonicalize().unwrap().display().to_string();
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    for args in [&["--format", "json"][..], &["--format", "xml"], &["--vex-only"]] {
        let out = spdf(ws.path())
            .args(["sbom", "--offline", "--db"])
            .arg(fixture_db())
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.is_empty());
        for leak in
            [root.as_str(), ws.path().to_str().unwrap(), fixture_db().to_str().unwrap(), home.as_str()]
        {
            assert!(!text.contains(leak), "{args:?} leaks {leak}");
        }
    }
}

#[test]
fn metadata_names_the_tool_the_product_and_the_inputs() {
    let ws = copy_workspace("demo");
    std::fs::write(
        ws.path().join("spdf.toml"),
        "[sbom]\nproduct = \"Demo Infusion Pump Host\"\nversion = \"2.1.0\"\nmanufacturer = \"Example Medical Devices Inc.\"\nmanufacturer-url = \"https://devices.example.com\"\nauthors = [\"Release QA <qa@devices.example.com>\"]\n",
    )
    .unwrap();
    let doc = sbom_in(ws.path(), &[]);
    let meta = &doc["metadata"];
    assert_eq!(meta["timestamp"], "2025-01-01T00:00:00Z");
    assert_eq!(meta["tools"]["components"][0]["name"], "cargo-spdf");
    assert_eq!(meta["lifecycles"], serde_json::json!([{"phase": "build"}]));
    assert_eq!(meta["component"]["name"], "Demo Infusion Pump Host");
    assert_eq!(meta["component"]["version"], "2.1.0");
    assert_eq!(meta["manufacturer"]["name"], "Example Medical Devices Inc.");
    assert_eq!(meta["supplier"]["url"][0], "https://devices.example.com");
    assert_eq!(
        meta["authors"][0],
        serde_json::json!({"name": "Release QA", "email": "qa@devices.example.com"})
    );
    let lock_sha = support::json(
        &spdf(ws.path())
            .args(["check", "--format", "json", "--gate", "advisories", "--db"])
            .arg(fixture_db())
            .output()
            .unwrap(),
    )["workspace"]["lockfile_sha256"]
        .clone();
    let prop = |name: &str| {
        meta["properties"].as_array().unwrap().iter().find(|p| p["name"] == name).map(|p| p["value"].clone())
    };
    assert_eq!(prop("cargo-spdf:lockfile:sha256"), Some(lock_sha));
    assert_eq!(prop("cargo-spdf:advisoryDatabase:digest").unwrap().as_str().unwrap().len(), 64);
    // The product depends on both members.
    let product = doc["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == "product:Demo Infusion Pump Host")
        .unwrap();
    assert_eq!(
        product["dependsOn"],
        serde_json::json!(["path+app#demo-app@1.2.0", "path+core-lib#demo-core@0.4.0"])
    );
    // Members are supplied by the manufacturer.
    assert_eq!(component(&doc, "demo-core").unwrap()["supplier"]["name"], "Example Medical Devices Inc.");
}

#[test]
fn a_single_member_is_the_product() {
    let doc = demo(&["-p", "demo-core"]);
    assert_eq!(doc["metadata"]["component"]["bom-ref"], "path+core-lib#demo-core@0.4.0");
    assert_eq!(names(&doc), ["safelib"]);
    let deps = doc["dependencies"].as_array().unwrap();
    assert!(deps.iter().any(
        |d| d["ref"] == "path+core-lib#demo-core@0.4.0" && d["dependsOn"][0] == "pkg:cargo/safelib@1.0.0"
    ));
}

#[test]
fn an_unknown_package_selection_is_an_error() {
    let out = spdf(&fixtures().join("workspaces/demo"))
        .args(["sbom", "--offline", "-p", "nope", "--db"])
        .arg(fixture_db())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("-p nope: not a workspace member (members: demo-app, demo-core)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fda_support_properties() {
    let ws = copy_workspace("demo");
    std::fs::write(
        ws.path().join("spdf.toml"),
        "[sbom]\nmanufacturer = \"Example Medical Devices Inc.\"\n\n[[support]]\npackages = [\"vulnlib\", \"safe*\"]\nlevel = \"actively maintained\"\nend-of-support = \"2028-12-31\"\nassessed = 2024-11-04\nassessed-by = \"Release QA\"\nreplacement-plan = \"move to vulnlib 2 when it ships\"\n\n[[support]]\npackages = [\"demo-*\", \"*lib\", \"*only\", \"*helper\", \"nolicense\"]\njustification = \"no supplier statement; the crate is reviewed at every release\"\n",
    )
    .unwrap();
    let doc = sbom_in(ws.path(), &[]);
    let vulnlib = component(&doc, "vulnlib").unwrap();
    assert_eq!(property(vulnlib, "cargo-spdf:fda:levelOfSupport"), Some("actively maintained"));
    assert_eq!(property(vulnlib, "cdx:lifecycle:milestone:endOfSupport"), Some("2028-12-31"));
    assert_eq!(property(vulnlib, "cargo-spdf:fda:supportSource"), Some("policy"));
    assert_eq!(property(vulnlib, "cargo-spdf:fda:assessed"), Some("2024-11-04"));
    assert_eq!(property(vulnlib, "cargo-spdf:fda:assessedBy"), Some("Release QA"));
    assert_eq!(property(vulnlib, "cargo-spdf:fda:replacementPlan"), Some("move to vulnlib 2 when it ships"));
    assert_eq!(property(vulnlib, "cargo-spdf:fda:policyEntry"), Some("spdf.toml:4"));
    assert_eq!(property(component(&doc, "safelib").unwrap(), "cargo-spdf:fda:supportSource"), Some("policy"));
    // RustSec says oldlib is unmaintained; the catch-all entry only adds a justification.
    let oldlib = component(&doc, "oldlib").unwrap();
    assert_eq!(property(oldlib, "cargo-spdf:fda:levelOfSupport"), Some("no longer maintained"));
    assert_eq!(property(oldlib, "cargo-spdf:fda:supportSource"), Some("rustsec-unmaintained"));
    // winlib's last release was 2021-07-01: between 24 and 60 months before 2025-01-01. The
    // catch-all entry gives no level, so the level is derived, and its justification stands.
    let winlib = component(&doc, "winlib").unwrap();
    assert_eq!(property(winlib, "cargo-spdf:fda:levelOfSupport"), Some("no longer maintained"));
    assert_eq!(property(winlib, "cargo-spdf:fda:supportSource"), Some("registry-activity"));
    assert_eq!(property(winlib, "cargo-spdf:registry:lastRelease"), Some("2021-07-01"));
    assert_eq!(
        property(winlib, "cargo-spdf:fda:justification"),
        Some("no supplier statement; the crate is reviewed at every release")
    );
    // Members are actively maintained by the manufacturer [sbom] declares.
    let app = component(&doc, "demo-app").unwrap();
    assert_eq!(property(app, "cargo-spdf:fda:supportSource"), Some("workspace-member"));
    assert_eq!(property(app, "cargo-spdf:fda:levelOfSupport"), Some("actively maintained"));
}

#[test]
fn vulnerabilities_carry_the_waiver_as_analysis() {
    let ws = copy_workspace("demo");
    std::fs::write(
        ws.path().join("spdf.toml"),
        "[[advisories.exceptions]]\nid = \"RUSTSEC-2099-0001\"\nreason = \"the parser only reads signed images\"\nexpires = \"2025-06-30\"\nstate = \"not_affected\"\njustification = \"code_not_reachable\"\nresponse = [\"will_not_fix\"]\napproved-by = \"Release QA\"\n",
    )
    .unwrap();
    let doc = sbom_in(ws.path(), &[]);
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    let ids: Vec<&str> = vulns.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "RUSTSEC-2099-0001",
            "RUSTSEC-2099-0002",
            "RUSTSEC-2099-0003",
            "RUSTSEC-2099-0004",
            "RUSTSEC-2099-0005",
            "RUSTSEC-2099-0007"
        ]
    );
    let waived = &vulns[0];
    assert_eq!(
        waived["analysis"],
        serde_json::json!({"state": "not_affected", "justification": "code_not_reachable", "response": ["will_not_fix"], "detail": "the parser only reads signed images"})
    );
    assert_eq!(waived["affects"][0]["ref"], "pkg:cargo/vulnlib@1.0.0");
    // OSV, as Dependency-Track files RustSec advisories; the RustSec page, the CVE and the GHSA
    // are references.
    assert_eq!(
        waived["source"],
        serde_json::json!({"name": "OSV", "url": "https://osv.dev/vulnerability/RUSTSEC-2099-0001"})
    );
    assert_eq!(waived["references"][0]["source"]["name"], "RustSec");
    assert_eq!(
        waived["references"][1],
        serde_json::json!({"id": "CVE-2099-1001", "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2099-1001"}})
    );
    assert_eq!(waived["references"][2]["source"]["name"], "GITHUB");
    assert_eq!(waived["ratings"][0]["method"], "CVSSv31");
    assert_eq!(waived["ratings"][0]["severity"], "critical");
    assert!(waived["recommendation"].as_str().unwrap().contains("upgrade vulnlib 1.0.0 to 1.2.0"));
    assert_eq!(vulns[1]["analysis"], serde_json::json!({"state": "in_triage"}));
    assert!(demo(&["--no-vulnerabilities"]).get("vulnerabilities").is_none());
}

#[test]
fn vex_only_refers_to_the_sbom_by_serial_number() {
    let sbom = demo(&[]);
    let vex = demo(&["--vex-only"]);
    let serial = sbom["serialNumber"].as_str().unwrap().trim_start_matches("urn:uuid:");
    assert_ne!(vex["serialNumber"], sbom["serialNumber"]);
    assert!(vex.get("components").is_none());
    let target = vex["vulnerabilities"][0]["affects"][0]["ref"].as_str().unwrap();
    assert_eq!(target, format!("urn:cdx:{serial}/1#pkg:cargo/vulnlib@1.0.0"));
    let prop = vex["metadata"]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "cargo-spdf:sbom:serialNumber")
        .unwrap();
    assert_eq!(prop["value"], sbom["serialNumber"]);
}

#[test]
fn same_inputs_same_bytes() {
    let dir = fixtures().join("workspaces/demo");
    for format in ["json", "xml"] {
        let run = || {
            spdf(&dir)
                .args(["sbom", "--offline", "--format", format, "--db"])
                .arg(fixture_db())
                .env("SOURCE_DATE_EPOCH", JAN_2025)
                .output()
                .unwrap()
                .stdout
        };
        let (a, b) = (run(), run());
        assert!(!a.is_empty());
        assert_eq!(a, b, "{format}");
    }
    let serial = |epoch: &str| {
        let out = spdf(&dir)
            .args(["sbom", "--offline", "--db"])
            .arg(fixture_db())
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["serialNumber"].clone()
    };
    assert_eq!(serial(JAN_2025), serial(JAN_2025), "the same inputs at the same time, the same serial");
    assert_ne!(serial(JAN_2025), serial("1767225600"), "another time is another SBOM");
}

#[test]
fn output_file_is_written_whole_or_not_at_all() {
    let ws = copy_workspace("demo");
    let out = spdf(ws.path())
        .args(["sbom", "--offline", "--output", "out/sbom.json", "--db"])
        .arg(fixture_db())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot write out/sbom.json"), "{}", stderr(&out));
    assert!(!ws.path().join("out").exists());
    let out = spdf(ws.path())
        .args(["sbom", "--offline", "--output", "sbom.json", "--db"])
        .arg(fixture_db())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let doc: Value = serde_json::from_slice(&std::fs::read(ws.path().join("sbom.json")).unwrap()).unwrap();
    assert_eq!(doc["bomFormat"], "CycloneDX");
}

#[test]
fn snapshot_of_the_demo_sbom() {
    let json = demo(&["--spec-version", "1.6"]);
    insta::assert_json_snapshot!("demo-sbom-1.6", json, {".metadata.tools.components[0].version" => "[VERSION]", ".serialNumber" => "[SERIAL]"});
    let dir = fixtures().join("workspaces/demo");
    let out = spdf(&dir)
        .args(["sbom", "--offline", "--format", "xml", "--spec-version", "1.5", "--db"])
        .arg(fixture_db())
        .env("SOURCE_DATE_EPOCH", JAN_2025)
        .output()
        .unwrap();
    let xml = String::from_utf8(out.stdout).unwrap();
    let xml = regex_lite_replace(&xml);
    insta::assert_snapshot!("demo-sbom-1.5-xml", xml);
}

/// Redacts the tool version and the serial number from XML.
fn regex_lite_replace(xml: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let mut out = xml.replace(&format!("<version>{version}</version>"), "<version>[VERSION]</version>");
    if let Some(start) = out.find("serialNumber=\"urn:uuid:") {
        let from = start + "serialNumber=\"urn:uuid:".len();
        out.replace_range(from..from + 36, "[SERIAL]");
    }
    out
}

#[test]
fn old_crates_meet_the_fda_and_ntia_fields() {
    let dir = fixtures().join("workspaces/old-crates");
    let db = shared().join("advisory-db");
    let policy = fixtures().join("policies/old-crates-support.toml");
    let out = spdf(&dir)
        .args(["sbom", "--offline", "--policy"])
        .arg(&policy)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    let components = doc["components"].as_array().unwrap();
    assert_eq!(
        components.len(),
        lock.matches("[[package]]").count() - 1,
        "every locked package but the product itself"
    );
    for c in components {
        let name = c["name"].as_str().unwrap();
        assert!(c["purl"].as_str().unwrap().starts_with("pkg:cargo/"), "{name}");
        assert!(c["version"].is_string(), "{name}");
        assert_eq!(c["hashes"][0]["alg"], "SHA-256", "{name}");
        assert!(c["licenses"].is_array(), "{name} has a licence");
        assert!(
            property(c, "cargo-spdf:fda:levelOfSupport").is_some()
                || property(c, "cargo-spdf:fda:justification").is_some(),
            "{name} has a level of support or a justification"
        );
    }
    for name in ["atty", "failure", "serde_cbor"] {
        let c = component(&doc, name).unwrap();
        assert_eq!(property(c, "cargo-spdf:fda:levelOfSupport"), Some("no longer maintained"), "{name}");
        assert_eq!(property(c, "cargo-spdf:fda:supportSource"), Some("rustsec-unmaintained"), "{name}");
    }
    // Every advisory cargo audit reports is in the vulnerabilities.
    let audit: Vec<[String; 4]> = serde_json::from_slice(
        &std::fs::read(fixtures().join("parity/old-crates.cargo-audit.json")).unwrap(),
    )
    .unwrap();
    let vulns: Vec<(String, String)> = doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["id"].as_str().unwrap().to_owned(), v["affects"][0]["ref"].as_str().unwrap().to_owned()))
        .collect();
    for [_, id, name, version] in &audit {
        assert!(
            vulns.contains(&(id.clone(), format!("pkg:cargo/{name}@{version}"))),
            "{id} {name} {version}"
        );
    }
    assert_eq!(vulns.len(), audit.len());
}

fn prop<'a>(doc: &'a Value, name: &str) -> Option<&'a str> {
    doc["metadata"]["properties"].as_array()?.iter().find(|p| p["name"] == name)?["value"].as_str()
}

#[test]
fn the_document_says_what_it_describes() {
    let kev = fixtures().join("kev/known_exploited_vulnerabilities.json");
    let doc = demo(&["--kev", kev.to_str().unwrap(), "--target", "x86_64-unknown-linux-gnu"]);
    assert_eq!(prop(&doc, "cargo-spdf:features"), Some("default"));
    assert_eq!(prop(&doc, "cargo-spdf:target"), Some("x86_64-unknown-linux-gnu"));
    assert_eq!(prop(&doc, "cargo-spdf:scope:basis"), Some("cargo-metadata"));
    assert_eq!(
        prop(&doc, "cargo-spdf:scope:excluded"),
        Some(
            "dev-dependencies (tests, examples, benches); dependencies only targets other than x86_64-unknown-linux-gnu use"
        )
    );
    assert_eq!(prop(&doc, "cargo-spdf:kev:version"), Some("2099.01.01-excerpt"));
    assert_eq!(prop(&doc, "cargo-spdf:kev:ageDays"), Some("306"), "2024-03-01 to 2025-01-01");
    assert_eq!(
        doc["compositions"],
        serde_json::json!([{
            "bom-ref": "composition:product; left out: dev-dependencies (tests, examples, benches); dependencies only targets other than x86_64-unknown-linux-gnu use",
            "aggregate": "complete",
            "assemblies": ["product:demo"],
            "dependencies": ["product:demo"]
        }])
    );
    let all = demo(&["--include-dev", "--all-features"]);
    assert_eq!(prop(&all, "cargo-spdf:features"), Some("all"));
    assert_eq!(prop(&all, "cargo-spdf:target"), Some("all"));
    assert_eq!(prop(&all, "cargo-spdf:scope:excluded"), Some("nothing"));
    assert_eq!(prop(&all, "cargo-spdf:kev:catalog"), Some("none"));
}

#[test]
fn an_sbom_from_the_lockfile_says_so_in_the_document() {
    let ws = copy_workspace("demo");
    // A vendored crate gone: cargo metadata cannot run offline, the graph comes from Cargo.lock.
    std::fs::remove_dir_all(ws.path().join("vendor/winonly")).unwrap();
    let out = spdf(ws.path())
        .args(["sbom", "--offline", "--db"])
        .arg(fixture_db())
        .env("SOURCE_DATE_EPOCH", JAN_2025)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("the SBOM lists every package in Cargo.lock (an over-approximation of what ships)")
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(prop(&doc, "cargo-spdf:scope:basis"), Some("lockfile"));
    let why = prop(&doc, "cargo-spdf:scope:lockfile").unwrap();
    assert!(why.starts_with("`cargo metadata` failed"), "{why}");
    assert!(why.ends_with("an over-approximation of what ships"), "{why}");
    assert_eq!(doc["compositions"][0]["aggregate"], "unknown");
    assert!(
        doc["compositions"][0]["bom-ref"]
            .as_str()
            .unwrap()
            .ends_with("; scope: every package in Cargo.lock (an over-approximation)")
    );
    assert!(cdx_valid(&doc));
}

fn cdx_valid(doc: &Value) -> bool {
    let errors = support::cdx::json_errors(doc, "1.6");
    assert!(errors.is_empty(), "{errors:#?}");
    true
}

#[test]
fn tool_members_are_listed_as_build_tooling_that_does_not_ship() {
    let ws = copy_workspace("demo");
    std::fs::write(ws.path().join("spdf.toml"), "[members]\ntools = [\"demo-app\"]\n").unwrap();
    let doc = sbom_in(ws.path(), &[]);
    // The product is what ships: demo-core alone.
    assert_eq!(doc["metadata"]["component"]["bom-ref"], "path+core-lib#demo-core@0.4.0");
    let app = component(&doc, "demo-app").unwrap();
    assert_eq!(app["scope"], "excluded");
    assert_eq!(property(app, "cargo-spdf:buildTool"), Some("true"));
    assert_eq!(property(app, "cargo-spdf:dependencyKind"), Some("build"));
    let vulnlib = component(&doc, "vulnlib").unwrap();
    assert_eq!(
        (vulnlib["scope"].as_str(), property(vulnlib, "cargo-spdf:dependencyKind")),
        (Some("excluded"), Some("build"))
    );
    assert_eq!(component(&doc, "safelib").unwrap()["scope"], "required");
    assert!(cdx_valid(&doc));
}

#[test]
fn sbom_urls_in_the_policy_must_be_web_urls() {
    let ws = copy_workspace("demo");
    std::fs::write(
        ws.path().join("spdf.toml"),
        "[sbom]\nmanufacturer-url = \"devices.example.com\"\nrepository = \"git@example.com:pump.git\"\n",
    )
    .unwrap();
    let out = spdf(ws.path()).args(["sbom", "--offline", "--db"]).arg(fixture_db()).output().unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("spdf.toml:2:20: `sbom.manufacturer-url` must be an absolute http:// or https:// URL, not \"devices.example.com\""), "{err}");
    assert!(
        err.contains("spdf.toml:3:14: `sbom.repository` must be an absolute http:// or https:// URL"),
        "{err}"
    );
}
