//! `--format sarif`: a SARIF 2.1.0 log for code-scanning services (GitHub code scanning, GitLab,
//! Azure DevOps), one result per finding, each pointing at the line that causes it.
//!
//! ## Wire format
//!
//! One SARIF 2.1.0 log with one run, followed by a newline:
//!
//! - `tool.driver`: `name` `cargo-spdf`, `version`, and one rule per finding code present, with
//!   the code as `id`, [`Code::description`] as `shortDescription`, `properties.tags`
//!   (`security` and the gate) and, where results of the rule have a CVSS score,
//!   `properties.security-severity` (the highest score, as GitHub reads it).
//! - `originalUriBaseIds`: `%SRCROOT%` is the workspace root, a `file://` URI ending in `/`.
//! - `results`, in report order: `ruleId` (the code), `level` (`error` for deny, `warning` for
//!   warn, `note` for a waived finding, which also carries a `suppressions` entry of kind
//!   `external` with the waiver's reason as justification), `message.text` (the message and
//!   its help lines, or for a waived finding the waiver's reason), one location (the finding's file relative to `%SRCROOT%` and its line;
//!   line 1 when the line is not known, `Cargo.toml` line 1 when the finding has no location),
//!   `partialFingerprints`, and `properties` with `tags` and `security-severity` (the CVSS
//!   score, e.g. `"9.8"`) when the advisory is scored.
//! - A gate that was not evaluated is a result of its own, first, of rule `gate-not-evaluated`
//!   at level `error`, on `Cargo.toml` line 1, with the reason and what to do; and a
//!   `toolExecutionNotifications` entry of the one `invocations` entry, whose
//!   `executionSuccessful` is then `false` (its `exitCode` is the run's).
//! - `properties` of the run: `verdict`, `stage`, `profile` and `gates`.
//!
//! Strings are written as they are (JSON escapes every control character), so they round-trip.
//!
//! `partialFingerprints."cargoSpdf/v1"` is a SHA-256 of what identifies a finding: code,
//! package, advisory, member, lint, waiver and file. The line is part of it only for findings
//! that name no package, where the line is what tells one policy entry from another: a line
//! number in `Cargo.lock` shifts whenever a dependency is added, and the finding is the same.

use super::sarif_log::{
    ArtifactLocation, Log, Rule, SarifLocation, SarifResult, Suppression, Text, Tool, level, severity,
};
use super::{GateRun, Report, full_message, not_evaluated_help, not_evaluated_message};
use crate::finding::{Code, Finding, Gate, Level, Location};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

pub use super::sarif_log::{SCHEMA, VERSION};
/// The base id locations are relative to: the workspace root.
pub const SRCROOT: &str = "%SRCROOT%";
/// The key of the fingerprint in `partialFingerprints`.
pub const FINGERPRINT: &str = "cargoSpdf/v1";
/// The rule of the result that stands for a gate that was not evaluated.
pub const NOT_EVALUATED: &str = "gate-not-evaluated";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool<Properties>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    results: Vec<SarifResult<Properties>>,
    invocations: [Invocation; 1],
    properties: RunProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    exit_code: u8,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    descriptor: Descriptor,
    properties: NotificationProperties,
}

#[derive(Serialize)]
struct Descriptor {
    id: &'static str,
}

#[derive(Serialize)]
struct NotificationProperties {
    gate: Gate,
}

/// The properties of a rule and of a result: the tags, and the CVSS score where there is one.
#[derive(Serialize)]
struct Properties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
}

#[derive(Serialize)]
struct RunProperties {
    verdict: &'static str,
    stage: &'static str,
    profile: &'static str,
    gates: Vec<&'static str>,
}

/// Writes the SARIF log and a trailing newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    log(report).write(out)
}

fn log(report: &Report) -> Log<Run> {
    let codes: Vec<Code> =
        report.findings.iter().map(|f| f.code).collect::<BTreeSet<_>>().into_iter().collect();
    let mut rules: Vec<Rule<Properties>> = codes.iter().map(|&code| rule(code, &report.findings)).collect();
    let not_evaluated: Vec<&GateRun> = report.not_evaluated().collect();
    if !not_evaluated.is_empty() {
        rules.push(not_evaluated_rule());
    }
    let results = not_evaluated
        .iter()
        .map(|g| not_evaluated_result(g, codes.len()))
        .chain(report.findings.iter().map(|f| result(f, &codes)))
        .collect();
    let mut original_uri_base_ids = BTreeMap::new();
    if let Some(root) = directory_uri(&report.workspace.root) {
        original_uri_base_ids.insert(SRCROOT, ArtifactLocation { uri: root, uri_base_id: None });
    }
    Log::new(Run {
        tool: Tool::new(rules),
        original_uri_base_ids,
        results,
        invocations: [invocation(report, &not_evaluated)],
        properties: RunProperties {
            verdict: report.verdict(),
            stage: report.stage.as_str(),
            profile: report.policy.profile.as_str(),
            gates: report.gates.iter().map(|g| g.gate.as_str()).collect(),
        },
    })
}

/// The run's one invocation: unsuccessful when a gate was not evaluated, with a notification
/// per such gate.
fn invocation(report: &Report, not_evaluated: &[&GateRun]) -> Invocation {
    Invocation {
        execution_successful: not_evaluated.is_empty(),
        exit_code: report.exit_code(),
        tool_execution_notifications: not_evaluated
            .iter()
            .map(|g| Notification {
                level: "error",
                message: Text { text: not_evaluated_text(g) },
                descriptor: Descriptor { id: NOT_EVALUATED },
                properties: NotificationProperties { gate: g.gate },
            })
            .collect(),
    }
}

/// The rule of the results that stand for gates that were not evaluated.
fn not_evaluated_rule() -> Rule<Properties> {
    Rule {
        id: NOT_EVALUATED,
        short_description: Text {
            text: "A selected gate could not be evaluated: an input it needs could not be loaded.".to_owned(),
        },
        properties: Properties { tags: vec!["security"], security_severity: None },
    }
}

/// The message of a gate that was not evaluated, then what to do.
fn not_evaluated_text(g: &GateRun) -> String {
    let reason = g.status.reason().unwrap_or_default();
    format!("{}\nhelp: {}", not_evaluated_message(g.gate, reason), not_evaluated_help(g.gate))
}

/// An error-level result for a gate that was not evaluated, so code scanning shows it.
fn not_evaluated_result(g: &GateRun, rule_index: usize) -> SarifResult<Properties> {
    let fingerprint = super::sarif_log::fingerprint(&[NOT_EVALUATED, g.gate.as_str()]);
    SarifResult {
        rule_id: NOT_EVALUATED,
        rule_index,
        level: "error",
        message: Text { text: not_evaluated_text(g) },
        locations: [location(None)],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT, fingerprint)]),
        suppressions: Vec::new(),
        properties: Properties { tags: vec!["security", g.gate.as_str()], security_severity: None },
    }
}

/// The rule of a code; its security severity is the highest score among its findings.
fn rule(code: Code, findings: &[Finding]) -> Rule<Properties> {
    let highest = findings.iter().filter(|f| f.code == code).filter_map(score).reduce(f64::max);
    Rule {
        id: code.as_str(),
        short_description: Text { text: code.description().to_owned() },
        properties: Properties { tags: tags(code), security_severity: highest.map(severity) },
    }
}

fn tags(code: Code) -> Vec<&'static str> {
    vec!["security", code.gate().as_str()]
}

fn score(f: &Finding) -> Option<f64> {
    f.advisory.as_ref().and_then(|a| a.score)
}

fn result(f: &Finding, codes: &[Code]) -> SarifResult<Properties> {
    SarifResult {
        rule_id: f.code.as_str(),
        rule_index: codes.iter().position(|&c| c == f.code).unwrap_or_default(),
        level: level(f.level),
        message: Text { text: full_message(f) },
        locations: [location(f.location.as_ref())],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT, fingerprint(f))]),
        suppressions: suppression(f).into_iter().collect(),
        properties: Properties { tags: tags(f.code), security_severity: score(f).map(severity) },
    }
}

/// A waived finding is suppressed by the policy's waiver, an external suppression.
fn suppression(f: &Finding) -> Option<Suppression> {
    let e = f.exception.as_ref().filter(|_| f.level == Level::Excepted)?;
    Some(Suppression::external(e.reason.clone(), Some(location(Some(&e.location)))))
}

/// Where a finding points; SARIF consumers need a file and a line of at least 1 for every result.
fn location(loc: Option<&Location>) -> SarifLocation {
    let (file, line) = match loc {
        Some(l) if !l.is_environment() => (l.file.as_str(), l.line.unwrap_or(1).max(1)),
        _ => ("Cargo.toml", 1),
    };
    let artifact_location = match absolute_file_uri(file) {
        Some(uri) => ArtifactLocation { uri, uri_base_id: None },
        None => ArtifactLocation { uri: encode_path(file), uri_base_id: Some(SRCROOT) },
    };
    SarifLocation::at(artifact_location, line)
}

/// What identifies a finding across runs; see the module docs.
fn fingerprint(f: &Finding) -> String {
    let package = f.package.as_ref().map(|p| format!("{}@{}", p.name, p.version));
    let line = match (&f.package, &f.location) {
        (None, Some(l)) => l.line.map(|n| n.to_string()),
        _ => None,
    };
    let parts = [
        Some(f.code.as_str().to_owned()),
        package,
        f.advisory.as_ref().map(|a| a.id.clone()),
        f.member.clone(),
        f.lint.clone(),
        f.exception.as_ref().map(|e| e.id.clone()),
        f.location.as_ref().map(|l| l.file.clone()),
        line,
    ];
    let parts: Vec<String> = parts.into_iter().map(Option::unwrap_or_default).collect();
    super::sarif_log::fingerprint(&parts)
}

/// `file:///…/` for an absolute directory.
fn directory_uri(dir: &str) -> Option<String> {
    url::Url::from_directory_path(dir).ok().map(String::from)
}

/// `file:///…` for an absolute file (a policy outside the workspace); `None` for a relative one.
fn absolute_file_uri(file: &str) -> Option<String> {
    if !std::path::Path::new(file).is_absolute() {
        return None;
    }
    url::Url::from_file_path(file).ok().map(String::from)
}

/// A relative path as a URI reference: unreserved characters and `/` as they are, the rest
/// percent-encoded.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(encode_path("vendor/my crate/Cargo.toml"), "vendor/my%20crate/Cargo.toml");
        assert_eq!(encode_path("a#b%c"), "a%23b%25c");
        assert_eq!(encode_path("caf\u{e9}"), "caf%C3%A9");
    }

    #[test]
    fn missing_locations_point_at_line_one() {
        let at = |loc: Option<&Location>| {
            let p = location(loc).physical_location;
            (p.artifact_location.uri, p.artifact_location.uri_base_id, p.region.start_line)
        };
        assert_eq!(at(None), ("Cargo.toml".to_owned(), Some(SRCROOT), 1));
        let no_line = Location { file: "spdf.toml".into(), line: None };
        assert_eq!(at(Some(&no_line)), ("spdf.toml".to_owned(), Some(SRCROOT), 1));
        let lock = Location { file: "Cargo.lock".into(), line: Some(12) };
        assert_eq!(at(Some(&lock)), ("Cargo.lock".to_owned(), Some(SRCROOT), 12));
    }

    #[cfg(unix)]
    #[test]
    fn absolute_files_and_the_root_are_file_uris() {
        assert_eq!(directory_uri("/ws/my repo").as_deref(), Some("file:///ws/my%20repo/"));
        let policy = Location { file: "/etc/spdf/policy.toml".into(), line: Some(3) };
        let p = location(Some(&policy)).physical_location;
        assert_eq!(p.artifact_location.uri, "file:///etc/spdf/policy.toml");
        assert_eq!(p.artifact_location.uri_base_id, None);
    }

    #[test]
    fn fingerprints_ignore_lockfile_lines_but_not_policy_lines() {
        let vuln = |line| {
            Finding::new(Code::Vulnerability, Level::Deny, "m")
                .package("vulnlib", "1.0.0")
                .at(Some(Location { file: "Cargo.lock".into(), line: Some(line) }))
        };
        assert_eq!(fingerprint(&vuln(12)), fingerprint(&vuln(40)));
        let stale = |line| {
            Finding::new(Code::ExceptionUnused, Level::Warn, "m")
                .at(Some(Location { file: "spdf.toml".into(), line: Some(line) }))
        };
        assert_ne!(fingerprint(&stale(3)), fingerprint(&stale(9)));
        assert_ne!(fingerprint(&vuln(12)), fingerprint(&vuln(12).package("vulnlib", "1.0.1")));
    }
}
