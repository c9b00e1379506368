//! The one findings model: every gate returns [`Finding`]s, every renderer reads them.

use serde::Serialize;
use std::fmt;

/// How a finding affects the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Fails the gate (exit code 1).
    Deny,
    /// Reported, but the gate passes.
    Warn,
    /// Would fail or warn, but a waiver in the policy covers it; kept in the report.
    Excepted,
}

impl Level {
    /// The stable name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deny => "deny",
            Self::Warn => "warn",
            Self::Excepted => "excepted",
        }
    }
}

/// The gates, as `--gate` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Gate {
    /// RustSec advisories, KEV and yanked crates.
    Advisories,
    /// Required lints.
    Lints,
    /// Build settings, lockfile, toolchain pin and toolchain advisories.
    Build,
    /// Where packages come from.
    Sources,
    /// Banned crates.
    Bans,
    /// Licences.
    Licenses,
    /// FDA level of support and end of support.
    Support,
}

impl Gate {
    /// Every gate, in report order.
    pub const ALL: [Gate; 7] = [
        Self::Advisories,
        Self::Lints,
        Self::Build,
        Self::Sources,
        Self::Bans,
        Self::Licenses,
        Self::Support,
    ];

    /// The stable name used on the command line and in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Advisories => "advisories",
            Self::Lints => "lints",
            Self::Build => "build",
            Self::Sources => "sources",
            Self::Bans => "bans",
            Self::Licenses => "licenses",
            Self::Support => "support",
        }
    }
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $gate:ident, $desc:literal;)*) => {
        /// A stable, kebab-case finding code. Codes are public interface: they appear in
        /// every output format and in the documentation, and are never renamed.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $desc] $variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Self::$variant,)*];

            /// The stable kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }

            /// The gate that reports this code.
            pub fn gate(self) -> Gate {
                match self { $(Self::$variant => Gate::$gate,)* }
            }

            /// One sentence on what the code means.
            pub fn description(self) -> &'static str {
                match self { $(Self::$variant => $desc,)* }
            }
        }
    };
}

codes! {
    Vulnerability => "vulnerability", Advisories, "A locked package is affected by a RustSec vulnerability advisory.";
    Unsound => "unsound", Advisories, "A locked package is affected by a RustSec advisory saying its API is unsound.";
    Unmaintained => "unmaintained", Advisories, "A RustSec advisory says a locked package is no longer maintained.";
    Notice => "notice", Advisories, "A RustSec notice concerns a locked package.";
    Yanked => "yanked", Advisories, "A locked package version was yanked from its registry, or its status is unknown.";
    Kev => "kev", Advisories, "An advisory of a locked package has a CVE in CISA's Known Exploited Vulnerabilities catalog.";
    ExceptionExpired => "exception-expired", Advisories, "A waiver in the policy is past its expiry date and no longer waives anything.";
    ExceptionUnused => "exception-unused", Advisories, "A waiver in the policy matched no finding.";
    ExceptionExpiring => "exception-expiring", Advisories, "A waiver expires within 30 days (reported at the release stage).";
    ExceptionTooLong => "exception-too-long", Advisories, "A waiver expires further ahead than max-exception-days allows, so it waives nothing.";
    ExceptionIncomplete => "exception-incomplete", Advisories, "A waiver imported from cargo-audit or cargo-deny still lacks a reason or an expiry date (deny at the release stage).";
    DbStale => "db-stale", Advisories, "The advisory database is older than the policy allows.";
    DbEntryInvalid => "db-entry-invalid", Advisories, "An advisory file for a locked crate cannot be parsed, so the crate cannot be vouched for.";
    LintMissing => "lint-missing", Lints, "A required lint is not set for a workspace member.";
    LintTooWeak => "lint-too-weak", Lints, "A required lint is set below the required level.";
    LintOverridden => "lint-overridden", Lints, "A source attribute or rustflag lowers a required lint.";
    LintUnknown => "lint-unknown", Lints, "A lint name in the policy or a manifest is not known to the toolchain.";
    LintViolation => "lint-violation", Lints, "Clippy (run with --run-clippy) reports code that violates a required lint where it is in force.";
    SourceUnparsable => "source-unparsable", Lints, "A source file of a member cannot be read or parsed, so its lint attributes cannot be checked.";
    BuildSetting => "build-setting", Build, "A build setting the policy requires does not hold.";
    LockfileMissing => "lockfile-missing", Build, "Cargo.lock is missing or not tracked.";
    PolicyWeakened => "policy-weakened", Advisories, "With --base, the work tree's policy lowers a requirement or adds a waiver or allowance; the base revision's policy applies (reported by the gate concerned).";
    LockfileStale => "lockfile-stale", Build, "Cargo.lock is out of date with the manifests (cargo would have to change it); reported by the first lockfile gate that runs.";
    ToolchainUnpinned => "toolchain-unpinned", Build, "rust-toolchain.toml does not pin an exact toolchain version.";
    ToolchainAdvisory => "toolchain-advisory", Build, "The toolchain in use is affected by a RustSec advisory for std, cargo or rustdoc.";
    WorktreeDirty => "worktree-dirty", Build, "A release is checked from a git work tree with uncommitted changes.";
    SourceNotAllowed => "source-not-allowed", Sources, "A package comes from a registry, git repository or path the policy does not allow.";
    GitUnpinned => "git-unpinned", Sources, "A git dependency does not pin a commit.";
    Banned => "banned", Bans, "A package banned by the policy is in the dependency graph.";
    LicenseNotAllowed => "license-not-allowed", Licenses, "A package's licence expression is not satisfied by the allowed licences.";
    LicenseUnknown => "license-unknown", Licenses, "A package declares no licence expression.";
    SupportMissing => "support-missing", Support, "A component has neither an FDA level of support nor a justification.";
    SupportEnded => "support-ended", Support, "A component's end-of-support date has passed.";
    KevStale => "kev-stale", Advisories, "The KEV catalog is older than the policy allows (max-kev-age-days; 7 days at the release stage).";
    ToolchainMismatch => "toolchain-mismatch", Build, "The toolchain that ran is not the one rust-toolchain.toml pins.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A package a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PackageRef {
    /// Crate name.
    pub name: String,
    /// Exact locked version.
    pub version: String,
}

/// A file and line a finding points at, relative to the workspace root where possible. A `file`
/// that starts with `$` names an environment variable instead (`$RUSTFLAGS`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// The file, with `/` separators.
    pub file: String,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Location {
    /// Whether this names an environment variable rather than a file.
    pub fn is_environment(&self) -> bool {
        self.file.starts_with('$')
    }
}

/// What an advisory finding carries about its advisory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AdvisoryRef {
    /// RustSec id.
    pub id: String,
    /// CVE, GHSA and other ids for the same issue.
    pub aliases: Vec<String>,
    /// The advisory title.
    pub title: String,
    /// CVSS vector, when scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<String>,
    /// CVSS base score, when scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// CVSS severity (`none`, `low`, `medium`, `high`, `critical`), when scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Version requirements that are patched.
    pub patched: Vec<String>,
    /// Version requirements that were never affected.
    pub unaffected: Vec<String>,
    /// Operating systems the advisory is limited to (empty: all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub os: Vec<String>,
    /// CPU architectures the advisory is limited to (empty: all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub arch: Vec<String>,
    /// The advisory's page.
    pub url: String,
    /// The date the advisory was published (YYYY-MM-DD).
    pub date: String,
    /// The advisory's text (Markdown).
    pub description: String,
    /// Whether one of the aliases is in the KEV catalog (`null` when no catalog was checked).
    pub kev: Option<bool>,
}

/// The waiver that covers (or failed to cover) a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExceptionRef {
    /// The waived id.
    pub id: String,
    /// Why it is waived.
    pub reason: String,
    /// Expiry date (YYYY-MM-DD), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// CycloneDX `analysis.state`, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// CycloneDX `analysis.justification`, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// CycloneDX `analysis.response` values, if given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub response: Vec<String>,
    /// Who approved it, if recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Where it is written in the policy.
    pub location: Location,
}

/// One result of one gate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The gate that reported it.
    pub gate: Gate,
    /// Stable code.
    pub code: Code,
    /// Effect on the verdict.
    pub level: Level,
    /// One line for people.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub help: Vec<String>,
    /// The package concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageRef>,
    /// The advisory concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory: Option<AdvisoryRef>,
    /// The workspace member concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// The lint concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lint: Option<String>,
    /// The required level or value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<String>,
    /// The actual level or value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// The line that causes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The waiver concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExceptionRef>,
}

impl Finding {
    /// A finding with the given code and level; the gate follows from the code.
    pub fn new(code: Code, level: Level, message: impl Into<String>) -> Self {
        Self {
            gate: code.gate(),
            code,
            level,
            message: message.into(),
            help: Vec::new(),
            package: None,
            advisory: None,
            member: None,
            lint: None,
            required: None,
            actual: None,
            location: None,
            exception: None,
        }
    }

    /// Adds a line saying what to do.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// Sets the package.
    pub fn package(mut self, name: &str, version: &str) -> Self {
        self.package = Some(PackageRef { name: name.to_owned(), version: version.to_owned() });
        self
    }

    /// Sets the location.
    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    /// The key findings are sorted by: gate, package, code, advisory, member, lint, location, message.
    fn sort_key(&self) -> impl Ord + '_ {
        (
            self.gate,
            self.package.as_ref(),
            self.code,
            self.advisory.as_ref().map(|a| a.id.as_str()),
            self.member.as_deref(),
            self.lint.as_deref(),
            self.location.as_ref(),
            self.message.as_str(),
        )
    }
}

/// Sorts findings into their stable report order.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        let names: BTreeSet<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), Code::ALL.len());
        for code in Code::ALL {
            let name = code.as_str();
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{name}");
            assert!(code.description().ends_with('.'), "{name}");
        }
        insta::assert_snapshot!(
            Code::ALL
                .iter()
                .map(|c| format!("{:<20} {:<11} {}", c.as_str(), c.gate().as_str(), c.description()))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
