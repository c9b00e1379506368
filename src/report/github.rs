//! `--format github`: GitHub Actions workflow commands, which the runner turns into annotations
//! on the pull request and the run summary.
//!
//! ## Wire format
//!
//! One line per finding, in report order, then a summary line:
//!
//! ```text
//! ::error file=Cargo.lock,line=61,title=vulnerability::vulnlib 1.0.0: Heap overflow …%0Ahelp: upgrade …
//! ::warning file=Cargo.lock,line=54,title=unmaintained::oldlib 0.1.0: oldlib is unmaintained …
//! ::notice file=Cargo.lock,line=80,title=vulnerability::winlib 0.2.0: … %0Awaived: the device does not run Windows
//! ::notice title=cargo-spdf::FAIL: 1 denied, 1 warning, 1 waived; gates: advisories; stage pre-merge, profile medical
//! ```
//!
//! A gate that was not evaluated comes first, as an `::error` of its own (GitHub shows only
//! the first annotations of a step), with the reason and what to do:
//!
//! ```text
//! ::error title=gate licenses not evaluated::gate licenses not evaluated: `cargo metadata` failed …%0Ahelp: …
//! ```
//!
//! Deny findings are `::error`, warnings `::warning`, waived findings `::notice` (with the
//! waiver's reason instead of the help). `file` is relative to the workspace root and is left
//! out, with `line`, when the finding has no location. The message is the finding's message
//! and its help lines. Every string from an input is first escaped as [`crate::text::inline`]
//! (so an input can neither end the command nor recolour the log); then the runner's rules
//! apply: `%`, CR and LF in the message; those and `:` and `,` in property values. Each line
//! of the output is one workflow command.

use super::{GateRun, Report, TOOL_NAME, message_lines, not_evaluated_help, not_evaluated_message};
use crate::finding::{Finding, Level};
use crate::text;
use std::io::{self, Write};

/// Writes one workflow command per gate not evaluated, one per finding, and the summary line.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for gate in report.not_evaluated() {
        writeln!(out, "{}", not_evaluated(gate))?;
    }
    for f in &report.findings {
        writeln!(out, "{}", command(f))?;
    }
    let (verdict, rest) = report.verdict_line();
    writeln!(
        out,
        "::notice title={}::{}",
        escape_property(TOOL_NAME),
        escape_data(&format!("{verdict}: {rest}"))
    )
}

/// The `::error` of a gate that was not evaluated; each line of the reason stays a line.
fn not_evaluated(gate: &GateRun) -> String {
    let reason: Vec<String> =
        text::lines(gate.status.reason().unwrap_or_default()).map(|l| l.into_owned()).collect();
    let message = format!(
        "{}\nhelp: {}",
        not_evaluated_message(gate.gate, &reason.join("\n")),
        not_evaluated_help(gate.gate)
    );
    let title = format!("gate {} not evaluated", gate.gate);
    format!("::error title={}::{}", escape_property(&title), escape_data(&message))
}

/// The workflow command of one finding.
fn command(f: &Finding) -> String {
    let name = match f.level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Excepted => "notice",
    };
    let mut properties = Vec::new();
    if let Some(loc) = f.location.as_ref().filter(|l| !l.is_environment()) {
        properties.push(format!("file={}", escape_property(&text::inline(&loc.file))));
        properties.extend(loc.line.map(|l| format!("line={l}")));
    }
    properties.push(format!("title={}", escape_property(f.code.as_str())));
    let message: Vec<String> = message_lines(f)
        .into_iter()
        .map(|(prefix, line)| format!("{prefix}{}", text::inline(line)))
        .collect();
    format!("::{name} {}::{}", properties.join(","), escape_data(&message.join("\n")))
}

/// Escapes a command's message (after `::`): `%`, CR, LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`): as [`escape_data`], and `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Code, Location};

    #[test]
    fn escaping_follows_the_runner() {
        let message = "100% sure: a, b\r\nc";
        assert_eq!(escape_data(message), "100%25 sure: a, b%0D%0Ac");
        assert_eq!(escape_property(message), "100%25 sure%3A a%2C b%0D%0Ac");
        // `%` first, so the escapes themselves are not escaped again.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn a_finding_becomes_one_line() {
        let f = Finding::new(Code::Vulnerability, Level::Deny, "lib 1.0.0: 50% of inputs: overflow, maybe")
            .help("upgrade\nnow")
            .at(Some(Location { file: "dir,with:odd/Cargo.lock".into(), line: Some(7) }));
        let line = command(&f);
        assert_eq!(
            line,
            "::error file=dir%2Cwith%3Aodd/Cargo.lock,line=7,title=vulnerability::\
             lib 1.0.0: 50%25 of inputs: overflow, maybe%0Ahelp: upgrade\\u{a}now",
            "a line break inside a help entry is the input's, escaped; between entries it is the format's"
        );
        assert!(!line.contains('\n'));
    }

    #[test]
    fn input_controls_are_escaped_before_the_runner_escapes() {
        let f = Finding::new(Code::Yanked, Level::Warn, "x\n::error::forged\r\u{1b}[2K")
            .at(Some(Location { file: "a\nb".into(), line: None }));
        assert_eq!(
            command(&f),
            "::warning file=a\\u{a}b,title=yanked::x\\u{a}::error::forged\\u{d}\\u{1b}[2K"
        );
    }

    #[test]
    fn a_gate_not_evaluated_is_an_error_with_each_line_of_its_reason() {
        let gate = GateRun::not_evaluated(
            crate::finding::Gate::Licenses,
            "`cargo metadata` failed:\nerror: no\u{1b}",
        );
        let line = not_evaluated(&gate);
        assert!(
            line.starts_with(
                "::error title=gate licenses not evaluated::gate licenses not evaluated: `cargo metadata` failed:%0Aerror: no\\u{1b}%0Ahelp: "
            ),
            "{line}"
        );
        assert!(!line.contains('\n'));
    }

    #[test]
    fn without_a_location_there_is_no_file() {
        let f = Finding::new(Code::DbStale, Level::Warn, "old");
        assert_eq!(command(&f), "::warning title=db-stale::old");
    }
}
