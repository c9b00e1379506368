//! The human report, written to stderr by the command layer. It is meant to be read to the
//! end, however large the workspace:
//!
//! - findings grouped by level and code (warnings first, errors last), each group headed by
//!   its code and count ("error[lint-missing]: 3615 findings in 241 members");
//! - in a group, findings that read the same apart from their member or package are one entry
//!   naming them ("`rust-version` is not set", "= 241 members: xtask, build-util, …, and 236
//!   more"), and a member's many missing lints one block with the `[lints]` entries to paste;
//! - at most a few entries per group, then how many more and about what (`-v` shows all);
//! - waived findings in one line (`-v` lists them), the notes, then one table (gate, code,
//!   level, count), every gate that was not evaluated with its reason, and the verdict line.
//!
//! Every deny code is in the table with its count, and its group shows the first entries with
//! what to do: nothing that changes the verdict is out of sight.
//!
//! Every string from an input is escaped as [`crate::text::inline`] writes it (`\u{1b}` for
//! ESC), so only the report itself starts lines or colours text.

mod groups;
mod provenance;
mod table;

use super::{GateRun, Report, not_evaluated_help};
use crate::finding::{Code, Finding, Level};
use crate::text::{self, inline};
use console::Style;
use groups::{Entry, Group, Subject, Unit};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// How much to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Deny findings and the verdict.
    Quiet,
    /// Deny and warn findings, a few entries per group, waived findings in one line, the verdict.
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

/// Entries shown at most per group of deny findings, unless verbose.
const DENY_ENTRIES: usize = 4;
/// Entries shown at most per group of warnings, unless verbose.
const WARN_ENTRIES: usize = 2;
/// The lines the groups may take, unless verbose: every group shows its first entry, and more
/// entries (deny groups first) while they fit, so the report stays well under 150 lines.
const GROUP_LINES: usize = 110;
/// Names shown in a list (members, packages, files), unless verbose.
const LIST_AT_MOST: usize = 5;

/// The styles of the report (all plain without colour).
struct Theme {
    deny: Style,
    warn: Style,
    excepted: Style,
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

/// Where the report is written, how, and how much.
struct Out<'a> {
    w: &'a mut dyn Write,
    theme: Theme,
    verbosity: Verbosity,
}

impl Out<'_> {
    fn verbose(&self) -> bool {
        self.verbosity >= Verbosity::Verbose
    }

    /// "    = {label} {text}", the label dimmed.
    fn detail(&mut self, label: &str, text: &str) -> io::Result<()> {
        writeln!(self.w, "    {} {text}", self.theme.dim.apply_to(label))
    }
}

/// Writes the human report.
pub fn render(report: &Report, out: &mut dyn Write, opts: Options) -> io::Result<()> {
    let mut out = Out { w: out, theme: Theme::new(opts.color), verbosity: opts.verbosity };
    if out.verbose() {
        provenance::provenance(report, &mut out)?;
    }
    let shown = shown(report, opts.verbosity);
    let groups = groups::groups(&shown, !out.verbose());
    for (group, limit) in groups.iter().zip(limits(&groups, out.verbosity)) {
        group_block(group, limit, &mut out)?;
    }
    notes(report, &mut out)?;
    table::table(report, &shown, &mut out)?;
    for gate in report.not_evaluated() {
        not_evaluated(gate, &mut out)?;
    }
    verdict(report, &mut out)
}

/// The findings to show: waived findings and warnings are left out when quiet, waived
/// findings unless verbose.
fn shown(report: &Report, verbosity: Verbosity) -> Vec<&Finding> {
    report
        .findings
        .iter()
        .filter(|f| match verbosity {
            Verbosity::Quiet => f.level == Level::Deny,
            Verbosity::Normal => f.level != Level::Excepted,
            Verbosity::Verbose => true,
        })
        .collect()
}

/// How many entries each group shows: all when verbose; else the first of every group, then
/// one more at a time, deny groups first, up to [`DENY_ENTRIES`] or [`WARN_ENTRIES`], while
/// the groups fit in [`GROUP_LINES`].
fn limits(groups: &[Group<'_>], verbosity: Verbosity) -> Vec<usize> {
    if verbosity >= Verbosity::Verbose {
        return groups.iter().map(|g| g.entries.len()).collect();
    }
    // Only the entries a group can show are measured (rendering all of 800 entries to count
    // their lines took longer than rendering the report).
    let shown = DENY_ENTRIES.max(WARN_ENTRIES);
    let lines: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| g.entries.iter().take(shown).map(|e| entry_lines(e, verbosity)).collect())
        .collect();
    let mut limits = vec![1; groups.len()];
    // Heading, first entry, "… and N more" when there are more, blank line.
    let mut used: usize =
        groups.iter().zip(&lines).map(|(g, l)| 2 + l[0] + usize::from(g.entries.len() > 1)).sum();
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&i| (groups[i].level != Level::Deny, i));
    for round in 1..DENY_ENTRIES {
        for &i in &order {
            let max = if groups[i].level == Level::Deny { DENY_ENTRIES } else { WARN_ENTRIES };
            let Some(&cost) = lines[i].get(round).filter(|_| limits[i] == round && round < max) else {
                continue;
            };
            // Showing the last entry drops the "… and N more" line.
            let cost = cost - usize::from(round + 1 == groups[i].entries.len());
            if used + cost <= GROUP_LINES {
                used += cost;
                limits[i] += 1;
            }
        }
    }
    limits
}

/// The lines an entry takes.
fn entry_lines(entry: &Entry<'_>, verbosity: Verbosity) -> usize {
    let mut buf = Vec::new();
    let mut out = Out { w: &mut buf, theme: Theme::new(false), verbosity };
    match entry_block(entry, &mut out) {
        Ok(()) => buf.iter().filter(|&&b| b == b'\n').count(),
        Err(_) => 0,
    }
}

/// A group: its heading, its first `limit` entries, and what the rest are about.
fn group_block(group: &Group<'_>, limit: usize, out: &mut Out<'_>) -> io::Result<()> {
    let (label, style) = out.theme.level(group.level);
    let heading = format!("{label}[{}]", group.code);
    writeln!(out.w, "{}: {}", style.apply_to(heading), group_counts(group))?;
    for entry in group.entries.iter().take(limit) {
        entry_block(entry, out)?;
    }
    if let Some(rest) = group.entries.get(limit..).filter(|rest| !rest.is_empty()) {
        hidden(rest, out)?;
    }
    writeln!(out.w)
}

/// "14 findings in 7 packages", "1 finding". Without the "in ..." when some findings are about
/// no single member or package (a `[workspace.lints]` gap names many members in its message): a
/// count of the others would understate what the group is about.
fn group_counts(group: &Group<'_>) -> String {
    let n = group.count();
    let mut text = format!("{n} finding{}", plural(n));
    let subjects = group.subjects();
    let every_one_has_a_subject = group.entries.iter().flat_map(|e| &e.units).all(|u| u.subject.is_some());
    if n > 1 && !subjects.is_empty() && every_one_has_a_subject {
        text.push_str(&format!(" in {}", count_of(&subjects)));
    }
    text
}

/// "3 members", "1 package", "4 members and packages".
fn count_of(subjects: &[&Subject]) -> String {
    let n = subjects.len();
    let members = subjects.iter().all(|s| matches!(s, Subject::Member(_)));
    let packages = subjects.iter().all(|s| matches!(s, Subject::Package(_)));
    let what = match (members, packages) {
        (true, _) => "member",
        (_, true) => "package",
        _ => "members and package",
    };
    format!("{n} {what}{}", plural(n))
}

/// "s" unless one.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The entries left out of a group: how many findings, and about what.
fn hidden(rest: &[Entry<'_>], out: &mut Out<'_>) -> io::Result<()> {
    let n: usize = rest.iter().map(Entry::count).sum();
    let mut about: BTreeMap<&str, usize> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for unit in rest.iter().flat_map(|e| &e.units) {
        // Findings about no member or package are named by their file (Cargo.toml, spdf.toml).
        let file = unit.first().location.as_ref().map_or("the workspace", |l| l.file.as_str());
        let name = unit.subject.as_ref().map_or(file, Subject::name);
        let count = about.entry(name).or_default();
        if *count == 0 {
            order.push(name);
        }
        *count += unit.findings.len();
    }
    let names: Vec<String> = order
        .iter()
        .map(|name| match about[name] {
            1 => inline(name).into_owned(),
            k => format!("{} ({k})", inline(name)),
        })
        .collect();
    let shown = names.len().min(LIST_AT_MOST);
    let others = match names.len() - shown {
        0 => String::new(),
        k => format!(" and {k} other{}", plural(k)),
    };
    writeln!(
        out.w,
        "  {} and {n} more finding{} about {}{others} (-v lists them all)",
        out.theme.dim.apply_to("…"),
        plural(n),
        names[..shown].join(", ")
    )
}

/// "a, b, c, d, e, and 12 more (-v lists them all)"; everything when `all`.
fn list(names: &[String], all: bool) -> String {
    if all || names.len() <= LIST_AT_MOST {
        return names.join(", ");
    }
    let more = names.len() - LIST_AT_MOST;
    format!("{}, and {more} more (-v lists them all)", names[..LIST_AT_MOST].join(", "))
}

/// One entry: its message, whom it is about, where, the advisory, the waiver, what to do.
fn entry_block(entry: &Entry<'_>, out: &mut Out<'_>) -> io::Result<()> {
    let unit = entry.first();
    let f = unit.first();
    let several = entry.units.len() > 1;
    writeln!(out.w, "  {}", title(unit, several))?;
    if several {
        subjects(entry, out)?;
    }
    locations(entry, out)?;
    if let Some(facts) = advisory_facts(f) {
        out.detail("=", &facts)?;
    }
    if let Some(waiver) = waiver(f) {
        out.detail("=", &waiver)?;
    }
    if unit.block {
        return lints_table(unit, out);
    }
    if f.level != Level::Excepted || out.verbose() {
        for help in &f.help {
            out.detail("= help:", &inline(help))?;
        }
    }
    Ok(())
}

/// The entry's first line: the message, with its subject in front when the entry is about one
/// subject and the message does not start with it.
fn title(unit: &Unit<'_>, several: bool) -> String {
    let f = unit.first();
    let subject = unit.subject.as_ref().map(Subject::name).filter(|_| !several);
    let lints = || block_lints(unit).len();
    let message = match (unit.block, subject) {
        (true, Some(s)) => format!("{s}: {} required lints are not set", lints()),
        (true, None) => match workspace_lints_members(&unit.findings) {
            Some(members) => {
                format!(
                    "{} required lints are not set in [workspace.lints], which {members} inherit",
                    lints()
                )
            }
            None => format!("{} required lints are not set", lints()),
        },
        (false, Some(s)) if !f.message.starts_with(s) => format!("{s}: {}", f.message),
        (false, Some(_)) => f.message.clone(),
        (false, None) => shorten_member_list(groups::strip_subject(f)),
    };
    inline(&message).into_owned()
}

/// A finding about many members at once starts with their names ("a, b, c, ...: `x` is allow");
/// in the title a long list is cut to its first names and a count (the JSON keeps them all).
fn shorten_member_list(message: &str) -> String {
    let Some((names, rest)) = message.split_once(": ") else { return message.to_owned() };
    let names: Vec<&str> = names.split(", ").collect();
    let plain = names.iter().all(|n| !n.is_empty() && !n.contains(' '));
    if !plain || names.len() <= LIST_AT_MOST {
        return message.to_owned();
    }
    let more = names.len() - LIST_AT_MOST;
    format!("{} members ({}, and {more} more): {rest}", names.len(), names[..LIST_AT_MOST].join(", "))
}

/// The members `[workspace.lints]` findings name at the start of their messages ("a, b, c:
/// `x` is not set in [workspace.lints]"), all of them once, as "3 members (a, b, c)". One lint
/// can be two findings, for members whose editions give it different defaults.
fn workspace_lints_members(findings: &[&Finding]) -> Option<String> {
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for f in findings {
        let (members, rest) = f.message.split_once(": `")?;
        if !rest.contains("in [workspace.lints]") {
            return None;
        }
        names.extend(members.split(", "));
    }
    let names: Vec<&str> = names.into_iter().collect();
    let shown = if names.len() > LIST_AT_MOST {
        format!("{}, and {} more", names[..LIST_AT_MOST].join(", "), names.len() - LIST_AT_MOST)
    } else {
        names.join(", ")
    };
    Some(format!("{} member{} ({shown})", names.len(), if names.len() == 1 { "" } else { "s" }))
}

/// "= 241 members: xtask, build-util, …".
fn subjects(entry: &Entry<'_>, out: &mut Out<'_>) -> io::Result<()> {
    let subjects = distinct(entry.units.iter().filter_map(|u| u.subject.as_ref()));
    if subjects.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = subjects.iter().map(|s| inline(s.name()).into_owned()).collect();
    let all = out.verbose();
    out.detail("=", &format!("{}: {}", count_of(&subjects), list(&names, all)))
}

/// The items in order of first occurrence, each once (a set beside the list: an entry can stand
/// for tens of thousands of packages).
fn distinct<T: Ord + Clone>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut seen = BTreeSet::new();
    items.filter(|item| seen.insert(item.clone())).collect()
}

/// "--> file:line", or the files of all the entry's units.
fn locations(entry: &Entry<'_>, out: &mut Out<'_>) -> io::Result<()> {
    // Several packages are named in the entry; their Cargo.lock lines add nothing.
    let packages = entry.units.iter().all(|u| matches!(u.subject, Some(Subject::Package(_))));
    if packages && entry.units.len() > 1 {
        return Ok(());
    }
    let files = distinct(entry.units.iter().filter_map(|unit| {
        let loc = unit.first().location.as_ref()?;
        let line = loc.line.map(|l| format!(":{l}")).unwrap_or_default();
        Some(format!("{}{line}", inline(&loc.file)))
    }));
    if files.is_empty() {
        return Ok(());
    }
    let all = out.verbose();
    out.detail("-->", &list(&files, all))
}

/// "CVSS 9.8 (critical) · CVE-… · https://…".
fn advisory_facts(f: &Finding) -> Option<String> {
    let a = f.advisory.as_ref()?;
    let mut facts = Vec::new();
    if let (Some(score), Some(sev)) = (a.score, &a.severity) {
        facts.push(format!("CVSS {score:.1} ({})", inline(sev)));
    } else if f.code == Code::Vulnerability {
        facts.push("no CVSS score".to_owned());
    }
    if !a.aliases.is_empty() {
        facts.push(inline(&a.aliases.join(", ")).into_owned());
    }
    facts.push(inline(&a.url).into_owned());
    Some(facts.join(" · "))
}

/// "waived: reason; state …; until …; approved by …", for a waived finding.
fn waiver(f: &Finding) -> Option<String> {
    let e = f.exception.as_ref().filter(|_| f.level == Level::Excepted)?;
    let mut detail = vec![format!("waived: {}", inline(e.reason.trim_end_matches('.')))];
    detail.extend(e.state.as_ref().map(|s| format!("state {}", inline(s))));
    detail.extend(e.expires.as_ref().map(|d| format!("until {}", inline(d))));
    detail.extend(e.approved_by.as_ref().map(|a| format!("approved by {}", inline(a))));
    Some(detail.join("; "))
}

/// A block of missing lints: the `[lints]` entries that would set them.
/// The block's distinct `(tool, "name = \"level\"")` entries, in order.
fn block_lints<'f>(unit: &Unit<'f>) -> Vec<(&'f str, String)> {
    let mut out: Vec<(&'f str, String)> = Vec::new();
    for f in &unit.findings {
        let Some(lint) = f.lint.as_deref() else { continue };
        let (tool, name) = lint.split_once("::").unwrap_or(("rust", lint));
        let required = f.required.as_deref().unwrap_or("deny");
        let entry = (tool, inline(&format!("{name} = \"{required}\"")).into_owned());
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    out
}

fn lints_table(unit: &Unit<'_>, out: &mut Out<'_>) -> io::Result<()> {
    let lints = block_lints(unit);
    let mut tools: Vec<&str> = vec!["rust", "clippy"];
    for (tool, _) in &lints {
        if !tools.contains(tool) {
            tools.push(tool);
        }
    }
    for tool in tools {
        let entries: Vec<&str> = lints.iter().filter(|(t, _)| *t == tool).map(|(_, e)| e.as_str()).collect();
        if !entries.is_empty() {
            out.detail("=", &format!("[lints.{}] {}", inline(tool), entries.join(", ")))?;
        }
    }
    out.detail(
        "= help:",
        "add these to [workspace.lints.<tool>] with `[lints] workspace = true` in the member (or to its own [lints.<tool>]); -v lists them one by one",
    )
}

/// The waived summary (unless verbose, where they are listed) and the report's notes.
fn notes(report: &Report, out: &mut Out<'_>) -> io::Result<()> {
    if out.verbosity < Verbosity::Normal {
        return Ok(());
    }
    let waived = report.summary().excepted;
    let note = out.theme.dim.apply_to("note:").to_string();
    if out.verbosity == Verbosity::Normal && waived > 0 {
        let what = if waived == 1 { "finding is" } else { "findings are" };
        writeln!(
            out.w,
            "{note} {waived} {what} waived or documented as deviations in the policy; `-v` lists them"
        )?;
    }
    for n in &report.notes {
        writeln!(out.w, "{note} {}", inline(n))?;
    }
    Ok(())
}

/// A gate that was not evaluated: why, each line of the reason on a line of its own, and what
/// to do.
fn not_evaluated(gate: &GateRun, out: &mut Out<'_>) -> io::Result<()> {
    let mut reason = text::lines(gate.status.reason().unwrap_or_default());
    let first = reason.next().unwrap_or_default();
    let label = out.theme.deny.apply_to("error:");
    writeln!(out.w, "{label} gate {} not evaluated: {first}", gate.gate)?;
    for line in reason {
        if line.is_empty() {
            writeln!(out.w, "    {}", out.theme.dim.apply_to("|"))?;
        } else {
            out.detail("|", &line)?;
        }
    }
    out.detail("= help:", &not_evaluated_help(gate.gate))
}

/// The inputs line and the verdict line, last.
fn verdict(report: &Report, out: &mut Out<'_>) -> io::Result<()> {
    if let Some(line) = provenance::inputs_line(report) {
        writeln!(out.w, "{}", out.theme.dim.apply_to(line))?;
    }
    let (verdict, rest) = report.verdict_line();
    let style = if report.verdict() == "pass" { &out.theme.pass } else { &out.theme.deny };
    writeln!(out.w, "{} {rest}", style.apply_to(verdict))
}
