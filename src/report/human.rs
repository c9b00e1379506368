//! The human report: findings grouped by package (then by member, then the policy's own),
//! each saying what to do, and a verdict line. Written to stderr by the command layer.
//!
//! Many unknown yanked statuses (offline, or the index unreachable: every crates.io package at
//! once) are summarized in one block, one line per cause, instead of a heading per package.

use super::{Report, TOOL_NAME, TOOL_VERSION};
use crate::finding::{Code, Finding, Level};
use crate::load::database::Identity;
use crate::policy::Origin;
use console::Style;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// How much to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Deny findings and the verdict.
    Quiet,
    /// Deny and warn findings, waived findings in one line each, the verdict.
    Normal,
    /// Everything, with provenance and notes.
    Verbose,
}

/// Options for the human report.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// ANSI colours.
    pub color: bool,
    /// Detail.
    pub verbosity: Verbosity,
}

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

    fn level(&self, level: Level) -> (&'static str, &Style) {
        match level {
            Level::Deny => ("error", &self.deny),
            Level::Warn => ("warning", &self.warn),
            Level::Excepted => ("waived", &self.excepted),
        }
    }
}

/// Writes the human report.
pub fn render(report: &Report, out: &mut dyn Write, opts: Options) -> io::Result<()> {
    let theme = Theme::new(opts.color);
    if opts.verbosity >= Verbosity::Verbose {
        provenance(report, out, &theme)?;
    }
    let (summarized, listed) = split(report, opts.verbosity);
    for ((_, heading), findings) in groups(&listed) {
        writeln!(out, "{}", theme.header.apply_to(heading))?;
        let (missing, rest): (Vec<&Finding>, Vec<&Finding>) =
            findings.into_iter().partition(|f| f.code == Code::LintMissing);
        if missing.len() > SUMMARIZE_MISSING_LINTS_ABOVE && opts.verbosity == Verbosity::Normal {
            missing_lints(&missing, out, &theme)?;
        } else {
            for f in &missing {
                finding(f, out, &theme, opts.verbosity)?;
            }
        }
        for f in rest {
            finding(f, out, &theme, opts.verbosity)?;
        }
        writeln!(out)?;
    }
    unknown_yanked(&summarized, out, &theme, opts.verbosity)?;
    let waived = report.summary().excepted;
    if opts.verbosity == Verbosity::Normal && waived > 0 {
        let what = if waived == 1 { "finding is" } else { "findings are" };
        writeln!(
            out,
            "{} {waived} {what} waived or documented as deviations in the policy; `-v` lists them",
            theme.dim.apply_to("note:")
        )?;
    }
    if opts.verbosity >= Verbosity::Normal {
        for note in &report.notes {
            writeln!(out, "{} {note}", theme.dim.apply_to("note:"))?;
        }
    }
    verdict(report, out, &theme)
}

/// More missing lints than this, in one member, are shown as one block with a table to paste.
const SUMMARIZE_MISSING_LINTS_ABOVE: usize = 3;

/// A member's missing lints in one block: the `[lints]` entries that would set them.
fn missing_lints(findings: &[&Finding], out: &mut dyn Write, theme: &Theme) -> io::Result<()> {
    let (label, style) = theme.level(Level::Deny);
    writeln!(
        out,
        "  {}: {} required lints are not set",
        style.apply_to(format!("{label}[{}]", Code::LintMissing)),
        findings.len()
    )?;
    if let Some(loc) = findings.first().and_then(|f| f.location.as_ref()) {
        writeln!(out, "    {} {}", theme.dim.apply_to("-->"), loc.file)?;
    }
    for tool in ["rust", "clippy"] {
        let entries: Vec<String> = findings
            .iter()
            .filter_map(|f| {
                let lint = f.lint.as_deref()?;
                let (t, name) = lint.split_once("::").unwrap_or(("rust", lint));
                (t == tool).then(|| format!("{name} = \"{}\"", f.required.as_deref().unwrap_or("deny")))
            })
            .collect();
        if !entries.is_empty() {
            writeln!(out, "    {} [lints.{tool}] {}", theme.dim.apply_to("="), entries.join(", "))?;
        }
    }
    writeln!(
        out,
        "    {} add these to [workspace.lints.<tool>] with `[lints] workspace = true` in the member (or to its own [lints.<tool>]); -v lists them one by one",
        theme.dim.apply_to("= help:")
    )
}

/// More unknown yanked statuses than this are summarized in one block.
const SUMMARIZE_UNKNOWN_YANKED_ABOVE: usize = 5;

/// Packages named per cause in that block, unless verbose.
const LIST_AT_MOST: usize = 10;

/// The findings to show (waived findings and warnings are left out when quiet), split into
/// the unknown yanked statuses to summarize (when there are many) and the rest.
fn split(report: &Report, verbosity: Verbosity) -> (Vec<&Finding>, Vec<&Finding>) {
    let shown: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| match verbosity {
            Verbosity::Quiet => f.level == Level::Deny,
            Verbosity::Normal => f.level != Level::Excepted,
            Verbosity::Verbose => true,
        })
        .collect();
    let unknown = shown.iter().filter(|f| is_unknown_yanked(f)).count();
    if unknown <= SUMMARIZE_UNKNOWN_YANKED_ABOVE {
        return (Vec::new(), shown);
    }
    shown.into_iter().partition(|f| is_unknown_yanked(f))
}

fn is_unknown_yanked(f: &Finding) -> bool {
    f.code == Code::Yanked && f.actual.as_deref() == Some("unknown")
}

/// Findings grouped under a heading, in report order.
fn groups<'a>(findings: &[&'a Finding]) -> BTreeMap<(u8, String), Vec<&'a Finding>> {
    let mut groups: BTreeMap<(u8, String), Vec<&Finding>> = BTreeMap::new();
    for &f in findings {
        let key = match (&f.package, &f.member) {
            (Some(p), _) => (1, format!("{} {}", p.name, p.version)),
            (None, Some(m)) => (0, format!("member {m}")),
            (None, None) => (2, format!("{} gate", f.gate)),
        };
        groups.entry(key).or_default().push(f);
    }
    groups
}

fn finding(f: &Finding, out: &mut dyn Write, theme: &Theme, verbosity: Verbosity) -> io::Result<()> {
    let (label, style) = theme.level(f.level);
    let message = strip_package_prefix(f);
    writeln!(out, "  {}: {message}", style.apply_to(format!("{label}[{}]", f.code)))?;
    if let Some(loc) = &f.location {
        let line = loc.line.map(|l| format!(":{l}")).unwrap_or_default();
        writeln!(out, "    {} {}{line}", theme.dim.apply_to("-->"), loc.file)?;
    }
    if let Some(a) = &f.advisory {
        let mut facts = Vec::new();
        if let (Some(score), Some(sev)) = (a.score, &a.severity) {
            facts.push(format!("CVSS {score:.1} ({sev})"));
        } else if f.code == crate::finding::Code::Vulnerability {
            facts.push("no CVSS score".to_owned());
        }
        if !a.aliases.is_empty() {
            facts.push(a.aliases.join(", "));
        }
        facts.push(a.url.clone());
        writeln!(out, "    {} {}", theme.dim.apply_to("="), facts.join(" · "))?;
    }
    if let Some(e) = &f.exception
        && f.level == Level::Excepted
    {
        let mut detail = vec![format!("waived: {}", e.reason.trim_end_matches('.'))];
        detail.extend(e.state.as_ref().map(|s| format!("state {s}")));
        detail.extend(e.expires.as_ref().map(|d| format!("until {d}")));
        detail.extend(e.approved_by.as_ref().map(|a| format!("approved by {a}")));
        writeln!(out, "    {} {}", theme.dim.apply_to("="), detail.join("; "))?;
    }
    if f.level != Level::Excepted || verbosity >= Verbosity::Verbose {
        for help in &f.help {
            writeln!(out, "    {} {help}", theme.dim.apply_to("= help:"))?;
        }
    }
    Ok(())
}

/// The summarized unknown yanked statuses: one line per level and cause, with its packages.
fn unknown_yanked(
    findings: &[&Finding],
    out: &mut dyn Write,
    theme: &Theme,
    verbosity: Verbosity,
) -> io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let heading = format!("yanked status unknown ({} packages)", findings.len());
    writeln!(out, "{}", theme.header.apply_to(heading))?;
    let mut by_cause: BTreeMap<(Level, &str), Vec<&Finding>> = BTreeMap::new();
    for &f in findings {
        by_cause.entry((f.level, strip_package_prefix(f))).or_default().push(f);
    }
    for ((level, message), same) in by_cause {
        let (label, style) = theme.level(level);
        writeln!(out, "  {}: {message}", style.apply_to(format!("{label}[{}]", Code::Yanked)))?;
        writeln!(out, "    {} {}", theme.dim.apply_to("= packages:"), package_list(&same, verbosity))?;
        for help in &same[0].help {
            writeln!(out, "    {} {help}", theme.dim.apply_to("= help:"))?;
        }
    }
    writeln!(out)
}

/// "a 1.0.0, b 2.1.0, and 12 more (-v lists them all)".
fn package_list(findings: &[&Finding], verbosity: Verbosity) -> String {
    let names: Vec<String> = findings
        .iter()
        .filter_map(|f| f.package.as_ref())
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    if verbosity >= Verbosity::Verbose || names.len() <= LIST_AT_MOST {
        return names.join(", ");
    }
    let more = names.len() - LIST_AT_MOST;
    format!("{}, and {more} more (-v lists them all)", names[..LIST_AT_MOST].join(", "))
}

/// Under a package or member heading, "name version: " or "member: " at the start of a message
/// repeats the heading.
fn strip_package_prefix(f: &Finding) -> &str {
    let prefix = match (&f.package, &f.member) {
        (Some(p), _) => format!("{} {}: ", p.name, p.version),
        (None, Some(m)) => format!("{m}: "),
        (None, None) => return &f.message,
    };
    f.message.strip_prefix(&prefix).unwrap_or(&f.message)
}

fn provenance(report: &Report, out: &mut dyn Write, theme: &Theme) -> io::Result<()> {
    let policy = match &report.policy.origin {
        Origin::File { path, sha256 } | Origin::Manifest { path, sha256 } => {
            format!("{path} (sha256 {})", short(sha256))
        }
        Origin::BuiltIn => "none (built-in defaults)".to_owned(),
    };
    writeln!(out, "{} {TOOL_NAME} {TOOL_VERSION}", theme.dim.apply_to("tool:     "))?;
    writeln!(out, "{} {}", theme.dim.apply_to("workspace:"), report.workspace.root)?;
    writeln!(
        out,
        "{} {policy}, profile {}, stage {}",
        theme.dim.apply_to("policy:   "),
        report.policy.profile,
        report.stage.as_str()
    )?;
    if let Some(sha) = &report.workspace.lockfile_sha256 {
        let packages = report.workspace.packages.unwrap_or_default();
        writeln!(
            out,
            "{} Cargo.lock (sha256 {}), {packages} packages",
            theme.dim.apply_to("lockfile: "),
            short(sha)
        )?;
    }
    if let Some(db) = &report.database {
        let id = identity(&db.identity);
        let age = db.age_days.map(|a| format!(", {a} days old")).unwrap_or_default();
        writeln!(
            out,
            "{} {} ({id}{age}), {} advisories; read the {} files of locked crates, left {} others unread",
            theme.dim.apply_to("database: "),
            db.path,
            db.advisories,
            db.files_read,
            db.advisories.saturating_sub(db.files_read)
        )?;
    }
    writeln!(out)
}

fn verdict(report: &Report, out: &mut dyn Write, theme: &Theme) -> io::Result<()> {
    for run in report.not_evaluated() {
        let reason = run.status.reason().unwrap_or_default();
        writeln!(out, "{} gate `{}` was not evaluated: {reason}", theme.deny.apply_to("error:"), run.gate)?;
    }
    if let Some(line) = inputs_line(report) {
        writeln!(out, "{}", theme.dim.apply_to(line))?;
    }
    let counts = report.counts_line();
    if !report.complete() {
        writeln!(out, "{} {counts}", theme.deny.apply_to("INCOMPLETE"))
    } else if report.passed() {
        writeln!(out, "{} {counts}", theme.pass.apply_to("PASS"))
    } else {
        writeln!(out, "{} {counts}", theme.deny.apply_to("FAIL"))
    }
}

/// "checked N locked packages against M advisories (database ..., D days old)".
fn inputs_line(report: &Report) -> Option<String> {
    let packages = report.workspace.packages?;
    let db = report.database.as_ref()?;
    let age = db.age_days.map(|a| format!(", {a} days old")).unwrap_or_default();
    let id = identity(&db.identity);
    let kev = report.kev.as_ref().map(|k| format!(" and KEV catalog {}", k.version)).unwrap_or_default();
    Some(format!("checked {packages} locked packages against {} advisories ({id}{age}){kev}", db.advisories))
}

/// A database identity, shortened for people.
fn identity(id: &Identity) -> String {
    match id {
        Identity::Git { commit } => format!("commit {}", short(commit)),
        Identity::Digest { sha256 } => format!("digest {}", short(sha256)),
    }
}

/// The first 12 characters of a hex digest or commit id.
fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}
