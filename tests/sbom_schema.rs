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

/// Every shape of `authors` entry found in real manifests, and a few hostile ones.
const AUTHOR_SHAPES: &[&str] = &[
    "Jane Doe <jane@example.org>",
    "Name <https://example.org>",
    "https://github.com/someone",
    "solo@example.org",
    "Rich Example rich@example.org",
    "Alice <alice@example.org>, Bob <bob@example.org> and Carol",
    "Ann <ann@example.org>; <team@example.org>",
    "Unclosed Bracket <unclosed@example.org",
    "Stray Close stray@example.org>",
    "Daniel (nick) Example <daniel@example.org>",
    "Paren Mail (paren@example.org)",
    "No Tld <someone@localhost>",
    "Spaced <spaced @example.org>",
    "Obfuscated <me at example dot org>",
    "Jöns Ünicode <jöns@exämple.org>",
    "<mailto:mailto@example.org>",
    "Empty <>",
    "<<double>> <<brackets>>",
    "@handle",
    "The Example Project Developers",
    "Quote \"Q\" <q@example.org>",
    "Tab\tand\u{1b}escape <ctl@example.org>",
];

/// A workspace whose one member depends on a path crate per author shape (outside the
/// workspace, so they are third-party components rather than members).
fn shapes_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut deps = String::new();
    for (i, shape) in AUTHOR_SHAPES.iter().enumerate() {
        let crate_dir = dir.path().join(format!("people/p{i}"));
        std::fs::create_dir_all(crate_dir.join("src")).unwrap();
        let authors = toml::Value::Array(vec![toml::Value::String((*shape).to_owned())]);
        std::fs::write(
            crate_dir.join("Cargo.toml"),
            format!("[package]\nname = \"p{i}\"\nversion = \"1.0.0\"\nedition = \"2021\"\nlicense = \"MIT\"\nauthors = {authors}\n"),
        )
        .unwrap();
        std::fs::write(crate_dir.join("src/lib.rs"), "").unwrap();
        deps.push_str(&format!("p{i} = {{ path = \"../people/p{i}\" }}\n"));
    }
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        format!("[package]\nname = \"shapes\"\nversion = \"0.1.0\"\nedition = \"2021\"\nauthors = [\"Ops <ops@example.org>, https://example.org/ops\"]\n\n[dependencies]\n{deps}"),
    )
    .unwrap();
    std::fs::write(ws.join("src/lib.rs"), "").unwrap();
    lock(&ws);
    dir
}

fn sbom_at(dir: &std::path::Path, args: &[&str]) -> Vec<u8> {
    let out = spdf(dir).args(["sbom", "--offline", "--db"]).arg(fixture_db()).args(args).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    out.stdout
}

/// Every e-mail address a document holds (in any object's `email`).
fn emails(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("email", serde_json::Value::String(e)) => out.push(e.clone()),
                    _ => emails(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| emails(i, out)),
        _ => {}
    }
}

#[test]
fn every_authors_shape_validates_strictly_as_json_and_xml() {
    let dir = shapes_workspace();
    let ws = dir.path().join("ws");
    for version in ["1.5", "1.6"] {
        let bytes = sbom_at(&ws, &["--spec-version", version]);
        assert_json_valid(&bytes, version);
        assert_xml_valid(&sbom_at(&ws, &["--format", "xml", "--spec-version", version]), version);
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let components = doc["components"].as_array().unwrap();
        assert_eq!(components.len(), AUTHOR_SHAPES.len());
        for c in components {
            assert!(c["supplier"]["name"].as_str().is_some_and(|n| !n.is_empty()), "{c:#}");
        }
        let mut found = Vec::new();
        emails(&doc, &mut found);
        found.sort();
        found.dedup();
        assert_eq!(
            found,
            [
                "alice@example.org",
                "ann@example.org",
                "bob@example.org",
                "ctl@example.org",
                "daniel@example.org",
                "jane@example.org",
                "mailto@example.org",
                "ops@example.org",
                "paren@example.org",
                "q@example.org",
                "rich@example.org",
                "solo@example.org",
                "stray@example.org",
                "team@example.org",
                "unclosed@example.org"
            ],
            "only valid addresses are addresses"
        );
    }
    let doc: serde_json::Value = serde_json::from_slice(&sbom_at(&ws, &[])).unwrap();
    let by_name =
        |n: &str| doc["components"].as_array().unwrap().iter().find(|c| c["name"] == n).unwrap().clone();
    // `Name <url>` is a name and a URL, never an e-mail address.
    let url_author = by_name("p1");
    assert_eq!(url_author["authors"], serde_json::json!([{"name": "Name"}]));
    assert_eq!(url_author["supplier"]["name"], "Name");
    let several = by_name("p5");
    assert_eq!(several["supplier"]["name"], "Alice, Bob, Carol");
    assert_eq!(several["authors"].as_array().unwrap().len(), 3);
}

#[test]
fn a_large_real_lockfiles_authors_validate_strictly() {
    // This repository's own dependencies: about 300 crates.io packages and their authors as
    // published, read by cargo from its local registry cache (no network).
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes = sbom_at(repo, &["--spec-version", "1.6"]);
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let components = doc["components"].as_array().unwrap();
    assert!(components.len() > 200, "{}", components.len());
    assert!(components.iter().filter(|c| c["authors"].is_array()).count() > 100);
    assert!(components.iter().all(|c| c["supplier"]["name"].is_string()));
    assert_json_valid(&bytes, "1.6");
    assert_json_valid(&sbom_at(repo, &["--spec-version", "1.5"]), "1.5");
    for version in ["1.5", "1.6"] {
        assert_xml_valid(&sbom_at(repo, &["--format", "xml", "--spec-version", version]), version);
    }
}
