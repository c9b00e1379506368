//! `monitor --format sarif`: a SARIF 2.1.0 log, one result per item of every product version.
//!
//! ## Wire format
//!
//! One SARIF 2.1.0 log with one run, followed by a newline:
//!
//! - `tool.driver`: `name` `cargo-spdf`, `version`, and one rule per item kind present (the kind
//!   as `id`, its description as `shortDescription`), plus `refused` when a product version
//!   could not be monitored; rules with scored advisories carry `properties.security-severity`.
//! - `results`: `ruleId`, `level` (`error` for deny and for a refused version, `warning` for
//!   warn, `note` for an item a waiver or settled assessment covers, with an `external`
//!   suppression), `message.text` (the product and version, the message and its help lines),
//!   one location (the product version's SBOM, or the bundle's `SHA256SUMS` when refused, as
//!   a `file://` URI, line 1: an archive has no source lines), `partialFingerprints` and
//!   `properties` with the `product`, `version`, `verdict` and, for advisories, `security-severity`.
//! - `properties` of the run: `verdict` and the count of product versions.
//!
//! `partialFingerprints."cargoSpdf/monitor/v1"` is a SHA-256 of the product, version, kind,
//! package and advisory, so one item keeps its identity from night to night.

use super::archive::Source;
use super::item::{Item, Kind};
use super::report::{Outcome, Report};
use crate::report::sarif_log::{
    ArtifactLocation, Log, Rule, SarifLocation, SarifResult, Suppression, Text, Tool, fingerprint, level,
    severity,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// The key of the fingerprint in `partialFingerprints`.
pub const FINGERPRINT: &str = "cargoSpdf/monitor/v1";
/// The rule of a product version that could not be monitored.
pub const REFUSED: &str = "refused";

#[derive(Serialize)]
struct Run {
    tool: Tool<RuleProperties>,
    results: Vec<SarifResult<ResultProperties>>,
    properties: RunProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 2],
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
}

#[derive(Serialize)]
struct ResultProperties {
    product: String,
    version: String,
    verdict: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
}

#[derive(Serialize)]
struct RunProperties {
    verdict: &'static str,
    products: usize,
}

/// Writes the SARIF log and a trailing newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    log(report).write(out)
}

fn log(report: &Report) -> Log<Run> {
    let rule_ids = rule_ids(report);
    let rules = rule_ids.iter().map(|id| rule(id, report)).collect();
    let mut results = Vec::new();
    for o in &report.outcomes {
        match o {
            Outcome::Refused(r) => results.push(refused(o, &r.problems, &rule_ids)),
            Outcome::Monitored { items, .. } => results.extend(items.iter().map(|i| result(o, i, &rule_ids))),
        }
    }
    Log::new(Run {
        tool: Tool::new(rules),
        results,
        properties: RunProperties { verdict: report.verdict(), products: report.outcomes.len() },
    })
}

/// Every kind present, in kind order, then `refused` if a version was refused.
fn rule_ids(report: &Report) -> Vec<&'static str> {
    let kinds: BTreeSet<Kind> =
        report.outcomes.iter().flat_map(|o| o.items().iter().map(|i| i.kind)).collect();
    let mut ids: Vec<&'static str> = kinds.into_iter().map(Kind::as_str).collect();
    if report.outcomes.iter().any(|o| matches!(o, Outcome::Refused(_))) {
        ids.push(REFUSED);
    }
    ids
}

fn rule(id: &'static str, report: &Report) -> Rule<RuleProperties> {
    let kind = Kind::ALL.iter().find(|k| k.as_str() == id);
    let description = kind.map_or(
        "An evidence bundle or SBOM could not be read, or does not verify: nothing in it is trusted.",
        |k| k.description(),
    );
    let highest = report
        .outcomes
        .iter()
        .flat_map(|o| o.items())
        .filter(|i| i.kind.as_str() == id)
        .filter_map(score)
        .reduce(f64::max);
    Rule {
        id,
        short_description: Text { text: description.to_owned() },
        properties: RuleProperties {
            tags: ["security", "monitor"],
            security_severity: highest.map(severity),
        },
    }
}

fn score(i: &Item) -> Option<f64> {
    i.advisory.as_ref().and_then(|a| a.score)
}

fn result(o: &Outcome, i: &Item, rule_ids: &[&'static str]) -> SarifResult<ResultProperties> {
    let (product, version) = names(o);
    let mut lines = vec![format!("{product} {version}: {}", i.message)];
    lines.extend(i.help.iter().map(|h| format!("help: {h}")));
    let suppression = match (&i.exception, &i.assessment) {
        (Some(e), _) if i.level == crate::finding::Level::Excepted => Some(e.reason.clone()),
        (None, Some(a)) if i.level == crate::finding::Level::Excepted => Some(format!("assessed: {a}")),
        _ => None,
    };
    let package = i.package.as_ref().map(|p| format!("{}@{}", p.name, p.version)).unwrap_or_default();
    let advisory = i.advisory.as_ref().map(|a| a.id.clone()).unwrap_or_default();
    SarifResult {
        rule_id: i.kind.as_str(),
        rule_index: rule_ids.iter().position(|r| *r == i.kind.as_str()).unwrap_or_default(),
        level: level(i.level),
        message: Text { text: lines.join("\n") },
        locations: [location(o.source(), false)],
        partial_fingerprints: BTreeMap::from([(
            FINGERPRINT,
            fingerprint(&[&product, &version, i.kind.as_str(), &package, &advisory]),
        )]),
        suppressions: suppression.map(|why| Suppression::external(why, None)).into_iter().collect(),
        properties: ResultProperties {
            product,
            version,
            verdict: o.verdict(),
            security_severity: score(i).map(severity),
        },
    }
}

fn refused(o: &Outcome, problems: &[String], rule_ids: &[&'static str]) -> SarifResult<ResultProperties> {
    let path = o.source().path().display().to_string();
    SarifResult {
        rule_id: REFUSED,
        rule_index: rule_ids.iter().position(|r| *r == REFUSED).unwrap_or_default(),
        level: "error",
        message: Text {
            text: format!("{path}: not monitored, nothing in it is trusted:\n{}", problems.join("\n")),
        },
        locations: [location(o.source(), true)],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT, fingerprint(&[&path, REFUSED]))]),
        suppressions: Vec::new(),
        properties: ResultProperties {
            product: String::new(),
            version: String::new(),
            verdict: o.verdict(),
            security_severity: None,
        },
    }
}

/// The product's name and version ("" when unknown).
fn names(o: &Outcome) -> (String, String) {
    let a = o.archived();
    (a.map(|a| a.product.clone()).unwrap_or_default(), a.and_then(|a| a.version.clone()).unwrap_or_default())
}

/// The SBOM of a product version (a bundle's `sbom.cdx.json`, or its `SHA256SUMS` when refused).
fn location(source: &Source, refused: bool) -> SarifLocation {
    let file = match source {
        Source::Bundle(dir) if refused => dir.join(crate::evidence::check::SUMS),
        Source::Bundle(dir) => dir.join("sbom.cdx.json"),
        Source::Sbom(file) => file.clone(),
    };
    let absolute = crate::paths::absolute(&file);
    let uri =
        url::Url::from_file_path(&absolute).map_or_else(|()| absolute.display().to_string(), String::from);
    SarifLocation::at(ArtifactLocation { uri, uri_base_id: None }, 1)
}
