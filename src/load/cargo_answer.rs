//! The parts of `cargo metadata`'s answer that cargo-spdf reads, deserialized in place.
//!
//! `cargo_metadata::Metadata` turns the whole answer into owned values: every dependency
//! declaration of every package with its requirement and features, every feature table, every
//! `[package.metadata]` value. On an 800-package workspace that is 4 MB of JSON, and its parse
//! was the largest step between cargo's answer and the report, a step nothing can overlap. These
//! types name only the fields the members, the graph and the warm-path cache use; serde skips the
//! rest without building it, and the strings borrow from the text unless they hold escapes. The
//! field names and shapes are those of cargo's `--format-version 1` output, which cargo keeps
//! stable (<https://doc.rust-lang.org/cargo/commands/cargo-metadata.html#json-format>).

use serde::Deserialize;
use std::borrow::Cow;

/// The answer: packages, members and (without `--no-deps`) the resolution.
#[derive(Debug, Deserialize)]
pub struct Answer<'a> {
    /// Every package cargo loaded.
    #[serde(borrow)]
    pub packages: Vec<Package<'a>>,
    /// The members' package ids.
    #[serde(borrow)]
    pub workspace_members: Vec<Cow<'a, str>>,
    /// The resolved graph (`null` with `--no-deps`).
    #[serde(borrow, default)]
    pub resolve: Option<Resolve<'a>>,
}

/// One package.
#[derive(Debug, Deserialize)]
pub struct Package<'a> {
    /// Name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Version.
    pub version: semver::Version,
    /// Package id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// Source (`null` for a path package).
    #[serde(borrow, default)]
    pub source: Option<Cow<'a, str>>,
    /// SPDX licence expression.
    #[serde(default)]
    pub license: Option<String>,
    /// Licence file, relative to the manifest.
    #[serde(default)]
    pub license_file: Option<String>,
    /// Authors.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Description.
    #[serde(borrow, default)]
    pub description: Option<Cow<'a, str>>,
    /// Repository URL.
    #[serde(default)]
    pub repository: Option<String>,
    /// Homepage URL.
    #[serde(default)]
    pub homepage: Option<String>,
    /// Documentation URL.
    #[serde(default)]
    pub documentation: Option<String>,
    /// Targets.
    #[serde(borrow, default)]
    pub targets: Vec<Target<'a>>,
    /// Absolute path of the manifest.
    #[serde(borrow)]
    pub manifest_path: Cow<'a, str>,
    /// Edition (cargo writes `"2015"` when the manifest sets none).
    #[serde(borrow, default = "edition_2015")]
    pub edition: Cow<'a, str>,
    /// `rust-version`, as written (`1.70` or `1.70.0`).
    #[serde(borrow, default)]
    pub rust_version: Option<Cow<'a, str>>,
}

fn edition_2015() -> Cow<'static, str> {
    Cow::Borrowed("2015")
}

impl Package<'_> {
    /// `rust-version` as a version (`1.70` is `1.70.0`), if it is one.
    pub fn rust_version(&self) -> Option<semver::Version> {
        let text = self.rust_version.as_deref()?;
        let text = if text.matches('.').count() == 1 { format!("{text}.0") } else { text.to_owned() };
        semver::Version::parse(&text).ok().filter(|v| v.pre.is_empty() && v.build.is_empty())
    }

    /// Whether any target has this kind (`"bin"`, `"proc-macro"`, ...).
    pub fn has_target_kind(&self, kind: &str) -> bool {
        self.targets.iter().any(|t| t.kind.iter().any(|k| k == kind))
    }
}

/// One target of a package.
#[derive(Debug, Deserialize)]
pub struct Target<'a> {
    /// Name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Kinds (`lib`, `rlib`, `proc-macro`, `bin`, `custom-build`, `test`, `example`, ...).
    #[serde(borrow, default)]
    pub kind: Vec<Cow<'a, str>>,
    /// Absolute path of the crate root.
    #[serde(borrow)]
    pub src_path: Cow<'a, str>,
}

/// The resolution.
#[derive(Debug, Deserialize)]
pub struct Resolve<'a> {
    /// One node per resolved package.
    #[serde(borrow)]
    pub nodes: Vec<Node<'a>>,
}

/// A resolved package and its dependencies.
#[derive(Debug, Deserialize)]
pub struct Node<'a> {
    /// Package id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// Its dependencies, with their kinds.
    #[serde(borrow, default)]
    pub deps: Vec<NodeDep<'a>>,
}

/// One dependency edge.
#[derive(Debug, Deserialize)]
pub struct NodeDep<'a> {
    /// The dependency's package id.
    #[serde(borrow)]
    pub pkg: Cow<'a, str>,
    /// How it is depended on (one entry per kind and platform).
    #[serde(borrow, default)]
    pub dep_kinds: Vec<DepKind<'a>>,
}

/// One kind of an edge.
#[derive(Debug, Deserialize)]
pub struct DepKind<'a> {
    /// `null` (normal), `"dev"` or `"build"`.
    #[serde(borrow, default)]
    pub kind: Option<Cow<'a, str>>,
}

/// Reads cargo's answer.
pub fn parse(text: &str) -> serde_json::Result<Answer<'_>> {
    serde_json::from_str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = r#"{
        "packages": [{
            "name": "app", "version": "0.1.0", "id": "path+file:///ws#app@0.1.0", "source": null,
            "license": "MIT", "license_file": null, "authors": ["A \"B\" <a@b>"],
            "description": "An\napp", "dependencies": [{"name": "x", "req": "^1", "features": []}],
            "targets": [{"kind": ["bin"], "crate_types": ["bin"], "name": "app",
                         "src_path": "/ws/src/main.rs", "edition": "2021", "doctest": false}],
            "features": {"default": []}, "manifest_path": "/ws/Cargo.toml", "metadata": {"x": [1, {"y": null}]},
            "edition": "2021", "rust_version": "1.70", "publish": null
        }],
        "workspace_members": ["path+file:///ws#app@0.1.0"],
        "workspace_default_members": ["path+file:///ws#app@0.1.0"],
        "resolve": {"nodes": [{"id": "path+file:///ws#app@0.1.0", "dependencies": [], "deps": [
            {"name": "x", "pkg": "registry+https://github.com/rust-lang/crates.io-index#x@1.0.0",
             "dep_kinds": [{"kind": null, "target": null}, {"kind": "dev", "target": "cfg(unix)"}]}
        ], "features": []}], "root": null},
        "target_directory": "/ws/target", "version": 1, "workspace_root": "/ws", "metadata": null
    }"#;

    #[test]
    fn the_fields_used_are_read_and_the_rest_skipped() {
        let answer = parse(ANSWER).unwrap();
        let p = &answer.packages[0];
        assert_eq!((p.name.as_ref(), p.version.to_string().as_str()), ("app", "0.1.0"));
        assert_eq!(p.source, None);
        assert_eq!(p.authors, ["A \"B\" <a@b>"]);
        assert_eq!(p.description.as_deref(), Some("An\napp"));
        assert!(matches!(p.description, Some(Cow::Owned(_))), "an escaped string is unescaped");
        assert!(matches!(p.manifest_path, Cow::Borrowed(_)), "a plain string is borrowed");
        assert_eq!(p.rust_version(), Some(semver::Version::new(1, 70, 0)));
        assert!(p.has_target_kind("bin") && !p.has_target_kind("proc-macro"));
        let node = &answer.resolve.as_ref().unwrap().nodes[0];
        let kinds: Vec<_> = node.deps[0].dep_kinds.iter().map(|k| k.kind.as_deref()).collect();
        assert_eq!(kinds, [None, Some("dev")]);
    }

    #[test]
    fn no_deps_answers_have_no_resolution_and_old_fields_default() {
        let text = r#"{"packages": [{"name": "a", "version": "1.0.0", "id": "a 1.0.0 (path+file:///a)",
            "source": null, "targets": [], "manifest_path": "/a/Cargo.toml"}],
            "workspace_members": ["a 1.0.0 (path+file:///a)"], "resolve": null}"#;
        let answer = parse(text).unwrap();
        assert!(answer.resolve.is_none());
        assert_eq!(answer.packages[0].edition, "2015");
        assert_eq!(answer.packages[0].rust_version(), None);
    }

    #[test]
    fn a_prerelease_rust_version_is_not_a_version() {
        let text = ANSWER.replace(r#""rust_version": "1.70""#, r#""rust_version": "1.70.0-beta""#);
        assert_eq!(parse(&text).unwrap().packages[0].rust_version(), None);
    }

    #[test]
    fn a_missing_required_field_is_an_error() {
        assert!(parse(r#"{"packages": [{"name": "a"}], "workspace_members": []}"#).is_err());
        assert!(parse("not json").is_err());
    }
}
