//! `monitor --format csv`: one row per product version and item, for the quality team's
//! tracker (RFC 4180, CRLF line ends, a header row).
//!
//! A product version with nothing new has one row with its verdict (`ok`) and the item columns
//! empty, so the tracker shows that it was monitored; a refused one has one row with verdict
//! `refused` and the problems in `message`. Columns:
//!
//! `product, version, released, source, verdict, kind, level, package, package version,
//! advisory, aliases, advisory kind, severity, cvss, published, days since published, clock
//! start, days left (30), days left (60), kev cve, kev date added, date, message, action`
//!
//! `action` is the first thing the item says to do.

use super::item::Item;
use super::report::{Outcome, Report};
use std::io::{self, Write};

/// The header row.
pub const HEADER: [&str; 24] = [
    "product",
    "version",
    "released",
    "source",
    "verdict",
    "kind",
    "level",
    "package",
    "package version",
    "advisory",
    "aliases",
    "advisory kind",
    "severity",
    "cvss",
    "published",
    "days since published",
    "clock start",
    "days left (30)",
    "days left (60)",
    "kev cve",
    "kev date added",
    "date",
    "message",
    "action",
];

/// Writes the table.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    w.write_record(HEADER)?;
    for outcome in &report.outcomes {
        let head = head(outcome);
        match outcome {
            Outcome::Refused(r) => w.write_record(row(&head, None, &r.problems.join("; ")))?,
            Outcome::Monitored { items, .. } if items.is_empty() => w.write_record(row(&head, None, ""))?,
            Outcome::Monitored { items, .. } => {
                for item in items {
                    w.write_record(row(&head, Some(item), &item.message))?;
                }
            }
        }
    }
    let bytes = w.into_inner().map_err(|e| io::Error::other(e.to_string()))?;
    out.write_all(&bytes)
}

/// The product version's columns.
fn head(o: &Outcome) -> [String; 5] {
    let a = o.archived();
    [
        a.map(|a| a.product.clone()).unwrap_or_default(),
        a.and_then(|a| a.version.clone()).unwrap_or_default(),
        o.released().unwrap_or_default(),
        o.source().path().display().to_string(),
        o.verdict().to_owned(),
    ]
}

/// One row: the product version's columns, then the item's (empty without one).
fn row(head: &[String; 5], item: Option<&Item>, message: &str) -> Vec<String> {
    let mut cells: Vec<String> = head.to_vec();
    let text = |f: fn(&Item) -> Option<String>| item.and_then(f).unwrap_or_default();
    cells.push(text(|i| Some(i.kind.as_str().to_owned())));
    cells.push(text(|i| Some(i.level.as_str().to_owned())));
    cells.push(text(|i| i.package.as_ref().map(|p| p.name.clone())));
    cells.push(text(|i| i.package.as_ref().map(|p| p.version.clone())));
    cells.push(text(|i| i.advisory.as_ref().map(|a| a.id.clone())));
    cells.push(text(|i| i.advisory.as_ref().map(|a| a.aliases.join(" "))));
    cells.push(text(|i| i.advisory_kind.map(str::to_owned)));
    cells.push(text(|i| i.advisory.as_ref().and_then(|a| a.severity.clone())));
    cells.push(text(|i| i.advisory.as_ref().and_then(|a| a.cvss.clone())));
    cells.push(text(|i| i.clock.as_ref().map(|c| c.published.clone())));
    cells.push(text(|i| i.clock.as_ref().map(|c| c.days_since_published.to_string())));
    cells.push(text(|i| i.clock.as_ref().map(|c| c.start.clone())));
    cells.push(text(|i| i.clock.as_ref().map(|c| c.days_left_30.to_string())));
    cells.push(text(|i| i.clock.as_ref().map(|c| c.days_left_60.to_string())));
    cells.push(text(|i| i.kev.as_ref().map(|k| k.cve.clone())));
    cells.push(text(|i| i.kev.as_ref().map(|k| k.date_added.clone())));
    cells.push(text(|i| i.date.clone()));
    cells.push(message.to_owned());
    cells.push(text(|i| i.help.first().cloned()));
    cells
}
