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
//! - A gate that was not evaluated has a test case named after it with an `<error>` of type
//!   `not-evaluated`: the reason's first line as `message` and, as text, the whole reason line
//!   by line and what to do. `errors` counts those test cases.
//! - `tests` counts test cases and `failures` the test cases with at least one deny finding.
//! - Every string from an input is escaped as [`crate::text::inline`], so no input starts a line
//!   of its own, and nothing XML 1.0 forbids is ever written: the document stays well-formed.

use super::{Report, TOOL_NAME, not_evaluated_help, not_evaluated_message};
use crate::finding::{Finding, Gate, Level};
use crate::text;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// One `<testcase>`: a member, a package or the gate itself, and its findings.
struct Case<'a> {
    name: String,
    findings: Vec<&'a Finding>,
    /// Why the gate was not evaluated, on the gate's own test case.
    not_evaluated: Option<&'a str>,
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

    fn errors(&self) -> usize {
        self.cases.iter().filter(|c| c.not_evaluated.is_some()).count()
    }
}

/// Writes the JUnit XML document and a trailing newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let suites = suites(report);
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(Suite::failures).sum();
    let errors: usize = suites.iter().map(Suite::errors).sum();
    let mut w = Writer::new_with_indent(&mut *out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("testsuites")
        .with_attributes([
            ("name", TOOL_NAME),
            ("tests", &tests.to_string()),
            ("failures", &failures.to_string()),
            ("errors", &errors.to_string()),
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

/// A gate's findings grouped into test cases: members first, then packages, then the gate's
/// own, which also carries why the gate was not evaluated.
fn cases(report: &Report, gate: Gate) -> Vec<Case<'_>> {
    let reason = report.gates.iter().find(|g| g.gate == gate).and_then(|g| g.status.reason());
    let mut cases = finding_cases(report, gate);
    if let Some(reason) = reason {
        match cases.iter_mut().find(|c| c.name == gate.as_str()) {
            Some(own) => own.not_evaluated = Some(reason),
            None => cases.push(Case {
                name: gate.as_str().to_owned(),
                findings: Vec::new(),
                not_evaluated: Some(reason),
            }),
        }
    }
    cases
}

/// A gate's findings as test cases, or one passing test case named after the gate.
fn finding_cases(report: &Report, gate: Gate) -> Vec<Case<'_>> {
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
        return vec![Case { name: gate.as_str().to_owned(), findings: Vec::new(), not_evaluated: None }];
    }
    groups.into_iter().map(|((_, name), findings)| Case { name, findings, not_evaluated: None }).collect()
}

fn suite<W: Write>(w: &mut Writer<W>, suite: &Suite<'_>) -> io::Result<()> {
    w.create_element("testsuite")
        .with_attributes([
            ("name", suite.gate.as_str()),
            ("tests", &suite.cases.len().to_string()),
            ("failures", &suite.failures().to_string()),
            ("errors", &suite.errors().to_string()),
        ])
        .write_inner_content(|w| suite.cases.iter().try_for_each(|c| case(w, suite.gate, c)))?;
    Ok(())
}

fn case<W: Write>(w: &mut Writer<W>, gate: Gate, case: &Case<'_>) -> io::Result<()> {
    let element = w
        .create_element("testcase")
        .with_attributes([("classname", gate.as_str()), ("name", &*text::inline(&case.name))]);
    if case.findings.is_empty() && case.not_evaluated.is_none() {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|w| {
        if let Some(reason) = case.not_evaluated {
            let first = text::lines(reason).next().unwrap_or_default();
            let message = not_evaluated_message(gate, &first);
            let lines: Vec<String> =
                text::lines(reason).map(|l| format!("  {l}").trim_end().to_owned()).collect();
            let details = format!("{}\n  = help: {}", lines.join("\n"), not_evaluated_help(gate));
            w.create_element("error")
                .with_attributes([("message", message.as_str()), ("type", "not-evaluated")])
                .write_text_content(xml_text(&details))?;
        }
        for f in case.findings.iter().filter(|f| f.level == Level::Deny) {
            w.create_element("failure")
                .with_attributes([("message", &*text::inline(&f.message)), ("type", f.code.as_str())])
                .write_text_content(xml_text(&details(f)))?;
        }
        let others: Vec<String> =
            case.findings.iter().filter(|f| f.level != Level::Deny).map(|f| other(f)).collect();
        if !others.is_empty() {
            w.create_element("system-out").write_text_content(xml_text(&others.join("\n")))?;
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
/// per line, each string from an input escaped.
fn details(f: &Finding) -> String {
    let esc = |s: &str| text::inline(s).into_owned();
    let mut lines = vec![esc(&f.message)];
    if let Some(loc) = &f.location {
        let line = loc.line.map(|l| format!(":{l}")).unwrap_or_default();
        lines.push(format!("  --> {}{line}", esc(&loc.file)));
    }
    if let Some(a) = &f.advisory {
        let mut facts = vec![a.id.clone()];
        facts.extend(a.aliases.iter().cloned());
        if let (Some(score), Some(sev)) = (a.score, &a.severity) {
            facts.push(format!("CVSS {score:.1} ({sev})"));
        }
        facts.push(a.url.clone());
        lines.push(format!("  = {}", esc(&facts.join(", "))));
    }
    match f.exception.as_ref().filter(|_| f.level == Level::Excepted) {
        Some(e) => {
            let until = e.expires.as_ref().map(|d| format!(" (until {})", esc(d))).unwrap_or_default();
            lines.push(format!("  = waived: {}{until}", esc(&e.reason)));
        }
        None => lines.extend(f.help.iter().map(|h| format!("  = help: {}", esc(h)))),
    }
    lines.join("\n")
}

/// Element text: whatever XML 1.0 cannot carry escaped (nothing, once inputs are escaped), and
/// only `&`, `<` and `>` as entities (quotes need no escaping there).
fn xml_text(s: &str) -> BytesText<'static> {
    BytesText::from_escaped(quick_xml::escape::partial_escape(text::xml(s)).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Code;

    #[test]
    fn input_controls_are_escaped_and_the_document_stays_well_formed() {
        let f = Finding::new(Code::Banned, Level::Deny, "a\u{1b}[31mb\u{0}\u{fffe}\n<x>&")
            .package("p\u{7}", "1.0.0")
            .help("h\r\n");
        assert_eq!(details(&f), "a\\u{1b}[31mb\\u{0}\\u{fffe}\\u{a}<x>&\n  = help: h\\u{d}\\u{a}");
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out);
        let c = Case { name: "p\u{7} 1.0.0".into(), findings: vec![&f], not_evaluated: Some("x\u{1}") };
        case(&mut w, Gate::Bans, &c).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.chars().all(text::is_xml_char), "{xml:?}");
        assert!(xml.contains("name=\"p\\u{7} 1.0.0\""), "{xml}");
        assert!(xml.contains("&lt;x&gt;&amp;"), "{xml}");
        assert!(
            xml.contains("<error message=\"gate bans not evaluated: x\\u{1}\" type=\"not-evaluated\">"),
            "{xml}"
        );
    }
}
