//! The workspace members and their targets, as `cargo metadata` describes them (see
//! [`crate::load::metadata`]).

use std::path::PathBuf;

/// What a target builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// The library (including proc-macro libraries).
    Lib,
    /// A binary.
    Bin,
    /// The build script.
    BuildScript,
    /// An integration test.
    Test,
    /// An example.
    Example,
    /// A benchmark.
    Bench,
}

impl Kind {
    /// Whether code of this target ships or runs in the build (libraries, binaries, build
    /// scripts), as opposed to tests, examples and benches.
    pub fn ships(self) -> bool {
        matches!(self, Self::Lib | Self::Bin | Self::BuildScript)
    }

    /// The name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lib => "lib",
            Self::Bin => "bin",
            Self::BuildScript => "build script",
            Self::Test => "test",
            Self::Example => "example",
            Self::Bench => "bench",
        }
    }
}

/// One target of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Target name.
    pub name: String,
    /// Kind.
    pub kind: Kind,
    /// Crate root file (absolute).
    pub root: PathBuf,
}

/// One workspace member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Package name.
    pub name: String,
    /// Cargo's package id, as `cargo metadata` and compiler messages give it.
    pub id: String,
    /// Package directory (absolute).
    pub dir: PathBuf,
    /// Manifest (absolute).
    pub manifest: PathBuf,
    /// Edition ("2015", "2018", "2021", "2024").
    pub edition: String,
    /// `rust-version`, when set.
    pub rust_version: Option<semver::Version>,
    /// Targets, sorted by kind and name.
    pub targets: Vec<Target>,
}
