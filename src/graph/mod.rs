//! The dependency graph the SBOM and the licences and support gates read: from `cargo metadata`
//! where it can run (see [`crate::load::metadata`]), else from `Cargo.lock` and the manifests
//! found on disk (see [`crate::load::fallback`]), and which of the two it rests on.

pub mod scope;

use cargo_lock::SourceId;

/// The cargo flags that change what `cargo metadata` resolves.
#[derive(Debug, Clone, Default)]
pub struct CargoOptions {
    /// `--offline`.
    pub offline: bool,
    /// `--locked`.
    pub locked: bool,
    /// `--frozen`.
    pub frozen: bool,
    /// `--features`.
    pub features: Vec<String>,
    /// `--all-features`.
    pub all_features: bool,
    /// `--no-default-features`.
    pub no_default_features: bool,
    /// `--filter-platform`: keep only what this target pulls in.
    pub target: Option<String>,
}

impl CargoOptions {
    /// The flags as cargo takes them.
    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        let flags = [(self.offline, "--offline"), (self.locked, "--locked"), (self.frozen, "--frozen")];
        args.extend(flags.iter().filter(|(on, _)| *on).map(|(_, f)| (*f).to_owned()));
        if self.all_features {
            args.push("--all-features".to_owned());
        }
        if self.no_default_features {
            args.push("--no-default-features".to_owned());
        }
        if !self.features.is_empty() {
            args.extend(["--features".to_owned(), self.features.join(",")]);
        }
        if let Some(t) = &self.target {
            args.extend(["--filter-platform".to_owned(), t.clone()]);
        }
        args
    }
}

/// Where a package comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// crates.io.
    CratesIo,
    /// Another registry, by index URL.
    Registry {
        /// Index URL (with its `registry+` or `sparse+` prefix removed).
        url: String,
    },
    /// A git repository.
    Git {
        /// Repository URL without query or fragment.
        url: String,
        /// The locked commit.
        commit: Option<String>,
        /// Whether the manifest pins a `rev` (rather than a branch, a tag or the default branch).
        pinned: bool,
    },
    /// A local path, relative to the workspace root (`/` separators; may start with `..`).
    Path {
        /// The package directory.
        dir: String,
    },
}

/// One package of the resolved graph.
#[derive(Debug, Clone)]
pub struct Package {
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: semver::Version,
    /// Source.
    pub source: Source,
    /// The `source` string as cargo writes it in Cargo.lock (`None` for path packages).
    pub source_repr: Option<String>,
    /// SPDX licence expression as declared.
    pub license: Option<String>,
    /// Licence file name as declared (relative to the package).
    pub license_file: Option<String>,
    /// Authors as declared.
    pub authors: Vec<String>,
    /// Description.
    pub description: Option<String>,
    /// Repository URL.
    pub repository: Option<String>,
    /// Homepage URL.
    pub homepage: Option<String>,
    /// Documentation URL.
    pub documentation: Option<String>,
    /// The package is a proc-macro crate (runs at compile time only).
    pub proc_macro: bool,
    /// The package has a binary target.
    pub binary: bool,
    /// The package is a workspace member.
    pub member: bool,
    /// Why its manifest could not be read (a graph built from the lockfile, for a package whose
    /// manifest was found nowhere on disk): its licence, authors and links are then unknown.
    pub unread: Option<String>,
}

impl Package {
    /// A crates.io package with nothing but a name and version, for tests.
    #[cfg(test)]
    pub fn stub(name: &str, version: semver::Version) -> Self {
        Package { name: name.into(), version, ..Self::bare() }
    }

    /// A crates.io package 0.0.0 with no name and no manifest fields, to fill in.
    pub fn bare() -> Self {
        Package {
            name: String::new(),
            version: semver::Version::new(0, 0, 0),
            source: Source::CratesIo,
            source_repr: None,
            license: None,
            license_file: None,
            authors: vec![],
            description: None,
            repository: None,
            homepage: None,
            documentation: None,
            proc_macro: false,
            binary: false,
            member: false,
            unread: None,
        }
    }

    /// `name version`.
    pub fn label(&self) -> String {
        format!("{} {}", self.name, self.version)
    }
}

/// How one package depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dep {
    /// Index of the package depended on.
    pub to: usize,
    /// As a normal dependency.
    pub normal: bool,
    /// As a build dependency.
    pub build: bool,
    /// As a dev dependency.
    pub dev: bool,
}

/// What a graph rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// `cargo metadata`: what the selected target and features pull in, with dependency kinds.
    Metadata,
    /// `Cargo.lock` alone, because `cargo metadata` could not run (the reason): every locked
    /// package, dependency kinds unknown (all counted as normal), manifests read from disk where
    /// found. An over-approximation of what ships.
    Lockfile {
        /// Why `cargo metadata` could not be used.
        reason: String,
    },
}

/// The resolved dependency graph.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Packages, sorted by name, version and source.
    pub packages: Vec<Package>,
    /// Dependencies per package (same indexes), sorted by target.
    pub deps: Vec<Vec<Dep>>,
    /// What it rests on.
    pub basis: Basis,
}

impl Graph {
    /// Indexes of the workspace members.
    pub fn members(&self) -> impl Iterator<Item = usize> + '_ {
        self.packages.iter().enumerate().filter(|(_, p)| p.member).map(|(i, _)| i)
    }

    /// The index of a package by name, among the workspace members.
    pub fn member_named(&self, name: &str) -> Option<usize> {
        self.members().find(|&i| self.packages[i].name == name)
    }

    /// The members that ship: every member the policy does not name as a tool.
    pub fn product_members(&self, policy: &crate::policy::Policy) -> Vec<usize> {
        self.members().filter(|&i| !self.is_tool(i, policy)).collect()
    }

    /// Whether a member is one of the policy's tools.
    pub fn is_tool(&self, i: usize, policy: &crate::policy::Policy) -> bool {
        let p = &self.packages[i];
        let dir = match &p.source {
            Source::Path { dir } => dir.as_str(),
            _ => "",
        };
        p.member && policy.is_tool(&p.name, dir)
    }
}

/// Parses a cargo source string (`registry+…`, `sparse+…`, `git+…?rev=…#commit`).
pub fn parse_source(repr: &str) -> Source {
    match SourceId::from_url(repr) {
        Ok(id) if id.is_default_registry() => Source::CratesIo,
        Ok(id) if id.is_git() => {
            let mut url = id.url().clone();
            url.set_query(None);
            url.set_fragment(None);
            let pinned = matches!(id.git_reference(), Some(cargo_lock::package::GitReference::Rev(_)));
            Source::Git { url: url.to_string(), commit: id.precise().map(str::to_owned), pinned }
        }
        Ok(id) => Source::Registry { url: id.url().to_string() },
        Err(_) => Source::Registry { url: repr.to_owned() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources() {
        assert_eq!(parse_source("registry+https://github.com/rust-lang/crates.io-index"), Source::CratesIo);
        assert_eq!(parse_source("sparse+https://index.crates.io/"), Source::CratesIo);
        assert_eq!(
            parse_source("sparse+https://registry.example.com/index/"),
            Source::Registry { url: "https://registry.example.com/index/".into() }
        );
        assert_eq!(
            parse_source("git+https://github.com/example/lib?rev=abc123#abc1234567890"),
            Source::Git {
                url: "https://github.com/example/lib".into(),
                commit: Some("abc1234567890".into()),
                pinned: true
            }
        );
        assert_eq!(
            parse_source("git+https://github.com/example/lib?branch=main#abc1234567890"),
            Source::Git {
                url: "https://github.com/example/lib".into(),
                commit: Some("abc1234567890".into()),
                pinned: false
            }
        );
    }
}
