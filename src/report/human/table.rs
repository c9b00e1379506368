//! The human report's closing table: one row per gate, code and level with its count, and one
//! per gate that was not evaluated.

use super::{Out, Verbosity};
use crate::finding::{Code, Finding, Gate, Level};
use crate::report::Report;
use std::collections::BTreeMap;
use std::io;

/// One row per gate, code and level with its count (deny rows only when quiet), and one per
/// gate that was not evaluated.
pub fn table(report: &Report, shown: &[&Finding], out: &mut Out<'_>) -> io::Result<()> {
    let mut counts: BTreeMap<(Gate, u8, Code), (Level, usize)> = BTreeMap::new();
    let levels = |f: &&Finding| out.verbosity > Verbosity::Quiet || f.level == Level::Deny;
    for f in report.findings.iter().filter(levels) {
        let rank = match f.level {
            Level::Deny => 0,
            Level::Warn => 1,
            Level::Excepted => 2,
        };
        counts.entry((f.gate, rank, f.code)).or_insert((f.level, 0)).1 += 1;
    }
    let mut rows: Vec<[String; 4]> = counts
        .into_iter()
        .map(|((gate, _, code), (level, n))| {
            [gate.to_string(), code.to_string(), level.as_str().to_owned(), n.to_string()]
        })
        .collect();
    rows.extend(
        report
            .not_evaluated()
            .map(|g| [g.gate.to_string(), "-".to_owned(), "not evaluated".to_owned(), "-".to_owned()]),
    );
    if rows.is_empty() && shown.is_empty() {
        return Ok(());
    }
    write_table(&rows, out)
}

/// The rows under a header, in aligned columns, the level coloured.
fn write_table(rows: &[[String; 4]], out: &mut Out<'_>) -> io::Result<()> {
    let header = ["gate", "code", "level", "count"].map(str::to_owned);
    let width = |i: usize| rows.iter().chain([&header]).map(|r| r[i].len()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2), width(3)];
    let line = |r: &[String; 4]| {
        format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        )
    };
    writeln!(out.w, "{}", out.theme.dim.apply_to(line(&header)))?;
    for row in rows {
        let text = line(row);
        let style = match row[2].as_str() {
            "deny" | "not evaluated" => &out.theme.deny,
            "warn" => &out.theme.warn,
            _ => &out.theme.excepted,
        };
        // The level column is coloured, the rest plain.
        let (before, after) = text.split_at(widths[0] + widths[1] + 4);
        let (level, rest) = after.split_at(widths[2]);
        writeln!(out.w, "{before}{}{rest}", style.apply_to(level))?;
    }
    writeln!(out.w)
}
