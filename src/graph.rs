//! Load: `cargo metadata`, reduced to the dependency graph that the SBOM and the graph-based
//! gates read. Only run when a selected gate or output needs it; the lockfile-only gates never
//! pay for it.

use crate::load::workspace::Workspace;
use anyhow::Context as _;
use cargo_lock::SourceId;
use cargo_metadata::{DependencyKind, MetadataCommand, TargetKind};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

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
    fn args(&self) -> Vec<String> {
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
}

impl Package {
    /// A crates.io package with nothing but a name and version, for tests.
    #[cfg(test)]
    pub fn stub(name: &str, version: semver::Version) -> Self {
        Package {
            name: name.into(),
            version,
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

/// The resolved dependency graph.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Packages, sorted by name, version and source.
    pub packages: Vec<Package>,
    /// Dependencies per package (same indexes), sorted by target.
    pub deps: Vec<Vec<Dep>>,
}

impl Graph {
    /// Indexes of the workspace members.
    pub fn members(&self) -> impl Iterator<Item = usize> + '_ {
        self.packages.iter().enumerate().filter(|(_, p)| p.member).map(|(i, _)| i)
    }

    /// The shortest dependency path from a workspace member to `target` (through any kind of
    /// dependency), as package labels: `["app 1.0.0", "hyper 0.14.9", "h2 0.3.27"]`.
    pub fn path_to(&self, target: usize) -> Vec<String> {
        let mut previous: Vec<Option<usize>> = vec![None; self.packages.len()];
        let mut seen = vec![false; self.packages.len()];
        let mut queue: std::collections::VecDeque<usize> = self.members().collect();
        for &m in &queue {
            seen[m] = true;
        }
        while let Some(node) = queue.pop_front() {
            if node == target {
                let mut path = vec![node];
                while let Some(p) = previous[*path.last().unwrap_or(&node)] {
                    path.push(p);
                }
                return path.iter().rev().map(|&i| self.packages[i].label()).collect();
            }
            for dep in &self.deps[node] {
                if !seen[dep.to] {
                    seen[dep.to] = true;
                    previous[dep.to] = Some(node);
                    queue.push_back(dep.to);
                }
            }
        }
        vec![self.packages[target].label()]
    }

    /// The index of a package by name, among the workspace members.
    pub fn member_named(&self, name: &str) -> Option<usize> {
        self.members().find(|&i| self.packages[i].name == name)
    }
}

/// Runs `cargo metadata` for the workspace (from the current directory, so cargo finds the same
/// `.cargo/config.toml` a build would) and builds the graph.
pub fn load(ws: &Workspace, opts: &CargoOptions) -> anyhow::Result<Graph> {
    let metadata =
        MetadataCommand::new().manifest_path(&ws.manifest).other_options(opts.args()).exec().with_context(
            || format!("`cargo metadata` failed for {}", crate::paths::display(&ws.manifest)),
        )?;
    from_metadata(&metadata, &ws.root)
}

/// Builds the graph from `cargo metadata` output.
pub fn from_metadata(metadata: &cargo_metadata::Metadata, root: &Path) -> anyhow::Result<Graph> {
    let resolve = metadata.resolve.as_ref().context("`cargo metadata` returned no dependency resolution")?;
    let members: std::collections::HashSet<_> = metadata.workspace_members.iter().collect();
    let resolved: std::collections::HashSet<_> = resolve.nodes.iter().map(|n| &n.id).collect();
    let mut packages: Vec<(&cargo_metadata::PackageId, Package)> = metadata
        .packages
        .iter()
        .filter(|p| resolved.contains(&p.id))
        .map(|p| (&p.id, package(p, members.contains(&p.id), root)))
        .collect();
    packages
        .sort_by(|a, b| (&a.1.name, &a.1.version, &a.1.source).cmp(&(&b.1.name, &b.1.version, &b.1.source)));
    let index: HashMap<&cargo_metadata::PackageId, usize> =
        packages.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
    let mut deps = vec![Vec::new(); packages.len()];
    for node in &resolve.nodes {
        let Some(&from) = index.get(&node.id) else { continue };
        let mut edges: BTreeMap<usize, Dep> = BTreeMap::new();
        for d in &node.deps {
            let Some(&to) = index.get(&d.pkg) else { continue };
            let e = edges.entry(to).or_insert(Dep { to, normal: false, build: false, dev: false });
            for k in &d.dep_kinds {
                match k.kind {
                    DependencyKind::Normal => e.normal = true,
                    DependencyKind::Build => e.build = true,
                    DependencyKind::Development => e.dev = true,
                    _ => e.normal = true,
                }
            }
        }
        deps[from] = edges.into_values().collect();
    }
    Ok(Graph { packages: packages.into_iter().map(|(_, p)| p).collect(), deps })
}

fn package(p: &cargo_metadata::Package, member: bool, root: &Path) -> Package {
    let dir = p.manifest_path.parent().map(|d| d.as_std_path().to_path_buf()).unwrap_or_default();
    let kinds = || p.targets.iter().flat_map(|t| t.kind.iter());
    Package {
        name: p.name.to_string(),
        version: p.version.clone(),
        source: match &p.source {
            None => Source::Path { dir: crate::paths::relative(&dir, root) },
            Some(s) => parse_source(&s.repr),
        },
        source_repr: p.source.as_ref().map(|s| s.repr.clone()),
        license: p.license.clone().filter(|l| !l.trim().is_empty()),
        license_file: p.license_file.as_ref().map(|f| f.to_string()),
        authors: p.authors.clone(),
        description: p.description.as_ref().map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
        repository: p.repository.clone(),
        homepage: p.homepage.clone(),
        documentation: p.documentation.clone(),
        proc_macro: kinds().any(|k| *k == TargetKind::ProcMacro),
        binary: kinds().any(|k| *k == TargetKind::Bin),
        member,
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
