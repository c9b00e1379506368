//! Load: the workspace's manifests, read without cargo: which packages are members (the root
//! package, `[workspace] members` globs minus `exclude`, and the path dependencies inside the
//! workspace, as cargo decides), each member's declared dependencies, and the package fields the
//! SBOM and the licences gate read, with `workspace = true` inheritance resolved.
//!
//! This is what the lockfile gates know about the workspace when `cargo metadata` cannot run, and
//! what a lockfile is checked against for staleness.

use crate::load::workspace::Workspace;
use crate::toml_file::TomlFile;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// The kind of a declared dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DepKind {
    /// `[dependencies]`.
    Normal,
    /// `[build-dependencies]`.
    Build,
    /// `[dev-dependencies]`.
    Dev,
}

/// One dependency as a manifest declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredDep {
    /// The crate's real name (`package = "..."` when renamed, else the key).
    pub name: String,
    /// The version requirement, when given.
    pub req: Option<semver::VersionReq>,
    /// The directory of a path dependency (absolute).
    pub path: Option<PathBuf>,
    /// A git dependency.
    pub git: bool,
    /// Its kind.
    pub kind: DepKind,
}

/// A package manifest, as far as the lockfile gates read it.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// The manifest file (absolute).
    pub path: PathBuf,
    /// Package name.
    pub name: String,
    /// Package version (`0.0.0` when the manifest gives none, as cargo defaults it).
    pub version: Option<semver::Version>,
    /// Declared dependencies (every table, every target).
    pub deps: Vec<DeclaredDep>,
    /// `license`.
    pub license: Option<String>,
    /// `license-file`.
    pub license_file: Option<String>,
    /// `authors`.
    pub authors: Vec<String>,
    /// `description`.
    pub description: Option<String>,
    /// `repository`.
    pub repository: Option<String>,
    /// `homepage`.
    pub homepage: Option<String>,
    /// `documentation`.
    pub documentation: Option<String>,
    /// Whether it has a `[lib] proc-macro = true`.
    pub proc_macro: bool,
}

impl Manifest {
    /// The package directory.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }
}

/// What the root manifest says about the workspace.
#[derive(Debug, Clone, Default)]
struct Root {
    package: Option<Table>,
    members: Vec<String>,
    exclude: Vec<String>,
    inherited_package: Table,
    inherited_deps: Table,
    /// The workspace root, which `[workspace.dependencies]` paths are relative to.
    dir: PathBuf,
}

/// The workspace members, sorted by name. A member manifest that cannot be read is an error
/// naming it (the first in path order of the first round that has one). The manifests are read
/// in rounds, each in parallel: the root's members, then the path packages inside the workspace
/// that those name, and so on.
pub fn members(ws: &Workspace) -> anyhow::Result<Vec<Manifest>> {
    let root_file = TomlFile::read(&ws.manifest, &ws.root)?;
    let root = read_root(&root_file, &ws.root)?;
    let mut found: Vec<Manifest> = Vec::new();
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let mut round: Vec<PathBuf> = Vec::new();
    if root.package.is_some() {
        round.push(ws.manifest.clone());
    }
    round.extend(glob_members(&ws.root, &root.members, &root.exclude));
    while !round.is_empty() {
        round.sort();
        round.dedup();
        round.retain(|p| seen.insert(p.clone()));
        let read: Vec<anyhow::Result<Manifest>> =
            round.par_iter().map(|path| parse(&TomlFile::read(path, &ws.root)?, &root)).collect();
        let manifests = read.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
        round = manifests
            .iter()
            .flat_map(|m| &m.deps)
            .filter_map(|dep| dep.path.as_ref().filter(|d| d.starts_with(&ws.root)))
            .map(|dir| (dir, dir.join("Cargo.toml")))
            .filter(|(dir, candidate)| {
                !seen.contains(candidate) && !excluded(&ws.root, dir, &root.exclude) && candidate.is_file()
            })
            .map(|(_, candidate)| candidate)
            .collect();
        found.extend(manifests);
    }
    found.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.path.cmp(&b.path)));
    Ok(found)
}

/// The most manifests [`outside`] reads: more path packages than any workspace has, fewer than
/// a pull request could make it read.
const MAX_OUTSIDE: usize = 4096;

/// The manifests of the path packages the members reach through `path` dependencies that are
/// not members themselves (sibling crates of a monorepo, a vendored copy), followed from one
/// manifest to the next as cargo does. One that cannot be read is skipped: its package then has
/// no known directory, which the gates that need it say.
pub fn outside(members: &[Manifest], root: &Path) -> Vec<Manifest> {
    let mut seen: BTreeSet<PathBuf> = members.iter().map(|m| m.path.clone()).collect();
    let path_deps = |m: &Manifest| -> Vec<PathBuf> {
        m.deps.iter().filter_map(|d| d.path.as_ref()).map(|d| d.join("Cargo.toml")).collect()
    };
    let mut round: Vec<PathBuf> = members.iter().flat_map(path_deps).collect();
    let mut found = Vec::new();
    while !round.is_empty() && found.len() < MAX_OUTSIDE {
        round.sort();
        round.dedup();
        round.retain(|p| seen.insert(p.clone()));
        round.truncate(MAX_OUTSIDE - found.len());
        let read: Vec<Manifest> = round.par_iter().filter_map(|path| read_package(path, root).ok()).collect();
        round = read.iter().flat_map(path_deps).collect();
        found.extend(read);
    }
    found.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.path.cmp(&b.path)));
    found
}

/// Reads a package manifest outside the workspace (a registry, vendored or git copy), whose
/// fields are written out in full.
pub fn read_package(path: &Path, root: &Path) -> anyhow::Result<Manifest> {
    let file = TomlFile::read(path, root)?;
    parse(&file, &Root::default())
}

fn read_root(file: &TomlFile, dir: &Path) -> anyhow::Result<Root> {
    let table: Table = toml::from_str(&file.text)
        .map_err(|e| anyhow::Error::new(crate::toml_file::SpannedErrors(vec![file.toml_error(&e)])))?;
    let ws = table.get("workspace").and_then(Value::as_table);
    let strings = |key: &str| -> Vec<String> {
        ws.and_then(|w| w.get(key))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let sub = |key: &str| ws.and_then(|w| w.get(key)).and_then(Value::as_table).cloned().unwrap_or_default();
    Ok(Root {
        package: table.get("package").and_then(Value::as_table).cloned(),
        members: strings("members"),
        exclude: strings("exclude"),
        inherited_package: sub("package"),
        inherited_deps: sub("dependencies"),
        dir: dir.to_path_buf(),
    })
}

/// Member manifests matched by the `members` globs, minus `exclude`.
fn glob_members(root: &Path, members: &[String], exclude: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for pattern in members {
        let full = root.join(pattern).join("Cargo.toml");
        let Ok(paths) = glob::glob(&full.to_string_lossy()) else { continue };
        for path in paths.flatten() {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            if !excluded(root, &dir, exclude) {
                out.push(crate::paths::absolute(&path));
            }
        }
    }
    out
}

fn excluded(root: &Path, dir: &Path, exclude: &[String]) -> bool {
    exclude.iter().any(|e| dir.starts_with(root.join(e)))
}

fn parse(file: &TomlFile, root: &Root) -> anyhow::Result<Manifest> {
    let table: Table = toml::from_str(&file.text)
        .map_err(|e| anyhow::Error::new(crate::toml_file::SpannedErrors(vec![file.toml_error(&e)])))?;
    let package = table.get("package").and_then(Value::as_table).cloned().unwrap_or_default();
    let field = |key: &str| -> Option<Value> {
        match package.get(key) {
            Some(Value::Table(t)) if t.get("workspace").and_then(Value::as_bool) == Some(true) => {
                root.inherited_package.get(key).cloned()
            }
            other => other.cloned(),
        }
    };
    let text =
        |key: &str| field(key).and_then(|v| v.as_str().map(str::to_owned)).filter(|s| !s.trim().is_empty());
    let dir = file.path.parent().unwrap_or(Path::new("/")).to_path_buf();
    Ok(Manifest {
        path: file.path.clone(),
        name: package.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
        version: text("version").and_then(|v| semver::Version::parse(&v).ok()),
        deps: declared_deps(&table, &dir, root),
        license: text("license"),
        license_file: text("license-file"),
        authors: field("authors")
            .and_then(|v| v.as_array().cloned())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        description: text("description").map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
        repository: text("repository"),
        homepage: text("homepage"),
        documentation: text("documentation"),
        proc_macro: table
            .get("lib")
            .and_then(|l| l.get("proc-macro").or_else(|| l.get("proc_macro")))
            .and_then(Value::as_bool)
            == Some(true),
    })
}

/// Every dependency of every table: `[dependencies]`, `[build-dependencies]`,
/// `[dev-dependencies]` (and their old underscore spellings), also under `[target.*]`.
fn declared_deps(table: &Table, dir: &Path, root: &Root) -> Vec<DeclaredDep> {
    let mut tables: Vec<&Table> = vec![table];
    if let Some(targets) = table.get("target").and_then(Value::as_table) {
        tables.extend(targets.values().filter_map(Value::as_table));
    }
    let kinds = [
        ("dependencies", DepKind::Normal),
        ("build-dependencies", DepKind::Build),
        ("build_dependencies", DepKind::Build),
        ("dev-dependencies", DepKind::Dev),
        ("dev_dependencies", DepKind::Dev),
    ];
    let mut out = Vec::new();
    for t in tables {
        for (key, kind) in kinds {
            let Some(deps) = t.get(key).and_then(Value::as_table) else { continue };
            for (name, spec) in deps {
                out.push(declared(name, spec, kind, dir, root));
            }
        }
    }
    out
}

fn declared(key: &str, spec: &Value, kind: DepKind, dir: &Path, root: &Root) -> DeclaredDep {
    let inherited = spec.get("workspace").and_then(Value::as_bool) == Some(true);
    let (spec, base): (Option<&Value>, PathBuf) = if inherited {
        (root.inherited_deps.get(key), root.dir.clone())
    } else {
        (Some(spec), dir.to_path_buf())
    };
    let get = |k: &str| spec.and_then(|s| s.get(k)).and_then(Value::as_str);
    let req = match spec {
        Some(Value::String(v)) => Some(v.as_str()),
        _ => get("version"),
    };
    DeclaredDep {
        name: get("package").unwrap_or(key).to_owned(),
        req: req.and_then(|r| semver::VersionReq::parse(r).ok()),
        path: get("path").map(|p| crate::paths::absolute(&base.join(p))),
        git: get("git").is_some(),
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn members_globs_path_dependencies_and_inheritance() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/skip\"]\n[workspace.package]\nlicense = \"MIT\"\nversion = \"1.2.3\"\n[workspace.dependencies]\nserde = { version = \"1.0.100\", package = \"serde\" }\nhelper = { path = \"helper\" }\n",
        );
        write(
            root,
            "crates/app/Cargo.toml",
            "[package]\nname = \"app\"\nversion.workspace = true\nlicense.workspace = true\n[dependencies]\nserde.workspace = true\nhelper.workspace = true\n[target.'cfg(unix)'.build-dependencies]\ncc = \"1\"\n",
        );
        write(root, "crates/skip/Cargo.toml", "[package]\nname = \"skip\"\n");
        write(root, "helper/Cargo.toml", "[package]\nname = \"helper\"\nversion = \"0.1.0\"\n");
        let ws = Workspace::locate(Some(&root.join("Cargo.toml"))).unwrap();
        let members = members(&ws).unwrap();
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["app", "helper"]);
        let app = &members[0];
        assert_eq!(app.license.as_deref(), Some("MIT"));
        assert_eq!(app.version, Some(semver::Version::new(1, 2, 3)));
        let deps: Vec<(&str, DepKind)> = app.deps.iter().map(|d| (d.name.as_str(), d.kind)).collect();
        assert_eq!(deps, [("helper", DepKind::Normal), ("serde", DepKind::Normal), ("cc", DepKind::Build)]);
        assert_eq!(app.deps[0].path.as_deref(), Some(crate::paths::absolute(&root.join("helper")).as_path()));
    }

    #[test]
    fn path_packages_are_followed_round_by_round_through_cycles() {
        let dir = tempfile::tempdir().unwrap();
        let root = &dir.path().join("ws");
        write(root, "Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
        let crate_at = |name: &str, deps: &[&str]| {
            let dep = |d: &&str| {
                let name = d.rsplit('/').next().unwrap_or(d);
                format!("{name} = {{ path = \"../{d}\" }}\n")
            };
            let deps: String = deps.iter().map(dep).collect();
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n[dependencies]\n{deps}")
        };
        write(root, "app/Cargo.toml", &crate_at("app", &["a", "b"]));
        write(root, "a/Cargo.toml", &crate_at("a", &["c"]));
        write(root, "b/Cargo.toml", &crate_at("b", &["a"]));
        write(root, "c/Cargo.toml", &crate_at("c", &["b", "d"]));
        write(root, "d/Cargo.toml", &crate_at("d", &["app", "../outside/e"]));
        write(dir.path(), "outside/e/Cargo.toml", &crate_at("e", &["f"]));
        write(dir.path(), "outside/f/Cargo.toml", &crate_at("f", &["e"]));
        let ws = Workspace::locate(Some(&root.join("Cargo.toml"))).unwrap();
        let found = members(&ws).unwrap();
        let names: Vec<&str> = found.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a", "app", "b", "c", "d"]);
        let beyond = outside(&found, &ws.root);
        let names: Vec<&str> = beyond.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["e", "f"]);
    }

    #[test]
    fn of_several_unreadable_members_the_first_in_path_order_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "Cargo.toml", "[workspace]\nmembers = [\"m/*\"]\n");
        write(root, "m/a/Cargo.toml", "[package]\nname = \"a\"\nversion = \"0.1.0\"\n");
        write(root, "m/b/Cargo.toml", "[package\n");
        write(root, "m/c/Cargo.toml", "[package]\nname = \"c\"\nversion = \"0.1.0\"\n");
        write(root, "m/d/Cargo.toml", "not toml");
        let ws = Workspace::locate(Some(&root.join("Cargo.toml"))).unwrap();
        for _ in 0..5 {
            let error = format!("{:#}", members(&ws).unwrap_err());
            assert!(error.contains("m/b/Cargo.toml"), "{error}");
        }
    }
}
