//! The FDA SBOM addendum: one CSV row per component with what the premarket guidance asks for
//! beside the SBOM (level of support, end of support, known vulnerabilities and their
//! assessment). Read from the SBOM itself, so the two always agree.

use serde_json::Value;

/// One component, as the addendum and the report's support table show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Supplier (name, else URL).
    pub supplier: String,
    /// Package URL.
    pub purl: String,
    /// SHA-256 from Cargo.lock.
    pub sha256: String,
    /// "direct", "transitive", or "product".
    pub relation: String,
    /// "runtime", "build" or "dev".
    pub kind: String,
    /// FDA level of support.
    pub level: String,
    /// End of support (YYYY-MM-DD).
    pub end_of_support: String,
    /// Justification.
    pub justification: String,
    /// Where the support data came from.
    pub support_source: String,
    /// Advisory ids.
    pub vulnerabilities: Vec<String>,
    /// VEX states, one per vulnerability.
    pub vex_states: Vec<String>,
    /// Whether one of them is in the KEV catalog.
    pub kev: bool,
}

fn prop<'a>(c: &'a Value, name: &str) -> &'a str {
    c["properties"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .and_then(|p| p["value"].as_str())
        .unwrap_or("")
}

fn row(c: &Value, vulns: &[Value], relation: Option<&str>) -> Row {
    let reference = c["bom-ref"].as_str().unwrap_or("");
    let affecting: Vec<&Value> = vulns
        .iter()
        .filter(|v| v["affects"].as_array().is_some_and(|a| a.iter().any(|t| t["ref"] == reference)))
        .collect();
    let supplier = c["supplier"]["name"].as_str().or_else(|| c["supplier"]["url"][0].as_str()).unwrap_or("");
    Row {
        name: c["name"].as_str().unwrap_or("").to_owned(),
        version: c["version"].as_str().unwrap_or("").to_owned(),
        supplier: supplier.to_owned(),
        purl: c["purl"].as_str().unwrap_or("").to_owned(),
        sha256: c["hashes"][0]["content"].as_str().unwrap_or("").to_owned(),
        relation: relation.map_or_else(
            || match (prop(c, "cargo-spdf:workspaceMember"), prop(c, "cargo-spdf:directDependency")) {
                ("true", _) => "workspace member".to_owned(),
                (_, "true") => "direct".to_owned(),
                _ => "transitive".to_owned(),
            },
            str::to_owned,
        ),
        kind: prop(c, "cargo-spdf:dependencyKind").to_owned(),
        level: prop(c, "cargo-spdf:fda:levelOfSupport").to_owned(),
        end_of_support: prop(c, "cdx:lifecycle:milestone:endOfSupport").to_owned(),
        justification: prop(c, "cargo-spdf:fda:justification").to_owned(),
        support_source: prop(c, "cargo-spdf:fda:supportSource").to_owned(),
        vulnerabilities: affecting.iter().map(|v| v["id"].as_str().unwrap_or("").to_owned()).collect(),
        vex_states: affecting
            .iter()
            .map(|v| v["analysis"]["state"].as_str().unwrap_or("").to_owned())
            .collect(),
        kev: affecting.iter().any(|v| prop(v, "cargo-spdf:kev") == "true"),
    }
}

/// The rows of an SBOM (CycloneDX JSON): the product first when it is a workspace member, then
/// every component in the SBOM's order.
pub fn rows(sbom: &Value) -> Vec<Row> {
    let vulns = sbom["vulnerabilities"].as_array().cloned().unwrap_or_default();
    let product = &sbom["metadata"]["component"];
    let mut out: Vec<Row> = Vec::new();
    if product["purl"].is_string() {
        out.push(row(product, &vulns, Some("product")));
    }
    out.extend(sbom["components"].as_array().into_iter().flatten().map(|c| row(c, &vulns, None)));
    out
}

/// The CSV text.
pub fn render(rows: &[Row]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    w.write_record([
        "component",
        "version",
        "supplier",
        "purl",
        "sha256",
        "direct/transitive",
        "dependency kind",
        "level of support",
        "end of support",
        "justification",
        "support source",
        "vulnerabilities",
        "VEX state",
        "KEV",
    ])?;
    for r in rows {
        w.write_record([
            r.name.as_str(),
            &r.version,
            &r.supplier,
            &r.purl,
            &r.sha256,
            &r.relation,
            &r.kind,
            &r.level,
            &r.end_of_support,
            &r.justification,
            &r.support_source,
            &r.vulnerabilities.join(" "),
            &r.vex_states.join(" "),
            if r.kev { "yes" } else { "no" },
        ])?;
    }
    Ok(w.into_inner()?)
}
