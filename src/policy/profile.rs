//! The built-in profiles: the defaults a policy starts from.

use super::AdvisoryKind;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;

/// A built-in base profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Any Rust project.
    #[default]
    Baseline,
    /// IEC 62304 class B/C software under the FDA's SPDF expectations.
    Medical,
    /// `no_std` device firmware (combine with the medical rules for device software).
    Firmware,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 3] = [Self::Baseline, Self::Medical, Self::Firmware];

    /// The name used in `spdf.toml` and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Medical => "medical",
            Self::Firmware => "firmware",
        }
    }

    /// Parses a profile name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The advisory kinds that fail the gate unless the policy says otherwise.
    ///
    /// baseline denies vulnerabilities, unsound APIs and known-exploited CVEs and warns on the
    /// rest; medical and firmware also deny unmaintained and yanked crates, since an
    /// unmaintained component has no one to issue the patches section 524B requires.
    pub fn default_deny(self) -> BTreeSet<AdvisoryKind> {
        use AdvisoryKind::*;
        match self {
            Self::Baseline => [Vulnerability, Unsound, Kev].into(),
            Self::Medical | Self::Firmware => [Vulnerability, Unsound, Unmaintained, Yanked, Kev].into(),
        }
    }

    /// The lints the profile requires, from its `[workspace.lints]` table (`src/policy/profiles`).
    pub fn required_lints(self) -> Vec<super::lints::Requirement> {
        let text = match self {
            Self::Baseline => include_str!("profiles/baseline.toml"),
            Self::Medical => include_str!("profiles/medical.toml"),
            Self::Firmware => include_str!("profiles/firmware.toml"),
        };
        let Ok(table) = text.parse::<toml::Table>() else { return Vec::new() };
        let lints = table.get("workspace").and_then(|w| w.get("lints")).and_then(toml::Value::as_table);
        let mut out = Vec::new();
        for (tool, entries) in lints.into_iter().flatten() {
            for (name, spec) in entries.as_table().into_iter().flatten() {
                let level = spec.as_str().or_else(|| spec.get("level").and_then(toml::Value::as_str));
                if let Some(min) = level.and_then(crate::lints::LintLevel::parse) {
                    out.push(super::lints::Requirement {
                        lint: crate::lints::with_tool(tool, name),
                        min,
                        location: None,
                    });
                }
            }
        }
        out
    }

    /// The build settings the profile requires.
    pub fn build(self) -> super::lints::BuildPolicy {
        let bool_value = |b: bool| toml::Value::Boolean(b);
        let mut b = super::lints::BuildPolicy {
            require_lockfile: true,
            require_rust_version: true,
            ..Default::default()
        };
        match self {
            Self::Baseline => {}
            Self::Medical => {
                b.require_toolchain_pin = true;
                b.min_rust_version = Some(semver::Version::new(1, 81, 0));
                b.release.insert("overflow-checks".into(), bool_value(true));
                b.release.insert("incremental".into(), bool_value(false));
                b.release_explicit = vec!["panic".into(), "debug-assertions".into()];
                b.deny_risky_config = true;
            }
            Self::Firmware => {
                b.require_toolchain_pin = true;
                b.release.insert("overflow-checks".into(), bool_value(true));
                b.release.insert("incremental".into(), bool_value(false));
                b.release.insert("panic".into(), toml::Value::String("abort".into()));
                b.dev.insert("panic".into(), toml::Value::String("abort".into()));
                b.deny_risky_config = true;
            }
        }
        b
    }

    /// How far ahead a waiver may expire (medical and firmware: a year), so none is eternal.
    pub fn max_exception_days(self) -> Option<u32> {
        match self {
            Self::Baseline => None,
            Self::Medical | Self::Firmware => Some(365),
        }
    }

    /// Whether every waiver must carry an expiry date.
    pub fn waivers_need_expiry(self) -> bool {
        !matches!(self, Self::Baseline)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
