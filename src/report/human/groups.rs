//! How the human report groups findings: one group per level and code, and in it one entry for
//! findings that read the same apart from the member or package they are about (so a setting
//! missing in 241 members is one entry naming them), with a member's many missing lints as one
//! block. Pure data: the layout is in the parent module.

use crate::finding::{Code, Finding, Level};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// More missing lints than this, in one member, are one block with a table to paste.
pub const SUMMARIZE_MISSING_LINTS_ABOVE: usize = 3;

/// What a finding is about, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// A workspace member, by name.
    Member(String),
    /// A package, as "name version".
    Package(String),
}

impl Subject {
    /// The subject of a finding: its package, else its member.
    pub fn of(f: &Finding) -> Option<Self> {
        match (&f.package, &f.member) {
            (Some(p), _) => Some(Self::Package(format!("{} {}", p.name, p.version))),
            (None, Some(m)) => Some(Self::Member(m.clone())),
            (None, None) => None,
        }
    }

    /// The name shown.
    pub fn name(&self) -> &str {
        match self {
            Self::Member(m) | Self::Package(m) => m,
        }
    }
}

/// One finding, or one member's missing lints shown as a block.
#[derive(Debug)]
pub struct Unit<'a> {
    /// What it is about.
    pub subject: Option<Subject>,
    /// The finding, or the block's findings (all `lint-missing`, one member).
    pub findings: Vec<&'a Finding>,
    /// Whether this is a block of missing lints.
    pub block: bool,
}

impl<'a> Unit<'a> {
    /// The finding that speaks for the unit.
    pub fn first(&self) -> &'a Finding {
        self.findings[0]
    }
}

/// Units that read the same but for their subject, shown once.
#[derive(Debug)]
pub struct Entry<'a> {
    /// In report order; never empty.
    pub units: Vec<Unit<'a>>,
}

impl<'a> Entry<'a> {
    /// The unit that speaks for the entry.
    pub fn first(&self) -> &Unit<'a> {
        &self.units[0]
    }

    /// The findings it stands for.
    pub fn count(&self) -> usize {
        self.units.iter().map(|u| u.findings.len()).sum()
    }
}

/// The findings of one code at one level.
#[derive(Debug)]
pub struct Group<'a> {
    /// Their level.
    pub level: Level,
    /// Their code.
    pub code: Code,
    /// Their entries, in report order.
    pub entries: Vec<Entry<'a>>,
}

impl Group<'_> {
    /// The findings in the group.
    pub fn count(&self) -> usize {
        self.entries.iter().map(Entry::count).sum()
    }

    /// The distinct subjects of its findings.
    pub fn subjects(&self) -> Vec<&Subject> {
        let mut all: Vec<&Subject> =
            self.entries.iter().flat_map(|e| &e.units).filter_map(|u| u.subject.as_ref()).collect();
        all.sort();
        all.dedup();
        all
    }
}

/// The groups of `findings`: warnings before errors (so errors end the report, nearest the
/// verdict), waived findings first of all; by gate and code within a level. In a group, the
/// entries of the most severe advisories (by CVSS score) come first, then those that stand for
/// the most findings, the rest in report order.
pub fn groups<'a>(findings: &[&'a Finding], blocks: bool) -> Vec<Group<'a>> {
    let mut by_code: BTreeMap<(u8, Code), Vec<&'a Finding>> = BTreeMap::new();
    for &f in findings {
        by_code.entry((rank(f.level), f.code)).or_default().push(f);
    }
    by_code
        .into_iter()
        .map(|((_, code), found)| {
            let level = found[0].level;
            let mut entries = entries(units(found, blocks));
            entries.sort_by(|a, b| score(b).total_cmp(&score(a)).then(b.count().cmp(&a.count())));
            Group { level, code, entries }
        })
        .collect()
}

/// The CVSS score of an entry's advisory; entries of the same score stay in report order.
fn score(entry: &Entry<'_>) -> f64 {
    entry.first().first().advisory.as_ref().and_then(|a| a.score).unwrap_or(-1.0)
}

/// Display order of the levels: waived, warnings, errors.
fn rank(level: Level) -> u8 {
    match level {
        Level::Excepted => 0,
        Level::Warn => 1,
        Level::Deny => 2,
    }
}

/// One unit per finding, except that a member with more than a few missing lints gets one
/// block for all of them (when `blocks`), where its first one was.
fn units(findings: Vec<&Finding>, blocks: bool) -> Vec<Unit<'_>> {
    let mut missing: BTreeMap<Option<Subject>, Vec<&Finding>> = BTreeMap::new();
    for &f in findings.iter().filter(|f| f.code == Code::LintMissing) {
        missing.entry(Subject::of(f)).or_default().push(f);
    }
    let mut out = Vec::new();
    for f in findings {
        let subject = Subject::of(f);
        let block = missing.get(&subject).filter(|all| blocks && all.len() > SUMMARIZE_MISSING_LINTS_ABOVE);
        match block {
            Some(all) if f.code == Code::LintMissing => {
                if std::ptr::eq(all[0], f) {
                    out.push(Unit { subject, findings: all.clone(), block: true });
                }
            }
            _ => out.push(Unit { subject, findings: vec![f], block: false }),
        }
    }
    out
}

/// Units with the same [`key`] as one entry, at the place of the first.
fn entries(units: Vec<Unit<'_>>) -> Vec<Entry<'_>> {
    let mut at: BTreeMap<Vec<Cow<'_, str>>, usize> = BTreeMap::new();
    let mut out: Vec<Entry<'_>> = Vec::new();
    for unit in units {
        let k = key(&unit);
        match at.get(&k) {
            Some(&i) => out[i].units.push(unit),
            None => {
                at.insert(k, out.len());
                out.push(Entry { units: vec![unit] });
            }
        }
    }
    out
}

/// What two units must share to be shown once: everything the entry shows but the subject
/// and the location. Borrowed from the findings where it can be: a large workspace's report
/// groups thousands of them.
fn key<'a>(unit: &Unit<'a>) -> Vec<Cow<'a, str>> {
    let f = unit.first();
    if unit.block {
        let mut lints: Vec<Cow<'a, str>> = unit
            .findings
            .iter()
            .map(|f| {
                format!("{}={}", f.lint.as_deref().unwrap_or(""), f.required.as_deref().unwrap_or("")).into()
            })
            .collect();
        lints.sort();
        lints.insert(0, "block".into());
        return lints;
    }
    let mut key: Vec<Cow<'a, str>> = vec![strip_subject(f).into()];
    key.extend(f.advisory.as_ref().map(|a| Cow::Borrowed(a.id.as_str())));
    if let Some(e) = f.exception.as_ref().filter(|_| f.level == Level::Excepted) {
        key.push(e.reason.as_str().into());
        key.push(format!("{:?} {:?} {:?}", e.state, e.expires, e.approved_by).into());
    }
    key.push("".into());
    let name = f.package.as_ref().map(|p| p.name.as_str()).or(f.member.as_deref()).unwrap_or("");
    key.extend(f.help.iter().map(|h| without_subject(h, name)));
    key
}

/// Help that names the subject (`packages = ["gimli"]`, `` `gimli` ``) with `{}` in its place,
/// so that it reads the same for every subject.
fn without_subject<'a>(help: &'a str, name: &str) -> Cow<'a, str> {
    if name.is_empty() {
        return help.into();
    }
    // From quote to quote rather than a substring search per help: the quotes are few, and a
    // large workspace has thousands of helps to compare.
    let bytes = help.as_bytes();
    let mut out = String::new();
    let (mut at, mut last) = (0, 0);
    while let Some(offset) = help[at..].find(['`', '"']) {
        let start = at + offset + 1;
        let end = start + name.len();
        if help[start..].starts_with(name) && bytes.get(end) == Some(&bytes[start - 1]) {
            out.push_str(&help[last..start]);
            out.push_str("{}");
            last = end;
            at = end;
        } else {
            at = start;
        }
    }
    if last == 0 {
        return help.into();
    }
    out.push_str(&help[last..]);
    out.into()
}

/// The message without the "name version: " or "member: " it starts with, which the entry
/// says otherwise.
pub fn strip_subject(f: &Finding) -> &str {
    let rest = match (&f.package, &f.member) {
        (Some(p), _) => f
            .message
            .strip_prefix(p.name.as_str())
            .and_then(|r| r.strip_prefix(' '))
            .and_then(|r| r.strip_prefix(p.version.as_str())),
        (None, Some(m)) => f.message.strip_prefix(m.as_str()),
        (None, None) => None,
    };
    rest.and_then(|r| r.strip_prefix(": ")).unwrap_or(&f.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(code: Code, member: &str, message: &str) -> Finding {
        let mut f = Finding::new(code, Level::Deny, format!("{member}: {message}"));
        f.member = Some(member.to_owned());
        f
    }

    fn missing(member: &str, lint: &str) -> Finding {
        let mut f = self::member(Code::LintMissing, member, &format!("`{lint}` is not set"));
        f.lint = Some(lint.to_owned());
        f.required = Some("deny".to_owned());
        f
    }

    #[test]
    fn repeats_across_members_are_one_entry() {
        let found: Vec<Finding> = ["a", "b", "c"]
            .iter()
            .map(|m| member(Code::BuildSetting, m, "`rust-version` is not set").help("set it"))
            .chain([member(Code::BuildSetting, "b", "`rust-version` 1.70 is below 1.81")])
            .collect();
        let refs: Vec<&Finding> = found.iter().collect();
        let groups = groups(&refs, true);
        assert_eq!(groups.len(), 1);
        let entries = &groups[0].entries;
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].units.len(), 3, "the entry that stands for the most findings first");
        assert_eq!(strip_subject(entries[0].first().first()), "`rust-version` is not set");
        assert_eq!(groups[0].count(), 4);
        assert_eq!(groups[0].subjects().len(), 3);
    }

    #[test]
    fn different_help_is_not_collapsed() {
        let a = member(Code::BuildSetting, "a", "x").help("one");
        let b = member(Code::BuildSetting, "b", "x").help("two");
        assert_eq!(groups(&[&a, &b], true)[0].entries.len(), 2);
    }

    #[test]
    fn many_missing_lints_are_one_block_and_blocks_collapse() {
        let lints = ["a", "b", "c", "d"];
        let found: Vec<Finding> =
            ["m1", "m2"].iter().flat_map(|m| lints.iter().map(move |l| missing(m, l))).collect();
        let few = [missing("m3", "a")];
        let refs: Vec<&Finding> = found.iter().chain(&few).collect();
        let groups = groups(&refs, true);
        let entries = &groups[0].entries;
        assert_eq!(entries.len(), 2, "{entries:#?}");
        assert!(entries[0].first().block);
        assert_eq!(entries[0].units.len(), 2);
        assert_eq!(entries[0].count(), 8);
        assert!(!entries[1].first().block);
        // Verbose: one by one, collapsed across members only.
        assert_eq!(super::groups(&refs, false)[0].entries.len(), 4);
    }

    #[test]
    fn help_that_names_the_package_reads_the_same_for_every_package() {
        let about = |name: &str, help: String| {
            Finding::new(Code::SupportMissing, Level::Warn, format!("{name} 1.0.0: no level"))
                .package(name, "1.0.0")
                .help(help)
        };
        let quoted = |n: &str| format!("add packages = [\"{n}\"], or replace `{n}`");
        let found = [
            about("serde", quoted("serde")),
            about("syn", quoted("syn")),
            // Named without quotes: the help differs, so the entry does.
            about("log", "update log".to_owned()),
            about("rand", "update rand".to_owned()),
        ];
        let refs: Vec<&Finding> = found.iter().collect();
        let groups = groups(&refs, true);
        let sizes: Vec<usize> = groups[0].entries.iter().map(|e| e.units.len()).collect();
        assert_eq!(sizes, [2, 1, 1]);
        assert_eq!(strip_subject(&found[0]), "no level");
        assert_eq!(
            without_subject("packages = [\"a\"], `a`, a, \"ab\"", "a"),
            "packages = [\"{}\"], `{}`, a, \"ab\""
        );
        assert!(matches!(without_subject("nothing here", "serde"), Cow::Borrowed(_)));
    }

    #[test]
    fn errors_come_last() {
        let deny = Finding::new(Code::Banned, Level::Deny, "x");
        let warn = Finding::new(Code::Yanked, Level::Warn, "y");
        let order: Vec<Level> = groups(&[&deny, &warn], true).iter().map(|g| g.level).collect();
        assert_eq!(order, [Level::Warn, Level::Deny]);
    }
}
