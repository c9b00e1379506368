//! CycloneDX JSON, any spec version from 1.3 to 1.6: unknown fields are ignored.

use super::{Component, Document, Rating, Vulnerability};
use anyhow::bail;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawBom {
    bom_format: Option<String>,
    spec_version: Option<String>,
    serial_number: Option<String>,
    metadata: Option<RawMetadata>,
    components: Vec<RawComponent>,
    vulnerabilities: Vec<RawVulnerability>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawMetadata {
    timestamp: Option<String>,
    component: Option<RawComponent>,
    properties: Vec<RawProperty>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawComponent {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    properties: Vec<RawProperty>,
    components: Vec<RawComponent>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawProperty {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawVulnerability {
    id: Option<String>,
    references: Vec<RawReference>,
    ratings: Vec<RawRating>,
    analysis: Option<RawAnalysis>,
    affects: Vec<RawAffects>,
    properties: Vec<RawProperty>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawReference {
    id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRating {
    score: Option<f64>,
    severity: Option<String>,
    vector: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAnalysis {
    state: Option<String>,
    justification: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAffects {
    #[serde(rename = "ref")]
    reference: Option<String>,
}

/// Parses a JSON document; `shown` names the file in errors.
pub fn parse(bytes: &[u8], shown: &str) -> anyhow::Result<Document> {
    let raw: RawBom = serde_json::from_slice(bytes)
        .map_err(|e| anyhow::anyhow!("{shown}:{}:{}: not a CycloneDX document: {e}", e.line(), e.column()))?;
    if raw.bom_format.as_deref() != Some("CycloneDX") {
        bail!("{shown}: not a CycloneDX document (its bomFormat is not \"CycloneDX\")");
    }
    let metadata = raw.metadata.unwrap_or_default();
    let mut components = Vec::new();
    flatten(raw.components, &mut components);
    Ok(Document {
        spec_version: raw.spec_version.unwrap_or_default(),
        serial: raw.serial_number,
        timestamp: metadata.timestamp,
        product: metadata.component.map(|c| component(c).0),
        properties: properties(metadata.properties),
        components,
        vulnerabilities: raw.vulnerabilities.into_iter().map(vulnerability).collect(),
    })
}

/// Components and their nested components, in document order.
fn flatten(raw: Vec<RawComponent>, out: &mut Vec<Component>) {
    for c in raw {
        let (component, nested) = component(c);
        out.push(component);
        flatten(nested, out);
    }
}

fn component(c: RawComponent) -> (Component, Vec<RawComponent>) {
    let component = Component {
        bom_ref: c.bom_ref,
        name: c.name.unwrap_or_default(),
        version: c.version,
        purl: c.purl,
        properties: properties(c.properties),
    };
    (component, c.components)
}

fn properties(raw: Vec<RawProperty>) -> Vec<(String, String)> {
    raw.into_iter().filter_map(|p| Some((p.name?, p.value.unwrap_or_default()))).collect()
}

fn vulnerability(v: RawVulnerability) -> Vulnerability {
    let analysis = v.analysis.unwrap_or_default();
    Vulnerability {
        id: v.id,
        references: v.references.into_iter().filter_map(|r| r.id).collect(),
        ratings: v
            .ratings
            .into_iter()
            .map(|r| Rating { score: r.score, severity: r.severity, vector: r.vector })
            .collect(),
        state: analysis.state,
        justification: analysis.justification,
        affects: v.affects.into_iter().filter_map(|a| a.reference).collect(),
        properties: properties(v.properties),
    }
}
