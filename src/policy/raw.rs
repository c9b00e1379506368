//! The policy as written: serde types with unknown keys rejected and spans kept on every
//! value a later error or finding may point at. Nothing here is checked beyond its TOML type;
//! `validate` turns it into a [`super::Policy`].

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The whole `spdf.toml`, or the `[workspace.metadata.spdf]` table. A `[stage.<name>]` table has
/// the same shape (without `profile` and `stage`, which validation rejects there).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPolicy {
    /// Built-in base profile: `baseline` (default), `medical` or `firmware`.
    pub profile: Option<Spanned<String>>,
    /// `[advisories]`.
    pub advisories: Option<RawAdvisories>,
    /// `[sbom]`.
    pub sbom: Option<RawSbom>,
    /// `[lints]`.
    pub lints: Option<RawLints>,
    /// `[build]`.
    pub build: Option<RawBuild>,
    /// `[kev]`.
    pub kev: Option<RawKev>,
    /// `[sources]`.
    pub sources: Option<RawSources>,
    /// `[bans]`.
    pub bans: Option<RawBans>,
    /// `[licenses]`.
    pub licenses: Option<RawLicenses>,
    /// `[[support]]` entries (FDA level of support per component), or a `[support]` table with
    /// the release-activity thresholds and `[[support.entries]]`.
    pub support: Option<RawSupportSection>,
    /// `[members]`: tool members and their requirements.
    pub members: Option<super::members::RawMembers>,
    /// `[stage.<name>]` tables merged over the top level for that stage.
    pub stage: Option<BTreeMap<String, Spanned<RawPolicy>>>,
}

/// `[advisories]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawAdvisories {
    /// Advisory database directory, relative to the policy file.
    pub db: Option<Spanned<String>>,
    /// Finding kinds that fail the gate.
    pub deny: Option<Spanned<Vec<Spanned<String>>>>,
    /// Vulnerabilities scored below this CVSS severity only warn.
    pub severity_threshold: Option<Spanned<String>>,
    /// The database may be at most this many days old.
    pub max_db_age_days: Option<Spanned<i64>>,
    /// A waiver may expire at most this many days after the check.
    pub max_exception_days: Option<Spanned<i64>>,
    /// The KEV catalog may be at most this many days old (from its `dateReleased`).
    pub max_kev_age_days: Option<Spanned<i64>>,
    /// `[[advisories.exceptions]]`: waivers.
    pub exceptions: Option<Vec<Spanned<RawException>>>,
}

/// One `[[advisories.exceptions]]` entry.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawException {
    /// Advisory id (RUSTSEC-, CVE- or GHSA-).
    pub id: Option<Spanned<String>>,
    /// Optional scope: `name` or `name@version-requirement`.
    pub package: Option<Spanned<String>>,
    /// Why the finding is acceptable.
    pub reason: Option<Spanned<String>>,
    /// Last day the waiver holds.
    pub expires: Option<Spanned<DateValue>>,
    /// CycloneDX `analysis.state`.
    pub state: Option<Spanned<String>>,
    /// CycloneDX `analysis.justification`.
    pub justification: Option<Spanned<String>>,
    /// CycloneDX `analysis.response` values.
    pub response: Option<Vec<Spanned<String>>>,
    /// Who approved the waiver.
    pub approved_by: Option<Spanned<String>>,
    /// Imported from cargo-audit or cargo-deny by `cargo spdf init --import`: `reason` and
    /// `expires` may be missing until the team completes the waiver (default: false).
    pub imported: Option<Spanned<bool>>,
}

/// `[lints]`: required lints and their per-member exceptions.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLints {
    /// Lint (or group) -> minimum level, laid over the profile's.
    pub required: Option<std::collections::BTreeMap<String, Spanned<String>>>,
    /// Whether the profile's required lints apply too (default: true).
    pub include_profile: Option<Spanned<bool>>,
    /// Whether a source attribute that lowers a required lint but gives a `reason` is a documented
    /// deviation rather than a violation.
    pub allow_reasoned_deviations: Option<Spanned<bool>>,
    /// Whether attributes in code that does not ship (tests, benches, examples, `cfg(test)`)
    /// are judged too (default: false).
    pub check_test_targets: Option<Spanned<bool>>,
    /// `[[lints.exceptions]]`.
    pub exceptions: Option<Vec<Spanned<RawLintException>>>,
}

/// One `[[lints.exceptions]]` entry.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLintException {
    /// Workspace member.
    pub member: Option<Spanned<String>>,
    /// Lint.
    pub lint: Option<Spanned<String>>,
    /// The minimum level that applies to this member instead.
    pub level: Option<Spanned<String>>,
    /// Why.
    pub reason: Option<Spanned<String>>,
}

/// `[build]`: build settings the release depends on.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBuild {
    /// Cargo.lock present and tracked.
    pub require_lockfile: Option<Spanned<bool>>,
    /// rust-toolchain.toml pins an exact version.
    pub require_toolchain_pin: Option<Spanned<bool>>,
    /// Every member sets `rust-version`.
    pub require_rust_version: Option<Spanned<bool>>,
    /// The lowest acceptable `rust-version`.
    pub min_rust_version: Option<Spanned<String>>,
    /// Required `[profile.release]` values.
    pub release: Option<std::collections::BTreeMap<String, Spanned<toml::Value>>>,
    /// `[profile.release]` keys that must be set explicitly, whatever their value.
    pub release_explicit: Option<Vec<Spanned<String>>>,
    /// Required `[profile.dev]` values.
    pub dev: Option<std::collections::BTreeMap<String, Spanned<toml::Value>>>,
    /// Risky configuration (wrappers, -Z flags, `[unstable]`, target-feature, soft-float) fails.
    pub deny_risky_config: Option<Spanned<bool>>,
    /// A release from a work tree with uncommitted changes is recorded, not denied.
    pub allow_dirty: Option<Spanned<bool>>,
    /// Settings an external build step supplies (`xtask dist`), with the reason.
    pub external: Option<std::collections::BTreeMap<String, Spanned<toml::Value>>>,
}

/// `[kev]`: the CISA Known Exploited Vulnerabilities catalog.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawKev {
    /// Path of `known_exploited_vulnerabilities.json`, relative to the policy file.
    pub catalog: Option<Spanned<String>>,
}

/// `[sources]`: where packages may come from.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSources {
    /// Registries: `crates-io` or index URLs.
    pub allow_registries: Option<Vec<Spanned<String>>>,
    /// Git URL prefixes.
    pub allow_git: Option<Vec<Spanned<String>>>,
    /// Whether path dependencies outside the workspace are allowed (default: false).
    pub allow_external_paths: Option<Spanned<bool>>,
}

/// `[bans]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBans {
    /// Banned crates.
    pub deny: Option<Vec<Spanned<RawBan>>>,
}

/// One banned crate.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBan {
    /// Crate name.
    pub name: Option<Spanned<String>>,
    /// Version requirement (default: every version).
    pub version: Option<Spanned<String>>,
    /// Why, and what to use instead.
    pub reason: Option<Spanned<String>>,
}

/// `[licenses]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLicenses {
    /// Allowed SPDX licence identifiers.
    pub allow: Option<Vec<Spanned<String>>>,
    /// Whether workspace members are exempt (default: true).
    pub exempt_members: Option<Spanned<bool>>,
}

/// `[sbom]`: who makes the product the SBOM describes.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSbom {
    /// The product name (default: the single selected member, or the workspace directory name).
    pub product: Option<Spanned<String>>,
    /// The product version (default: the single selected member's version).
    pub version: Option<Spanned<String>>,
    /// The manufacturer (metadata.manufacturer, and the supplier of workspace members).
    pub manufacturer: Option<Spanned<String>>,
    /// The manufacturer's web site.
    pub manufacturer_url: Option<Spanned<String>>,
    /// The product's source repository (default: `[workspace.package] repository`), which
    /// qualifies the package URLs of in-house crates.
    pub repository: Option<Spanned<String>>,
    /// SBOM authors, as `"Name <email>"` or `"Name"`.
    pub authors: Option<Vec<Spanned<String>>>,
}

/// One `[[support]]` entry.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSupport {
    /// Crate name patterns (`*` and `?` wildcards).
    pub packages: Option<Vec<Spanned<String>>>,
    /// FDA level of support.
    pub level: Option<Spanned<String>>,
    /// End-of-support date.
    pub end_of_support: Option<Spanned<DateValue>>,
    /// Why a level or date cannot be given (or the basis of the one given).
    pub justification: Option<Spanned<String>>,
    /// When the entry was last assessed.
    pub assessed: Option<Spanned<DateValue>>,
    /// Who assessed it.
    pub assessed_by: Option<Spanned<String>>,
    /// What replaces the component, and when, should its support end.
    pub replacement_plan: Option<Spanned<String>>,
}

/// The `[support]` table: how release activity is judged, and the entries.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSupportTable {
    /// A release within this many months is "actively maintained" (default 24).
    pub active_within_months: Option<Spanned<i64>>,
    /// No release within this many months is "abandoned" (default 60).
    pub abandoned_after_months: Option<Spanned<i64>>,
    /// `[[support.entries]]`, as `[[support]]` entries.
    pub entries: Option<Vec<Spanned<RawSupport>>>,
}

/// `support` as written: an array of `[[support]]` entries, or a `[support]` table (TOML cannot
/// have both under one name, so the table carries its entries as `[[support.entries]]`).
#[derive(Debug, Clone)]
pub enum RawSupportSection {
    /// `[[support]]` entries.
    Entries(Vec<Spanned<RawSupport>>),
    /// A `[support]` table.
    Table(RawSupportTable),
}

impl RawSupportSection {
    /// The section as a table (entries written as `[[support]]` become its entries).
    pub fn into_table(self) -> RawSupportTable {
        match self {
            Self::Entries(entries) => {
                RawSupportTable { entries: Some(entries), ..RawSupportTable::default() }
            }
            Self::Table(table) => table,
        }
    }
}

impl<'de> Deserialize<'de> for RawSupportSection {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawSupportSection;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`[[support]]` entries or a `[support]` table")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                let entries = Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
                Ok(RawSupportSection::Entries(entries))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let table = RawSupportTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(RawSupportSection::Table(table))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A date written either as a string (`"2027-03-31"`) or as a TOML local date (`2027-03-31`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DateValue {
    /// A quoted date.
    Text(String),
    /// A bare TOML date.
    Toml(toml::value::Datetime),
}

impl DateValue {
    /// The date as written, for parsing.
    pub fn as_text(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Toml(d) => d.to_string(),
        }
    }
}

impl RawPolicy {
    /// This policy with `stage`'s tables laid over it: a key set in the stage table replaces
    /// the top-level one; keys it leaves out keep their top-level value.
    pub fn overlay(mut self, stage: RawPolicy) -> RawPolicy {
        self.advisories = merge_opt(self.advisories, stage.advisories, RawAdvisories::overlay);
        self.sbom = merge_opt(self.sbom, stage.sbom, RawSbom::overlay);
        self.support = merge_opt(self.support, stage.support, |b, t| {
            let (b, t) = (b.into_table(), t.into_table());
            RawSupportSection::Table(RawSupportTable {
                active_within_months: t.active_within_months.or(b.active_within_months),
                abandoned_after_months: t.abandoned_after_months.or(b.abandoned_after_months),
                entries: t.entries.or(b.entries),
            })
        });
        self.members = merge_opt(self.members, stage.members, super::members::RawMembers::overlay);
        self.kev = merge_opt(self.kev, stage.kev, |b, t| RawKev { catalog: t.catalog.or(b.catalog) });
        self.sources = merge_opt(self.sources, stage.sources, |b, t| RawSources {
            allow_registries: t.allow_registries.or(b.allow_registries),
            allow_git: t.allow_git.or(b.allow_git),
            allow_external_paths: t.allow_external_paths.or(b.allow_external_paths),
        });
        self.bans = merge_opt(self.bans, stage.bans, |b, t| RawBans { deny: t.deny.or(b.deny) });
        self.licenses = merge_opt(self.licenses, stage.licenses, |b, t| RawLicenses {
            allow: t.allow.or(b.allow),
            exempt_members: t.exempt_members.or(b.exempt_members),
        });
        self.lints = merge_opt(self.lints, stage.lints, |b, t| RawLints {
            required: t.required.or(b.required),
            include_profile: t.include_profile.or(b.include_profile),
            allow_reasoned_deviations: t.allow_reasoned_deviations.or(b.allow_reasoned_deviations),
            check_test_targets: t.check_test_targets.or(b.check_test_targets),
            exceptions: t.exceptions.or(b.exceptions),
        });
        self.build = merge_opt(self.build, stage.build, |b, t| RawBuild {
            require_lockfile: t.require_lockfile.or(b.require_lockfile),
            require_toolchain_pin: t.require_toolchain_pin.or(b.require_toolchain_pin),
            require_rust_version: t.require_rust_version.or(b.require_rust_version),
            min_rust_version: t.min_rust_version.or(b.min_rust_version),
            release: t.release.or(b.release),
            release_explicit: t.release_explicit.or(b.release_explicit),
            dev: t.dev.or(b.dev),
            deny_risky_config: t.deny_risky_config.or(b.deny_risky_config),
            allow_dirty: t.allow_dirty.or(b.allow_dirty),
            external: t.external.or(b.external),
        });
        self
    }
}

impl RawAdvisories {
    fn overlay(self, top: RawAdvisories) -> RawAdvisories {
        RawAdvisories {
            db: top.db.or(self.db),
            deny: top.deny.or(self.deny),
            severity_threshold: top.severity_threshold.or(self.severity_threshold),
            max_db_age_days: top.max_db_age_days.or(self.max_db_age_days),
            max_exception_days: top.max_exception_days.or(self.max_exception_days),
            max_kev_age_days: top.max_kev_age_days.or(self.max_kev_age_days),
            exceptions: top.exceptions.or(self.exceptions),
        }
    }
}

impl RawSbom {
    fn overlay(self, top: RawSbom) -> RawSbom {
        RawSbom {
            product: top.product.or(self.product),
            version: top.version.or(self.version),
            manufacturer: top.manufacturer.or(self.manufacturer),
            manufacturer_url: top.manufacturer_url.or(self.manufacturer_url),
            repository: top.repository.or(self.repository),
            authors: top.authors.or(self.authors),
        }
    }
}

/// Merges two optional sections, field by field where both are present.
pub(crate) fn merge_opt<T>(base: Option<T>, over: Option<T>, merge: impl FnOnce(T, T) -> T) -> Option<T> {
    match (base, over) {
        (Some(b), Some(o)) => Some(merge(b, o)),
        (b, o) => o.or(b),
    }
}
