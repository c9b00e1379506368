//! The human monitoring report: one table of every product version first (product, version,
//! released, new vulnerabilities, KEV, oldest unaddressed in days, verdict), then what is new
//! for each version that has something, each item saying what to do, and a verdict line.
//! Written to stderr by the command layer.

use super::item::Item;
use super::report::{Outcome, Report};
use crate::finding::Level;
use crate::report::human::{Options, Verbosity};
use console::Style;
use std::io::{self, Write};

/// The table's column headings.
pub const COLUMNS: [&str; 7] =
    ["product", "version", "released", "new vulnerabilities", "KEV", "oldest unaddressed (days)", "verdict"];

struct Theme {
    deny: Style,
    warn: Style,
    excepted: Style,
    header: Style,
    dim: Style,
    pass: Style,
}

impl Theme {
    fn new(color: bool) -> Self {
        let s = |style: Style| style.force_styling(color);
        Theme {
            deny: s(Style::new().red().bold()),
            warn: s(Style::new().yellow().bold()),
            excepted: s(Style::new().cyan()),
            header: s(Style::new().bold()),
            dim: s(Style::new().dim()),
            pass: s(Style::new().green().bold()),
        }
    }

    fn verdict(&self, verdict: &str) -> &Style {
        match verdict {
            "fail" | "refused" => &self.deny,
            "review" => &self.warn,
            _ => &self.pass,
        }
    }
}

/// Writes the report.
pub fn render(report: &Report, out: &mut dyn Write, opts: Options) -> io::Result<()> {
    let theme = Theme::new(opts.color);
    table(report, out, &theme)?;
    for o in &report.outcomes {
        section(o, out, &theme, opts.verbosity)?;
    }
    if opts.verbosity >= Verbosity::Verbose {
        for note in &report.notes {
            writeln!(out, "{} {note}", theme.dim.apply_to("note:"))?;
        }
    }
    footer(report, out, &theme)
}

/// The summary table, one row per product version.
fn table(report: &Report, out: &mut dyn Write, theme: &Theme) -> io::Result<()> {
    let rows: Vec<[String; 7]> = report.outcomes.iter().map(cells).collect();
    let mut widths = COLUMNS.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 7]| {
        let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded[..6].join("  ")
    };
    let head = COLUMNS.map(str::to_owned);
    writeln!(out, "{}  {}", theme.header.apply_to(line(&head)), theme.header.apply_to(COLUMNS[6]))?;
    for (row, o) in rows.iter().zip(&report.outcomes) {
        let verdict = o.verdict();
        writeln!(out, "{}  {}", line(row), theme.verdict(verdict).apply_to(verdict.to_uppercase()))?;
    }
    writeln!(out)
}

fn cells(o: &Outcome) -> [String; 7] {
    let dash = || "-".to_owned();
    let row = o.row();
    let (product, version) = match o.archived() {
        Some(a) => (a.product.clone(), a.version.clone().unwrap_or_else(dash)),
        None => (crate::paths::display(o.source().path()), dash()),
    };
    let refused = matches!(o, Outcome::Refused(_));
    let count = |n: usize| if refused { dash() } else { n.to_string() };
    [
        product,
        version,
        o.released().unwrap_or_else(dash),
        count(row.new_vulnerabilities),
        count(row.kev),
        row.oldest_unaddressed_days.map_or_else(dash, |d| d.to_string()),
        o.verdict().to_owned(),
    ]
}

/// One product version's items, or why it was refused; nothing for a version with nothing new.
fn section(o: &Outcome, out: &mut dyn Write, theme: &Theme, verbosity: Verbosity) -> io::Result<()> {
    let shown = crate::paths::display(o.source().path());
    match o {
        Outcome::Refused(r) => {
            writeln!(
                out,
                "{}",
                theme.header.apply_to(format!("{shown}: refused, nothing in it is trusted"))
            )?;
            for p in &r.problems {
                writeln!(out, "  {} {p}", theme.deny.apply_to("error:"))?;
            }
            writeln!(out)
        }
        Outcome::Monitored { archived, items } => {
            let listed: Vec<&Item> = items.iter().filter(|i| shown_at(i.level, verbosity)).collect();
            if listed.is_empty() && (verbosity < Verbosity::Verbose || archived.notes.is_empty()) {
                return Ok(());
            }
            let version = archived.version.as_deref().map(|v| format!(" {v}")).unwrap_or_default();
            let policy = match &archived.held_to.source {
                super::archive::PolicySource::Recorded => format!("its {}", super::bundle::POLICY_FILE),
                super::archive::PolicySource::Flag(p) => format!("--policy {p}"),
                super::archive::PolicySource::Profile(p) => format!("the built-in {p} rules"),
            };
            let heading =
                format!("{}{version} ({} {shown}; held to {policy})", archived.product, o.source().kind());
            writeln!(out, "{}", theme.header.apply_to(heading))?;
            let (unknown, known): (Vec<&Item>, Vec<&Item>) =
                listed.into_iter().partition(|i| i.status == Some("unknown"));
            for i in known {
                item(i, out, theme, verbosity)?;
            }
            if unknown.len() > SUMMARIZE_UNKNOWN_ABOVE && verbosity < Verbosity::Verbose {
                unknown_yanked(&unknown, out, theme)?;
            } else {
                for i in unknown {
                    item(i, out, theme, verbosity)?;
                }
            }
            if verbosity >= Verbosity::Verbose {
                for note in &archived.notes {
                    writeln!(out, "  {} {note}", theme.dim.apply_to("note:"))?;
                }
            }
            writeln!(out)
        }
    }
}

/// Unknown yanked statuses (offline, or the index unreachable: every crates.io component at
/// once) above this number are summarized in one item, unless `-v`.
const SUMMARIZE_UNKNOWN_ABOVE: usize = 3;

/// Many unknown yanked statuses as one item naming the first few components.
fn unknown_yanked(items: &[&Item], out: &mut dyn Write, theme: &Theme) -> io::Result<()> {
    let Some(first) = items.first() else { return Ok(()) };
    let style = if first.level == Level::Deny { &theme.deny } else { &theme.warn };
    let label = if first.level == Level::Deny { "error" } else { "warning" };
    let reason = first.message.split_once("could not be established: ").map_or("", |(_, r)| r);
    writeln!(
        out,
        "  {}: the yanked status of {} crates.io components could not be established: {reason}",
        style.apply_to(format!("{label}[yanked]")),
        items.len()
    )?;
    let names: Vec<String> = items
        .iter()
        .filter_map(|i| i.package.as_ref())
        .take(5)
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    let more = items.len().saturating_sub(names.len());
    let more = if more > 0 { format!(" and {more} more (-v lists them)") } else { String::new() };
    writeln!(out, "    {} {}{more}", theme.dim.apply_to("= packages:"), names.join(", "))?;
    for help in &first.help {
        writeln!(out, "    {} {help}", theme.dim.apply_to("= help:"))?;
    }
    Ok(())
}

fn shown_at(level: Level, verbosity: Verbosity) -> bool {
    level == Level::Deny || verbosity >= Verbosity::Normal
}

fn item(i: &Item, out: &mut dyn Write, theme: &Theme, verbosity: Verbosity) -> io::Result<()> {
    let (label, style) = match i.level {
        Level::Deny => ("error", &theme.deny),
        Level::Warn => ("warning", &theme.warn),
        Level::Excepted => ("covered", &theme.excepted),
    };
    writeln!(out, "  {}: {}", style.apply_to(format!("{label}[{}]", i.kind)), i.message)?;
    let eq = theme.dim.apply_to("=");
    if let Some(a) = &i.advisory {
        let mut facts = vec![match (a.score, &a.severity) {
            (Some(score), Some(sev)) => format!("CVSS {score:.1} ({sev})"),
            _ => "no CVSS score".to_owned(),
        }];
        if !a.aliases.is_empty() {
            facts.push(a.aliases.join(", "));
        }
        facts.push(a.url.clone());
        writeln!(out, "    {eq} {}", facts.join(" · "))?;
    }
    if let Some(c) = &i.clock {
        writeln!(
            out,
            "    {eq} published {} ({} days ago); from {}: {} of 30 days left to fix, {} of 60 to disclose",
            c.published, c.days_since_published, c.start, c.days_left_30, c.days_left_60
        )?;
    }
    match (i.level, &i.exception, &i.assessment) {
        (Level::Excepted, Some(e), _) => writeln!(out, "    {eq} waived: {}", e.reason)?,
        (Level::Excepted, None, Some(a)) => writeln!(out, "    {eq} assessed: {a}")?,
        _ if verbosity >= Verbosity::Normal => {
            for help in &i.help {
                writeln!(out, "    {} {help}", theme.dim.apply_to("= help:"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The inputs line and the verdict.
fn footer(report: &Report, out: &mut dyn Write, theme: &Theme) -> io::Result<()> {
    let d = &report.database;
    let age = d.age_days.map_or_else(|| "age unknown".to_owned(), |a| format!("{a} days old"));
    let kev = report
        .kev
        .as_ref()
        .map_or_else(|| "no KEV catalog".to_owned(), |k| format!("KEV catalog {}", k.version));
    writeln!(
        out,
        "{}",
        theme.dim.apply_to(format!(
            "monitored {} product version{} against {} advisories ({age}) and {kev}, as of {}",
            report.outcomes.len(),
            if report.outcomes.len() == 1 { "" } else { "s" },
            d.advisories,
            report.today()
        ))
    )?;
    let v = report.verdicts();
    let counts = format!("{} fail, {} to review, {} ok, {} refused", v.fail, v.review, v.ok, v.refused);
    match report.verdict() {
        "pass" => writeln!(out, "{} {counts}", theme.pass.apply_to("PASS")),
        _ => writeln!(out, "{} {counts}", theme.deny.apply_to("FAIL")),
    }
}
