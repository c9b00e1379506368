//! `report.md`: the check report for the people who sign off a release: the verdict, what was
//! checked, a table per gate (the lints gate's grouped per member), every waiver and documented
//! lint deviation, and the FDA support tables: the components that ship, then the build tooling
//! apart (build-only dependencies, proc-macros, tool members), both in the SBOM's order (by
//! name, then version). A gate that was not evaluated says so, and why, in its section.
//!
//! Every string from an input is escaped for a table cell: control characters as
//! [`crate::text::inline`] writes them, `|` and `\` with a backslash.

use super::addendum::Row;
use super::provenance::Provenance;
use crate::finding::{Code, Finding, Gate, Level};
use crate::report::{GateRun, Report, not_evaluated_help};
use std::fmt::Write as _;

/// Renders the Markdown report.
pub fn render(report: &Report, provenance: &Provenance, rows: &[Row]) -> String {
    let mut out = String::new();
    heading(&mut out, report, provenance);
    inputs(&mut out, provenance);
    for gate in &report.gates {
        match gate.status.reason() {
            Some(reason) => not_evaluated(&mut out, gate, reason),
            None => gate_table(&mut out, report, gate.gate),
        }
    }
    waivers(&mut out, report);
    deviations(&mut out, report);
    let (shipped, tooling): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.shipped);
    support_table(&mut out, "Shipped components: FDA level of support and end of support", &shipped);
    support_table(&mut out, "Build tooling (does not ship): level of support and end of support", &tooling);
    out
}

/// Escapes a table cell (or any one line of input text): controls as `\u{…}`, `\` and `|`
/// with a backslash.
fn cell(text: &str) -> String {
    crate::text::inline(text).replace('\\', "\\\\").replace('|', "\\|")
}

fn heading(out: &mut String, report: &Report, p: &Provenance) {
    let s = report.summary();
    let (verdict, _) = report.verdict_line();
    let incomplete = report.incomplete().map(|i| format!(" ({i})")).unwrap_or_default();
    let _ = writeln!(out, "# Release evidence: {}\n", cell(&p.workspace.name));
    let _ = writeln!(
        out,
        "**Verdict: {verdict}**{incomplete}: {} denied, {} warnings, {} waived. Stage `{}`, profile `{}`, checked at {} with {} {}.\n",
        s.deny, s.warn, s.excepted, p.stage, p.policy.profile, p.time, p.tool.name, p.tool.version
    );
    for note in &report.notes {
        let _ = writeln!(out, "> {}\n", cell(note));
    }
}

fn inputs(out: &mut String, p: &Provenance) {
    let _ = writeln!(out, "## Inputs\n\n| input | identity |\n|---|---|");
    let row = |out: &mut String, k: &str, v: String| {
        let _ = writeln!(out, "| {k} | {} |", cell(&v));
    };
    row(
        out,
        "Cargo.lock",
        format!(
            "sha256 `{}`, {} packages",
            p.workspace.lockfile_sha256.as_deref().unwrap_or("-"),
            p.workspace.packages.unwrap_or(0)
        ),
    );
    row(
        out,
        "Policy",
        match (&p.policy.path, &p.policy.sha256) {
            (Some(path), Some(sha)) => format!("{path}, sha256 `{sha}`"),
            _ => "none: built-in profile".to_owned(),
        },
    );
    if let Some(db) = &p.advisory_database {
        let id = db
            .commit
            .as_ref()
            .map(|c| format!("commit `{c}`"))
            .or(db.digest.as_ref().map(|d| format!("digest `{d}`")))
            .unwrap_or_default();
        let age = db.age_days.map(|a| format!(", {a} days old")).unwrap_or_default();
        row(
            out,
            "RustSec advisory database",
            format!(
                "{id}, {} advisories, updated {}{age}",
                db.advisories,
                db.last_updated.as_deref().unwrap_or("unknown")
            ),
        );
    }
    row(
        out,
        "CISA KEV catalog",
        p.kev_catalog.as_ref().map_or_else(
            || "not checked".to_owned(),
            |k| {
                let age = k.age_days.map(|a| format!(", {a} days old")).unwrap_or_default();
                format!("version {} ({} entries), released {}{age}", k.version, k.entries, k.released)
            },
        ),
    );
    let pin = match (&p.toolchain.pinned, p.toolchain.matches_pin) {
        (Some(pin), Some(true)) => format!("; pinned {pin} (the one that ran)"),
        (Some(pin), Some(false)) => format!("; pinned {pin}, which is NOT the one that ran"),
        (Some(pin), None) => format!("; rust-toolchain.toml names {pin}"),
        (None, _) => "; no rust-toolchain.toml".to_owned(),
    };
    row(
        out,
        "Toolchain",
        format!(
            "{}; {}{pin}",
            p.toolchain.rustc.as_deref().unwrap_or("rustc: unknown"),
            p.toolchain.cargo.as_deref().unwrap_or("cargo: unknown")
        ),
    );
    row(
        out,
        "Source",
        p.git.as_ref().map_or_else(
            || "not a git work tree".to_owned(),
            |g| {
                format!(
                    "commit `{}`{}",
                    g.commit.as_deref().unwrap_or("none"),
                    if g.dirty {
                        format!(", {} uncommitted changes", g.changed_paths)
                    } else {
                        ", clean".to_owned()
                    }
                )
            },
        ),
    );
    out.push('\n');
}

fn subject(f: &Finding) -> String {
    match (&f.package, &f.member) {
        (Some(p), _) => format!("{} {}", p.name, p.version),
        (None, Some(m)) => format!("member {m}"),
        (None, None) => "-".to_owned(),
    }
}

/// The section of a gate that was not evaluated: why, line by line, and what to do.
fn not_evaluated(out: &mut String, gate: &GateRun, reason: &str) {
    let _ = writeln!(out, "## Gate `{}`: NOT EVALUATED\n", gate.gate);
    let _ = writeln!(out, "The gate could not be evaluated, so nothing it checks is vouched for:\n");
    for line in reason.lines() {
        let _ = writeln!(out, "{}", format!("> {}", cell(line)).trim_end());
    }
    let _ = writeln!(out, "\nTo do: {}.\n", not_evaluated_help(gate.gate));
}

fn gate_table(out: &mut String, report: &Report, gate: Gate) {
    let findings: Vec<&Finding> = report.findings.iter().filter(|f| f.gate == gate).collect();
    let deny = findings.iter().filter(|f| f.level == Level::Deny).count();
    let status = if deny == 0 { "pass" } else { "FAIL" };
    let _ = writeln!(out, "## Gate `{gate}`: {status}\n");
    if findings.is_empty() {
        let _ = writeln!(out, "No findings.\n");
        return;
    }
    if gate == Gate::Lints {
        return per_member(out, &findings);
    }
    findings_table(out, &findings);
}

/// The lints gate's findings, one table per member (findings that name several members, or none,
/// last).
fn per_member(out: &mut String, findings: &[&Finding]) {
    let mut groups: std::collections::BTreeMap<Option<&str>, Vec<&Finding>> =
        std::collections::BTreeMap::new();
    for f in findings {
        groups.entry(f.member.as_deref()).or_default().push(f);
    }
    let shared = groups.remove(&None);
    for (member, list) in groups.iter().map(|(m, l)| (m.unwrap_or_default(), l)) {
        let _ = writeln!(out, "### Member `{}`\n", cell(member));
        findings_table(out, list);
    }
    if let Some(list) = shared {
        let _ = writeln!(out, "### Several members, or the policy and configuration\n");
        findings_table(out, &list);
    }
}

fn findings_table(out: &mut String, findings: &[&Finding]) {
    let _ = writeln!(out, "| level | code | subject | finding | where |\n|---|---|---|---|---|");
    for f in findings {
        let at = f
            .location
            .as_ref()
            .map(|l| format!("{}{}", l.file, l.line.map(|n| format!(":{n}")).unwrap_or_default()))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            f.level.as_str(),
            f.code,
            cell(&subject(f)),
            cell(&f.message),
            cell(&at)
        );
    }
    out.push('\n');
}

fn waivers(out: &mut String, report: &Report) {
    let waived: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.exception.is_some() && f.advisory.is_some() && f.level == Level::Excepted)
        .collect();
    let _ = writeln!(out, "## Waivers\n");
    if waived.is_empty() {
        let _ = writeln!(out, "No finding is waived.\n");
        return;
    }
    let _ = writeln!(
        out,
        "| advisory | subject | reason | VEX state | justification | approved by | expires | policy line |\n|---|---|---|---|---|---|---|---|"
    );
    for f in waived {
        let Some(e) = &f.exception else { continue };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {}:{} |",
            cell(&e.id),
            cell(&subject(f)),
            cell(&e.reason),
            cell(e.state.as_deref().unwrap_or("-")),
            cell(e.justification.as_deref().unwrap_or("-")),
            cell(e.approved_by.as_deref().unwrap_or("-")),
            cell(e.expires.as_deref().unwrap_or("none")),
            cell(&e.location.file),
            e.location.line.unwrap_or(0)
        );
    }
    out.push('\n');
}

fn deviations(out: &mut String, report: &Report) {
    let documented: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| {
            f.gate == Gate::Lints
                && f.level == Level::Excepted
                && matches!(f.code, Code::LintOverridden | Code::LintTooWeak)
        })
        .collect();
    let _ = writeln!(out, "## Documented lint deviations\n");
    if documented.is_empty() {
        let _ = writeln!(out, "None.\n");
        return;
    }
    let _ =
        writeln!(out, "| member | lint | required | actual | where | reason |\n|---|---|---|---|---|---|");
    for f in documented {
        let at =
            f.location.as_ref().map(|l| format!("{}:{}", l.file, l.line.unwrap_or(0))).unwrap_or_default();
        let reason = f.exception.as_ref().map(|e| e.reason.as_str()).unwrap_or("");
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} |",
            cell(f.member.as_deref().unwrap_or("-")),
            cell(f.lint.as_deref().unwrap_or("-")),
            cell(f.required.as_deref().unwrap_or("-")),
            cell(f.actual.as_deref().unwrap_or("-")),
            cell(&at),
            cell(reason)
        );
    }
    out.push('\n');
}

fn support_table(out: &mut String, title: &str, rows: &[&Row]) {
    let _ = writeln!(out, "## {title}\n");
    if rows.is_empty() {
        let _ = writeln!(out, "None.\n");
        return;
    }
    let _ = writeln!(
        out,
        "| component | version | relation | licence | level of support | end of support | justification | source | assessed | vulnerabilities |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    let dash = |s: &str| if s.is_empty() { "-".to_owned() } else { cell(s) };
    for r in rows {
        let justification = match (r.justification.is_empty(), r.support_gap.is_empty()) {
            (true, false) => format!("**none**: {}", cell(&r.support_gap)),
            _ => dash(&r.justification),
        };
        let assessed = match (r.assessed.is_empty(), r.assessed_by.is_empty()) {
            (false, false) => format!("{} by {}", cell(&r.assessed), cell(&r.assessed_by)),
            _ => dash(&format!("{}{}", r.assessed, r.assessed_by)),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {justification} | {} | {assessed} | {} |",
            cell(&r.name),
            dash(&r.version),
            cell(&r.relation),
            dash(&r.license),
            if r.level.is_empty() { "**none**".to_owned() } else { cell(&r.level) },
            dash(&r.end_of_support),
            dash(&r.support_source),
            if r.vulnerabilities.is_empty() { "-".to_owned() } else { cell(&r.vulnerabilities.join(", ")) }
        );
    }
    out.push('\n');
}
