//! Cargo's own configuration, read the way cargo 1.95 reads it, for a static checker of lint levels
//! and release build settings.
//!
//! Cargo reads `.cargo/config.toml` (or the legacy `.cargo/config`) in the current directory and
//! every parent directory, then `$CARGO_HOME/config.toml`, and merges them: deeper directories take
//! precedence, scalars from the highest-precedence file win, arrays are joined with the
//! higher-precedence items later, and a key that is an array in one file and a scalar or table in
//! another is an error. A file's `include = [...]` list loads further files at a precedence just
//! below the including file (left to right, later ones higher). Environment variables
//! (`CARGO_BUILD_*`, `CARGO_TARGET_*`, `CARGO_PROFILE_*`, `RUSTFLAGS`, `RUSTC_WRAPPER`, ...) override
//! or extend the files.
//!
//! [`CargoConfig`] answers the questions the checker asks: which extra rustflags cargo passes to
//! rustc (and which sources they shadow), which profile settings the configuration overrides,
//! whether the toolchain is substituted (wrappers, `rustc`), and whether nightly features are
//! switched on. Every value carries its [`Origin`]: a file and 1-based line, or an environment
//! variable. The module never runs rustc: the caller passes the target's `cfg` values.

use anyhow::{Context as _, anyhow, bail};
mod forward;

use cargo_platform::{Cfg, Platform};
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Where a value came from: a config file and line, or an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A config file (absolute path as found) and the 1-based line of the value.
    File {
        /// The config file.
        path: PathBuf,
        /// 1-based line of the value (of the array element for arrays).
        line: usize,
    },
    /// An environment variable.
    Env {
        /// The variable's name, e.g. `RUSTFLAGS`.
        var: String,
    },
}

/// One rustflags value with its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The argument as passed to rustc.
    pub value: String,
    /// Where it was set.
    pub origin: Origin,
}

/// Which of the four mutually exclusive sources the extra rustflags come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagsSource {
    /// `CARGO_ENCODED_RUSTFLAGS` (flags separated by 0x1f).
    EncodedEnv,
    /// `RUSTFLAGS` (space-separated).
    Env,
    /// `[target.<triple>]` and matching `[target.'cfg(...)']` tables, and `CARGO_TARGET_<TRIPLE>_RUSTFLAGS`.
    Target,
    /// `[build] rustflags` and `CARGO_BUILD_RUSTFLAGS`.
    Build,
}

/// The rustflags cargo would pass, in order, and their source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rustflags {
    /// Which source they come from.
    pub source: FlagsSource,
    /// The flags in the order cargo passes them.
    pub flags: Vec<Flag>,
}

/// A setting found in config or environment (wrapper, rustc, unstable table, profile key).
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The dotted config key, e.g. `build.rustc-wrapper`, `unstable`,
    /// `profile.release.overflow-checks` or `profile.release.package.foo.overflow-checks`.
    pub key: String,
    /// The value; values from environment variables are `true`/`false` as booleans, integers
    /// as integers, anything else as a string (as cargo interprets them).
    pub value: toml::Value,
    /// Where it was set.
    pub origin: Origin,
}

/// The merged configuration.
#[derive(Debug, Clone)]
pub struct CargoConfig {
    cwd: PathBuf,
    sources: Vec<Source>,
    /// Parsed files in ascending precedence (the last one wins).
    layers: Vec<Layer>,
    merged: Table,
    /// The files of `layers`, highest precedence first.
    files: Vec<PathBuf>,
    env: BTreeMap<String, String>,
    notes: Vec<String>,
}

/// A config file that was read.
#[derive(Debug, Clone)]
struct Source {
    path: PathBuf,
    display: String,
    text: String,
}

/// A byte offset in one of the [`Source`]s.
#[derive(Debug, Clone, Copy)]
struct Loc {
    file: usize,
    offset: usize,
}

type Table = BTreeMap<String, Node>;

/// A TOML value whose every part remembers where it was written.
#[derive(Debug, Clone)]
enum Node {
    Scalar(toml::Value, Loc),
    List(Vec<Node>, Loc),
    Table(Table, Loc),
}

/// One parsed file's top-level table.
#[derive(Debug, Clone)]
struct Layer {
    file: usize,
    root: Table,
}

/// The wrapper and compiler keys, their `CARGO_BUILD_*` variable and the plain variable that beats it.
const TOOLS: [(&str, &str, &str); 3] = [
    ("build.rustc-wrapper", "CARGO_BUILD_RUSTC_WRAPPER", "RUSTC_WRAPPER"),
    ("build.rustc-workspace-wrapper", "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER", "RUSTC_WORKSPACE_WRAPPER"),
    ("build.rustc", "CARGO_BUILD_RUSTC", "RUSTC"),
];

/// Profile keys recognised at the end of a `CARGO_PROFILE_*` variable.
const PROFILE_KEYS: [&str; 15] = [
    "OVERFLOW_CHECKS",
    "DEBUG_ASSERTIONS",
    "SPLIT_DEBUGINFO",
    "CODEGEN_UNITS",
    "CODEGEN_BACKEND",
    "TRIM_PATHS",
    "OPT_LEVEL",
    "INCREMENTAL",
    "INHERITS",
    "RUSTFLAGS",
    "STRIP",
    "RPATH",
    "PANIC",
    "DEBUG",
    "LTO",
];

/// Variables that switch nightly-only features on for a stable toolchain.
const NIGHTLY_ENABLERS: [&str; 2] = ["RUSTC_BOOTSTRAP", "__CARGO_TEST_CHANNEL_OVERRIDE_DO_NOT_USE_THIS"];

/// The process's environment variables whose names and values are UTF-8, for [`CargoConfig::load`].
pub fn process_env() -> BTreeMap<String, String> {
    std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect()
}

/// Cargo's home directory: `CARGO_HOME` (relative to `cwd` if relative), else `$HOME/.cargo`
/// (`%USERPROFILE%\.cargo` on Windows); `None` if neither variable is set.
pub fn cargo_home(cwd: &Path, env: &BTreeMap<String, String>) -> Option<PathBuf> {
    let set = |k: &str| env.get(k).filter(|v| !v.is_empty());
    if let Some(home) = set("CARGO_HOME") {
        return Some(cwd.join(home));
    }
    set("HOME").or_else(|| set("USERPROFILE")).map(|home| Path::new(home).join(".cargo"))
}

/// Keeps the last setting for each key (the one cargo uses), in the order of their first appearance.
///
/// [`CargoConfig::profile_settings`], [`CargoConfig::toolchain_overrides`] and
/// [`CargoConfig::unstable`] list every occurrence in ascending precedence; this reduces such a
/// list to the effective values.
pub fn effective(settings: Vec<Setting>) -> Vec<Setting> {
    let mut out: Vec<Setting> = Vec::new();
    for s in settings {
        match out.iter_mut().find(|o| o.key == s.key) {
            Some(slot) => *slot = s,
            None => out.push(s),
        }
    }
    out
}

/// The configuration cargo reads when a build runs in one directory, resolved for the target
/// that build compiles for.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// The directory the build runs in.
    pub dir: PathBuf,
    /// The merged configuration.
    pub config: CargoConfig,
    /// The compile target (`[build] target`, else the host).
    pub target: String,
    /// The target's `cfg` values (empty when the host is built without any config file).
    pub cfgs: Vec<Cfg>,
    /// The extra rustflags cargo passes, with `@argfile`s expanded.
    pub rustflags: Option<Rustflags>,
    /// What the reader should know: target tables skipped, argument files not read.
    pub notes: Vec<String>,
}

impl BuildConfig {
    /// Reads the configuration seen from `dir`. `ws_root` is where cargo runs rustc for
    /// workspace members (argument files are relative to it) and what locations are shown
    /// relative to.
    ///
    /// # Errors
    ///
    /// As [`CargoConfig::load`].
    pub fn load(
        dir: &Path,
        ws_root: &Path,
        cargo_home: &Path,
        env: &BTreeMap<String, String>,
        host: &str,
    ) -> anyhow::Result<Self> {
        let config = CargoConfig::load(dir, cargo_home, env.clone())?;
        let target = config.build_target().unwrap_or_else(|| host.to_owned());
        let cfgs = if config.files().is_empty() && target == host {
            Vec::new()
        } else {
            crate::lints::toolchain::target_cfgs(
                ws_root,
                &target,
                config.rustflags_for_cfg_probe(&target).as_ref(),
            )
        };
        let mut notes = Vec::new();
        let rustflags = config.rustflags(&target, &cfgs).map(|r| expand_argfiles(r, ws_root, &mut notes));
        for (name, origin) in config.other_target_rustflags(&target) {
            let from = match crate::paths::relative(dir, ws_root).as_str() {
                "." => "the workspace root".to_owned(),
                rel => rel.to_owned(),
            };
            notes.push(format!(
                "{}: the [target.{name}] rustflags are not judged: a build from {from} compiles for {target}",
                origin_text(&origin, ws_root)
            ));
        }
        Ok(BuildConfig { dir: dir.to_path_buf(), config, target, cfgs, rustflags, notes })
    }

    /// Whether two directories see the same configuration.
    pub fn same_as(&self, other: &BuildConfig) -> bool {
        self.config.files() == other.config.files() && self.target == other.target
    }

    /// The target's default panic strategy (`panic = "abort"` for thumb targets), when known.
    pub fn target_panic(&self) -> Option<&str> {
        self.cfgs.iter().find_map(|c| match c {
            Cfg::KeyPair(key, value) if key.as_str() == "panic" => Some(value.as_str()),
            _ => None,
        })
    }
}

/// `file:line` relative to `root`, or `$VAR`.
pub fn origin_text(origin: &Origin, root: &Path) -> String {
    match origin {
        Origin::File { path, line } => format!("{}:{line}", crate::paths::relative(path, root)),
        Origin::Env { var } => format!("${var}"),
    }
}

/// Replaces each `@file` argument by the file's lines (one argument each, as rustc reads them),
/// relative to `base`; a file that cannot be read stays as it is, with a note.
pub fn expand_argfiles(rustflags: Rustflags, base: &Path, notes: &mut Vec<String>) -> Rustflags {
    let mut flags = Vec::new();
    for flag in rustflags.flags {
        let Some(name) = flag.value.strip_prefix('@').filter(|n| !n.starts_with("shell:")) else {
            flags.push(flag);
            continue;
        };
        let path = base.join(name);
        match crate::fsread::read_to_string(&path, crate::fsread::limit::CONFIG) {
            Ok(text) => {
                flags.extend(text.lines().enumerate().filter(|(_, l)| !l.is_empty()).map(|(i, l)| Flag {
                    value: l.to_owned(),
                    origin: Origin::File { path: path.clone(), line: i + 1 },
                }))
            }
            Err(e) => {
                notes.push(format!("rustflags name the argument file {name}, which cannot be read ({e}); its flags are not judged"));
                flags.push(flag);
            }
        }
    }
    Rustflags { source: rustflags.source, flags }
}

impl CargoConfig {
    /// Reads the config files seen from `cwd` (and `cargo_home`) and takes environment values from
    /// `env` (the caller passes [`process_env`]; tests pass a map or an array of pairs).
    ///
    /// Fails like cargo does: on a TOML syntax error, a wrong type in a key this module reads, an
    /// array merged with a non-array, or a bad `include`; the message starts `file:line:column:`.
    pub fn load<K, V>(
        cwd: &Path,
        cargo_home: &Path,
        env: impl IntoIterator<Item = (K, V)>,
    ) -> anyhow::Result<Self>
    where
        K: Into<String>,
        V: Into<String>,
    {
        let cwd = std::path::absolute(cwd).with_context(|| format!("bad directory {}", cwd.display()))?;
        let mut loader = Loader { cwd: &cwd, sources: Vec::new(), layers: Vec::new(), notes: Vec::new() };
        let found = discover(&cwd, cargo_home, &mut loader.notes);
        for path in found.iter().rev() {
            loader.load_file(path, &mut Vec::new())?;
        }
        let Loader { sources, layers, notes, .. } = loader;
        let mut config = CargoConfig {
            cwd,
            sources,
            layers,
            merged: Table::new(),
            files: Vec::new(),
            env: env.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
            notes,
        };
        config.merge_layers()?;
        config.files = config.layers.iter().rev().map(|l| config.sources[l.file].path.clone()).collect();
        Ok(config)
    }

    /// The config files read, highest precedence first (included files right after the file that
    /// includes them).
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Things cargo would warn about while reading the files (e.g. both `config` and
    /// `config.toml` in one directory; cargo uses `config`).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The compile target if one is configured (`CARGO_BUILD_TARGET`, else `build.target`), else
    /// `None`. When several targets are configured this is the first; see [`Self::build_targets`].
    pub fn build_target(&self) -> Option<String> {
        self.build_targets().into_iter().next()
    }

    /// Every configured compile target, in cargo's order. A path ending in `.json` is resolved
    /// against the directory holding the `.cargo` directory (the current directory for the
    /// environment variable).
    pub fn build_targets(&self) -> Vec<String> {
        let node = self.merged_get(&["build", "target"]);
        let mut targets = match node {
            Some(Node::List(items, _)) => items.iter().filter_map(|n| self.config_target(n)).collect(),
            Some(n) => self.config_target(n).into_iter().collect(),
            None => Vec::new(),
        };
        if let Some(env) = self.env.get("CARGO_BUILD_TARGET") {
            if !matches!(node, Some(Node::List(..))) {
                targets.clear();
            }
            targets.push(resolve_target(env, &self.cwd));
        }
        targets.retain(|t| !t.is_empty());
        targets
    }

    /// The extra rustflags for `target` (the compile target triple; pass the host when there is
    /// no target), or `None` when no source is present. `cfgs` are the target's
    /// `rustc --print cfg --target <target>` lines, parsed; run that with
    /// [`Self::rustflags_for_cfg_probe`]'s flags to get the cfgs cargo uses. Cargo probes without
    /// the profile's settings, so `cfg(debug_assertions)` tables apply to release builds too.
    pub fn rustflags(&self, target: &str, cfgs: &[Cfg]) -> Option<Rustflags> {
        self.encoded_env_flags()
            .or_else(|| self.env_flags())
            .or_else(|| self.target_flags(target, Some(cfgs)))
            .or_else(|| self.build_flags())
    }

    /// The rustflags cargo passes to `rustc --print cfg` when it learns the target's `cfg` values:
    /// chosen like [`Self::rustflags`] but without the `[target.'cfg(...)']` tables (cargo cannot
    /// match them before it knows the cfgs). Run `rustc --print cfg [--target T]` with these flags
    /// to get the `cfgs` cargo matches against: a flag such as `-Ctarget-feature=+avx2` changes them.
    pub fn rustflags_for_cfg_probe(&self, target: &str) -> Option<Rustflags> {
        self.encoded_env_flags()
            .or_else(|| self.env_flags())
            .or_else(|| self.target_flags(target, None))
            .or_else(|| self.build_flags())
    }

    /// Every rustflags source present, the one used first, even those shadowed by a higher one
    /// (for reporting "this RUSTFLAGS hides your config.toml rustflags").
    pub fn all_rustflags(&self, target: &str, cfgs: &[Cfg]) -> Vec<Rustflags> {
        [
            self.encoded_env_flags(),
            self.env_flags(),
            self.target_flags(target, Some(cfgs)),
            self.build_flags(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Profile settings from config files and `CARGO_PROFILE_*` variables, each with its origin,
    /// in ascending precedence: files from lowest to highest, then the environment (so the last
    /// one for a key is the one cargo uses; see [`effective`]).
    ///
    /// Names taken from a variable are lower-cased with `_` turned into `-`, which is ambiguous for
    /// profile and package names that contain either; the origin keeps the raw variable name.
    /// `CARGO_PROFILE_<P>_PACKAGE_<NAME>_<KEY>` is reported as `profile.<p>.package.<name>.<key>`
    /// although cargo 1.95 was seen to ignore it.
    pub fn profile_settings(&self) -> Vec<Setting> {
        let mut out = Vec::new();
        for layer in &self.layers {
            if let Some(profile) = layer.root.get("profile") {
                self.flatten("profile", profile, &mut out);
            }
        }
        out.extend(self.env.iter().filter_map(|(var, value)| profile_env(var, value)));
        out
    }

    /// Toolchain substitution: `build.rustc-wrapper`, `build.rustc-workspace-wrapper` and
    /// `build.rustc` from config files, their `CARGO_BUILD_*` variables and `RUSTC_WRAPPER`,
    /// `RUSTC_WORKSPACE_WRAPPER`, `RUSTC`. Grouped by key, each group in ascending precedence (the
    /// last wins). An empty wrapper value from the environment switches the wrapper off.
    pub fn toolchain_overrides(&self) -> Vec<Setting> {
        let mut out = Vec::new();
        for (key, build_var, var) in TOOLS {
            let name = key.trim_start_matches("build.");
            for layer in &self.layers {
                if let Some(node) = get(&layer.root, &["build", name]) {
                    out.push(self.setting(key, node));
                }
            }
            for v in [build_var, var] {
                if let Some(value) = self.env.get(v) {
                    out.push(env_setting(key, v, toml::Value::String(value.clone())));
                }
            }
        }
        out
    }

    /// Nightly features: each file's `[unstable]` table (key `unstable`, with the table's file and
    /// line), `CARGO_UNSTABLE_<FLAG>` variables (key `unstable.<flag>`), and `RUSTC_BOOTSTRAP` or
    /// cargo's channel override variable (key = the variable name), which let a stable toolchain
    /// accept `-Z` flags.
    pub fn unstable(&self) -> Vec<Setting> {
        let mut out: Vec<Setting> = self
            .layers
            .iter()
            .filter_map(|l| l.root.get("unstable"))
            .map(|node| self.setting("unstable", node))
            .collect();
        for (var, value) in &self.env {
            if let Some(flag) = var.strip_prefix("CARGO_UNSTABLE_") {
                out.push(env_setting(&format!("unstable.{}", env_name(flag)), var, env_value(value)));
            } else if NIGHTLY_ENABLERS.contains(&var.as_str()) {
                out.push(env_setting(var, var, toml::Value::String(value.clone())));
            }
        }
        out
    }

    /// The `[target.<triple>]` tables with rustflags for other targets than `target` (which a
    /// build for `target` skips), with where their rustflags are set.
    pub fn other_target_rustflags(&self, target: &str) -> Vec<(String, Origin)> {
        let name = target_short_name(target);
        let Some(Node::Table(tables, _)) = self.merged.get("target") else { return Vec::new() };
        tables
            .iter()
            .filter(|(key, _)| !key.starts_with("cfg(") && key.as_str() != name)
            .filter_map(|(key, table)| match table {
                Node::Table(t, _) => t.get("rustflags").map(|n| (key.clone(), self.origin(n.loc()))),
                _ => None,
            })
            .collect()
    }

    fn encoded_env_flags(&self) -> Option<Rustflags> {
        let var = "CARGO_ENCODED_RUSTFLAGS";
        let value = self.env.get(var)?;
        let flags = if value.is_empty() { Vec::new() } else { value.split('\x1f').collect() };
        Some(Rustflags { source: FlagsSource::EncodedEnv, flags: env_flags(var, flags) })
    }

    fn env_flags(&self) -> Option<Rustflags> {
        let value = self.env.get("RUSTFLAGS")?;
        let flags = value.split(' ').map(str::trim).filter(|s| !s.is_empty()).collect();
        Some(Rustflags { source: FlagsSource::Env, flags: env_flags("RUSTFLAGS", flags) })
    }

    /// `target.<name>.rustflags`, its variable, then (given `cfgs`) every matching `cfg(...)` table
    /// in key order (cargo sorts them); present only when that gives at least one flag.
    fn target_flags(&self, target: &str, cfgs: Option<&[Cfg]>) -> Option<Rustflags> {
        let name = target_short_name(target);
        let mut flags = self.config_list(&["target", name, "rustflags"]).unwrap_or_default();
        flags.extend(self.env_list(&format!("CARGO_TARGET_{}_RUSTFLAGS", env_key(name))).unwrap_or_default());
        if let (Some(cfgs), Some(Node::Table(tables, _))) = (cfgs, self.merged.get("target")) {
            for key in tables.keys().filter(|k| k.starts_with("cfg(")) {
                if Platform::from_str(key).is_ok_and(|p| p.matches(name, cfgs)) {
                    flags.extend(self.config_list(&["target", key, "rustflags"]).unwrap_or_default());
                }
            }
        }
        (!flags.is_empty()).then_some(Rustflags { source: FlagsSource::Target, flags })
    }

    /// `build.rustflags` joined with `CARGO_BUILD_RUSTFLAGS`; present when either is set, even empty.
    fn build_flags(&self) -> Option<Rustflags> {
        let config = self.config_list(&["build", "rustflags"]);
        let env = self.env_list("CARGO_BUILD_RUSTFLAGS");
        if config.is_none() && env.is_none() {
            return None;
        }
        let flags = config.into_iter().chain(env).flatten().collect();
        Some(Rustflags { source: FlagsSource::Build, flags })
    }

    /// A list key of the merged files: an array of strings, or a string split on whitespace.
    fn config_list(&self, path: &[&str]) -> Option<Vec<Flag>> {
        let flag = |value: &str, loc: Loc| Flag { value: value.to_owned(), origin: self.origin(loc) };
        match self.merged_get(path)? {
            Node::Scalar(toml::Value::String(s), loc) => {
                Some(s.split_whitespace().map(|f| flag(f, *loc)).collect())
            }
            Node::List(items, _) => Some(
                items
                    .iter()
                    .filter_map(|n| match n {
                        Node::Scalar(toml::Value::String(s), loc) => Some(flag(s, *loc)),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    /// A list variable, split on whitespace.
    fn env_list(&self, var: &str) -> Option<Vec<Flag>> {
        let value = self.env.get(var)?;
        Some(env_flags(var, value.split_whitespace().collect()))
    }

    fn merged_get(&self, path: &[&str]) -> Option<&Node> {
        get(&self.merged, path)
    }

    fn config_target(&self, node: &Node) -> Option<String> {
        let Node::Scalar(toml::Value::String(s), loc) = node else { return None };
        let config_dir = self.sources[loc.file].path.parent()?;
        Some(resolve_target(s, config_dir.parent().unwrap_or(config_dir)))
    }

    fn origin(&self, loc: Loc) -> Origin {
        Origin::File {
            path: self.sources[loc.file].path.clone(),
            line: self.sources[loc.file].line_col(loc).0,
        }
    }

    fn setting(&self, key: &str, node: &Node) -> Setting {
        Setting { key: key.to_owned(), value: node.to_value(), origin: self.origin(node.loc()) }
    }

    /// Every leaf under `node`, keyed by its dotted path.
    fn flatten(&self, key: &str, node: &Node, out: &mut Vec<Setting>) {
        match node {
            Node::Table(table, _) => {
                for (k, v) in table {
                    self.flatten(&format!("{key}.{k}"), v, out);
                }
            }
            leaf => out.push(self.setting(key, leaf)),
        }
    }

    /// Merges the layers in ascending precedence and checks the types of the keys this module reads.
    fn merge_layers(&mut self) -> anyhow::Result<()> {
        for layer in &self.layers {
            self.validate(&layer.root)?;
        }
        let mut merged = Table::new();
        for layer in &self.layers {
            merge_tables(&mut merged, layer.root.clone(), "").map_err(|(key, old, new)| {
                let (lo, hi) = (old.loc(), new.loc());
                anyhow!(
                    "{}: failed to merge key `{key}` with {}: expected {}, but found {}",
                    self.sources[hi.file].at(hi),
                    self.sources[lo.file].at(lo),
                    old.kind(),
                    new.kind()
                )
            })?;
        }
        self.merged = merged;
        Ok(())
    }

    /// Checks the types of `build.*`, `target.*.rustflags` and `profile.*` in one file.
    fn validate(&self, root: &Table) -> anyhow::Result<()> {
        if let Some(build) = root.get("build") {
            let build = self.expect_table(build, "build")?;
            for (key, _, _) in TOOLS {
                if let Some(node) = build.get(key.trim_start_matches("build.")) {
                    self.expect_string(node, key)?;
                }
            }
            for key in ["rustflags", "target"] {
                if let Some(node) = build.get(key) {
                    self.expect_string_list(node, &format!("build.{key}"))?;
                }
            }
        }
        if let Some(targets) = root.get("target") {
            for (name, table) in self.expect_table(targets, "target")? {
                let table = self.expect_table(table, &format!("target.{name}"))?;
                if let Some(node) = table.get("rustflags") {
                    self.expect_string_list(node, &format!("target.{name}.rustflags"))?;
                }
            }
        }
        if let Some(profiles) = root.get("profile") {
            for (name, table) in self.expect_table(profiles, "profile")? {
                self.expect_table(table, &format!("profile.{name}"))?;
            }
        }
        Ok(())
    }

    fn expect_table<'a>(&self, node: &'a Node, key: &str) -> anyhow::Result<&'a Table> {
        match node {
            Node::Table(table, _) => Ok(table),
            other => Err(self.type_error(other, "a table", key)),
        }
    }

    fn expect_string(&self, node: &Node, key: &str) -> anyhow::Result<()> {
        match node {
            Node::Scalar(toml::Value::String(_), _) => Ok(()),
            other => Err(self.type_error(other, "a string", key)),
        }
    }

    fn expect_string_list(&self, node: &Node, key: &str) -> anyhow::Result<()> {
        let expected = "a string or an array of strings";
        match node {
            Node::Scalar(toml::Value::String(_), _) => Ok(()),
            Node::List(items, _) => items.iter().try_for_each(|item| match item {
                Node::Scalar(toml::Value::String(_), _) => Ok(()),
                other => Err(self.type_error(other, expected, key)),
            }),
            other => Err(self.type_error(other, expected, key)),
        }
    }

    fn type_error(&self, node: &Node, expected: &str, key: &str) -> anyhow::Error {
        let loc = node.loc();
        anyhow!(
            "{}: invalid type: {}, expected {expected} for key `{key}`",
            self.sources[loc.file].at(loc),
            node.describe()
        )
    }
}

/// The config files cargo reads from `cwd`, highest precedence first, then `$CARGO_HOME`'s unless
/// its directory was already on the path.
fn discover(cwd: &Path, cargo_home: &Path, notes: &mut Vec<String>) -> Vec<PathBuf> {
    let mut seen = Vec::new();
    let mut found = Vec::new();
    for dir in cwd.ancestors() {
        let config_dir = dir.join(".cargo");
        found.extend(config_file(&config_dir, notes));
        seen.push(canonical(&config_dir));
    }
    if !seen.contains(&canonical(cargo_home)) {
        found.extend(config_file(cargo_home, notes));
    }
    found
}

/// `dir/config` if it exists (cargo prefers the legacy name), else `dir/config.toml`.
fn config_file(dir: &Path, notes: &mut Vec<String>) -> Option<PathBuf> {
    let legacy = dir.join("config");
    let modern = dir.join("config.toml");
    // Anything by these names is configuration cargo would read: one that is not a regular file
    // fails when it is read, rather than being skipped.
    let present = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| !m.is_dir());
    if present(&legacy) {
        if present(&modern) && canonical(&legacy) != canonical(&modern) {
            notes.push(format!(
                "both `{}` and `{}` exist; cargo uses `{}`",
                legacy.display(),
                modern.display(),
                legacy.display()
            ));
        }
        return Some(legacy);
    }
    present(&modern).then_some(modern)
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Reads files and their includes into layers.
struct Loader<'a> {
    cwd: &'a Path,
    sources: Vec<Source>,
    layers: Vec<Layer>,
    notes: Vec<String>,
}

impl Loader<'_> {
    /// Adds the layers of `path`: its includes (left to right, each after its own includes), then
    /// the file itself. `stack` holds the files being included, to catch cycles.
    fn load_file(&mut self, path: &Path, stack: &mut Vec<PathBuf>) -> anyhow::Result<()> {
        let (file, mut root) = self.parse(path)?;
        let includes = match root.remove("include") {
            Some(node) => self.includes(file, &node)?,
            None => Vec::new(),
        };
        stack.push(canonical(path));
        for (include, optional, loc) in includes {
            let at = self.sources[file].at(loc);
            if stack.contains(&canonical(&include)) {
                bail!("{at}: config `include` cycle through {}", include.display());
            }
            if optional && !include.exists() {
                continue;
            }
            self.load_file(&include, stack)
                .with_context(|| format!("{at}: failed to load config include"))?;
        }
        stack.pop();
        self.layers.push(Layer { file, root });
        Ok(())
    }

    /// Reads and parses one file; returns its index in `sources` and its top-level table.
    fn parse(&mut self, path: &Path) -> anyhow::Result<(usize, Table)> {
        let text = crate::fsread::read_to_string(path, crate::fsread::limit::CONFIG)
            .with_context(|| format!("failed to read configuration file {}", path.display()))?;
        let display = path.strip_prefix(self.cwd).unwrap_or(path).display().to_string();
        let file = self.sources.len();
        self.sources.push(Source { path: path.to_path_buf(), display, text });
        let source = &self.sources[file];
        let located = |offset: usize, message: &str| {
            anyhow!("{}: {}", source.at(Loc { file, offset }), message.trim_end())
        };
        let table = DeTable::parse(&source.text)
            .map_err(|e| located(e.span().map_or(0, |s| s.start), e.message()))?;
        let mut root = Table::new();
        for (key, value) in table.get_ref() {
            let node = convert(value, file).map_err(|(offset, message)| located(offset, &message))?;
            root.insert(key.get_ref().to_string(), node);
        }
        Ok((file, root))
    }

    /// The files named by an `include` array: strings or `{ path, optional }` tables, relative to
    /// the including file's directory, each ending in `.toml`.
    fn includes(&self, file: usize, node: &Node) -> anyhow::Result<Vec<(PathBuf, bool, Loc)>> {
        let source = &self.sources[file];
        let bad = |n: &Node| {
            anyhow!(
                "{}: expected a list of strings or a list of tables for `include`, but found {}",
                source.at(n.loc()),
                n.kind()
            )
        };
        let Node::List(items, _) = node else { return Err(bad(node)) };
        let dir = source.path.parent().unwrap_or(Path::new("."));
        let mut out = Vec::new();
        for item in items {
            let (path, optional) = match item {
                Node::Scalar(toml::Value::String(p), _) => (p.as_str(), false),
                Node::Table(t, _) => match (t.get("path"), t.get("optional").map(Node::to_value)) {
                    (Some(Node::Scalar(toml::Value::String(p), _)), None) => (p.as_str(), false),
                    (Some(Node::Scalar(toml::Value::String(p), _)), Some(toml::Value::Boolean(o))) => {
                        (p.as_str(), o)
                    }
                    _ => return Err(bad(item)),
                },
                other => return Err(bad(other)),
            };
            if !path.ends_with(".toml") {
                bail!(
                    "{}: expected a config include path ending with `.toml`, but found `{path}`",
                    source.at(item.loc())
                );
            }
            out.push((dir.join(path), optional, item.loc()));
        }
        Ok(out)
    }
}

impl Source {
    /// 1-based line and column (in characters) of a location in this file.
    fn line_col(&self, loc: Loc) -> (usize, usize) {
        let before = &self.text[..loc.offset.min(self.text.len())];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
    }

    /// `file:line:column` of a location.
    fn at(&self, loc: Loc) -> String {
        let (line, col) = self.line_col(loc);
        format!("{}:{line}:{col}", self.display)
    }
}

impl Node {
    fn loc(&self) -> Loc {
        match self {
            Node::Scalar(_, loc) | Node::List(_, loc) | Node::Table(_, loc) => *loc,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Node::Scalar(v, _) => v.type_str(),
            Node::List(..) => "array",
            Node::Table(..) => "table",
        }
    }

    /// The value as serde names it in an "invalid type" message.
    fn describe(&self) -> String {
        match self {
            Node::Scalar(toml::Value::String(s), _) => format!("string {s:?}"),
            Node::Scalar(v, _) => format!("{} `{v}`", v.type_str()),
            other => other.kind().to_owned(),
        }
    }

    fn to_value(&self) -> toml::Value {
        match self {
            Node::Scalar(v, _) => v.clone(),
            Node::List(items, _) => toml::Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Table(t, _) => {
                toml::Value::Table(t.iter().map(|(k, v)| (k.clone(), v.to_value())).collect())
            }
        }
    }
}

/// Turns a parsed value into a [`Node`]; an error is a byte offset and a message.
fn convert(value: &Spanned<DeValue<'_>>, file: usize) -> Result<Node, (usize, String)> {
    let loc = Loc { file, offset: value.span().start };
    let scalar = |v: toml::Value| Ok(Node::Scalar(v, loc));
    match value.get_ref() {
        DeValue::String(s) => scalar(toml::Value::String(s.to_string())),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map_or_else(|_| Err((loc.offset, "integer number overflowed".to_owned())), |i| scalar(i.into())),
        DeValue::Float(f) => f
            .as_str()
            .parse::<f64>()
            .map_or_else(|_| Err((loc.offset, "invalid float".to_owned())), |f| scalar(f.into())),
        DeValue::Boolean(b) => scalar(toml::Value::Boolean(*b)),
        DeValue::Datetime(d) => scalar(toml::Value::Datetime(*d)),
        DeValue::Array(items) => {
            let items = items.iter().map(|v| convert(v, file)).collect::<Result<_, _>>()?;
            Ok(Node::List(items, loc))
        }
        DeValue::Table(table) => {
            let table = table
                .iter()
                .map(|(k, v)| Ok((k.get_ref().to_string(), convert(v, file)?)))
                .collect::<Result<_, _>>()?;
            Ok(Node::Table(table, loc))
        }
    }
}

/// Merges a higher-precedence table into `dst`: tables recursively, arrays joined (higher later),
/// scalars replaced. A mismatch returns the dotted key and the two nodes.
fn merge_tables(dst: &mut Table, src: Table, prefix: &str) -> Result<(), (String, Node, Node)> {
    for (key, new) in src {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match dst.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(new);
            }
            Entry::Occupied(mut slot) => match (slot.get_mut(), new) {
                (Node::Table(old, _), Node::Table(new, _)) => merge_tables(old, new, &path)?,
                (Node::List(old, _), Node::List(new, _)) => old.extend(new),
                (old @ Node::Scalar(..), new @ Node::Scalar(..)) => *old = new,
                (old, new) => return Err((path, old.clone(), new)),
            },
        }
    }
    Ok(())
}

fn get<'a>(table: &'a Table, path: &[&str]) -> Option<&'a Node> {
    let (first, rest) = path.split_first()?;
    let node = table.get(*first)?;
    match (rest.is_empty(), node) {
        (true, node) => Some(node),
        (false, Node::Table(inner, _)) => get(inner, rest),
        (false, _) => None,
    }
}

fn env_flags(var: &str, flags: Vec<&str>) -> Vec<Flag> {
    flags
        .into_iter()
        .map(|f| Flag { value: f.to_owned(), origin: Origin::Env { var: var.to_owned() } })
        .collect()
}

fn env_setting(key: &str, var: &str, value: toml::Value) -> Setting {
    Setting { key: key.to_owned(), value, origin: Origin::Env { var: var.to_owned() } }
}

/// An environment value as cargo reads it for a config key: `true`/`false`, an integer, or a string.
fn env_value(value: &str) -> toml::Value {
    match value {
        "true" => toml::Value::Boolean(true),
        "false" => toml::Value::Boolean(false),
        _ => {
            value.parse::<i64>().map_or_else(|_| toml::Value::String(value.to_owned()), toml::Value::Integer)
        }
    }
}

/// A config key segment as it appears in an environment variable name.
fn env_key(name: &str) -> String {
    name.replace(['.', '-'], "_").to_uppercase()
}

/// A name taken from an environment variable: lower-cased, `_` as `-`.
fn env_name(part: &str) -> String {
    part.to_lowercase().replace('_', "-")
}

/// `CARGO_PROFILE_<NAME>[_BUILD_OVERRIDE|_PACKAGE_<PKG>]_<KEY>` as a profile setting.
fn profile_env(var: &str, value: &str) -> Option<Setting> {
    let rest = var.strip_prefix("CARGO_PROFILE_")?;
    let (head, key) = PROFILE_KEYS
        .iter()
        .find_map(|k| Some((rest.strip_suffix(k)?.strip_suffix('_').filter(|h| !h.is_empty())?, *k)))?;
    let key = env_name(key);
    let path = if let Some((profile, package)) = head.split_once("_PACKAGE_") {
        format!("profile.{}.package.{}.{key}", env_name(profile), env_name(package))
    } else if let Some(profile) = head.strip_suffix("_BUILD_OVERRIDE") {
        format!("profile.{}.build-override.{key}", env_name(profile))
    } else {
        format!("profile.{}.{key}", env_name(head))
    };
    Some(env_setting(&path, var, env_value(value)))
}

/// The name `[target.<name>]` tables use: a `.json` target spec's file stem, else the triple.
fn target_short_name(target: &str) -> &str {
    if target.ends_with(".json") {
        Path::new(target).file_stem().and_then(|s| s.to_str()).unwrap_or(target)
    } else {
        target
    }
}

/// A `.json` target spec path resolved against `root`; a triple as is.
fn resolve_target(target: &str, root: &Path) -> String {
    if target.ends_with(".json") { root.join(target).display().to_string() } else { target.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "x86_64-unknown-linux-gnu";
    const ARM: &str = "aarch64-unknown-linux-gnu";

    /// A temporary tree: `outer/proj` is the current directory, `home` is `$CARGO_HOME`.
    struct Tree {
        _dir: tempfile::TempDir,
        root: PathBuf,
    }

    impl Tree {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().canonicalize().unwrap();
            std::fs::create_dir_all(root.join("outer/proj")).unwrap();
            std::fs::create_dir_all(root.join("home")).unwrap();
            Tree { _dir: dir, root }
        }

        fn write(&self, rel: &str, text: &str) -> PathBuf {
            let path = self.root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            path
        }

        fn cwd(&self) -> PathBuf {
            self.root.join("outer/proj")
        }

        fn try_load(&self, env: &[(&str, &str)]) -> anyhow::Result<CargoConfig> {
            CargoConfig::load(&self.cwd(), &self.root.join("home"), env.iter().copied())
        }

        fn load(&self, env: &[(&str, &str)]) -> CargoConfig {
            self.try_load(env).unwrap()
        }
    }

    const CHILD: &str = "outer/proj/.cargo/config.toml";
    const PARENT: &str = "outer/.cargo/config.toml";
    const HOME: &str = "home/config.toml";

    fn cfgs(lines: &[&str]) -> Vec<Cfg> {
        lines.iter().map(|l| l.parse().unwrap()).collect()
    }

    fn linux() -> Vec<Cfg> {
        cfgs(&["unix", "target_family=\"unix\"", "target_os=\"linux\"", "target_arch=\"x86_64\""])
    }

    fn arm() -> Vec<Cfg> {
        cfgs(&["unix", "target_family=\"unix\"", "target_os=\"linux\"", "target_arch=\"aarch64\""])
    }

    fn values(flags: &Rustflags) -> Vec<&str> {
        flags.flags.iter().map(|f| f.value.as_str()).collect()
    }

    fn host_flags(config: &CargoConfig) -> (FlagsSource, Vec<String>) {
        let r = config.rustflags(HOST, &linux()).expect("rustflags present");
        (r.source, values(&r).into_iter().map(String::from).collect())
    }

    fn file(path: &Path, line: usize) -> Origin {
        Origin::File { path: path.to_path_buf(), line }
    }

    fn env(var: &str) -> Origin {
        Origin::Env { var: var.to_owned() }
    }

    #[test]
    fn four_sources_each_shadow_the_next() {
        let tree = Tree::new();
        let path = tree.write(
            CHILD,
            "[build]\nrustflags = [\"-Dbuild\"]\n[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-Dtriple\"]\n",
        );
        let sources = |env: &[(&str, &str)]| -> Vec<FlagsSource> {
            tree.load(env).all_rustflags(HOST, &linux()).iter().map(|r| r.source).collect()
        };
        use FlagsSource::*;
        assert_eq!(sources(&[]), [Target, Build]);
        assert_eq!(sources(&[("RUSTFLAGS", "-Denv")]), [Env, Target, Build]);
        assert_eq!(
            sources(&[("RUSTFLAGS", "-Denv"), ("CARGO_ENCODED_RUSTFLAGS", "")]),
            [EncodedEnv, Env, Target, Build]
        );

        assert_eq!(host_flags(&tree.load(&[])), (Target, vec!["-Dtriple".into()]));
        let config = tree.load(&[("RUSTFLAGS", "  -Da   -Db\t-Dc ")]);
        assert_eq!(host_flags(&config), (Env, vec!["-Da".into(), "-Db\t-Dc".into()]));
        assert_eq!(config.rustflags(HOST, &linux()).unwrap().flags[0].origin, env("RUSTFLAGS"));
        assert_eq!(host_flags(&tree.load(&[("RUSTFLAGS", "")])), (Env, vec![]));
        let encoded = [("CARGO_ENCODED_RUSTFLAGS", "-Da\x1f-Db c"), ("RUSTFLAGS", "-Denv")];
        assert_eq!(host_flags(&tree.load(&encoded)), (EncodedEnv, vec!["-Da".into(), "-Db c".into()]));
        assert_eq!(
            host_flags(&tree.load(&[("CARGO_ENCODED_RUSTFLAGS", ""), ("RUSTFLAGS", "-Denv")])),
            (EncodedEnv, vec![])
        );

        std::fs::write(&path, "[build]\nrustflags = [\"-Dbuild\"]\n").unwrap();
        assert_eq!(host_flags(&tree.load(&[])), (Build, vec!["-Dbuild".into()]));
        std::fs::remove_file(&path).unwrap();
        assert_eq!(tree.load(&[]).rustflags(HOST, &linux()), None);
        assert!(tree.load(&[]).all_rustflags(HOST, &linux()).is_empty());
    }

    #[test]
    fn arrays_join_across_files_with_higher_precedence_later() {
        let tree = Tree::new();
        let child = tree.write(CHILD, "[build]\nrustflags = [\"-Dchild\"]\n");
        let parent = tree.write(PARENT, "# parent\n[build]\nrustflags = [\"-Dparent\"]\n");
        let home = tree.write(HOME, "[build]\n\nrustflags = [\"-Dhome\"]\n");
        let config = tree.load(&[]);
        assert_eq!(config.files(), [child.clone(), parent.clone(), home.clone()]);
        let flags = config.rustflags(HOST, &linux()).unwrap();
        assert_eq!(flags.source, FlagsSource::Build);
        assert_eq!(
            flags.flags,
            vec![
                Flag { value: "-Dhome".into(), origin: file(&home, 3) },
                Flag { value: "-Dparent".into(), origin: file(&parent, 3) },
                Flag { value: "-Dchild".into(), origin: file(&child, 2) },
            ]
        );
    }

    #[test]
    fn cargo_home_on_the_path_is_read_once() {
        let tree = Tree::new();
        let child = tree.write(CHILD, "[build]\nrustflags = [\"-Dchild\"]\n");
        let parent = tree.write(PARENT, "[build]\nrustflags = [\"-Dparent\"]\n");
        let config = CargoConfig::load(&tree.cwd(), &tree.root.join("outer/.cargo"), [("A", "B")]).unwrap();
        assert_eq!(config.files(), [child, parent]);
        assert_eq!(host_flags(&config).1, ["-Dparent", "-Dchild"]);
        // The same directory through a symlink is still the same directory.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tree.root.join("outer"), tree.root.join("link")).unwrap();
            let home = tree.root.join("link/.cargo");
            let config = CargoConfig::load(&tree.cwd(), &home, [("A", "B")]).unwrap();
            assert_eq!(config.files().len(), 2);
        }
    }

    #[test]
    fn config_files_are_found_from_cwd_not_from_elsewhere() {
        let tree = Tree::new();
        tree.write("outer/proj/sub/.cargo/config.toml", "[build]\nrustflags = [\"-Dsub\"]\n");
        tree.write(CHILD, "[build]\nrustflags = [\"-Dchild\"]\n");
        assert_eq!(host_flags(&tree.load(&[])).1, ["-Dchild"]);
        let sub = CargoConfig::load(&tree.cwd().join("sub"), &tree.root.join("home"), [("A", "B")]).unwrap();
        assert_eq!(host_flags(&sub).1, ["-Dchild", "-Dsub"]);
    }

    #[test]
    fn target_triple_and_cfg_tables() {
        let tree = Tree::new();
        tree.write(
            CHILD,
            r#"
[target.'cfg(unix)']
rustflags = ["-Dcfgunix"]
[build]
rustflags = ["-Dbuild"]
[target.x86_64-unknown-linux-gnu]
rustflags = ["-Dtriple"]
[target.'cfg(target_os = "linux")']
rustflags = ["-Dcfglinux"]
[target.'cfg(windows)']
rustflags = ["-Dcfgwin"]
[target.'cfg(not(unix)']
rustflags = ["-Dinvalid"]
[target.aarch64-unknown-linux-gnu]
rustflags = ["-Darm"]
"#,
        );
        tree.write(PARENT, "[target.'cfg(unix)']\nrustflags = [\"-Dparentunix\"]\n");
        let config = tree.load(&[]);
        // The triple first, then cfg tables in key order (as cargo sorts them), each joined across files.
        assert_eq!(
            host_flags(&config),
            (
                FlagsSource::Target,
                vec!["-Dtriple".into(), "-Dcfglinux".into(), "-Dparentunix".into(), "-Dcfgunix".into()]
            )
        );
        let arm_flags = config.rustflags(ARM, &arm()).unwrap();
        assert_eq!(values(&arm_flags), ["-Darm", "-Dcfglinux", "-Dparentunix", "-Dcfgunix"]);
        let windows = cfgs(&["windows", "target_os=\"windows\""]);
        assert_eq!(values(&config.rustflags("x86_64-pc-windows-msvc", &windows).unwrap()), ["-Dcfgwin"]);
        let none = config.rustflags("wasm32-unknown-unknown", &cfgs(&["target_arch=\"wasm32\""])).unwrap();
        assert_eq!((none.source, values(&none)), (FlagsSource::Build, vec!["-Dbuild"]));
    }

    #[test]
    fn cfg_probe_flags_leave_out_cfg_tables() {
        let tree = Tree::new();
        tree.write(
            CHILD,
            "[build]\nrustflags = [\"-Ctarget-feature=+avx2\"]\n\
             [target.'cfg(not(windows))']\nrustflags = [\"-Dcfg\"]\n",
        );
        let config = tree.load(&[]);
        let probe = config.rustflags_for_cfg_probe(HOST).unwrap();
        assert_eq!((probe.source, values(&probe)), (FlagsSource::Build, vec!["-Ctarget-feature=+avx2"]));
        assert_eq!(host_flags(&config), (FlagsSource::Target, vec!["-Dcfg".into()]));
        tree.write(CHILD, "[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-Da\"]\n");
        assert_eq!(values(&tree.load(&[]).rustflags_for_cfg_probe(HOST).unwrap()), ["-Da"]);
        assert_eq!(
            tree.load(&[("RUSTFLAGS", "-Dr")]).rustflags_for_cfg_probe(HOST).unwrap().source,
            FlagsSource::Env
        );
        assert_eq!(Tree::new().load(&[]).rustflags_for_cfg_probe(HOST), None);
    }

    #[test]
    fn target_env_variable_joins_after_the_triple_table() {
        let tree = Tree::new();
        tree.write(CHILD, "[target.x86_64-unknown-linux-gnu]\nrustflags = \"-Da -Db\"\n[target.'cfg(unix)']\nrustflags = [\"-Dunix\"]\n");
        let var = "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS";
        let config = tree.load(&[(var, "-De1 -De2")]);
        let flags = config.rustflags(HOST, &linux()).unwrap();
        assert_eq!(values(&flags), ["-Da", "-Db", "-De1", "-De2", "-Dunix"]);
        assert_eq!(flags.flags[2].origin, env(var));
        // The variable alone is a target source.
        let tree = Tree::new();
        assert_eq!(host_flags(&tree.load(&[(var, "-De1")])), (FlagsSource::Target, vec!["-De1".into()]));
    }

    #[test]
    fn empty_target_flags_do_not_shadow_build_flags() {
        let tree = Tree::new();
        tree.write(
            CHILD,
            "[build]\nrustflags = [\"-Dbuild\"]\n[target.x86_64-unknown-linux-gnu]\nrustflags = []\n",
        );
        assert_eq!(host_flags(&tree.load(&[])), (FlagsSource::Build, vec!["-Dbuild".into()]));
        let var = "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS";
        assert_eq!(host_flags(&tree.load(&[(var, "")])), (FlagsSource::Build, vec!["-Dbuild".into()]));
        // An empty build.rustflags is present, with no flags.
        tree.write(CHILD, "[build]\nrustflags = []\n");
        assert_eq!(host_flags(&tree.load(&[])), (FlagsSource::Build, vec![]));
    }

    #[test]
    fn build_target_changes_which_tables_match() {
        let tree = Tree::new();
        tree.write(
            CHILD,
            "[build]\ntarget = \"aarch64-unknown-linux-gnu\"\n[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-Dx86\"]\n\
             [target.aarch64-unknown-linux-gnu]\nrustflags = [\"-Darm\"]\n\
             [target.'cfg(target_arch = \"aarch64\")']\nrustflags = [\"-Dcfgarm\"]\n",
        );
        let config = tree.load(&[]);
        let target = config.build_target().unwrap();
        assert_eq!(target, ARM);
        assert_eq!(values(&config.rustflags(&target, &arm()).unwrap()), ["-Darm", "-Dcfgarm"]);
        let config = tree.load(&[("CARGO_BUILD_TARGET", HOST)]);
        assert_eq!(config.build_target().as_deref(), Some(HOST));
        assert_eq!(host_flags(&config).1, ["-Dx86"]);
        assert_eq!(Tree::new().load(&[]).build_target(), None);
    }

    #[test]
    fn build_target_lists_join_and_json_specs_resolve() {
        let tree = Tree::new();
        tree.write(PARENT, "[build]\ntarget = [\"x86_64-unknown-linux-gnu\"]\n");
        tree.write(CHILD, "[build]\ntarget = [\"my-target.json\"]\n");
        let config = tree.load(&[("CARGO_BUILD_TARGET", ARM)]);
        let json = tree.cwd().join("my-target.json").display().to_string();
        assert_eq!(config.build_targets(), [HOST.to_owned(), json.clone(), ARM.to_owned()]);
        // A string is replaced by the variable.
        tree.write(CHILD, "[build]\ntarget = \"my-target.json\"\n");
        std::fs::remove_file(tree.root.join(PARENT)).unwrap();
        assert_eq!(tree.load(&[]).build_targets(), vec![json.clone()]);
        assert_eq!(tree.load(&[("CARGO_BUILD_TARGET", ARM)]).build_targets(), [ARM]);
        // Target tables of a JSON spec are keyed by its file stem.
        tree.write(CHILD, "[target.my-target]\nrustflags = [\"-Dmine\"]\n");
        assert_eq!(values(&tree.load(&[]).rustflags(&json, &[]).unwrap()), ["-Dmine"]);
    }

    #[test]
    fn string_form_rustflags() {
        let tree = Tree::new();
        let child = tree.write(CHILD, "[build]\nrustflags = \"-Dchild   -Wx\"\n");
        tree.write(PARENT, "[build]\nrustflags = \"-Dparent\"\n");
        let config = tree.load(&[]);
        let flags = config.rustflags(HOST, &linux()).unwrap();
        // Two strings do not join: the higher one wins.
        assert_eq!(values(&flags), ["-Dchild", "-Wx"]);
        assert!(flags.flags.iter().all(|f| f.origin == file(&child, 2)));
        // A string joins with CARGO_BUILD_RUSTFLAGS.
        let config = tree.load(&[("CARGO_BUILD_RUSTFLAGS", "-Denv")]);
        assert_eq!(host_flags(&config).1, ["-Dchild", "-Wx", "-Denv"]);
    }

    #[test]
    fn string_and_array_do_not_merge() {
        let tree = Tree::new();
        tree.write(CHILD, "[build]\nrustflags = [\"-Dchild\"]\n");
        tree.write(PARENT, "[build]\nrustflags = \"-Dparent\"\n");
        let err = tree.try_load(&[]).unwrap_err().to_string();
        assert!(
            err.starts_with(".cargo/config.toml:2:13: failed to merge key `build.rustflags` with "),
            "{err}"
        );
        assert!(err.ends_with("outer/.cargo/config.toml:2:13: expected string, but found array"), "{err}");
    }

    #[test]
    fn cargo_build_rustflags() {
        let tree = Tree::new();
        let var = "CARGO_BUILD_RUSTFLAGS";
        let config = tree.load(&[(var, " -Da  -Db ")]);
        let flags = config.rustflags(HOST, &linux()).unwrap();
        assert_eq!((flags.source, values(&flags)), (FlagsSource::Build, vec!["-Da", "-Db"]));
        assert_eq!(flags.flags[0].origin, env(var));
        let child = tree.write(CHILD, "[build]\nrustflags = [\"-Dfile\"]\n");
        let flags = tree.load(&[(var, "-Denv")]).rustflags(HOST, &linux()).unwrap();
        assert_eq!(
            flags.flags,
            [
                Flag { value: "-Dfile".into(), origin: file(&child, 2) },
                Flag { value: "-Denv".into(), origin: env(var) }
            ]
        );
        // Shadowed by RUSTFLAGS like the file's flags.
        assert_eq!(host_flags(&tree.load(&[(var, "-Denv"), ("RUSTFLAGS", "-Dr")])).0, FlagsSource::Env);
    }

    fn keys_and_origins(settings: Vec<Setting>) -> Vec<(String, toml::Value, Origin)> {
        settings.into_iter().map(|s| (s.key, s.value, s.origin)).collect()
    }

    #[test]
    fn profile_settings_from_files() {
        let tree = Tree::new();
        let home = tree.write(HOME, "[profile.release]\ndebug-assertions = false\n");
        let child = tree.write(
            CHILD,
            "[profile.release]\noverflow-checks = false\nopt-level = \"s\"\n\
             [profile.release.package.foo]\noverflow-checks = false\n[profile.dev.build-override]\nopt-level = 0\n",
        );
        let config = tree.load(&[("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "true")]);
        let at = |k: &str, v: toml::Value, o: Origin| (k.to_owned(), v, o);
        assert_eq!(
            keys_and_origins(config.profile_settings()),
            [
                at("profile.release.debug-assertions", false.into(), file(&home, 2)),
                at("profile.dev.build-override.opt-level", 0.into(), file(&child, 7)),
                at("profile.release.opt-level", "s".into(), file(&child, 3)),
                at("profile.release.overflow-checks", false.into(), file(&child, 2)),
                at("profile.release.package.foo.overflow-checks", false.into(), file(&child, 5)),
                at(
                    "profile.release.overflow-checks",
                    true.into(),
                    env("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS")
                ),
            ]
        );
        let eff = effective(config.profile_settings());
        assert_eq!(eff.len(), 5);
        let overflow = eff.iter().find(|s| s.key == "profile.release.overflow-checks").unwrap();
        assert_eq!(overflow.origin, env("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS"));
    }

    #[test]
    fn profile_settings_from_environment() {
        let vars = [
            ("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "false"),
            ("CARGO_PROFILE_RELEASE_LTO", "fat"),
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
            ("CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS", "false"),
            ("CARGO_PROFILE_RELEASE_BUILD_OVERRIDE_DEBUG", "true"),
            ("CARGO_PROFILE_RELEASE_LTO_OPT_LEVEL", "3"),
            ("CARGO_PROFILE_RELEASE_PACKAGE_MY_DEP_OPT_LEVEL", "1"),
            ("CARGO_PROFILE_RELEASE_UNKNOWN", "1"),
            ("CARGO_PROFILE_DEBUG", "1"),
        ];
        let at = |k: &str, v: toml::Value, var: &str| (k.to_owned(), v, env(var));
        assert_eq!(
            keys_and_origins(Tree::new().load(&vars).profile_settings()),
            [
                at(
                    "profile.release.build-override.debug",
                    true.into(),
                    "CARGO_PROFILE_RELEASE_BUILD_OVERRIDE_DEBUG"
                ),
                at("profile.release.codegen-units", 16.into(), "CARGO_PROFILE_RELEASE_CODEGEN_UNITS"),
                at(
                    "profile.release.debug-assertions",
                    false.into(),
                    "CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS"
                ),
                at("profile.release.lto", "fat".into(), "CARGO_PROFILE_RELEASE_LTO"),
                at("profile.release-lto.opt-level", 3.into(), "CARGO_PROFILE_RELEASE_LTO_OPT_LEVEL"),
                at("profile.release.overflow-checks", false.into(), "CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS"),
                at(
                    "profile.release.package.my-dep.opt-level",
                    1.into(),
                    "CARGO_PROFILE_RELEASE_PACKAGE_MY_DEP_OPT_LEVEL"
                ),
            ]
        );
    }

    #[test]
    fn wrappers_and_rustc_from_config_and_environment() {
        let tree = Tree::new();
        let parent = tree.write(PARENT, "[build]\nrustc-wrapper = \"sccache\"\n");
        let child = tree
            .write(CHILD, "[build]\nrustc = \"/opt/rustc\"\nrustc-workspace-wrapper = \"clippy-driver\"\n");
        let config = tree.load(&[
            ("CARGO_BUILD_RUSTC_WRAPPER", "other"),
            ("RUSTC_WRAPPER", ""),
            ("RUSTC", "my-rustc"),
            ("PATH", "/usr/bin"),
        ]);
        let s = |k: &str, v: &str, o: Origin| Setting { key: k.into(), value: v.into(), origin: o };
        assert_eq!(
            config.toolchain_overrides(),
            [
                s("build.rustc-wrapper", "sccache", file(&parent, 2)),
                s("build.rustc-wrapper", "other", env("CARGO_BUILD_RUSTC_WRAPPER")),
                s("build.rustc-wrapper", "", env("RUSTC_WRAPPER")),
                s("build.rustc-workspace-wrapper", "clippy-driver", file(&child, 3)),
                s("build.rustc", "/opt/rustc", file(&child, 2)),
                s("build.rustc", "my-rustc", env("RUSTC")),
            ]
        );
        assert!(Tree::new().load(&[]).toolchain_overrides().is_empty());
        tree.write(CHILD, "[build]\nrustc-wrapper = [\"x\"]\n");
        let err = tree.try_load(&[]).unwrap_err().to_string();
        assert_eq!(
            err,
            ".cargo/config.toml:2:17: invalid type: array, expected a string for key `build.rustc-wrapper`"
        );
    }

    #[test]
    fn unstable_tables_and_variables() {
        let tree = Tree::new();
        let parent = tree.write(PARENT, "unstable.build-std = [\"core\"]\n");
        let child = tree.write(CHILD, "[build]\njobs = 1\n\n[unstable]\nbuild-std = [\"std\"]\ngc = true\n");
        let config = tree.load(&[
            ("CARGO_UNSTABLE_BUILD_STD_FEATURES", "panic_immediate_abort"),
            ("RUSTC_BOOTSTRAP", "1"),
        ]);
        let got = config.unstable();
        assert_eq!(got.len(), 4);
        assert_eq!((got[0].key.as_str(), &got[0].origin), ("unstable", &file(&parent, 1)));
        assert_eq!(got[0].value.get("build-std").unwrap().as_array().unwrap()[0].as_str(), Some("core"));
        assert_eq!((got[1].key.as_str(), &got[1].origin), ("unstable", &file(&child, 4)));
        assert_eq!(got[1].value.get("gc"), Some(&toml::Value::Boolean(true)));
        assert_eq!(got[2].key, "unstable.build-std-features");
        assert_eq!(got[2].origin, env("CARGO_UNSTABLE_BUILD_STD_FEATURES"));
        assert_eq!((got[3].key.as_str(), &got[3].value), ("RUSTC_BOOTSTRAP", &"1".into()));
        assert!(Tree::new().load(&[]).unstable().is_empty());
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let tree = Tree::new();
        tree.write(CHILD, "[build]\njobs = 1\nrustflags = [\"-Da\",\n  -Db]\n");
        let err = tree.try_load(&[]).unwrap_err().to_string();
        assert!(err.starts_with(".cargo/config.toml:4:3: "), "{err}");
        tree.write(CHILD, "");
        let parent = tree.write(PARENT, "[build]\n[build]\n");
        let err = tree.try_load(&[]).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}:2:", parent.display())), "{err}");
    }

    #[test]
    fn wrong_type_names_file_line_and_column() {
        let tree = Tree::new();
        tree.write(CHILD, "[build]\n# flags\nrustflags = 5\n");
        let err = tree.try_load(&[]).unwrap_err().to_string();
        assert_eq!(
            err,
            ".cargo/config.toml:3:13: invalid type: integer `5`, expected a string or an array of strings \
             for key `build.rustflags`"
        );
        tree.write(CHILD, "[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-Da\", true]\n");
        let err = tree.try_load(&[]).unwrap_err().to_string();
        assert!(err.starts_with(".cargo/config.toml:2:21: invalid type: boolean `true`"), "{err}");
        tree.write(CHILD, "profile.release = 3\n");
        assert!(
            tree.try_load(&[])
                .unwrap_err()
                .to_string()
                .contains("expected a table for key `profile.release`")
        );
    }

    #[test]
    fn legacy_config_file_name() {
        let tree = Tree::new();
        let legacy = tree.write("outer/proj/.cargo/config", "[build]\nrustflags = [\"-Dlegacy\"]\n");
        let config = tree.load(&[]);
        assert_eq!(config.files(), std::slice::from_ref(&legacy));
        assert!(config.notes().is_empty());
        // With both, cargo uses `config` and warns.
        tree.write(CHILD, "[build]\nrustflags = [\"-Dtoml\"]\n");
        let config = tree.load(&[]);
        assert_eq!(config.files(), [legacy]);
        assert_eq!(host_flags(&config).1, ["-Dlegacy"]);
        assert_eq!(config.notes().len(), 1);
        assert!(config.notes()[0].contains("cargo uses"), "{:?}", config.notes());
    }

    #[test]
    fn includes_load_below_the_including_file() {
        let tree = Tree::new();
        let main = tree.write(
            CHILD,
            "include = [\"one.toml\", { path = \"sub/two.toml\" }, { path = \"missing.toml\", optional = true }]\n\
             [build]\nrustflags = [\"-Dmain\"]\n",
        );
        let one = tree.write("outer/proj/.cargo/one.toml", "[build]\nrustflags = [\"-Done\"]\n");
        let two = tree.write(
            "outer/proj/.cargo/sub/two.toml",
            "include = [\"three.toml\"]\nbuild.rustflags = [\"-Dtwo\"]\n",
        );
        let three = tree.write("outer/proj/.cargo/sub/three.toml", "[unstable]\n");
        tree.write(PARENT, "[build]\nrustflags = [\"-Dparent\"]\n");
        let config = tree.load(&[]);
        assert_eq!(host_flags(&config).1, ["-Dparent", "-Done", "-Dtwo", "-Dmain"]);
        assert_eq!(&config.files()[..4], [main, two, three.clone(), one]);
        assert_eq!(config.unstable()[0].origin, file(&three, 1));
    }

    #[test]
    fn bad_includes_fail() {
        let tree = Tree::new();
        let err = |text: &str| {
            tree.write(CHILD, text);
            format!("{:#}", tree.try_load(&[]).unwrap_err())
        };
        assert!(
            err("include = \"a.toml\"\n").contains("1:11: expected a list of strings or a list of tables")
        );
        assert!(
            err("include = [\"a\"]\n").contains("1:12: expected a config include path ending with `.toml`")
        );
        assert!(err("include = [\"missing.toml\"]\n").contains("failed to read configuration file"));
        tree.write("outer/proj/.cargo/loop.toml", "include = [\"config.toml\"]\n");
        assert!(err("include = [\"loop.toml\"]\n").contains("cycle"));
    }

    #[test]
    fn line_numbers_of_array_elements() {
        let tree = Tree::new();
        let child = tree.write(
            CHILD,
            "# comment\n\n[target.'cfg(unix)']\nrustflags = [\n  \"-Dwarnings\",\n\n  \"-Cforce-frame-pointers\", \"-Zx\",\n]\n",
        );
        let flags = tree.load(&[]).rustflags(HOST, &linux()).unwrap();
        let lines: Vec<_> = flags.flags.iter().map(|f| (f.value.as_str(), f.origin.clone())).collect();
        assert_eq!(
            lines,
            [
                ("-Dwarnings", file(&child, 5)),
                ("-Cforce-frame-pointers", file(&child, 7)),
                ("-Zx", file(&child, 7))
            ]
        );
    }

    #[test]
    fn cargo_home_default() {
        let cwd = Path::new("/work");
        let env =
            |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(
            cargo_home(cwd, &env(&[("CARGO_HOME", "ch"), ("HOME", "/h")])),
            Some(PathBuf::from("/work/ch"))
        );
        assert_eq!(cargo_home(cwd, &env(&[("HOME", "/h")])), Some(PathBuf::from("/h/.cargo")));
        assert_eq!(cargo_home(cwd, &env(&[])), None);
    }
}
