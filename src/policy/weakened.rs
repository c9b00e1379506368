//! How a pull request's policy is weaker than the base revision's: every requirement lowered or
//! dropped, every waiver, exception or allowance added. At `--stage pre-merge --base REV` the
//! base revision's policy is the one in force, and each of these is a `policy-weakened`
//! finding, so that a pull request cannot lower its own gate.

use super::{Exception, Policy};
use crate::finding::{Gate, Location};
use crate::lints::LintLevel;

/// One way the pull request's policy is weaker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weakening {
    /// The gate whose requirement it lowers.
    pub gate: Gate,
    /// What changed, for people.
    pub message: String,
    /// Where the pull request's policy says it, when known.
    pub location: Option<Location>,
}

fn weak(gate: Gate, message: String, location: Option<Location>) -> Weakening {
    Weakening { gate, message, location }
}

/// Everything `head` allows that `base` does not.
pub fn weakenings(base: &Policy, head: &Policy) -> Vec<Weakening> {
    let mut out = Vec::new();
    if base.profile != head.profile {
        out.push(weak(
            Gate::Lints,
            format!("the profile changes from {} to {}", base.profile, head.profile),
            None,
        ));
    }
    advisories(base, head, &mut out);
    lints(base, head, &mut out);
    build(base, head, &mut out);
    supply(base, head, &mut out);
    if head.members.tools.len() > base.members.tools.len()
        || head.members.tools.iter().any(|t| !base.members.tools.iter().any(|b| b.pattern == t.pattern))
    {
        let added: Vec<&str> = head
            .members
            .tools
            .iter()
            .filter(|t| !base.members.tools.iter().any(|b| b.pattern == t.pattern))
            .map(|t| t.pattern.as_str())
            .collect();
        out.push(weak(
            Gate::Lints,
            format!("members declared as tools that do not ship: {}", added.join(", ")),
            None,
        ));
    }
    let new_support = head.support.len().saturating_sub(base.support.len());
    if new_support > 0
        || head.support.iter().any(|s| {
            !base.support.iter().any(|b| {
                b.patterns == s.patterns && b.level == s.level && b.end_of_support == s.end_of_support
            })
        })
    {
        let at = head
            .support
            .iter()
            .find(|s| !base.support.iter().any(|b| b.patterns == s.patterns))
            .map(|s| s.location.clone());
        out.push(weak(Gate::Support, "[[support]] entries are added or changed".to_owned(), at));
    }
    out
}

fn advisories(base: &Policy, head: &Policy, out: &mut Vec<Weakening>) {
    let (b, h) = (&base.advisories, &head.advisories);
    for kind in b.deny.difference(&h.deny) {
        out.push(weak(
            Gate::Advisories,
            format!("advisories of kind `{}` no longer fail the gate", kind.as_str()),
            None,
        ));
    }
    if h.severity_threshold > b.severity_threshold {
        out.push(weak(
            Gate::Advisories,
            "the severity threshold is raised: more vulnerabilities only warn".to_owned(),
            None,
        ));
    }
    if looser(b.max_db_age_days, h.max_db_age_days) {
        out.push(weak(Gate::Advisories, "the advisory database may be older".to_owned(), None));
    }
    if looser(b.max_exception_days, h.max_exception_days) {
        out.push(weak(Gate::Advisories, "waivers may run longer (max-exception-days)".to_owned(), None));
    }
    if h.db != b.db {
        out.push(weak(Gate::Advisories, "the policy names another advisory database".to_owned(), None));
    }
    for e in h.exceptions.iter().filter(|e| !b.exceptions.iter().any(|old| same_waiver(old, e))) {
        let scope = e.package.as_ref().map(|p| format!(" for {}", p.name)).unwrap_or_default();
        let verb =
            if b.exceptions.iter().any(|old| old.id == e.id) { "is widened or extended" } else { "is added" };
        out.push(weak(
            Gate::Advisories,
            format!("a waiver of {}{scope} {verb}", e.id),
            Some(e.location.clone()),
        ));
    }
    if head.kev != base.kev {
        out.push(weak(Gate::Advisories, "the policy names another KEV catalog".to_owned(), None));
    }
}

/// A waiver that covers no more than an old one: the same id and scope, expiring no later.
fn same_waiver(old: &Exception, new: &Exception) -> bool {
    let expiry_ok = match (old.expires, new.expires) {
        (Some(o), Some(n)) => n <= o,
        (None, _) => true,
        (Some(_), None) => false,
    };
    old.id == new.id && old.package == new.package && expiry_ok
}

/// Whether a limit is looser in `head` (`None` is no limit).
fn looser(base: Option<u32>, head: Option<u32>) -> bool {
    match (base, head) {
        (Some(_), None) => true,
        (Some(b), Some(h)) => h > b,
        _ => false,
    }
}

fn lints(base: &Policy, head: &Policy, out: &mut Vec<Weakening>) {
    let (b, h) = (&base.lints, &head.lints);
    for req in &b.required {
        let now = h.required.iter().find(|r| r.lint == req.lint).map(|r| r.min).unwrap_or(LintLevel::Allow);
        if now < req.min {
            let at = h.required.iter().find(|r| r.lint == req.lint).and_then(|r| r.location.clone());
            out.push(weak(Gate::Lints, format!("`{}` is required at {now}, not {}", req.lint, req.min), at));
        }
    }
    for e in h.exceptions.iter().filter(|e| {
        !b.exceptions.iter().any(|o| o.member == e.member && o.lint == e.lint && o.level <= e.level)
    }) {
        out.push(weak(
            Gate::Lints,
            format!("an exception lowers `{}` to {} for {}", e.lint, e.level, e.member),
            Some(e.location.clone()),
        ));
    }
    if h.allow_reasoned_deviations && !b.allow_reasoned_deviations {
        out.push(weak(Gate::Lints, "attributes with a reason become documented deviations".to_owned(), None));
    }
    if b.check_test_targets && !h.check_test_targets {
        out.push(weak(Gate::Lints, "code that does not ship is no longer judged".to_owned(), None));
    }
}

fn build(base: &Policy, head: &Policy, out: &mut Vec<Weakening>) {
    let (b, h) = (&base.build, &head.build);
    for (on, name) in [
        (b.require_lockfile && !h.require_lockfile, "require-lockfile"),
        (b.require_toolchain_pin && !h.require_toolchain_pin, "require-toolchain-pin"),
        (b.require_rust_version && !h.require_rust_version, "require-rust-version"),
        (b.deny_risky_config && !h.deny_risky_config, "deny-risky-config"),
        (!b.allow_dirty && h.allow_dirty, "allow-dirty"),
    ] {
        if on {
            out.push(weak(Gate::Build, format!("[build] {name} is relaxed"), None));
        }
    }
    for (key, value) in &b.release {
        if h.release.get(key) != Some(value) {
            out.push(weak(
                Gate::Build,
                format!("[profile.release] {key} = {value} is no longer required"),
                None,
            ));
        }
    }
    for (key, value) in &b.dev {
        if h.dev.get(key) != Some(value) {
            out.push(weak(Gate::Build, format!("[profile.dev] {key} = {value} is no longer required"), None));
        }
    }
    if h.min_rust_version < b.min_rust_version {
        out.push(weak(Gate::Build, "the lowest accepted rust-version is lowered".to_owned(), None));
    }
    let externals = |p: &super::BuildPolicy| p.external.as_ref().map_or(0, |e| e.values.len());
    if externals(h) > externals(b) {
        out.push(weak(
            Gate::Build,
            "[build] external records more settings as supplied elsewhere".to_owned(),
            None,
        ));
    }
}

fn supply(base: &Policy, head: &Policy, out: &mut Vec<Weakening>) {
    let added = |b: &[String], h: &[String]| -> Vec<String> {
        h.iter().filter(|x| !b.contains(x)).cloned().collect()
    };
    let registries = added(&base.sources.allow_registries, &head.sources.allow_registries);
    if !registries.is_empty() {
        out.push(weak(Gate::Sources, format!("registries allowed: {}", registries.join(", ")), None));
    }
    let git = added(&base.sources.allow_git, &head.sources.allow_git);
    if !git.is_empty() {
        out.push(weak(Gate::Sources, format!("git repositories allowed: {}", git.join(", ")), None));
    }
    if head.sources.allow_external_paths && !base.sources.allow_external_paths {
        out.push(weak(Gate::Sources, "path dependencies outside the workspace are allowed".to_owned(), None));
    }
    for ban in
        base.bans.iter().filter(|b| !head.bans.iter().any(|h| h.name == b.name && h.version == b.version))
    {
        out.push(weak(Gate::Bans, format!("`{}` is no longer banned", ban.name), None));
    }
    let (b, h) = (&base.licenses, &head.licenses);
    match (&b.allow, &h.allow) {
        (Some(_), None) => {
            out.push(weak(Gate::Licenses, "the licence allow list is removed".to_owned(), None))
        }
        (Some(old), Some(new)) => {
            let added: Vec<&str> = new.iter().filter(|l| !old.contains(l)).map(|l| l.name).collect();
            if !added.is_empty() {
                out.push(weak(
                    Gate::Licenses,
                    format!("licences allowed: {}", added.join(", ")),
                    h.location.clone(),
                ));
            }
        }
        _ => {}
    }
    if h.exempt_members && !b.exempt_members {
        out.push(weak(
            Gate::Licenses,
            "workspace members are exempt from the licence check".to_owned(),
            None,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Profile, Stage};
    use crate::toml_file::TomlFile;
    use std::path::Path;

    fn policy(text: &str) -> Policy {
        let file = TomlFile::from_text(Path::new("/ws/spdf.toml"), Path::new("/ws"), text.to_owned());
        let raw = file.parse().unwrap();
        crate::policy::validate_for_tests(raw, &file, Stage::PreMerge)
    }

    #[test]
    fn the_same_policy_is_not_weaker_and_a_stronger_one_neither() {
        let medical = policy("profile = \"medical\"\n");
        assert_eq!(weakenings(&medical, &medical), []);
        assert_eq!(
            weakenings(&Policy::builtin(Profile::Baseline), &medical)
                .iter()
                .filter(|w| w.gate != Gate::Lints)
                .count(),
            0
        );
    }

    #[test]
    fn lowered_requirements_and_added_waivers_are_weakenings() {
        let base = policy("profile = \"medical\"\n[bans]\ndeny = [{ name = \"openssl\" }]\n");
        let head = policy(
            "profile = \"medical\"\n[lints]\nrequired = { unsafe_code = \"warn\" }\n[[advisories.exceptions]]\nid = \"RUSTSEC-2020-0071\"\nreason = \"x\"\nexpires = \"2027-01-01\"\n[advisories]\ndeny = [\"vulnerability\"]\n",
        );
        let found: Vec<String> =
            weakenings(&base, &head).into_iter().map(|w| format!("{}: {}", w.gate, w.message)).collect();
        for expected in [
            "lints: `unsafe_code` is required at warn, not forbid",
            "advisories: a waiver of RUSTSEC-2020-0071 is added",
            "advisories: advisories of kind `unmaintained` no longer fail the gate",
            "bans: `openssl` is no longer banned",
        ] {
            assert!(found.iter().any(|f| f == expected), "{expected} not in {found:#?}");
        }
    }
}
