//! The SARIF 2.1.0 objects that `check --format sarif` ([`super::sarif`]) and
//! `monitor --format sarif` ([`crate::monitor::sarif`]) both write: the log, its tool and rules,
//! results, locations and suppressions. Each renderer brings its own run, rule and result
//! properties; the shape of everything else is kept in this one place.

use crate::finding::Level;
use crate::report::{TOOL_NAME, TOOL_VERSION};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The SARIF version written.
pub const VERSION: &str = "2.1.0";
/// The `$schema` of the log: the OASIS SARIF 2.1.0 schema (errata 01).
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// A log of one run.
#[derive(Serialize)]
pub struct Log<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [R; 1],
}

impl<R: Serialize> Log<R> {
    /// The log of `run`.
    pub fn new(run: R) -> Self {
        Log { schema: SCHEMA, version: VERSION, runs: [run] }
    }

    /// Writes the log, pretty-printed, and a trailing newline.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }
}

/// `tool`: cargo-spdf and its rules.
#[derive(Serialize)]
pub struct Tool<P> {
    driver: Driver<P>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<P> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule<P>>,
}

impl<P> Tool<P> {
    /// cargo-spdf, this version, with `rules`.
    pub fn new(rules: Vec<Rule<P>>) -> Self {
        Tool {
            driver: Driver { name: TOOL_NAME, version: TOOL_VERSION, semantic_version: TOOL_VERSION, rules },
        }
    }
}

/// A rule: its id, description and the renderer's properties.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule<P> {
    /// `id`.
    pub id: &'static str,
    /// `shortDescription`.
    pub short_description: Text,
    /// `properties`.
    pub properties: P,
}

/// A `{text}` message.
#[derive(Serialize)]
pub struct Text {
    /// The text.
    pub text: String,
}

/// A result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult<P> {
    /// `ruleId`.
    pub rule_id: &'static str,
    /// `ruleIndex`: the rule's position in the driver's rules.
    pub rule_index: usize,
    /// `error`, `warning` or `note` (see [`level`]).
    pub level: &'static str,
    /// `message`.
    pub message: Text,
    /// Its one location.
    pub locations: [SarifLocation; 1],
    /// `partialFingerprints`.
    pub partial_fingerprints: BTreeMap<&'static str, String>,
    /// `suppressions` (omitted when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    /// `properties`.
    pub properties: P,
}

/// A location: a file and a line.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifLocation {
    /// `physicalLocation`.
    pub physical_location: PhysicalLocation,
}

impl SarifLocation {
    /// `artifact` at `line`.
    pub fn at(artifact_location: ArtifactLocation, line: usize) -> Self {
        SarifLocation {
            physical_location: PhysicalLocation { artifact_location, region: Region { start_line: line } },
        }
    }
}

/// `physicalLocation`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// `artifactLocation`.
    pub artifact_location: ArtifactLocation,
    /// `region`.
    pub region: Region,
}

/// `artifactLocation`: a URI, relative to a base id or absolute.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    /// `uri`.
    pub uri: String,
    /// `uriBaseId` (omitted for an absolute URI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

/// `region`: the line.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// `startLine`, at least 1.
    pub start_line: usize,
}

/// An `external` suppression: a waiver or assessment recorded outside the code.
#[derive(Serialize)]
pub struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<SarifLocation>,
}

impl Suppression {
    /// An accepted external suppression, with where it is recorded when known.
    pub fn external(justification: String, location: Option<SarifLocation>) -> Self {
        Suppression { kind: "external", status: "accepted", justification, location }
    }
}

/// The SARIF level of a finding's level.
pub fn level(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Excepted => "note",
    }
}

/// A CVSS score the way GitHub reads `security-severity`: a number with one decimal, as a string.
pub fn severity(score: f64) -> String {
    format!("{score:.1}")
}

/// A SHA-256 of the parts that identify a result across runs.
pub fn fingerprint<S: AsRef<str>>(parts: &[S]) -> String {
    // Unit separators keep ("a", "bc") and ("ab", "c") apart.
    let joined: Vec<&str> = parts.iter().map(AsRef::as_ref).collect();
    crate::digest::sha256_hex(joined.join("\u{1f}").as_bytes())
}
