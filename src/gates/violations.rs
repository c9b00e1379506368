//! The lints gate's count of actual violations, after `check --run-clippy`: for each member and
//! each required lint clippy reports at its effective level, one `lint-violation` finding with
//! the count, how many more local attributes suppress, and the first place.
//!
//! A lint whose violations are all suppressed gets no finding here: the static part of the gate
//! already reports what suppresses it (`lint-overridden`, `lint-missing`), and the report's note
//! gives the counts.

use crate::finding::{Code, Finding, Level, Location};
use crate::lints::LintLevel;
use crate::lints::clippy_run::{ClippyRun, Violation, plural};
use crate::lints::toolchain::LintDb;
use crate::load::project::Project;
use crate::policy::LintsPolicy;
use std::collections::{BTreeMap, BTreeSet};

/// One finding per member and required lint with violations at the effective level.
pub fn check(project: &Project, policy: &LintsPolicy, run: &ClippyRun) -> Vec<Finding> {
    let mut findings = Vec::new();
    for member in &project.members {
        let name = member.member.name.as_str();
        let suppressed = by_lint(&run.suppressed, name);
        for (lint, found) in by_lint(&run.effective, name) {
            let Some(min) = minimum(policy, name, lint, &project.lintdb) else { continue };
            let hidden = suppressed.get(lint).map_or(0, Vec::len);
            findings.push(finding(name, lint, min, &found, hidden));
        }
    }
    findings
}

/// A member's violations, by lint, in file and line order.
fn by_lint<'v>(violations: &'v BTreeSet<Violation>, member: &str) -> BTreeMap<&'v str, Vec<&'v Violation>> {
    let mut out: BTreeMap<&str, Vec<&Violation>> = BTreeMap::new();
    for v in violations.iter().filter(|v| v.member == member) {
        out.entry(v.lint.as_str()).or_default().push(v);
    }
    out
}

/// The strongest minimum any requirement (a lint or a group holding it) sets for `lint` in the
/// member, after the policy's exceptions; `None` when that is `allow`.
fn minimum(policy: &LintsPolicy, member: &str, lint: &str, db: &LintDb) -> Option<LintLevel> {
    let required = policy.required.iter().filter(|r| db.contains(&r.lint, lint));
    required.map(|r| policy.minimum_for(member, r).0).max().filter(|min| *min > LintLevel::Allow)
}

/// "inherits: 3 violations of clippy::unwrap_used (and 12 suppressed by local attributes)",
/// deny for a lint required at deny or forbid, warn for one required at warn.
fn finding(member: &str, lint: &str, min: LintLevel, found: &[&Violation], suppressed: usize) -> Finding {
    let more = if suppressed > 0 {
        format!(" (and {suppressed} suppressed by local attributes)")
    } else {
        String::new()
    };
    let level = if min >= LintLevel::Deny { Level::Deny } else { Level::Warn };
    let first = found.first().map(|v| Location { file: v.file.clone(), line: Some(v.line) });
    let mut f = Finding::new(
        Code::LintViolation,
        level,
        format!("{member}: {} of {lint}{more}", plural(found.len(), "violation")),
    )
    .help(format!("`cargo clippy -p {member}` lists each one; fix them, or record a deviation with `#[expect({lint}, reason = \"...\")]` where the policy allows it"))
    .at(first);
    f.member = Some(member.to_owned());
    f.lint = Some(lint.to_owned());
    f.required = Some(min.to_string());
    f.actual = Some(found.len().to_string());
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violation(lint: &str, line: usize) -> Violation {
        Violation {
            member: "m".to_owned(),
            lint: lint.to_owned(),
            file: "m/src/lib.rs".to_owned(),
            line,
            column: 5,
        }
    }

    #[test]
    fn one_finding_with_the_count_and_the_first_place() {
        let (a, b) = (violation("clippy::unwrap_used", 9), violation("clippy::unwrap_used", 4));
        let mut found = vec![&b, &a];
        found.sort();
        let f = finding("m", "clippy::unwrap_used", LintLevel::Deny, &found, 12);
        assert_eq!(
            f.message,
            "m: 2 violations of clippy::unwrap_used (and 12 suppressed by local attributes)"
        );
        assert_eq!((f.level, f.code), (Level::Deny, Code::LintViolation));
        assert_eq!(f.location, Some(Location { file: "m/src/lib.rs".to_owned(), line: Some(4) }));
        assert_eq!((f.required.as_deref(), f.actual.as_deref()), (Some("deny"), Some("2")));
        let warn = finding("m", "unsafe_code", LintLevel::Warn, &found[..1], 0);
        assert_eq!((warn.level, warn.message.as_str()), (Level::Warn, "m: 1 violation of unsafe_code"));
    }
}
