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
