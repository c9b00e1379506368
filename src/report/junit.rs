//! `--format junit`: JUnit XML for CI test-report views (GitLab `artifacts:reports:junit`,
//! Jenkins, Azure Pipelines), so each gate shows up as a test suite.
//!
//! ## Wire format
//!
//! ```xml
//! <testsuites name="cargo-spdf" tests="…" failures="…" errors="0">
//!   <testsuite name="advisories" tests="…" failures="…" errors="0">
//!     <testcase classname="advisories" name="vulnlib 1.0.0">
//!       <failure message="…" type="vulnerability">details</failure>
//!       <system-out>warnings and waived findings</system-out>
//!     </testcase>
//!     <testcase classname="advisories" name="advisories"/>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! - One `<testsuite>` per gate that ran, named after the gate, in report order.
//! - In it, one `<testcase>` per workspace member (named after the member) and per package
//!   (`name version`) the gate has findings about, and one named after the gate for findings
//!   about neither (the policy's own, the database's). A gate without any finding has one
//!   passing test case named after it, so a green gate is visible.
//! - Each deny finding is a `<failure>` with the message, the finding code as `type` and the
//!   details as text; a test case with several deny findings has one `<failure>` for each.
//!   Warnings and waived findings (marked `waived`) go to the test case's `<system-out>` and
//!   do not fail it.
//! - `tests` counts test cases and `failures` the test cases with at least one deny finding.

use super::{Report, TOOL_NAME};
use crate::finding::{Finding, Gate, Level};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// One `<testcase>`: a member, a package or the gate itself, and its findings.
struct Case<'a> {
    name: String,
    findings: Vec<&'a Finding>,
}

impl Case<'_> {
    fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Deny)
    }
}

/// One `<testsuite>`: a gate and its test cases.
struct Suite<'a> {
    gate: Gate,
    cases: Vec<Case<'a>>,
}

impl Suite<'_> {
    fn failures(&self) -> usize {
        self.cases.iter().filter(|c| c.failed()).count()
    }
}

/// Writes the JUnit XML document and a trailing newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let suites = suites(report);
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(Suite::failures).sum();
    let mut w = Writer::new_with_indent(&mut *out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("testsuites")
        .with_attributes([
            ("name", TOOL_NAME),
            ("tests", &tests.to_string()),
            ("failures", &failures.to_string()),
            ("errors", "0"),
        ])
        .write_inner_content(|w| suites.iter().try_for_each(|s| suite(w, s)))?;
    out.write_all(b"\n")
}

/// The gates that ran (and any other gate a finding names), each with its test cases.
fn suites(report: &Report) -> Vec<Suite<'_>> {
    let gates: BTreeSet<Gate> =
        report.gates.iter().map(|g| g.gate).chain(report.findings.iter().map(|f| f.gate)).collect();
    gates.into_iter().map(|gate| Suite { gate, cases: cases(report, gate) }).collect()
}

/// A gate's findings grouped into test cases: members first, then packages, then the gate's own.
fn cases(report: &Report, gate: Gate) -> Vec<Case<'_>> {
    let mut groups: BTreeMap<(u8, String), Vec<&Finding>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.gate == gate) {
        let key = match (&f.package, &f.member) {
            (None, Some(m)) => (0, m.clone()),
            (Some(p), _) => (1, format!("{} {}", p.name, p.version)),
            (None, None) => (2, gate.as_str().to_owned()),
        };
        groups.entry(key).or_default().push(f);
    }
    if groups.is_empty() {
        return vec![Case { name: gate.as_str().to_owned(), findings: Vec::new() }];
    }
    groups.into_iter().map(|((_, name), findings)| Case { name, findings }).collect()
}

fn suite<W: Write>(w: &mut Writer<W>, suite: &Suite<'_>) -> io::Result<()> {
    w.create_element("testsuite")
        .with_attributes([
            ("name", suite.gate.as_str()),
            ("tests", &suite.cases.len().to_string()),
            ("failures", &suite.failures().to_string()),
            ("errors", "0"),
        ])
        .write_inner_content(|w| suite.cases.iter().try_for_each(|c| case(w, suite.gate, c)))?;
    Ok(())
}

fn case<W: Write>(w: &mut Writer<W>, gate: Gate, case: &Case<'_>) -> io::Result<()> {
    let element = w
        .create_element("testcase")
        .with_attributes([("classname", gate.as_str()), ("name", &*xml_attr(&case.name))]);
    if case.findings.is_empty() {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|w| {
        for f in case.findings.iter().filter(|f| f.level == Level::Deny) {
            w.create_element("failure")
                .with_attributes([("message", &*xml_attr(&f.message)), ("type", f.code.as_str())])
                .write_text_content(text(&details(f)))?;
        }
        let others: Vec<String> =
            case.findings.iter().filter(|f| f.level != Level::Deny).map(|f| other(f)).collect();
        if !others.is_empty() {
            w.create_element("system-out").write_text_content(text(&others.join("\n")))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// A warning or a waived finding, for `<system-out>`.
fn other(f: &Finding) -> String {
    let label = if f.level == Level::Excepted { "waived" } else { "warning" };
    format!("{label}[{}]: {}", f.code, details(f))
}

/// The message, then where, the advisory, and what to do (or, when waived, the waiver), one
/// per line.
fn details(f: &Finding) -> String {
    let mut lines = vec![f.message.clone()];
    if let Some(loc) = &f.location {
        let line = loc.line.map(|l| format!(":{l}")).unwrap_or_default();
        lines.push(format!("  --> {}{line}", loc.file));
    }
    if let Some(a) = &f.advisory {
        let mut facts = vec![a.id.clone()];
        facts.extend(a.aliases.iter().cloned());
        if let (Some(score), Some(sev)) = (a.score, &a.severity) {
            facts.push(format!("CVSS {score:.1} ({sev})"));
        }
        facts.push(a.url.clone());
        lines.push(format!("  = {}", facts.join(", ")));
    }
    match f.exception.as_ref().filter(|_| f.level == Level::Excepted) {
        Some(e) => {
            let until = e.expires.as_ref().map(|d| format!(" (until {d})")).unwrap_or_default();
            lines.push(format!("  = waived: {}{until}", e.reason));
        }
        None => lines.extend(f.help.iter().map(|h| format!("  = help: {h}"))),
    }
    lines.join("\n")
}

/// Element text, with only `&`, `<` and `>` escaped (quotes need no escaping there).
fn text(s: &str) -> BytesText<'static> {
    BytesText::from_escaped(quick_xml::escape::partial_escape(xml_text(s)).into_owned())
}

/// Text without the control characters XML 1.0 cannot carry, even escaped.
fn xml_text(s: &str) -> Cow<'_, str> {
    let allowed = |c: char| c >= ' ' || matches!(c, '\t' | '\n' | '\r');
    if s.chars().all(allowed) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if allowed(c) { c } else { '\u{fffd}' }).collect())
}

/// An attribute value: as [`xml_text`], on one line (parsers turn line breaks in attributes
/// into spaces anyway).
fn xml_attr(s: &str) -> Cow<'_, str> {
    match xml_text(s) {
        Cow::Borrowed(b) if !b.contains(['\n', '\r', '\t']) => Cow::Borrowed(b),
        other => Cow::Owned(other.replace(['\n', '\r', '\t'], " ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(xml_text("a\u{1b}[31mb\tc\n"), "a\u{fffd}[31mb\tc\n");
        assert_eq!(xml_attr("one\ntwo"), "one two");
        assert!(matches!(xml_text("plain <text> & more"), Cow::Borrowed(_)));
    }
}
