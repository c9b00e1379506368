//! cargo-audit's `.cargo/audit.toml` (its `audit.toml.example` documents the format): the
//! ignored advisories, the severity threshold and the warnings `[output] deny` makes fail.
//! Database, output, target, binary-scanning and yanked-lookup settings are run options that
//! `cargo spdf` takes from its own flags.

use super::{Collect, Tool, ToolConfig};
use crate::policy::AdvisoryKind;
use crate::toml_file::{SpannedError, TomlFile};
use serde::Deserialize;
use toml::Spanned;

/// The file, as far as it is imported; other keys are listed by [`Collect::finish`].
#[derive(Debug, Default, Deserialize)]
struct AuditFile {
    advisories: Option<Advisories>,
    output: Option<Output>,
}

/// `[advisories]`.
#[derive(Debug, Default, Deserialize)]
struct Advisories {
    ignore: Option<Vec<Spanned<String>>>,
    severity_threshold: Option<Spanned<String>>,
}

/// `[output]`.
#[derive(Debug, Default, Deserialize)]
struct Output {
    deny: Option<Vec<Spanned<String>>>,
}

/// The CVSS severities cargo-audit's `severity_threshold` takes, which `spdf.toml` takes too.
pub const SEVERITIES: [&str; 5] = ["none", "low", "medium", "high", "critical"];

/// Reads the file; a syntax error or a value of the wrong type is an error, as in cargo-audit.
pub fn read(file: &TomlFile) -> Result<ToolConfig, SpannedError> {
    let raw: AuditFile = file.parse()?;
    let mut c = Collect::new(Tool::CargoAudit, file);
    let advisories = raw.advisories.unwrap_or_default();
    if let Some(ids) = advisories.ignore {
        c.handle("advisories.ignore");
        for id in &ids {
            c.ignore(&id.span(), id.get_ref(), None);
        }
    }
    if let Some(threshold) = advisories.severity_threshold {
        c.handle("advisories.severity_threshold");
        severity(&mut c, &threshold, "severity_threshold");
    }
    if let Some(deny) = raw.output.and_then(|o| o.deny) {
        c.handle("output.deny");
        for entry in &deny {
            output_deny(&mut c, entry);
        }
    }
    Ok(c.finish(why))
}

/// A severity threshold, when it is one `spdf.toml` knows.
pub(super) fn severity(c: &mut Collect<'_>, value: &Spanned<String>, key: &str) {
    let name = value.get_ref().trim().to_ascii_lowercase();
    if !SEVERITIES.contains(&name.as_str()) {
        c.skip(&value.span(), format!("{key} = \"{}\"", value.get_ref()), "not a CVSS severity");
        return;
    }
    let line = c.line(&value.span());
    let config = c.config();
    // Of two files, the lower threshold holds: it lets fewer vulnerabilities pass as warnings.
    let lower = config.severity_threshold.as_ref().is_none_or(|t| rank(&name) < rank(&t.value));
    if lower {
        config.severity_threshold = Some(super::Item { value: name, line, note: None });
    }
}

/// The place of a severity in [`SEVERITIES`].
fn rank(name: &str) -> usize {
    SEVERITIES.iter().position(|s| *s == name).unwrap_or(0)
}

/// One `[output] deny` entry: the warning kinds it makes fail.
fn output_deny(c: &mut Collect<'_>, entry: &Spanned<String>) {
    use AdvisoryKind::{Unmaintained, Unsound, Yanked};
    let kinds: &[AdvisoryKind] = match entry.get_ref().as_str() {
        "warnings" => &[Unmaintained, Unsound, Yanked],
        "unmaintained" => &[Unmaintained],
        "unsound" => &[Unsound],
        "yanked" => &[Yanked],
        other => {
            c.skip(
                &entry.span(),
                format!("[output] deny \"{other}\""),
                "not a warning kind cargo-audit knows",
            );
            return;
        }
    };
    for kind in kinds {
        c.deny(&entry.span(), *kind, format!("[output] deny \"{}\"", entry.get_ref()));
    }
}

/// Why a key of `audit.toml` is not imported.
fn why(key: &str) -> &'static str {
    match key {
        "advisories.informational_warnings" => {
            "cargo spdf reports every informational advisory: the kinds in [advisories] deny fail, the others warn"
        }
        "database.path" => {
            "a run option: give the database with --db or CARGO_SPDF_DB, or set [advisories] db"
        }
        "database.url" => "a run option: `cargo spdf db fetch --url URL` fetches from a mirror",
        "database.fetch" => {
            "cargo spdf fetches only a database that is missing from the default place, and never with --offline"
        }
        "database.stale" => "set [advisories] max-db-age-days for the oldest database the gate accepts",
        "output.format" | "output.quiet" | "output.show_tree" => "a run option: use --format and -q/-v",
        "yanked.enabled" => {
            "cargo spdf always looks up yanked versions: leave `yanked` out of [advisories] deny to make them warn"
        }
        "yanked.update_index" => "a run option: --offline leaves the index alone",
        "target.arch" | "target.os" => {
            "cargo spdf reports platform-specific advisories for every platform, naming the platform"
        }
        "binary.max_binary_size" | "binary.audit_data_size_limit" => {
            "cargo spdf audits the workspace, not built binaries"
        }
        _ => "not a setting of cargo-audit's audit.toml that cargo spdf knows",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> ToolConfig {
        read(&TomlFile::from_text(Path::new("/ws/.cargo/audit.toml"), Path::new("/ws"), text.into())).unwrap()
    }

    #[test]
    fn ignores_threshold_and_denied_warnings() {
        let c = parse(
            "[advisories]\nignore = [\"RUSTSEC-2099-0001\", \"not-an-id\"]\nseverity_threshold = \"medium\"\n\
             [output]\ndeny = [\"warnings\"]\nquiet = true\n",
        );
        assert_eq!(c.file, ".cargo/audit.toml");
        assert_eq!(c.ignores.len(), 1);
        assert_eq!((c.ignores[0].id.as_str(), c.ignores[0].line), ("RUSTSEC-2099-0001", 2));
        assert_eq!(c.severity_threshold.as_ref().map(|t| t.value.as_str()), Some("medium"));
        let kinds: Vec<_> = c.deny.iter().map(|d| d.value).collect();
        assert_eq!(kinds, [AdvisoryKind::Unmaintained, AdvisoryKind::Unsound, AdvisoryKind::Yanked]);
        let skipped: Vec<_> = c.skipped.iter().map(|s| (s.line, s.what.as_str())).collect();
        assert_eq!(skipped, [(2, "ignore of \"not-an-id\""), (6, "[output] quiet")]);
    }

    #[test]
    fn a_wrong_type_is_an_error_with_its_line() {
        let file = TomlFile::from_text(
            Path::new("/ws/.cargo/audit.toml"),
            Path::new("/ws"),
            "[advisories]\nignore = \"RUSTSEC-2099-0001\"\n".into(),
        );
        let err = read(&file).unwrap_err();
        assert_eq!(err.line, 2);
    }
}
