//! The FDA SBOM addendum: one CSV row per component with what the premarket guidance asks for
//! beside the SBOM (level of support, end of support, known vulnerabilities and their
//! assessment), each row naming the product and version it belongs to, so that a row read on its
//! own (or pasted into another sheet) still says what it is about. Read from the SBOM itself, so
//! the two always agree, and in its order (by name, then version).

use serde_json::Value;

/// One component, as the addendum and the report's support tables show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// The product's name.
    pub product: String,
    /// The product's version.
    pub product_version: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Supplier (name, else URL).
    pub supplier: String,
    /// The licence: SPDX expression, or the licence's name.
    pub license: String,
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
    /// Why no level of support can be given, when none is.
    pub support_gap: String,
    /// When the policy's support entry was last assessed.
    pub assessed: String,
    /// Who assessed it.
    pub assessed_by: String,
    /// What replaces the component should its support end.
    pub replacement_plan: String,
    /// Whether it ships (`scope: required`); build tooling and build-only dependencies do not.
    pub shipped: bool,
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

/// The licence of a component: its expression, else its licences' ids or names.
fn license(c: &Value) -> String {
    let names: Vec<&str> = c["licenses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| {
            l["expression"].as_str().or(l["license"]["id"].as_str()).or(l["license"]["name"].as_str())
        })
        .collect();
    names.join(" AND ")
}

fn row(c: &Value, vulns: &[Value], relation: Option<&str>) -> Row {
    let reference = c["bom-ref"].as_str().unwrap_or("");
    let affecting: Vec<&Value> = vulns
        .iter()
        .filter(|v| v["affects"].as_array().is_some_and(|a| a.iter().any(|t| t["ref"] == reference)))
        .collect();
    let supplier = c["supplier"]["name"].as_str().or_else(|| c["supplier"]["url"][0].as_str()).unwrap_or("");
    Row {
        product: String::new(),
        product_version: String::new(),
        name: c["name"].as_str().unwrap_or("").to_owned(),
        version: c["version"].as_str().unwrap_or("").to_owned(),
        supplier: supplier.to_owned(),
        license: license(c),
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
        support_gap: prop(c, "cargo-spdf:fda:supportGap").to_owned(),
        assessed: prop(c, "cargo-spdf:fda:assessed").to_owned(),
        assessed_by: prop(c, "cargo-spdf:fda:assessedBy").to_owned(),
        replacement_plan: prop(c, "cargo-spdf:fda:replacementPlan").to_owned(),
        shipped: relation.is_some() || c["scope"] != "excluded",
        vulnerabilities: affecting.iter().map(|v| v["id"].as_str().unwrap_or("").to_owned()).collect(),
        vex_states: affecting
            .iter()
            .map(|v| v["analysis"]["state"].as_str().unwrap_or("").to_owned())
            .collect(),
        kev: affecting.iter().any(|v| prop(v, "cargo-spdf:kev") == "true"),
    }
}

/// The rows of an SBOM (CycloneDX JSON): the product first, then every component in the SBOM's
/// order; every row names the product and its version.
pub fn rows(sbom: &Value) -> Vec<Row> {
    let vulns = sbom["vulnerabilities"].as_array().cloned().unwrap_or_default();
    let product = &sbom["metadata"]["component"];
    let mut out: Vec<Row> = vec![row(product, &vulns, Some("product"))];
    out.extend(sbom["components"].as_array().into_iter().flatten().map(|c| row(c, &vulns, None)));
    let (name, version) = (product["name"].as_str().unwrap_or(""), product["version"].as_str().unwrap_or(""));
    for r in &mut out {
        r.product = name.to_owned();
        r.product_version = version.to_owned();
    }
    out
}

/// The CSV text.
pub fn render(rows: &[Row]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    w.write_record([
        "product",
        "product version",
        "component",
        "version",
        "supplier",
        "licence",
        "purl",
        "sha256",
        "direct/transitive",
        "dependency kind",
        "level of support",
        "end of support",
        "justification",
        "support source",
        "support gap",
        "assessed",
        "assessed by",
        "replacement plan",
        "vulnerabilities",
        "VEX state",
        "KEV",
    ])?;
    for r in rows {
        w.write_record([
            r.product.as_str(),
            &r.product_version,
            &r.name,
            &r.version,
            &r.supplier,
            &r.license,
            &r.purl,
            &r.sha256,
            &r.relation,
            &r.kind,
            &r.level,
            &r.end_of_support,
            &r.justification,
            &r.support_source,
            &r.support_gap,
            &r.assessed,
            &r.assessed_by,
            &r.replacement_plan,
            &r.vulnerabilities.join(" "),
            &r.vex_states.join(" "),
            if r.kev { "yes" } else { "no" },
        ])?;
    }
    Ok(w.into_inner()?)
}
