//! The part of the inspected workspace's configuration that decides what `cargo metadata`
//! resolves, turned into `--config KEY=VALUE` arguments.
//!
//! The gate runs `cargo metadata` from a directory outside the workspace, so that cargo reads
//! none of the workspace's `.cargo/config.toml` files: they can name a compiler, a compiler
//! wrapper, `[env]` variables for the compiler, rustflags that load plugins, or credential
//! providers, all of which cargo would run. What the resolution needs from them is forwarded on
//! the command line instead, key by key from an allow-list: source replacement (vendoring),
//! `[patch]`, registry index URLs, the default registry, `[net]` and `[resolver]` settings, and
//! `paths` overrides. Relative paths are made absolute against the directory that holds the
//! file's `.cargo` directory, as cargo resolves them.

use super::{CargoConfig, Node, Table};
use std::path::{Path, PathBuf};

/// Which leaves of the configuration are forwarded: a dotted prefix, and whether a value under
/// it is a path.
const FORWARDED: [(&[&str], Forward); 9] = [
    (&["source"], Forward::Tree),
    (&["patch"], Forward::Tree),
    (&["registries", "*", "index"], Forward::Value),
    (&["registries", "*", "protocol"], Forward::Value),
    (&["registry", "default"], Forward::Value),
    (&["net", "offline"], Forward::Value),
    (&["net", "git-fetch-with-cli"], Forward::Value),
    (&["resolver"], Forward::Tree),
    (&["paths"], Forward::Value),
];

/// Keys whose string values are paths relative to the configuration's directory.
const PATH_KEYS: [&str; 3] = ["directory", "local-registry", "path"];

#[derive(Clone, Copy)]
enum Forward {
    /// Every leaf under the prefix.
    Tree,
    /// The value at the prefix itself.
    Value,
}

impl CargoConfig {
    /// `--config KEY=VALUE` arguments carrying the resolution settings of every file read,
    /// except those `skip` leaves out (the files cargo reads itself, under `$CARGO_HOME`), in
    /// ascending precedence, so the last one wins as it would in the files.
    pub fn resolution_args(&self, skip: &dyn Fn(&Path) -> bool) -> Vec<String> {
        let mut args = Vec::new();
        for layer in &self.layers {
            let path = &self.sources[layer.file].path;
            if skip(path) {
                continue;
            }
            let base = base_dir(path);
            for (prefix, how) in FORWARDED {
                collect(&layer.root, prefix, &mut Vec::new(), how, &base, &mut args);
            }
        }
        args
    }
}

impl CargoConfig {
    /// The directories of every `[source.<name>] directory` (vendored crates), absolute.
    pub fn vendor_dirs(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for layer in &self.layers {
            let base = base_dir(&self.sources[layer.file].path);
            let Some(Node::Table(sources, _)) = layer.root.get("source") else { continue };
            for source in sources.values() {
                if let Node::Table(t, _) = source
                    && let Some(Node::Scalar(toml::Value::String(dir), _)) = t.get("directory")
                {
                    out.push(crate::paths::absolute(&base.join(dir)));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The directory relative paths in a config file are resolved against: the parent of its
/// `.cargo` directory, or the file's own directory for a file elsewhere (an `include`d file).
fn base_dir(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("/"));
    if dir.file_name().is_some_and(|n| n == ".cargo") {
        dir.parent().unwrap_or(dir).to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

/// Walks `table` along `prefix` (`*` matches every key) and adds the forwarded leaves.
fn collect(
    table: &Table,
    prefix: &[&str],
    at: &mut Vec<String>,
    how: Forward,
    base: &Path,
    out: &mut Vec<String>,
) {
    let Some((first, rest)) = prefix.split_first() else { return };
    for (key, node) in table.iter().filter(|(k, _)| *first == "*" || k.as_str() == *first) {
        at.push(key.clone());
        match (rest.is_empty(), node, how) {
            (false, Node::Table(inner, _), _) => collect(inner, rest, at, how, base, out),
            (true, Node::Table(inner, _), Forward::Tree) => leaves(inner, at, base, out),
            (true, Node::Table(..), Forward::Value) | (false, _, _) => {}
            (true, leaf, _) => out.push(argument(at, leaf, base)),
        }
        at.pop();
    }
}

/// Every leaf of a table, as arguments.
fn leaves(table: &Table, at: &mut Vec<String>, base: &Path, out: &mut Vec<String>) {
    for (key, node) in table {
        at.push(key.clone());
        match node {
            Node::Table(inner, _) => leaves(inner, at, base, out),
            leaf => out.push(argument(at, leaf, base)),
        }
        at.pop();
    }
}

/// `a.b."c d"=VALUE`, with a path value made absolute.
fn argument(key: &[String], node: &Node, base: &Path) -> String {
    let is_path = key.last().is_some_and(|k| PATH_KEYS.contains(&k.as_str()))
        || key.first().is_some_and(|k| k == "paths");
    let value = absolutize(node.to_value(), is_path, base);
    let key: Vec<String> = key.iter().map(|k| key_segment(k)).collect();
    format!("{}={}", key.join("."), inline(&value))
}

fn absolutize(value: toml::Value, is_path: bool, base: &Path) -> toml::Value {
    match value {
        toml::Value::String(s) if is_path && !Path::new(&s).is_absolute() => {
            toml::Value::String(base.join(s).display().to_string())
        }
        toml::Value::Array(items) => {
            toml::Value::Array(items.into_iter().map(|v| absolutize(v, is_path, base)).collect())
        }
        other => other,
    }
}

/// A key as TOML writes it: bare when it can be, quoted otherwise.
fn key_segment(key: &str) -> String {
    let bare = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare { key.to_owned() } else { toml::Value::String(key.to_owned()).to_string() }
}

/// A value in TOML's inline syntax.
fn inline(value: &toml::Value) -> String {
    match value {
        toml::Value::Array(items) => {
            format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", "))
        }
        toml::Value::Table(t) => {
            let parts: Vec<String> =
                t.iter().map(|(k, v)| format!("{} = {}", key_segment(k), inline(v))).collect();
            format!("{{ {} }}", parts.join(", "))
        }
        scalar => scalar.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_settings_are_forwarded_and_the_rest_is_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".cargo")).unwrap();
        std::fs::write(
            dir.path().join(".cargo/config.toml"),
            r#"
[build]
rustc-wrapper = "/tmp/evil"
rustflags = ["-Zcodegen-backend=/tmp/evil.so"]
[env]
LD_PRELOAD = "/tmp/evil.so"
[source.crates-io]
replace-with = "vendored"
[source.vendored]
directory = "vendor"
[registries.internal]
index = "sparse+https://registry.example.com/index/"
credential-provider = ["/tmp/evil"]
[patch."https://github.com/example/lib"]
lib = { path = "../lib" }
[net]
offline = true
"#,
        )
        .unwrap();
        let home = tempfile::tempdir().unwrap();
        let config = CargoConfig::load(dir.path(), home.path(), [("HOME", "/nonexistent")]).unwrap();
        let args = config.resolution_args(&|_| false);
        let base = std::path::absolute(dir.path()).unwrap();
        assert_eq!(
            args,
            [
                "source.crates-io.replace-with=\"vendored\"".to_owned(),
                format!("source.vendored.directory=\"{}\"", base.join("vendor").display()),
                format!(
                    "patch.\"https://github.com/example/lib\".lib.path=\"{}\"",
                    base.join("../lib").display()
                ),
                "registries.internal.index=\"sparse+https://registry.example.com/index/\"".to_owned(),
                "net.offline=true".to_owned(),
            ]
        );
        assert!(config.resolution_args(&|_| true).is_empty());
    }
}
