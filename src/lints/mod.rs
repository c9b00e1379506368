//! Lint levels as rustc, clippy and cargo decide them, without compiling: the toolchain's lint
//! list, the manifest `[lints]` tables, rustflags, and source attributes.

pub mod attrs;
pub mod clippy_run;
pub mod files;
pub mod fragments;
pub mod manifest;
pub mod modules;
pub mod renames;
pub mod resolve;
pub mod toolchain;

use std::fmt;

/// A lint level, from weakest to strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LintLevel {
    /// `allow` (and `expect`, which suppresses the same way).
    Allow,
    /// `warn` (and `force-warn`).
    Warn,
    /// `deny`.
    Deny,
    /// `forbid`.
    Forbid,
}

impl LintLevel {
    /// Parses a level name as written in `[lints]`, a flag or an attribute.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "allow" | "expect" => Self::Allow,
            "warn" | "force-warn" => Self::Warn,
            "deny" => Self::Deny,
            "forbid" => Self::Forbid,
            _ => return None,
        })
    }

    /// The level's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Warn => "warn",
            Self::Deny => "deny",
            Self::Forbid => "forbid",
        }
    }
}

impl fmt::Display for LintLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The canonical form of a lint name: dashes become underscores (as rustc normalizes them), a
/// tool prefix is kept (`clippy::unwrap_used`), and `rust::x` is just `x`.
pub fn normalize(name: &str) -> String {
    let name = name.trim().replace('-', "_");
    match name.strip_prefix("rust::") {
        Some(bare) => bare.to_owned(),
        None => name,
    }
}

/// The lint name with its tool, as `[lints.<tool>]` names it.
pub fn with_tool(tool: &str, lint: &str) -> String {
    match tool {
        "rust" => normalize(lint),
        tool => normalize(&format!("{tool}::{lint}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalized() {
        assert_eq!(normalize("unsafe-code"), "unsafe_code");
        assert_eq!(normalize("clippy::unwrap-used"), "clippy::unwrap_used");
        assert_eq!(with_tool("rust", "unsafe-code"), "unsafe_code");
        assert_eq!(with_tool("clippy", "unwrap_used"), "clippy::unwrap_used");
        assert!(LintLevel::Forbid > LintLevel::Deny && LintLevel::parse("expect") == Some(LintLevel::Allow));
    }
}
