//! `[lints]` and `[build]`: the required lints and build settings, laid over the profile's.

use super::Profile;
use super::raw::{RawBuild, RawLints};
use super::validate::Validator;
use crate::finding::Location;
use crate::lints::{LintLevel, normalize};
use std::collections::BTreeMap;

/// A required lint (or lint group) and its minimum level.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    /// Normalized name (`unsafe_code`, `clippy::unwrap_used`, `clippy::correctness`).
    pub lint: String,
    /// Minimum level.
    pub min: LintLevel,
    /// The policy line that requires it; `None` when it comes from the profile.
    pub location: Option<Location>,
}

/// A `[[lints.exceptions]]` entry: a lower minimum for one member.
#[derive(Debug, Clone, PartialEq)]
pub struct LintException {
    /// Workspace member name.
    pub member: String,
    /// Normalized lint name.
    pub lint: String,
    /// The minimum that applies to this member instead.
    pub level: LintLevel,
    /// Why.
    pub reason: String,
    /// Where it is written.
    pub location: Location,
}

/// Validated `[lints]`.
#[derive(Debug, Clone, Default)]
pub struct LintsPolicy {
    /// Required lints, sorted by name.
    pub required: Vec<Requirement>,
    /// Per-member exceptions.
    pub exceptions: Vec<LintException>,
    /// Whether a lowering attribute with a `reason` is a documented deviation (default: true).
    pub allow_reasoned_deviations: bool,
    /// Whether attributes in code that does not ship are judged too (default: false).
    pub check_test_targets: bool,
}

impl LintsPolicy {
    /// The minimum for `lint` in `member`, after exceptions; with the exception that lowered it.
    pub fn minimum_for(&self, member: &str, req: &Requirement) -> (LintLevel, Option<&LintException>) {
        match self.exceptions.iter().find(|e| e.member == member && e.lint == req.lint) {
            Some(e) => (e.level, Some(e)),
            None => (req.min, None),
        }
    }
}

/// Validated `[build]`.
#[derive(Debug, Clone, Default)]
pub struct BuildPolicy {
    /// Cargo.lock present and tracked.
    pub require_lockfile: bool,
    /// rust-toolchain.toml pins an exact version.
    pub require_toolchain_pin: bool,
    /// Every member sets `rust-version`.
    pub require_rust_version: bool,
    /// The lowest acceptable `rust-version`.
    pub min_rust_version: Option<semver::Version>,
    /// Required `[profile.release]` values.
    pub release: BTreeMap<String, toml::Value>,
    /// `[profile.release]` keys that must be explicit.
    pub release_explicit: Vec<String>,
    /// Required `[profile.dev]` values.
    pub dev: BTreeMap<String, toml::Value>,
    /// Whether risky configuration is a deny finding (else a warning).
    pub deny_risky_config: bool,
    /// Whether a release may come from a work tree with uncommitted changes (recorded as a warning).
    pub allow_dirty: bool,
    /// Settings an external build step supplies, which the gate records instead of judging.
    pub external: Option<ExternalSettings>,
}

/// `[build] external`: profile settings that the project's own build step (an `xtask`, a
/// script) passes to the compiler, with why the policy trusts it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalSettings {
    /// The settings, as `[profile.release]` would write them.
    pub values: BTreeMap<String, toml::Value>,
    /// Why (required).
    pub reason: String,
    /// Where it is written.
    pub location: Location,
}

/// The profile settings the build gate can require, and the type of each.
pub const PROFILE_KEYS: [(&str, &str); 9] = [
    ("overflow-checks", "boolean"),
    ("debug-assertions", "boolean"),
    ("incremental", "boolean"),
    ("panic", "\"abort\" or \"unwind\""),
    ("opt-level", "0-3, \"s\" or \"z\""),
    ("lto", "boolean or \"thin\"/\"fat\"/\"off\""),
    ("codegen-units", "integer"),
    ("debug", "boolean, integer or string"),
    ("strip", "boolean or string"),
];

pub(super) fn lints(v: &mut Validator<'_>, raw: RawLints, profile: Profile) -> LintsPolicy {
    let include_profile = raw.include_profile.is_none_or(|b| *b.get_ref());
    let base = if include_profile { profile.required_lints() } else { Vec::new() };
    let mut required: BTreeMap<String, Requirement> = base.into_iter().map(|r| (r.lint.clone(), r)).collect();
    for (name, level) in raw.required.unwrap_or_default() {
        let lint = normalize(&name);
        let Some(min) = LintLevel::parse(level.get_ref()) else {
            v.error(
                &level,
                format!(
                    "invalid level \"{}\" for `{name}`; expected allow, warn, deny or forbid",
                    level.get_ref()
                ),
            );
            continue;
        };
        if min == LintLevel::Allow {
            required.remove(&lint);
        } else {
            required.insert(
                lint.clone(),
                Requirement { lint, min, location: Some(v.file.location(&level.span())) },
            );
        }
    }
    let exceptions = raw.exceptions.unwrap_or_default().iter().filter_map(|e| lint_exception(v, e)).collect();
    let allow_reasoned_deviations = raw.allow_reasoned_deviations.is_none_or(|b| *b.get_ref());
    let check_test_targets = raw.check_test_targets.is_some_and(|b| *b.get_ref());
    LintsPolicy {
        required: required.into_values().collect(),
        exceptions,
        allow_reasoned_deviations,
        check_test_targets,
    }
}

fn lint_exception(
    v: &mut Validator<'_>,
    entry: &toml::Spanned<super::raw::RawLintException>,
) -> Option<LintException> {
    let raw = entry.get_ref();
    let text = |v: &mut Validator<'_>, field: &Option<toml::Spanned<String>>, key: &str| match field {
        Some(s) if !s.get_ref().trim().is_empty() => Some(s.get_ref().trim().to_owned()),
        _ => {
            v.error(entry, format!("`[[lints.exceptions]]` entry needs a `{key}`"));
            None
        }
    };
    let member = text(v, &raw.member, "member");
    let lint = text(v, &raw.lint, "lint").map(|l| normalize(&l));
    let reason = text(v, &raw.reason, "reason");
    let level = match &raw.level {
        Some(l) => LintLevel::parse(l.get_ref()).or_else(|| {
            v.error(l, format!("invalid level \"{}\"; expected allow, warn, deny or forbid", l.get_ref()));
            None
        }),
        None => Some(LintLevel::Allow),
    };
    Some(LintException {
        member: member?,
        lint: lint?,
        level: level?,
        reason: reason?,
        location: v.file.location(&entry.span()),
    })
}

pub(super) fn build(v: &mut Validator<'_>, raw: RawBuild, profile: Profile) -> BuildPolicy {
    let mut b = profile.build();
    let flag = |f: Option<toml::Spanned<bool>>, default: bool| f.map_or(default, |f| *f.get_ref());
    b.require_lockfile = flag(raw.require_lockfile, b.require_lockfile);
    b.require_toolchain_pin = flag(raw.require_toolchain_pin, b.require_toolchain_pin);
    b.require_rust_version = flag(raw.require_rust_version, b.require_rust_version);
    b.deny_risky_config = flag(raw.deny_risky_config, b.deny_risky_config);
    b.allow_dirty = flag(raw.allow_dirty, b.allow_dirty);
    if let Some(min) = raw.min_rust_version {
        match semver::Version::parse(&full_version(min.get_ref())) {
            Ok(version) => b.min_rust_version = Some(version),
            Err(_) => v.error(
                &min,
                format!("invalid `min-rust-version` \"{}\"; expected a version like 1.81", min.get_ref()),
            ),
        }
    }
    if let Some(release) = raw.release {
        b.release = profile_values(v, release, "build.release");
    }
    if let Some(dev) = raw.dev {
        b.dev = profile_values(v, dev, "build.dev");
    }
    if let Some(external) = raw.external {
        b.external = external_settings(v, external);
    }
    if let Some(keys) = raw.release_explicit {
        b.release_explicit =
            keys.into_iter().filter_map(|k| known_key(v, &k, "build.release-explicit")).collect();
    }
    b
}

fn external_settings(
    v: &mut Validator<'_>,
    mut values: BTreeMap<String, toml::Spanned<toml::Value>>,
) -> Option<ExternalSettings> {
    let reason = values.remove("reason");
    let location = values.values().next().or(reason.as_ref()).map(|s| v.file.location(&s.span()))?;
    let reason = match reason.as_ref().map(|r| (r, r.get_ref().as_str())) {
        Some((_, Some(text))) if !text.trim().is_empty() => text.trim().to_owned(),
        Some((r, _)) => {
            v.error(r, "`build.external.reason` must be a non-empty string");
            return None;
        }
        None => {
            v.error(
                values.values().next()?,
                "`[build] external` needs a `reason`: what supplies these settings",
            );
            return None;
        }
    };
    let values = profile_values(v, values, "build.external");
    Some(ExternalSettings { values, reason, location })
}

/// "1.81" -> "1.81.0".
pub fn full_version(v: &str) -> String {
    match v.trim().matches('.').count() {
        0 => format!("{}.0.0", v.trim()),
        1 => format!("{}.0", v.trim()),
        _ => v.trim().to_owned(),
    }
}

fn known_key(v: &mut Validator<'_>, key: &toml::Spanned<String>, table: &str) -> Option<String> {
    let names: Vec<&str> = PROFILE_KEYS.iter().map(|(k, _)| *k).collect();
    v.one_of(key, table, &names)
}

fn profile_values(
    v: &mut Validator<'_>,
    values: BTreeMap<String, toml::Spanned<toml::Value>>,
    table: &str,
) -> BTreeMap<String, toml::Value> {
    let mut out = BTreeMap::new();
    for (key, value) in values {
        let Some((_, expected)) = PROFILE_KEYS.iter().find(|(k, _)| *k == key) else {
            let names: Vec<&str> = PROFILE_KEYS.iter().map(|(k, _)| *k).collect();
            v.error(
                &value,
                format!("unknown key `{key}` in `{table}`; expected one of: {}", names.join(", ")),
            );
            continue;
        };
        let ok = match (key.as_str(), value.get_ref()) {
            ("overflow-checks" | "debug-assertions" | "incremental", toml::Value::Boolean(_)) => true,
            ("panic", toml::Value::String(s)) => s == "abort" || s == "unwind",
            ("opt-level", toml::Value::Integer(0..=3)) => true,
            ("opt-level", toml::Value::String(s)) => s == "s" || s == "z",
            ("lto", toml::Value::Boolean(_)) => true,
            ("lto", toml::Value::String(s)) => ["thin", "fat", "off"].contains(&s.as_str()),
            ("codegen-units", toml::Value::Integer(n)) => *n > 0,
            (
                "debug" | "strip",
                toml::Value::Boolean(_) | toml::Value::String(_) | toml::Value::Integer(_),
            ) => true,
            _ => false,
        };
        if ok {
            out.insert(key, value.into_inner());
        } else {
            v.error(&value, format!("invalid value for `{table}.{key}`: expected {expected}"));
        }
    }
    out
}
