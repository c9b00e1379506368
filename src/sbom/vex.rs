//! Advisory findings as CycloneDX vulnerabilities (VEX): one entry per advisory and affected
//! component, with its aliases, CVSS rating, recommendation, and the analysis from the waiver
//! that covers it (`in_triage` where there is none).
//!
//! The source is `OSV`: RustSec publishes every advisory as an OSV record with the same id, and
//! that is how Dependency-Track knows RustSec advisories (its OSV mirror files ids that are not
//! CVE or GHSA ids under the source `OSV`). Its VEX import applies an analysis only when the
//! entry's source and id name a vulnerability it has, so `OSV` + `RUSTSEC-…` matches the
//! findings its OSV analyzer reports for crates.io packages. The RustSec page, the CVE (NVD) and
//! the GHSA (GitHub, `GITHUB` as Dependency-Track names it) are references.

use super::component::clean;
use crate::finding::{Finding, Level};
use cyclonedx_bom::external_models::date_time::DateTime;
use cyclonedx_bom::external_models::uri::Uri;
use cyclonedx_bom::models::property::{Properties, Property};
use cyclonedx_bom::models::vulnerability::Vulnerability;
use cyclonedx_bom::models::vulnerability_analysis::{
    ImpactAnalysisJustification, ImpactAnalysisResponse, ImpactAnalysisState, VulnerabilityAnalysis,
};
use cyclonedx_bom::models::vulnerability_rating::{
    Score, ScoreMethod, Severity, VulnerabilityRating, VulnerabilityRatings,
};
use cyclonedx_bom::models::vulnerability_reference::{VulnerabilityReference, VulnerabilityReferences};
use cyclonedx_bom::models::vulnerability_source::VulnerabilitySource;
use cyclonedx_bom::models::vulnerability_target::{
    Version, Versions, VulnerabilityTarget, VulnerabilityTargets,
};
use cyclonedx_bom::prelude::NormalizedString;

/// One vulnerability entry for an advisory finding about the component `target` (a bom-ref,
/// or a BOM-Link when the vulnerabilities are written apart from the SBOM).
pub fn vulnerability(finding: &Finding, target: String) -> Option<Vulnerability> {
    let advisory = finding.advisory.as_ref()?;
    let package = finding.package.as_ref()?;
    let mut v = Vulnerability::new(None);
    v.id = Some(NormalizedString::new(&advisory.id));
    v.vulnerability_source = Some(source(OSV, &format!("https://osv.dev/vulnerability/{}", advisory.id)));
    v.vulnerability_references = references(&advisory.id, &advisory.url, &advisory.aliases);
    v.vulnerability_ratings = rating(advisory.cvss.as_deref(), advisory.score, advisory.severity.as_deref());
    v.description = Some(clean(&advisory.title));
    v.detail = Some(clean(&advisory.description)).filter(|d| !d.is_empty());
    v.recommendation = finding.help.first().map(|h| clean(h));
    v.published = DateTime::try_from(format!("{}T00:00:00Z", advisory.date)).ok();
    let mut target = VulnerabilityTarget::new(target);
    target.versions = Some(Versions(vec![Version::new(&package.version, "affected")]));
    v.vulnerability_targets = Some(VulnerabilityTargets(vec![target]));
    v.vulnerability_analysis = Some(analysis(finding));
    v.properties = Some(properties(finding));
    Some(v)
}

/// The vulnerability source every entry names (see the module documentation).
pub const OSV: &str = "OSV";

fn source(name: &str, url: &str) -> VulnerabilitySource {
    VulnerabilitySource::new(Some(name.to_owned()), Some(Uri::new(url)))
}

/// The RustSec page and the aliases as references, with the database each comes from.
fn references(id: &str, page: &str, aliases: &[String]) -> Option<VulnerabilityReferences> {
    let mut refs = vec![VulnerabilityReference::new(id, source("RustSec", page))];
    refs.extend(aliases.iter().filter_map(|alias| {
        let src = if alias.starts_with("CVE-") {
            source("NVD", &format!("https://nvd.nist.gov/vuln/detail/{alias}"))
        } else if alias.starts_with("GHSA-") {
            source("GITHUB", &format!("https://github.com/advisories/{alias}"))
        } else {
            return None;
        };
        Some(VulnerabilityReference::new(alias, src))
    }));
    Some(VulnerabilityReferences(refs))
}

/// The CVSS rating, with the method read from the vector's prefix.
fn rating(vector: Option<&str>, score: Option<f64>, severity: Option<&str>) -> Option<VulnerabilityRatings> {
    let vector = vector?;
    let method = if vector.starts_with("CVSS:4.0/") {
        ScoreMethod::CVSSv4
    } else if vector.starts_with("CVSS:3.1/") {
        ScoreMethod::CVSSv31
    } else if vector.starts_with("CVSS:3.0/") {
        ScoreMethod::CVSSv3
    } else {
        ScoreMethod::CVSSv2
    };
    // CVSS scores have one decimal, so going through their text loses nothing (and needs no cast).
    let score = score.and_then(|s| format!("{s:.1}").parse::<f32>().ok()).and_then(Score::from_f32);
    let severity = severity.map(|s| match s {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" => Severity::Medium,
        "low" => Severity::Low,
        "none" => Severity::None,
        _ => Severity::Unknown,
    });
    let mut r = VulnerabilityRating::new(score, severity, Some(method));
    r.vector = Some(NormalizedString::new(vector));
    Some(VulnerabilityRatings(vec![r]))
}

/// The VEX analysis: the waiver's state, justification, responses and reason, or `in_triage`.
fn analysis(finding: &Finding) -> VulnerabilityAnalysis {
    let waiver = finding.exception.as_ref().filter(|_| finding.level == Level::Excepted);
    let Some(w) = waiver else {
        return VulnerabilityAnalysis::new(Some(ImpactAnalysisState::InTriage), None, None);
    };
    let state = ImpactAnalysisState::new_unchecked(w.state.as_deref().unwrap_or("in_triage"));
    let justification = w.justification.as_deref().map(ImpactAnalysisJustification::new_unchecked);
    let responses: Vec<ImpactAnalysisResponse> =
        w.response.iter().map(ImpactAnalysisResponse::new_unchecked).collect();
    let mut a =
        VulnerabilityAnalysis::new(Some(state), justification, (!responses.is_empty()).then_some(responses));
    a.detail = Some(clean(&w.reason));
    a
}

fn properties(finding: &Finding) -> Properties {
    let mut props: Vec<(&str, String)> = vec![
        ("cargo-spdf:advisory:kind", finding.code.as_str().to_owned()),
        ("cargo-spdf:finding:level", finding.level.as_str().to_owned()),
    ];
    if let Some(a) = &finding.advisory {
        if let Some(kev) = a.kev {
            props.push(("cargo-spdf:kev", kev.to_string()));
        }
        let platforms: Vec<&str> = a.os.iter().chain(&a.arch).map(String::as_str).collect();
        if !platforms.is_empty() {
            props.push(("cargo-spdf:advisory:platform", platforms.join(", ")));
        }
    }
    if let Some(w) = finding.exception.as_ref().filter(|_| finding.level == Level::Excepted) {
        props.extend(w.expires.as_ref().map(|d| ("cargo-spdf:waiver:expires", d.clone())));
        props.extend(w.approved_by.as_ref().map(|a| ("cargo-spdf:waiver:approvedBy", clean(a))));
    }
    props.sort();
    Properties(props.into_iter().map(|(k, v)| Property::new(k, &v)).collect())
}
