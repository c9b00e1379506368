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
//! Deny findings are `::error`, warnings `::warning`, waived findings `::notice` (with the
//! waiver's reason instead of the help). `file` is relative to the workspace root and is left
//! out, with `line`, when the finding has no location. The message is the finding's message
//! and its help lines. Escaping follows the runner's rules: `%`, CR and LF in the message;
//! those and `:` and `,` in property values.

use super::{Report, TOOL_NAME, full_message};
use crate::finding::{Finding, Level};
use std::io::{self, Write};

/// Writes one workflow command per finding and the summary line.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        writeln!(out, "{}", command(f))?;
    }
    writeln!(out, "::notice title={}::{}", escape_property(TOOL_NAME), escape_data(&summary(report)))
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
        properties.push(format!("file={}", escape_property(&loc.file)));
        properties.extend(loc.line.map(|l| format!("line={l}")));
    }
    properties.push(format!("title={}", escape_property(f.code.as_str())));
    format!("::{name} {}::{}", properties.join(","), escape_data(&full_message(f)))
}

/// "PASS: 0 denied, 2 warnings, 1 waived; gates: advisories; stage local, profile baseline".
fn summary(report: &Report) -> String {
    format!("{}: {}", report.verdict().to_uppercase(), report.counts_line())
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
             lib 1.0.0: 50%25 of inputs: overflow, maybe%0Ahelp: upgrade%0Anow"
        );
        assert!(!line.contains('\n'));
    }

    #[test]
    fn without_a_location_there_is_no_file() {
        let f = Finding::new(Code::DbStale, Level::Warn, "old");
        assert_eq!(command(&f), "::warning title=db-stale::old");
    }
}
