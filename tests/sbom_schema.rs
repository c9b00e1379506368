//! Every SBOM format and spec version validates against the official CycloneDX schemas, for the
//! demo fixture and for the old-crates workspace (real dependency graph, real advisories).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use support::*;

fn sbom(workspace: &str, db: &std::path::Path, args: &[&str]) -> Vec<u8> {
    let dir = fixtures().join("workspaces").join(workspace);
    let out = spdf(&dir).args(["sbom", "--offline", "--db"]).arg(db).args(args).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    out.stdout
}

fn assert_json_valid(bytes: &[u8], version: &str) {
    let doc: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    assert_eq!(doc["specVersion"], version);
    let errors = cdx::json_errors(&doc, version);
    assert!(errors.is_empty(), "{} schema errors:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn demo_json_validates_as_1_5_and_1_6() {
    for version in ["1.5", "1.6"] {
        let bytes = sbom("demo", &fixture_db(), &["--spec-version", version]);
        assert_json_valid(&bytes, version);
    }
}

#[test]
fn old_crates_json_validates_as_1_5_and_1_6() {
    let db = shared().join("advisory-db");
    for version in ["1.5", "1.6"] {
        assert_json_valid(&sbom("old-crates", &db, &["--spec-version", version]), version);
        assert_json_valid(&sbom("old-crates", &db, &["--spec-version", version, "--vex-only"]), version);
    }
}

#[test]
fn a_waiver_with_responses_validates() {
    let ws = copy_workspace("demo");
    std::fs::write(
        ws.path().join("spdf.toml"),
        "[[advisories.exceptions]]\nid = \"RUSTSEC-2099-0001\"\nreason = \"not reachable\"\nstate = \"not_affected\"\njustification = \"code_not_reachable\"\nresponse = [\"will_not_fix\", \"update\"]\n",
    )
    .unwrap();
    for version in ["1.5", "1.6"] {
        let out = spdf(ws.path())
            .args(["sbom", "--offline", "--spec-version", version, "--db"])
            .arg(fixture_db())
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_json_valid(&out.stdout, version);
    }
}

#[test]
fn the_validator_rejects_what_cyclonedx_bom_writes_unfixed() {
    let bytes = sbom("demo", &fixture_db(), &["--spec-version", "1.5"]);
    let mut doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    // cyclonedx-bom 0.8.1 writes `responses`; the schema says `response`.
    doc["vulnerabilities"][0]["analysis"]["responses"] = serde_json::json!(["update"]);
    assert!(!cdx::json_errors(&doc, "1.5").is_empty());
    let mut doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    doc["components"][0]["licenses"] = serde_json::json!([{"license": {"id": "NOT-A-LICENSE"}}]);
    assert!(!cdx::json_errors(&doc, "1.5").is_empty(), "licence ids are checked against the SPDX list");
}

#[path = "support/xsd.rs"]
mod xsd;

fn xsd(version: &str) -> xsd::Schema {
    xsd::Schema::load(&shared().join(format!("cyclonedx-schema/bom-{version}.SNAPSHOT.xsd"))).unwrap()
}

fn assert_xml_valid(bytes: &[u8], version: &str) {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.contains(&format!("xmlns=\"http://cyclonedx.org/schema/bom/{version}\"")));
    let errors = xsd(version).validate(&text);
    assert!(errors.is_empty(), "{} XSD errors:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn demo_xml_validates_as_1_5_and_1_6() {
    for version in ["1.5", "1.6"] {
        assert_xml_valid(
            &sbom("demo", &fixture_db(), &["--format", "xml", "--spec-version", version]),
            version,
        );
    }
}

#[test]
fn old_crates_xml_validates_as_1_5_and_1_6() {
    let db = shared().join("advisory-db");
    for version in ["1.5", "1.6"] {
        assert_xml_valid(&sbom("old-crates", &db, &["--format", "xml", "--spec-version", version]), version);
        assert_xml_valid(
            &sbom("old-crates", &db, &["--format", "xml", "--spec-version", version, "--vex-only"]),
            version,
        );
    }
}

#[test]
fn the_xsd_check_rejects_what_cyclonedx_bom_writes_unfixed() {
    let text = String::from_utf8(sbom("demo", &fixture_db(), &["--format", "xml", "--spec-version", "1.5"]))
        .unwrap();
    // cyclonedx-bom 0.8.1 writes `lifecycles` as the last child of `metadata`.
    let start = text.find("    <lifecycles>").unwrap();
    let end = text.find("</lifecycles>\n").unwrap() + "</lifecycles>\n".len();
    let block = text[start..end].to_owned();
    let mut moved = text.replacen(&block, "", 1);
    let at = moved.find("  </metadata>").unwrap();
    moved.insert_str(at, &block);
    assert!(!xsd("1.5").validate(&moved).is_empty());
    // A 1.5 document is not a 1.6 one.
    assert!(!xsd("1.6").validate(&text).is_empty());
}
