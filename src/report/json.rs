//! `--format json`: the `cargo-spdf/check/v1` document.
//!
//! ## Wire format
//!
//! One JSON object, followed by a newline:
//!
//! | key | value |
//! |---|---|
//! | `schema` | `"cargo-spdf/check/v1"`; a field is only ever added within v1 |
//! | `verdict` | `"pass"` or `"fail"` |
//! | `stage` | `"local"`, `"pre-merge"` or `"release"` |
//! | `tool` | `{name, version}` |
//! | `workspace` | `{root, lockfile_sha256, packages}` |
//! | `database` | `{path, commit, digest, advisories, last_updated, age_days}` (`commit` for a git checkout, `digest` otherwise), or `null` when no gate used it |
//! | `policy` | `{path, sha256, profile, source}` with `source` one of `file`, `manifest`, `built-in` |
//! | `kev` | `{path, version, released, entries, age_days}` of the CISA KEV catalog used (`age_days` from `released` to the run's time, `null` when `released` is not a date), or `null` |
//! | `gates` | every selected gate as `{name, status, reason}`: `status` is `evaluated`, or `not-evaluated` with the `reason` (what could not be loaded); `reason` is `null` for an evaluated gate. (Before 0.2 this was a list of gate names; a gate that is not evaluated makes the run exit 2 and the verdict `fail`.) |
//! | `summary` | `{deny, warn, excepted}` |
//! | `findings` | see [`crate::finding::Finding`]: `gate`, `code`, `level`, `message`, and where they apply `help`, `package`, `advisory`, `member`, `lint`, `required`, `actual`, `location`, `exception` |
//! | `notes` | strings for people |

use super::{Report, TOOL_NAME, TOOL_VERSION};
use crate::finding::{Finding, Gate};
use crate::load::database::Identity;
use crate::policy::Origin;
use serde::Serialize;
use std::io::{self, Write};

/// The schema identifier.
pub const SCHEMA: &str = "cargo-spdf/check/v1";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    verdict: &'static str,
    stage: &'static str,
    tool: Tool,
    workspace: Workspace<'a>,
    database: Option<Database<'a>>,
    policy: Policy<'a>,
    kev: Option<Kev<'a>>,
    gates: Vec<GateEntry<'a>>,
    summary: Summary,
    findings: &'a [Finding],
    notes: &'a [String],
}

#[derive(Serialize)]
struct GateEntry<'a> {
    name: Gate,
    status: &'static str,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Workspace<'a> {
    root: &'a str,
    lockfile_sha256: Option<&'a str>,
    packages: Option<usize>,
}

#[derive(Serialize)]
struct Database<'a> {
    path: &'a str,
    commit: Option<&'a str>,
    digest: Option<&'a str>,
    advisories: usize,
    last_updated: Option<String>,
    age_days: Option<i64>,
}

#[derive(Serialize)]
struct Policy<'a> {
    path: Option<&'a str>,
    sha256: Option<&'a str>,
    profile: &'static str,
    source: &'static str,
}

#[derive(Serialize)]
struct Kev<'a> {
    path: &'a str,
    version: &'a str,
    released: &'a str,
    entries: usize,
    age_days: Option<i64>,
}

#[derive(Serialize)]
struct Summary {
    deny: usize,
    warn: usize,
    excepted: usize,
}

/// Writes the document and a trailing newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    out.write_all(b"\n")
}

fn document(report: &Report) -> Document<'_> {
    let s = report.summary();
    Document {
        schema: SCHEMA,
        verdict: report.verdict(),
        stage: report.stage.as_str(),
        tool: Tool { name: TOOL_NAME, version: TOOL_VERSION },
        workspace: Workspace {
            root: &report.workspace.root,
            lockfile_sha256: report.workspace.lockfile_sha256.as_deref(),
            packages: report.workspace.packages,
        },
        database: report.database.as_ref().map(|d| Database {
            path: &d.path,
            commit: match &d.identity {
                Identity::Git { commit } => Some(commit),
                Identity::Digest { .. } => None,
            },
            digest: match &d.identity {
                Identity::Digest { sha256 } => Some(sha256),
                Identity::Git { .. } => None,
            },
            advisories: d.advisories,
            last_updated: d.last_updated.map(|t| t.to_string()),
            age_days: d.age_days,
        }),
        policy: policy(&report.policy),
        kev: report.kev.as_ref().map(|k| Kev {
            path: &k.path,
            version: &k.version,
            released: &k.released,
            entries: k.count,
            age_days: k.age_days,
        }),
        gates: report
            .gates
            .iter()
            .map(|g| GateEntry { name: g.gate, status: g.status.as_str(), reason: g.status.reason() })
            .collect(),
        summary: Summary { deny: s.deny, warn: s.warn, excepted: s.excepted },
        findings: &report.findings,
        notes: &report.notes,
    }
}

fn policy(p: &super::PolicyInfo) -> Policy<'_> {
    let (path, sha256, source) = match &p.origin {
        Origin::File { path, sha256 } => (Some(path.as_str()), Some(sha256.as_str()), "file"),
        Origin::Manifest { path, sha256 } => (Some(path.as_str()), Some(sha256.as_str()), "manifest"),
        Origin::BuiltIn => (None, None, "built-in"),
    };
    Policy { path, sha256, profile: p.profile.as_str(), source }
}
