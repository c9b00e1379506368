//! `[members]`: which workspace members are tools that do not ship (an `xtask`, build helpers,
//! test rigs), and the requirements that apply to them instead of the product's.
//!
//! Tool members are checked against `[members.tools-policy]` (its own `profile`, `[lints]` and
//! `[build]`; the baseline profile when it is absent), are left out of the product SBOM, and
//! neither they nor what only they pull in are shipped components for the licences and support
//! gates.

use super::Profile;
use super::lints::{BuildPolicy, LintsPolicy};
use super::raw::{RawBuild, RawLints};
use super::validate::Validator;
use crate::finding::Location;
use serde::Deserialize;
use toml::Spanned;

/// `[members]` as written.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMembers {
    /// Globs over member names or paths (relative to the workspace root).
    pub tools: Option<Vec<Spanned<String>>>,
    /// The requirements that apply to tool members.
    pub tools_policy: Option<RawToolsPolicy>,
}

/// `[members.tools-policy]` as written.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawToolsPolicy {
    /// Built-in profile for tools (default: baseline).
    pub profile: Option<Spanned<String>>,
    /// `[lints]` for tools.
    pub lints: Option<RawLints>,
    /// `[build]` for tools.
    pub build: Option<RawBuild>,
}

impl RawMembers {
    /// A stage's `[members]` laid over the top level's, key by key.
    pub fn overlay(self, top: RawMembers) -> RawMembers {
        RawMembers { tools: top.tools.or(self.tools), tools_policy: top.tools_policy.or(self.tools_policy) }
    }
}

/// One `tools` pattern.
#[derive(Debug, Clone)]
pub struct ToolPattern {
    /// The glob.
    pub pattern: glob::Pattern,
    /// Where it is written.
    pub location: Location,
}

/// Validated `[members]`.
#[derive(Debug, Clone)]
pub struct MembersPolicy {
    /// The tool patterns.
    pub tools: Vec<ToolPattern>,
    /// The profile tools are held to.
    pub tools_profile: Profile,
    /// The lints tools are held to.
    pub tools_lints: LintsPolicy,
    /// The build settings tools are held to.
    pub tools_build: BuildPolicy,
}

impl MembersPolicy {
    /// Whether a member is a tool: a pattern matches its name or its directory relative to the
    /// workspace root (`/` separators).
    pub fn is_tool(&self, name: &str, rel_dir: &str) -> bool {
        self.tools.iter().any(|t| t.pattern.matches(name) || t.pattern.matches(rel_dir))
    }
}

pub(super) fn members(v: &mut Validator<'_>, raw: RawMembers) -> MembersPolicy {
    let tools = raw
        .tools
        .unwrap_or_default()
        .iter()
        .filter_map(|t| match glob::Pattern::new(t.get_ref()) {
            Ok(pattern) => Some(ToolPattern { pattern, location: v.file.location(&t.span()) }),
            Err(e) => {
                v.error(t, format!("invalid glob \"{}\" in [members] tools: {e}", t.get_ref()));
                None
            }
        })
        .collect();
    let policy = raw.tools_policy.unwrap_or_default();
    let profile = match &policy.profile {
        None => Profile::Baseline,
        Some(name) => Profile::parse(name.get_ref()).unwrap_or_else(|| {
            v.error(
                name,
                format!("unknown profile \"{}\"; expected baseline, medical or firmware", name.get_ref()),
            );
            Profile::Baseline
        }),
    };
    MembersPolicy {
        tools,
        tools_profile: profile,
        tools_lints: super::lints::lints(v, policy.lints.unwrap_or_default(), profile),
        tools_build: super::lints::build(v, policy.build.unwrap_or_default(), profile),
    }
}
