//! Other tools' configuration in the workspace: cargo-audit's `.cargo/audit.toml` and
//! cargo-deny's `deny.toml` (or `.deny.toml`, `.cargo/deny.toml`), read into what `spdf.toml`
//! can say. `cargo spdf init --import` writes it into the new policy; `check` compares their
//! ignored advisories with the policy's waivers, since the gate does not honour another tool's
//! ignores.
//!
//! These files are not cargo-spdf's input: a key this reader does not know is not an error but
//! an entry of [`ToolConfig::skipped`], and so is every value `spdf.toml` cannot say the same
//! way (a ban with `wrappers`, an ignored yanked version, `[graph] targets`). Only what either
//! tool would itself reject (a TOML syntax error, a value of the wrong type) makes a file
//! unreadable.

pub mod audit;
pub mod deny;

use crate::policy::AdvisoryKind;
use crate::toml_file::TomlFile;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

/// The tool a configuration file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tool {
    /// cargo-audit (`.cargo/audit.toml`).
    CargoAudit,
    /// cargo-deny (`deny.toml`).
    CargoDeny,
}

impl Tool {
    /// The tool's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CargoAudit => "cargo-audit",
            Self::CargoDeny => "cargo-deny",
        }
    }

    /// Where the tool looks for its file at the workspace root, in the order it looks; the first
    /// that exists is the one it reads.
    fn places(self) -> &'static [&'static str] {
        match self {
            Self::CargoAudit => &[".cargo/audit.toml"],
            Self::CargoDeny => &["deny.toml", ".deny.toml", ".cargo/deny.toml"],
        }
    }
}

/// A value taken from the file, with the line it is on and, where the translation is not the
/// value as written, what was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<T> {
    /// The value, in `spdf.toml`'s terms.
    pub value: T,
    /// 1-based line in the file.
    pub line: usize,
    /// What the file says, when it differs from `value` (`[sources.allow-org] github`).
    pub note: Option<String>,
}

/// An advisory the tool ignores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// The advisory id (RUSTSEC-, CVE- or GHSA-).
    pub id: String,
    /// Why, when the file says.
    pub reason: Option<String>,
    /// 1-based line in the file.
    pub line: usize,
}

/// A banned crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    /// Crate name.
    pub name: String,
    /// Version requirement (every version when absent), as `semver` parses it.
    pub version: Option<String>,
    /// Why, and what to use instead, when the file says.
    pub reason: Option<String>,
    /// 1-based line in the file.
    pub line: usize,
}

/// Something in the file that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// 1-based line in the file.
    pub line: usize,
    /// What it is: a key (`[bans] multiple-versions`) or an entry.
    pub what: String,
    /// Why `spdf.toml` does not say it.
    pub why: String,
}

/// One tool's file, in `spdf.toml`'s terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolConfig {
    /// The tool.
    pub tool: Tool,
    /// The file, relative to the workspace root (`.cargo/audit.toml`).
    pub file: String,
    /// Ignored advisories, in file order.
    pub ignores: Vec<Ignore>,
    /// Advisory kinds the file makes fail.
    pub deny: Vec<Item<AdvisoryKind>>,
    /// Vulnerabilities scored below this are not failures (`none` ... `critical`).
    pub severity_threshold: Option<Item<String>>,
    /// Banned crates.
    pub bans: Vec<Ban>,
    /// Allowed licences (SPDX identifiers), when the file has an allow list.
    pub licenses: Option<Vec<Item<String>>>,
    /// Allowed registries (`crates-io` or index URLs), when the file lists them.
    pub registries: Option<Vec<Item<String>>>,
    /// Allowed git URL prefixes.
    pub git: Vec<Item<String>>,
    /// What was not imported, by line.
    pub skipped: Vec<Skipped>,
}

/// A file that exists but could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The file, relative to the workspace root.
    pub file: String,
    /// What went wrong, with the line and column where there is one.
    pub reason: String,
}

/// Every tool file at the workspace root (at most one per tool): read, or why not.
pub fn load(root: &Path) -> Vec<Result<ToolConfig, Unreadable>> {
    [Tool::CargoAudit, Tool::CargoDeny]
        .into_iter()
        .filter_map(|tool| {
            let rel = tool.places().iter().find(|rel| root.join(rel).is_file())?;
            Some(read(tool, &root.join(rel), root))
        })
        .collect()
}

/// Reads one tool's file.
pub fn read(tool: Tool, path: &Path, root: &Path) -> Result<ToolConfig, Unreadable> {
    let name = crate::paths::relative_to(path, root).unwrap_or_else(|| path.display().to_string());
    let file = TomlFile::read(path, root)
        .map_err(|e| Unreadable { file: name.clone(), reason: format!("{e:#}") })?;
    let parsed = match tool {
        Tool::CargoAudit => audit::read(&file),
        Tool::CargoDeny => deny::read(&file),
    };
    parsed.map_err(|e| Unreadable {
        file: name.clone(),
        reason: format!("{name}:{}:{}: {}", e.line, e.column, e.message),
    })
}

impl ToolConfig {
    /// The ignored advisories none of `waived` covers; `same` says whether two ids name the
    /// same advisory (an id and one of its aliases).
    pub fn unwaived<'a>(&'a self, waived: &[&str], same: impl Fn(&str, &str) -> bool) -> Vec<&'a str> {
        let mut ids: Vec<&str> = self
            .ignores
            .iter()
            .map(|i| i.id.as_str())
            .filter(|id| !waived.iter().any(|w| w == id || same(id, w)))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// What `check` says about the other tools' files: for each, the advisories it ignores that
/// `policy` (the policy's name) does not waive, or that it could not be read. `waived` and `same`
/// are as for [`ToolConfig::unwaived`].
pub fn notes(
    found: &[Result<ToolConfig, Unreadable>],
    policy: &str,
    waived: &[&str],
    same: impl Fn(&str, &str) -> bool,
) -> Vec<String> {
    found
        .iter()
        .filter_map(|f| match f {
            Ok(config) => {
                let ids = config.unwaived(waived, &same);
                (!ids.is_empty()).then(|| {
                    format!(
                        "{} ignores {}, which {policy} does not waive: the gate does not honour {}'s ignores, so their findings stand (`cargo spdf init --import` turns them into waivers to complete)",
                        config.file,
                        ids.join(", "),
                        config.tool.as_str()
                    )
                })
            }
            Err(e) => Some(format!(
                "{} could not be read, so the advisories it ignores were not compared with {policy}: {}",
                e.file, e.reason
            )),
        })
        .collect()
}

/// Builds a [`ToolConfig`] while a format's reader walks its file: lines from spans, the keys
/// it translated, and what it could not.
pub(crate) struct Collect<'a> {
    file: &'a TomlFile,
    config: ToolConfig,
    handled: BTreeSet<&'static str>,
}

impl<'a> Collect<'a> {
    pub(crate) fn new(tool: Tool, file: &'a TomlFile) -> Self {
        let config = ToolConfig {
            tool,
            file: file.report_name.clone(),
            ignores: Vec::new(),
            deny: Vec::new(),
            severity_threshold: None,
            bans: Vec::new(),
            licenses: None,
            registries: None,
            git: Vec::new(),
            skipped: Vec::new(),
        };
        Collect { file, config, handled: BTreeSet::new() }
    }

    /// The 1-based line of a span.
    pub(crate) fn line(&self, span: &Range<usize>) -> usize {
        self.file.line_col(span.start).0
    }

    /// Marks a key (`section.key`) as dealt with: translated, or skipped with its own entry.
    pub(crate) fn handle(&mut self, key: &'static str) {
        self.handled.insert(key);
    }

    /// Records something that was not imported.
    pub(crate) fn skip(&mut self, span: &Range<usize>, what: impl Into<String>, why: impl Into<String>) {
        let line = self.line(span);
        self.config.skipped.push(Skipped { line, what: what.into(), why: why.into() });
    }

    /// An ignored advisory; an id `spdf.toml` cannot name is skipped.
    pub(crate) fn ignore(&mut self, span: &Range<usize>, id: &str, reason: Option<&str>) {
        let id = id.trim();
        if !crate::policy::is_advisory_id(id) {
            self.skip(
                span,
                format!("ignore of \"{id}\""),
                "not a RUSTSEC, CVE or GHSA id, which is what a spdf.toml waiver names",
            );
            return;
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        let line = self.line(span);
        self.config.ignores.push(Ignore { id: id.to_owned(), reason, line });
    }

    /// An advisory kind the file makes fail.
    pub(crate) fn deny(&mut self, span: &Range<usize>, kind: AdvisoryKind, note: String) {
        let line = self.line(span);
        if !self.config.deny.iter().any(|d| d.value == kind) {
            self.config.deny.push(Item { value: kind, line, note: Some(note) });
        }
    }

    /// The config being built, to fill in the sections without a helper of their own.
    pub(crate) fn config(&mut self) -> &mut ToolConfig {
        &mut self.config
    }

    /// The finished config: every key of the file not handled is skipped with `why`'s reason.
    pub(crate) fn finish(mut self, why: impl Fn(&str) -> &'static str) -> ToolConfig {
        for (key, span) in keys(&self.file.text) {
            if !self.handled.contains(key.as_str()) {
                let what = match key.split_once('.') {
                    Some((section, rest)) => format!("[{section}] {rest}"),
                    None => key.clone(),
                };
                self.skip(&span, what, why(&key));
            }
        }
        self.config.skipped.sort();
        self.config
    }
}

/// Every key of a TOML document down to `section.key`, with its span.
fn keys(text: &str) -> Vec<(String, Range<usize>)> {
    use toml::de::{DeTable, DeValue};
    let Ok(doc) = DeTable::parse(text) else { return Vec::new() };
    let mut out = Vec::new();
    for (key, value) in doc.get_ref() {
        match value.get_ref() {
            DeValue::Table(table) => {
                out.extend(
                    table.iter().map(|(k, _)| (format!("{}.{}", key.get_ref(), k.get_ref()), k.span())),
                );
            }
            _ => out.push((key.get_ref().to_string(), key.span())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_go_down_to_the_section_level() {
        let text = "targets = []\n[bans]\nmultiple-versions = \"warn\"\nbuild.executables = \"deny\"\n[[bans.skip]]\nname = \"x\"\n";
        let mut keys: Vec<String> = keys(text).into_iter().map(|(k, _)| k).collect();
        keys.sort();
        assert_eq!(keys, ["bans.build", "bans.multiple-versions", "bans.skip", "targets"]);
    }

    #[test]
    fn unwaived_ignores_leave_out_ids_and_aliases_the_policy_waives() {
        let config = ToolConfig {
            ignores: ["RUSTSEC-2099-0001", "RUSTSEC-2099-0002", "RUSTSEC-2099-0003", "RUSTSEC-2099-0001"]
                .iter()
                .map(|id| Ignore { id: (*id).to_owned(), reason: None, line: 1 })
                .collect(),
            ..Collect::new(
                Tool::CargoAudit,
                &TomlFile::from_text(Path::new("/a"), Path::new("/"), String::new()),
            )
            .config
        };
        let same = |a: &str, b: &str| a == "RUSTSEC-2099-0002" && b == "CVE-2099-0002";
        assert_eq!(config.unwaived(&["RUSTSEC-2099-0003", "CVE-2099-0002"], same), ["RUSTSEC-2099-0001"]);
    }
}
