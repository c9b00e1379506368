//! `monitor --format json`: the `cargo-spdf/monitor/v1` document.
//!
//! ## Wire format
//!
//! One JSON object, followed by a newline:
//!
//! | key | value |
//! |---|---|
//! | `schema` | `"cargo-spdf/monitor/v1"`; a field is only ever added within v1 |
//! | `verdict` | `"pass"`, or `"fail"` when a product version fails or was refused |
//! | `tool` | `{name, version}` |
//! | `now` | the time judged against (`SOURCE_DATE_EPOCH` when set), RFC 3339 |
//! | `since` | `--since` (YYYY-MM-DD) or `null` |
//! | `within_days` | `--within` |
//! | `database` | `{path, commit, digest, advisories, last_updated, age_days}` of the advisory database compared against |
//! | `kev` | `{path, version, released, entries, age_days}` of the CISA KEV catalog, or `null` |
//! | `index` | the index yanked status was read from, or `null` |
//! | `summary` | `{products, fail, review, ok, refused, deny, warn, excepted}` |
//! | `products` | one object per product version, in the order given (below) |
//! | `notes` | strings for people |
//!
//! A product version:
//!
//! | key | value |
//! |---|---|
//! | `source` | `{kind, path}`: `kind` is `bundle` or `sbom` |
//! | `verdict` | `fail` (something new would fail the release policy), `review` (new warnings only), `ok` (nothing new) or `refused` |
//! | `problems` | why it was refused (a bundle that does not verify, a file that cannot be read); empty otherwise |
//! | `product`, `version`, `released` | the SBOM's product name and version, the bundle's time (YYYY-MM-DD); `null` when refused or unknown |
//! | `serial` | the SBOM's serial number |
//! | `signature` | a bundle's: `valid`, `not-checked` (signed, no `--key`), `absent`; `null` for an SBOM |
//! | `policy` | `{source, path, profile, stage}`: `source` is `bundle` (its `spdf.toml`), `flag` (`--policy`) or `profile` (built-in rules) |
//! | `recorded_database` | `{commit, digest, last_updated}` the bundle was made with, or `null` |
//! | `new_vulnerabilities`, `kev`, `oldest_unaddressed_days` | the figures of the summary table |
//! | `items` | see [`crate::monitor::item::Item`]: `kind`, `level` (`deny`, `warn`, `excepted`), `message`, and where they apply `help`, `package` {name, version}, `advisory` (as in `cargo-spdf/check/v1`, with `date` the publication date), `advisory_kind`, `changes` [{field, before, after}], `kev` {cve, date_added, due_date, required_action}, `clock` {published, days_since_published, start, days_left_30, days_left_60}, `status` (`yanked` or `unknown`, for `yanked`), `date`, `exception`, `assessment` |
//! | `notes` | strings for people |

use super::archive::PolicySource;
use super::item::Item;
use super::report::{Outcome, Report};
use crate::load::database::Identity;
use crate::report::{TOOL_NAME, TOOL_VERSION};
use serde::Serialize;
use std::io::{self, Write};

/// The schema identifier.
pub const SCHEMA: &str = "cargo-spdf/monitor/v1";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    verdict: &'static str,
    tool: Tool,
    now: String,
    since: Option<String>,
    within_days: i64,
    database: Database<'a>,
    kev: Option<Kev<'a>>,
    index: Option<&'a str>,
    summary: Summary,
    products: Vec<Product<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
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
struct Kev<'a> {
    path: &'a str,
    version: &'a str,
    released: &'a str,
    entries: usize,
    age_days: Option<i64>,
}

#[derive(Serialize)]
struct Summary {
    products: usize,
    fail: usize,
    review: usize,
    ok: usize,
    refused: usize,
    deny: usize,
    warn: usize,
    excepted: usize,
}

#[derive(Serialize)]
struct Product<'a> {
    source: Source,
    verdict: &'static str,
    problems: &'a [String],
    product: Option<&'a str>,
    version: Option<&'a str>,
    released: Option<String>,
    serial: Option<&'a str>,
    signature: Option<&'static str>,
    policy: Option<Policy<'a>>,
    recorded_database: Option<&'a super::archive::RecordedDatabase>,
    new_vulnerabilities: usize,
    kev: usize,
    oldest_unaddressed_days: Option<i64>,
    items: &'a [Item],
    notes: &'a [String],
}

#[derive(Serialize)]
struct Source {
    kind: &'static str,
    path: String,
}

#[derive(Serialize)]
struct Policy<'a> {
    source: &'static str,
    path: Option<&'a str>,
    profile: &'static str,
    stage: &'static str,
}

/// Writes the document and a trailing newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    out.write_all(b"\n")
}

fn document(report: &Report) -> Document<'_> {
    let v = report.verdicts();
    let rows: Vec<_> = report.outcomes.iter().map(Outcome::row).collect();
    let d = &report.database;
    Document {
        schema: SCHEMA,
        verdict: report.verdict(),
        tool: Tool { name: TOOL_NAME, version: TOOL_VERSION },
        now: report.now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        since: report.since.map(|d| d.to_string()),
        within_days: report.within_days,
        database: Database {
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
        },
        kev: report.kev.as_ref().map(|k| Kev {
            path: &k.path,
            version: &k.version,
            released: &k.released,
            entries: k.count,
            age_days: k.age_days,
        }),
        index: report.index.as_deref(),
        summary: Summary {
            products: report.outcomes.len(),
            fail: v.fail,
            review: v.review,
            ok: v.ok,
            refused: v.refused,
            deny: rows.iter().map(|r| r.deny).sum(),
            warn: rows.iter().map(|r| r.warn).sum(),
            excepted: rows.iter().map(|r| r.excepted).sum(),
        },
        products: report.outcomes.iter().map(product).collect(),
        notes: &report.notes,
    }
}

fn product(o: &Outcome) -> Product<'_> {
    let a = o.archived();
    let row = o.row();
    Product {
        source: Source { kind: o.source().kind(), path: o.source().path().display().to_string() },
        verdict: o.verdict(),
        problems: match o {
            Outcome::Refused(r) => &r.problems,
            Outcome::Monitored { .. } => &[],
        },
        product: a.map(|a| a.product.as_str()),
        version: a.and_then(|a| a.version.as_deref()),
        released: o.released(),
        serial: a.and_then(|a| a.serial.as_deref()),
        signature: a.and_then(|a| a.signature).map(|s| s.as_str()),
        policy: a.map(|a| Policy {
            source: a.held_to.source.kind(),
            path: match &a.held_to.source {
                PolicySource::Flag(p) => Some(p.as_str()),
                PolicySource::Recorded => Some(super::bundle::POLICY_FILE),
                PolicySource::Profile(_) => None,
            },
            profile: a.held_to.policy.profile.as_str(),
            stage: a.held_to.stage.as_str(),
        }),
        recorded_database: a.and_then(|a| a.database.as_ref()),
        new_vulnerabilities: row.new_vulnerabilities,
        kev: row.kev,
        oldest_unaddressed_days: row.oldest_unaddressed_days,
        items: o.items(),
        notes: a.map_or(&[], |a| a.notes.as_slice()),
    }
}
