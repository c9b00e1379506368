//! Load: the toolchain the workspace builds with (`rustc -vV`), and its lints, lint groups and
//! default levels (`clippy-driver rustc -W help`, falling back to `rustc -W help`), cached per
//! toolchain under the target directory.

use super::LintLevel;
use anyhow::{Context as _, bail};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::Command;

/// The toolchain in use in the workspace (rustup honours its rust-toolchain.toml there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    /// `rustc -V`, e.g. "rustc 1.95.0 (59807616e 2026-04-14)".
    pub rustc_version: String,
    /// The release version.
    pub version: semver::Version,
    /// The host triple.
    pub host: String,
    /// The compiler's commit hash, when known.
    pub commit: Option<String>,
    /// The toolchain's sysroot, when rustc printed it.
    pub sysroot: Option<std::path::PathBuf>,
    /// The whole `rustc -vV` text, part of the lint cache's key.
    pub verbose: String,
}

impl Toolchain {
    /// Runs `rustc -vV --print sysroot` in `dir` (see [`command`] for which rustc).
    pub fn detect(dir: &Path) -> anyhow::Result<Self> {
        Self::parse(&Self::version_text(dir)?)
    }

    /// The output of `rustc -vV --print sysroot`, which [`Toolchain::parse`] reads.
    pub fn version_text(dir: &Path) -> anyhow::Result<String> {
        let rustc = tool_path("rustc");
        let out = command(&rustc, dir)
            .args(["-vV", "--print", "sysroot"])
            .output()
            .with_context(|| format!("cannot run `{} -vV`", rustc.to_string_lossy()))?;
        if !out.status.success() {
            bail!("`rustc -vV` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Parses `rustc -vV` output (followed by the sysroot, when printed).
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let sysroot = text
            .lines()
            .skip(1)
            .find(|l| !l.contains(": ") && !l.trim().is_empty())
            .map(|l| std::path::PathBuf::from(l.trim()));
        let field = |name: &str| text.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned());
        let rustc_version = text.lines().next().unwrap_or_default().trim().to_owned();
        let release = field("release:").context("`rustc -vV` printed no release")?;
        let version = semver::Version::parse(release.split('-').next().unwrap_or(&release))
            .with_context(|| format!("`rustc -vV` printed an unexpected release \"{release}\""))?;
        Ok(Toolchain {
            rustc_version,
            version,
            host: field("host:").context("`rustc -vV` printed no host")?,
            commit: field("commit-hash:").filter(|c| c != "unknown"),
            sysroot,
            verbose: text.to_owned(),
        })
    }
}

/// The lints a toolchain knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintDb {
    defaults: BTreeMap<String, LintLevel>,
    groups: BTreeMap<String, Vec<String>>,
    /// The same groups as sets, for [`LintDb::contains`] (`clippy::all` has hundreds of lints,
    /// asked about once per lint and attribute).
    group_sets: HashMap<String, HashSet<String>>,
    /// Whether clippy's lints are included (clippy-driver was available).
    pub clippy: bool,
}

impl LintDb {
    /// Loads the lint list for `toolchain`, from the cache in `cache_dir` (under `$CARGO_HOME`,
    /// never in the inspected tree) when a valid one is there; a missing or corrupt cache is
    /// rebuilt from the toolchain.
    pub fn load(dir: &Path, toolchain: &Toolchain, cache_dir: Option<&Path>) -> anyhow::Result<Self> {
        let cache = cache_dir.map(|d| d.join(format!("lints-{}.txt", cache_key(toolchain))));
        let cached = cache
            .as_ref()
            .and_then(|c| crate::fsread::read_to_string(c, crate::fsread::limit::CONFIG).ok())
            .map(|text| Self::parse(&text))
            .filter(Self::is_plausible);
        if let Some(db) = cached {
            return Ok(db);
        }
        let text = help_text(dir)?;
        if let Some(cache) = &cache {
            // A cache that cannot be written only costs the next run a subprocess.
            let _ = cache.parent().map(std::fs::create_dir_all);
            let _ = crate::output::write_atomic(cache, text.as_bytes());
        }
        Ok(Self::parse(&text))
    }

    /// Whether a parsed list looks like a toolchain's (a truncated or foreign cache does not).
    fn is_plausible(&self) -> bool {
        self.defaults.contains_key("unsafe_code") && self.groups.contains_key("unused")
    }

    /// Parses `-W help` output.
    pub fn parse(text: &str) -> Self {
        let mut db = LintDb::default();
        let mut in_groups = false;
        for line in text.lines() {
            if line.starts_with("Lint groups") {
                in_groups = true;
            } else if line.starts_with("Lint checks") {
                in_groups = false;
            }
            let trimmed = line.trim();
            let Some((name, rest)) = trimmed.split_once(char::is_whitespace) else { continue };
            if name == "name"
                || name.starts_with('-')
                || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_:".contains(c))
            {
                continue;
            }
            let name = super::normalize(name);
            if in_groups {
                let members =
                    rest.trim().split(", ").map(super::normalize).filter(|m| !m.contains(' ')).collect();
                db.groups.insert(name, members);
            } else if let Some(level) = rest.split_whitespace().next().and_then(LintLevel::parse) {
                db.clippy |= name.starts_with("clippy::");
                db.defaults.insert(name, level);
            }
        }
        db.group_sets = db.groups.iter().map(|(g, m)| (g.clone(), m.iter().cloned().collect())).collect();
        db
    }

    /// A lint's default level (for groups, the level of clippy's group).
    pub fn default_level(&self, name: &str) -> Option<LintLevel> {
        self.defaults.get(name).copied().or_else(|| clippy_group_default(name))
    }

    /// Whether the toolchain knows the lint or group (rustdoc lints are not listed, so accepted).
    pub fn is_known(&self, name: &str) -> bool {
        self.defaults.contains_key(name)
            || self.groups.contains_key(name)
            || name.starts_with("rustdoc::")
            || (!self.clippy && name.starts_with("clippy::"))
    }

    /// Whether `name` is a group.
    pub fn is_group(&self, name: &str) -> bool {
        self.groups.contains_key(name) || name == "warnings"
    }

    /// Whether `group` contains `lint` (a name is in its own "group").
    pub fn contains(&self, group: &str, lint: &str) -> bool {
        group == lint || self.group_sets.get(group).is_some_and(|m| m.contains(lint))
    }

    /// The current name of `name`: itself when the toolchain knows it, else the name rustc or
    /// clippy renamed it to (when the toolchain knows that one), else itself.
    pub fn canonical(&self, name: &str) -> String {
        if self.is_known(name) {
            return name.to_owned();
        }
        super::renames::renamed(name)
            .filter(|new| self.is_known(new))
            .map_or_else(|| name.to_owned(), str::to_owned)
    }

    /// The lints `name` stands for: a group's members, or the lint itself.
    pub fn members<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        match self.groups.get(name) {
            Some(members) => members.iter().map(String::as_str).collect(),
            None => vec![name],
        }
    }

    /// Whether two lints or groups share a lint (`clippy::all` and `clippy::correctness` do).
    pub fn overlaps(&self, a: &str, b: &str) -> bool {
        self.members(b).iter().any(|m| self.contains(a, m))
    }

    /// The closest known name, for "did you mean".
    pub fn suggest(&self, name: &str) -> Option<&str> {
        self.defaults
            .keys()
            .chain(self.groups.keys())
            .map(|k| (strsim::levenshtein(k, name), k.as_str()))
            .filter(|(d, k)| {
                *d <= 3.max(name.len().div_euclid(5))
                    && k.starts_with("clippy::") == name.starts_with("clippy::")
            })
            .min()
            .map(|(_, k)| k)
    }
}

/// The cache key: the digest of the toolchain's `rustc -vV` text and of its compiler and
/// clippy-driver binaries (when the sysroot is known), so a rebuilt toolchain gets a new list.
fn cache_key(toolchain: &Toolchain) -> String {
    let mut input = toolchain.verbose.clone().into_bytes();
    for tool in ["rustc", "clippy-driver"] {
        let binary = toolchain.sysroot.as_ref().map(|s| s.join("bin").join(tool));
        let digest = binary.and_then(|b| crate::fsread::sha256_hex(&b, 1 << 30).ok());
        input.extend(digest.unwrap_or_else(|| crate::digest::sha256_hex(&[])).into_bytes());
    }
    crate::digest::sha256_hex(&input)
}

/// Clippy's lint groups are not in the lint table, but have levels of their own.
fn clippy_group_default(name: &str) -> Option<LintLevel> {
    Some(match name {
        "clippy::correctness" => LintLevel::Deny,
        "clippy::all" | "clippy::suspicious" | "clippy::style" | "clippy::complexity" | "clippy::perf" => {
            LintLevel::Warn
        }
        "clippy::pedantic" | "clippy::restriction" | "clippy::nursery" | "clippy::cargo" => LintLevel::Allow,
        _ => return None,
    })
}

/// Where to find a toolchain binary: the trusted toolchain's (see [`crate::load::toolchain`]),
/// never one the inspected workspace chooses.
pub fn tool_path(name: &str) -> std::ffi::OsString {
    crate::load::toolchain::trusted().tool(name)
}

/// A command for a toolchain binary, run in `dir`, with the toolchain fixed for it and whatever
/// it starts (no rustup proxy may pick or download another one).
pub fn command(program: &std::ffi::OsStr, dir: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir);
    crate::load::toolchain::trusted().fix_environment(&mut cmd);
    cmd
}

/// `rustc --print cfg --target <target>` with the probe flags cargo uses, for matching
/// `[target.'cfg(...)']` tables and learning the target's panic strategy; empty when it fails.
/// Asked once per target and flags in a run: every member directory of a workspace usually
/// sees the same configuration, and a workspace can have a thousand of them.
pub fn target_cfgs(
    dir: &Path,
    target: &str,
    probe: Option<&crate::cargo_config::Rustflags>,
) -> Vec<cargo_platform::Cfg> {
    type Answers = std::collections::HashMap<(String, Vec<String>), Vec<cargo_platform::Cfg>>;
    static ANSWERS: std::sync::OnceLock<std::sync::Mutex<Answers>> = std::sync::OnceLock::new();
    let flags: Vec<String> = probe.iter().flat_map(|p| p.flags.iter().map(|f| f.value.clone())).collect();
    // Never a flag that loads code into the compiler (see `load::metadata::probe_flags`).
    let flags = crate::load::metadata::probe_flags(&flags);
    let key = (target.to_owned(), flags);
    let answers = ANSWERS.get_or_init(Default::default);
    if let Some(cfgs) = answers.lock().ok().and_then(|a| a.get(&key).cloned()) {
        return cfgs;
    }
    let out =
        command(&tool_path("rustc"), dir).args(["--print", "cfg", "--target", target]).args(&key.1).output();
    let Ok(out) = out else { return Vec::new() };
    let cfgs: Vec<cargo_platform::Cfg> =
        String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.parse().ok()).collect();
    if out.status.success()
        && let Ok(mut a) = answers.lock()
    {
        a.insert(key, cfgs.clone());
    }
    cfgs
}

/// The `-W help` text of clippy-driver, or of rustc when clippy is not installed.
fn help_text(dir: &Path) -> anyhow::Result<String> {
    let clippy = command(&tool_path("clippy-driver"), dir).args(["rustc", "-W", "help"]).output();
    if let Ok(out) = clippy
        && out.status.success()
    {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let out = command(&tool_path("rustc"), dir)
        .args(["-W", "help"])
        .output()
        .context("cannot run `rustc -W help`")?;
    if !out.status.success() {
        bail!("`rustc -W help` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELP: &str = "
Lint checks provided by rustc:

                                                       name  default  meaning
                                                       ----  -------  -------
                                                unsafe-code  allow    usage of `unsafe` code and other potentially unsound constructs
                                            unused-must-use  warn     unused result of a type flagged as `#[must_use]`

Lint groups provided by rustc:

                                          name  sub-lints
                                          ----  ---------
                                      warnings  all lints that are set to issue warnings
                                        unused  unused-imports, unused-must-use

Lint checks loaded by this crate:

                                                       name  default  meaning
                                                       ----  -------  -------
                                        clippy::unwrap-used  allow    checks for `.unwrap()` calls on `Option`s and on `Result`s
                                         clippy::eq-op  deny     equal operands on both sides of a comparison or bitwise combination

Lint groups loaded by this crate:

                                          name  sub-lints
                                          ----  ---------
                           clippy::correctness  clippy::eq-op
                           clippy::restriction  clippy::unwrap-used
";

    #[test]
    fn parses_lints_defaults_and_groups() {
        let db = LintDb::parse(HELP);
        assert!(db.clippy);
        assert_eq!(db.default_level("unsafe_code"), Some(LintLevel::Allow));
        assert_eq!(db.default_level("unused_must_use"), Some(LintLevel::Warn));
        assert_eq!(db.default_level("clippy::eq_op"), Some(LintLevel::Deny));
        assert_eq!(db.default_level("clippy::correctness"), Some(LintLevel::Deny));
        assert!(db.contains("clippy::restriction", "clippy::unwrap_used"));
        assert!(db.contains("unused", "unused_must_use"));
        assert!(!db.contains("clippy::correctness", "clippy::unwrap_used"));
        assert!(
            db.is_known("clippy::unwrap_used")
                && db.is_known("unused")
                && !db.is_known("clippy::unwarp_used")
        );
        assert_eq!(db.suggest("clippy::unwarp_used"), Some("clippy::unwrap_used"));
        assert!(db.is_group("warnings"));
    }

    #[test]
    fn parses_rustc_version() {
        let t = Toolchain::parse("rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\ncommit-hash: 59807616e1fa\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\n").unwrap();
        assert_eq!(t.version, semver::Version::new(1, 95, 0));
        assert_eq!(t.host, "x86_64-unknown-linux-gnu");
        assert_eq!(t.rustc_version, "rustc 1.95.0 (59807616e 2026-04-14)");
    }
}
