//! The `[lints]` table of a member's manifest (or the `[workspace.lints]` it inherits with
//! `workspace = true`), turned into the flags cargo passes to rustc and clippy, in cargo's order:
//! by priority ascending, then lint name descending (so at equal priority a group such as `all`
//! comes last and overrides its members), each with the manifest line it comes from.

use super::{LintLevel, with_tool};
use crate::finding::Location;
use crate::toml_file::{SpannedError, TomlFile};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One `--<level>=<lint>` flag from a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintFlag {
    /// Normalized lint or group name.
    pub lint: String,
    /// Level.
    pub level: LintLevel,
    /// Priority.
    pub priority: i64,
    /// The manifest line.
    pub location: Location,
}

/// Where a member's lint levels come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintsSource {
    /// Its own `[lints]` table.
    Own,
    /// `[lints] workspace = true`: the root manifest's `[workspace.lints]`.
    Workspace,
    /// No `[lints]` table (a member inherits nothing without `workspace = true`).
    None,
}

/// A member's manifest lint flags.
#[derive(Debug, Clone)]
pub struct MemberLints {
    /// Flags in the order cargo passes them.
    pub flags: Vec<LintFlag>,
    /// Where they come from.
    pub source: LintsSource,
    /// The line that decides the source (`[lints]`, or `workspace = true`).
    pub location: Option<Location>,
    /// The table the flags come from: the member's `[lints]`, or the root's `[workspace.lints]`.
    pub table: Option<Location>,
}

/// Reads a member's lint flags; `root` is the workspace root manifest.
pub fn member_lints(member: &TomlFile, root: &TomlFile) -> Result<MemberLints, SpannedError> {
    let doc = parse(member)?;
    let Some(lints) = doc.get_ref().get("lints") else {
        return Ok(MemberLints { flags: Vec::new(), source: LintsSource::None, location: None, table: None });
    };
    let Some(table) = lints.get_ref().as_table() else {
        return Err(member.error(&lints.span(), "`lints` must be a table"));
    };
    if let Some(ws) = table.get("workspace") {
        if ws.get_ref().as_bool() != Some(true) {
            return Err(member.error(&ws.span(), "`lints.workspace` must be `true` (cargo rejects `false`)"));
        }
        let location = Some(member.location(&ws.span()));
        let root_doc = parse(root)?;
        let inherited = root_doc
            .get_ref()
            .get("workspace")
            .and_then(|w| w.get_ref().as_table())
            .and_then(|w| w.get("lints"));
        let table = inherited.map(|l| root.location(&l.span()));
        let Some(inherited) = inherited.and_then(|l| l.get_ref().as_table()) else {
            return Err(member.error(
                &ws.span(),
                "`lints.workspace = true` but the root manifest has no [workspace.lints]",
            ));
        };
        return Ok(MemberLints {
            flags: flags(root, inherited)?,
            source: LintsSource::Workspace,
            location,
            table,
        });
    }
    Ok(MemberLints {
        flags: flags(member, table)?,
        source: LintsSource::Own,
        location: Some(member.location(&lints.span())),
        table: Some(member.location(&lints.span())),
    })
}

fn parse(file: &TomlFile) -> Result<Spanned<DeTable<'_>>, SpannedError> {
    DeTable::parse(&file.text).map_err(|e| file.toml_error(&e))
}

/// The flags of a `[lints]`-shaped table (`tool -> lint -> level | {level, priority}`), sorted.
fn flags(file: &TomlFile, table: &DeTable<'_>) -> Result<Vec<LintFlag>, SpannedError> {
    let mut out: Vec<(i64, std::cmp::Reverse<String>, LintFlag)> = Vec::new();
    for (tool, entries) in table {
        if tool.get_ref().as_ref() == "workspace" {
            continue;
        }
        let Some(entries) = entries.get_ref().as_table() else {
            return Err(file.error(&entries.span(), format!("`lints.{}` must be a table", tool.get_ref())));
        };
        for (name, spec) in entries {
            let (level, priority) = level_and_priority(file, spec)?;
            let flag = LintFlag {
                lint: with_tool(tool.get_ref(), name.get_ref()),
                level,
                priority,
                location: file.location(&name.span()),
            };
            out.push((priority, std::cmp::Reverse(name.get_ref().to_string()), flag));
        }
    }
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Ok(out.into_iter().map(|(_, _, f)| f).collect())
}

fn level_and_priority(
    file: &TomlFile,
    spec: &Spanned<DeValue<'_>>,
) -> Result<(LintLevel, i64), SpannedError> {
    let bad = || file.error(&spec.span(), "expected a lint level or { level = ..., priority = ... }");
    match spec.get_ref() {
        DeValue::String(s) => Ok((LintLevel::parse(s).ok_or_else(bad)?, 0)),
        DeValue::Table(t) => {
            let level = t
                .get("level")
                .and_then(|l| l.get_ref().as_str())
                .and_then(LintLevel::parse)
                .ok_or_else(bad)?;
            let priority = match t.get("priority") {
                None => 0,
                Some(p) => {
                    p.get_ref().as_integer().and_then(|i| i.as_str().parse::<i64>().ok()).ok_or_else(bad)?
                }
            };
            Ok((level, priority))
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn file(name: &str, text: &str) -> TomlFile {
        TomlFile::from_text(&Path::new("/ws").join(name), Path::new("/ws"), text.to_owned())
    }

    #[test]
    fn cargo_order_is_priority_then_name_descending() {
        let m = file(
            "Cargo.toml",
            "[package]\nname = \"a\"\n[lints.clippy]\nunwrap_used = \"warn\"\npedantic = \"deny\"\ncast_possible_truncation = \"allow\"\nall = \"warn\"\n",
        );
        let lints = member_lints(&m, &m).unwrap();
        let order: Vec<_> = lints.flags.iter().map(|f| (f.lint.as_str(), f.level)).collect();
        // As observed: --warn=clippy::unwrap_used --deny=clippy::pedantic --allow=clippy::cast_possible_truncation --warn=clippy::all
        assert_eq!(
            order,
            [
                ("clippy::unwrap_used", LintLevel::Warn),
                ("clippy::pedantic", LintLevel::Deny),
                ("clippy::cast_possible_truncation", LintLevel::Allow),
                ("clippy::all", LintLevel::Warn)
            ]
        );
        assert_eq!(lints.flags[0].location.line, Some(4));
    }

    #[test]
    fn priority_puts_groups_first_and_workspace_is_inherited() {
        let root = file(
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\"]\n[workspace.lints.rust]\nunsafe-code = \"forbid\"\n[workspace.lints.clippy]\ncorrectness = { level = \"deny\", priority = -1 }\nunwrap_used = \"deny\"\n",
        );
        let member = file("a/Cargo.toml", "[package]\nname = \"a\"\n[lints]\nworkspace = true\n");
        let lints = member_lints(&member, &root).unwrap();
        assert_eq!(lints.source, LintsSource::Workspace);
        let order: Vec<_> = lints.flags.iter().map(|f| f.lint.as_str()).collect();
        assert_eq!(order, ["clippy::correctness", "clippy::unwrap_used", "unsafe_code"]);
        assert_eq!(lints.flags[2].location, Location { file: "Cargo.toml".into(), line: Some(4) });
        let none = member_lints(&file("b/Cargo.toml", "[package]\nname = \"b\"\n"), &root).unwrap();
        assert_eq!(none.source, LintsSource::None);
    }

    #[test]
    fn invalid_tables_are_errors_with_lines() {
        let m = file("Cargo.toml", "[package]\nname = \"a\"\n[lints.rust]\nunsafe_code = \"sometimes\"\n");
        let err = member_lints(&m, &m).unwrap_err();
        assert_eq!(err.line, 4);
        let m = file("a/Cargo.toml", "[lints]\nworkspace = true\n");
        let root = file("Cargo.toml", "[workspace]\n");
        assert!(member_lints(&m, &root).unwrap_err().message.contains("no [workspace.lints]"));
    }
}
