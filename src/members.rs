//! The workspace members and their targets, as `cargo metadata` describes them (see
//! [`crate::load::metadata`]).

use cargo_metadata::TargetKind;
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

/// A member as `cargo metadata` describes it.
pub fn member(p: &cargo_metadata::Package) -> Member {
    let manifest = p.manifest_path.as_std_path().to_path_buf();
    let mut targets: Vec<Target> = p
        .targets
        .iter()
        .filter_map(|t| {
            let kind = t.kind.iter().find_map(|k| match k {
                TargetKind::Lib
                | TargetKind::RLib
                | TargetKind::DyLib
                | TargetKind::CDyLib
                | TargetKind::StaticLib
                | TargetKind::ProcMacro => Some(Kind::Lib),
                TargetKind::Bin => Some(Kind::Bin),
                TargetKind::CustomBuild => Some(Kind::BuildScript),
                TargetKind::Test => Some(Kind::Test),
                TargetKind::Example => Some(Kind::Example),
                TargetKind::Bench => Some(Kind::Bench),
                _ => None,
            })?;
            Some(Target { name: t.name.clone(), kind, root: t.src_path.as_std_path().to_path_buf() })
        })
        .collect();
    targets.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    Member {
        name: p.name.to_string(),
        id: p.id.repr.clone(),
        dir: manifest.parent().map(PathBuf::from).unwrap_or_default(),
        manifest,
        edition: p.edition.as_str().to_owned(),
        rust_version: p.rust_version.clone(),
        targets,
    }
}
