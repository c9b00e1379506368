//! `cargo spdf init --import`: cargo-audit's and cargo-deny's settings, merged and written as
//! `spdf.toml` entries in place of the template's commented examples. Every entry names the file
//! and line it comes from; what `spdf.toml` cannot say is listed at the top of the file.
//!
//! The other tools' ignores become waivers marked `imported = true`: neither tool records an
//! expiry (nor cargo-audit a reason), so each one warns, and fails the release stage, until the
//! team has assessed it, filled in `reason` and `expires` and removed the marker.

use super::quote;
use crate::load::imported::{Item, ToolConfig};
use crate::policy::AdvisoryKind;
use crate::text::inline;
use std::fmt::Write as _;

/// The imported settings of every file, merged.
#[derive(Debug, Clone, Default)]
pub struct Imports {
    /// The files read, in the order read.
    pub files: Vec<String>,
    /// Waivers, one per advisory id, sorted by id.
    pub waivers: Vec<Waiver>,
    /// Advisory kinds the files make fail, with where.
    pub deny: Vec<(AdvisoryKind, String)>,
    /// The lowest severity threshold, with where.
    pub severity_threshold: Option<(String, String)>,
    /// Bans, as inline tables, with where.
    pub bans: Vec<(String, String)>,
    /// Allowed licences, when a file has an allow list, with where.
    pub licenses: Option<Vec<(String, String)>>,
    /// Allowed registries, when a file lists them, with where.
    pub registries: Option<Vec<(String, String)>>,
    /// Allowed git URL prefixes, with where.
    pub git: Vec<(String, String)>,
    /// What was not imported: `file:line: what: why`, in file order.
    pub skipped: Vec<String>,
}

/// An advisory another tool ignores.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// The advisory id.
    pub id: String,
    /// The reasons the files give.
    pub reasons: Vec<String>,
    /// Where it is ignored (`deny.toml:14`).
    pub from: Vec<String>,
}

impl Imports {
    /// Merges the files' settings: one waiver per id, the first file's value where only one can stand.
    pub fn merge(configs: &[ToolConfig]) -> Self {
        let mut out = Imports::default();
        for c in configs {
            out.files.push(c.file.clone());
            out.add(c);
        }
        out.waivers.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    fn add(&mut self, c: &ToolConfig) {
        let at = |line: usize, note: &Option<String>| match note {
            Some(n) => format!("{}:{line} ({n})", c.file),
            None => format!("{}:{line}", c.file),
        };
        for ignore in &c.ignores {
            self.waiver(&ignore.id, ignore.reason.as_deref(), format!("{}:{}", c.file, ignore.line));
        }
        for d in &c.deny {
            if !self.deny.iter().any(|(k, _)| *k == d.value) {
                self.deny.push((d.value, at(d.line, &d.note)));
            }
        }
        if let Some(t) = &c.severity_threshold {
            let lower = self.severity_threshold.as_ref().is_none_or(|(v, _)| rank(&t.value) < rank(v));
            if lower {
                self.severity_threshold = Some((t.value.clone(), at(t.line, &t.note)));
            }
        }
        self.bans.extend(c.bans.iter().map(|b| (ban(b), format!("{}:{}", c.file, b.line))));
        extend_list(&mut self.licenses, c.licenses.as_deref(), &at);
        extend_list(&mut self.registries, c.registries.as_deref(), &at);
        let mut git = Some(std::mem::take(&mut self.git));
        extend_list(&mut git, Some(&c.git), &at);
        self.git = git.unwrap_or_default();
        self.skipped.extend(
            c.skipped
                .iter()
                .map(|s| inline(&format!("{}:{}: {}: {}", c.file, s.line, s.what, s.why)).into_owned()),
        );
    }

    fn waiver(&mut self, id: &str, reason: Option<&str>, from: String) {
        let index = match self.waivers.iter().position(|w| w.id == id) {
            Some(i) => i,
            None => {
                self.waivers.push(Waiver { id: id.to_owned(), reasons: Vec::new(), from: Vec::new() });
                self.waivers.len() - 1
            }
        };
        let w = &mut self.waivers[index];
        w.from.push(from);
        if let Some(r) = reason.filter(|r| !w.reasons.iter().any(|known| known == r)) {
            w.reasons.push(r.to_owned());
        }
    }

    /// How many entries were imported, for the summary line.
    pub fn summary(&self) -> String {
        let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = vec![count(self.waivers.len(), "waiver", "waivers")];
        parts.push(count(self.bans.len(), "ban", "bans"));
        parts.push(count(self.licenses.as_ref().map_or(0, Vec::len), "licence", "licences"));
        parts.push(count(self.registries.as_ref().map_or(0, Vec::len) + self.git.len(), "source", "sources"));
        format!("{} from {}", parts.join(", "), self.files.join(" and "))
    }

    /// The comment block at the top of the file: where the entries come from, and what was not imported.
    pub fn header(&self) -> String {
        let mut out = format!(
            "#\n# Imported from {}; each imported entry names the line it comes from.\n\
             # The gates do not honour those files' settings: from now on this file is the policy.\n",
            self.files.join(" and ")
        );
        if !self.skipped.is_empty() {
            out.push_str("#\n# Not imported (spdf.toml cannot say these the same way):\n");
            for s in &self.skipped {
                let _ = writeln!(out, "#   {s}");
            }
        }
        out
    }

    /// The `deny` line and the imported threshold and database age of `[advisories]`.
    pub fn advisory_settings(&self, profile_deny: &[AdvisoryKind], profile: &str) -> String {
        let mut kinds: Vec<AdvisoryKind> = profile_deny.to_vec();
        let added: Vec<&(AdvisoryKind, String)> =
            self.deny.iter().filter(|(k, _)| !kinds.contains(k)).collect();
        kinds.extend(added.iter().map(|(k, _)| *k));
        kinds.sort();
        let mut out = format!(
            "# The advisory kinds that fail the gate (the {profile} profile's); the other kinds warn.\n"
        );
        for (kind, from) in &added {
            let _ = writeln!(out, "# And `{}`, as in {}.", kind.as_str(), inline(from));
        }
        let names: Vec<String> = kinds.iter().map(|k| quote(k.as_str())).collect();
        let _ = writeln!(out, "deny = [{}]", names.join(", "));
        match &self.severity_threshold {
            Some((value, from)) => {
                let _ = write!(
                    out,
                    "# From {}: vulnerabilities scored below it warn (the other tool left them out).\n\
                     severity-threshold = {}\n",
                    inline(from),
                    quote(value)
                );
            }
            None => out.push_str(
                "# severity-threshold = \"medium\"     # vulnerabilities scored below it warn (default: all deny)\n",
            ),
        }
        out.push_str(
            "# max-db-age-days = 7               # an older database is a db-stale finding (default: no limit)\n",
        );
        out
    }

    /// The imported waivers, or `None` when there are none (the template's example stays).
    pub fn waivers(&self) -> Option<String> {
        if self.waivers.is_empty() {
            return None;
        }
        let mut out = String::from(
            "# Waivers imported from the advisories the other tools ignore. `imported = true` marks a waiver\n\
             # with no reason or no expiry yet: it warns, and fails the release stage, until you assess the\n\
             # finding, fill in `reason` and `expires` and remove the marker. Optional keys: package, state,\n\
             # justification, approved-by (see the README).\n",
        );
        for w in &self.waivers {
            let _ = write!(
                out,
                "\n# from {}\n[[advisories.exceptions]]\nid = {}\n",
                inline(&w.from.join(", ")),
                quote(&w.id)
            );
            if !w.reasons.is_empty() {
                let _ = writeln!(out, "reason = {}", quote(&w.reasons.join("; ")));
            }
            out.push_str("# expires = \"YYYY-MM-DD\"\nimported = true\n");
        }
        Some(out)
    }

    /// `[sources]`, when a file names registries or git sources.
    pub fn sources(&self) -> Option<String> {
        if self.registries.is_none() && self.git.is_empty() {
            return None;
        }
        let mut out = String::from("[sources]\n");
        match &self.registries {
            Some(list) => out.push_str(&array("allow-registries", list, &quote)),
            None => out.push_str("# allow-registries = [\"crates-io\"]     # default: crates.io only\n"),
        }
        if self.git.is_empty() {
            out.push_str("# allow-git = []                       # git URL prefixes (default: none); git sources must pin a rev\n");
        } else {
            out.push_str("# Git URL prefixes; git sources must also pin a rev.\n");
            out.push_str(&array("allow-git", &self.git, &quote));
        }
        out.push_str("# allow-external-paths = false         # path dependencies outside the workspace\n");
        Some(out)
    }

    /// `[bans]`, when a file bans crates.
    pub fn bans(&self) -> Option<String> {
        (!self.bans.is_empty())
            .then(|| format!("[bans]\n{}", array("deny", &self.bans, &|b: &str| b.to_owned())))
    }

    /// `[licenses]`, when a file has an allow list.
    pub fn licenses(&self) -> Option<String> {
        let list = self.licenses.as_ref()?;
        Some(format!(
            "[licenses]\n{}# exempt-members = true                # the workspace's own members are not checked\n",
            array("allow", list, &quote)
        ))
    }
}

/// A ban as an inline table.
fn ban(b: &crate::load::imported::Ban) -> String {
    let mut pairs = vec![format!("name = {}", quote(&b.name))];
    pairs.extend(b.version.as_ref().map(|v| format!("version = {}", quote(v))));
    pairs.extend(b.reason.as_ref().map(|r| format!("reason = {}", quote(r))));
    format!("{{ {} }}", pairs.join(", "))
}

/// Adds a file's list to the merged one, without repeats; `None` stays `None` when the file has
/// no list either.
fn extend_list(
    merged: &mut Option<Vec<(String, String)>>,
    list: Option<&[Item<String>]>,
    at: &impl Fn(usize, &Option<String>) -> String,
) {
    let Some(list) = list else { return };
    let merged = merged.get_or_insert_with(Vec::new);
    for item in list {
        if !merged.iter().any(|(v, _)| *v == item.value) {
            merged.push((item.value.clone(), at(item.line, &item.note)));
        }
    }
}

/// A multi-line array, one entry a line with a comment naming where it comes from.
fn array(key: &str, items: &[(String, String)], write: &dyn Fn(&str) -> String) -> String {
    if items.is_empty() {
        return format!("{key} = []\n");
    }
    let mut out = format!("{key} = [\n");
    for (value, from) in items {
        let _ = writeln!(out, "    {},   # {}", write(value), inline(from));
    }
    out.push_str("]\n");
    out
}

/// The place of a severity, lowest first.
fn rank(name: &str) -> usize {
    crate::load::imported::audit::SEVERITIES.iter().position(|s| *s == name).unwrap_or(0)
}
