//! Helpers shared by the integration tests: fixture paths, isolated commands, JSON output.
#![allow(dead_code, reason = "each test crate uses a different subset")]

pub mod cdx;
pub mod index_server;

use std::path::{Path, PathBuf};
use std::process::Output;

/// `fixtures/` of this repository.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The shared data beside the repository (the real advisory database snapshot, KEV, schemas).
pub fn shared() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(path.join("advisory-db/crates").is_dir(), "../shared/advisory-db is needed by this test");
    path
}

/// The fixture advisory database.
pub fn fixture_db() -> PathBuf {
    fixtures().join("advisory-db")
}

/// The fixture stand-in for the crates.io sparse index (`fixtures/index/`).
pub fn fixture_index() -> PathBuf {
    fixtures().join("index")
}

/// `fixtures/index/` as a `file://` URL, for `CARGO_SPDF_INDEX_URL`.
pub fn fixture_index_url() -> String {
    url::Url::from_directory_path(fixture_index()).unwrap().to_string()
}

/// A copy of `fixtures/workspaces/<name>` in a temporary directory, so a test can add files.
pub fn copy_workspace(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("workspaces").join(name), dir.path());
    dir
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `cargo-spdf` to run in a directory, checked to leave that directory's files byte for byte as
/// they were (outside `target/`): a check never writes into the workspace it inspects. Only
/// `--out`/`--output` paths the test names may appear.
pub struct Spdf {
    cmd: assert_cmd::Command,
    dir: PathBuf,
    allowed: Vec<PathBuf>,
    expect_output: bool,
    subcommand: Option<String>,
}

impl Spdf {
    /// Adds an argument.
    pub fn arg(&mut self, arg: impl AsRef<std::ffi::OsStr>) -> &mut Self {
        self.note_output(arg.as_ref());
        self.cmd.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        for a in args {
            self.arg(a);
        }
        self
    }

    /// Sets a variable.
    pub fn env(&mut self, key: impl AsRef<std::ffi::OsStr>, value: impl AsRef<std::ffi::OsStr>) -> &mut Self {
        self.cmd.env(key, value);
        self
    }

    /// Fails the run (as a test failure) after this long: a run must never hang.
    pub fn timeout(&mut self, limit: std::time::Duration) -> &mut Self {
        self.cmd.timeout(limit);
        self
    }

    /// Removes a variable.
    pub fn env_remove(&mut self, key: impl AsRef<std::ffi::OsStr>) -> &mut Self {
        self.cmd.env_remove(key);
        self
    }

    /// Runs it and checks the directory is unchanged (but for the outputs the test named).
    #[expect(clippy::panic_in_result_fn, reason = "a changed directory fails the test at once")]
    pub fn output(&mut self) -> std::io::Result<Output> {
        let before = tree(&self.dir);
        let out = self.cmd.output()?;
        let after = tree(&self.dir);
        let changed: Vec<&PathBuf> = before
            .iter()
            .filter(|(p, h)| after.get(*p) != Some(h))
            .map(|(p, _)| p)
            .chain(after.keys().filter(|p| !before.contains_key(*p)))
            .filter(|p| !self.allowed.iter().any(|a| p.starts_with(a)))
            .collect();
        assert!(
            changed.is_empty(),
            "cargo-spdf changed the inspected directory {}: {changed:?}",
            self.dir.display()
        );
        Ok(out)
    }

    /// A path the test asked to be written: `--out DIR`, `--output FILE`, `-o FILE`.
    fn note_output(&mut self, arg: &std::ffi::OsStr) {
        if self.expect_output {
            let path = Path::new(arg);
            self.allowed.push(if path.is_absolute() { path.to_path_buf() } else { self.dir.join(path) });
        }
        // `db fetch` writes the database it is told to (`--db DIR`); `init` writes spdf.toml.
        let fetch = self.subcommand.as_deref() == Some("db");
        self.expect_output =
            matches!(arg.to_str(), Some("--out" | "--output" | "-o")) || (fetch && arg == "--db");
        if self.subcommand.is_none() && arg != "spdf" {
            self.subcommand = arg.to_str().map(str::to_owned);
            if arg == "init" {
                self.allowed.push(self.dir.join("spdf.toml"));
            }
        }
    }
}

/// Every file under `dir` (not `target/`, not `.git/`) with a digest of its contents.
fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, u64> {
    use std::hash::{Hash as _, Hasher as _};
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(listing) = std::fs::read_dir(&d) else { continue };
        for entry in listing.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                if name != "target" && name != ".git" {
                    stack.push(path);
                }
            } else if kind.is_file() {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::fs::read(&path).unwrap_or_default().hash(&mut h);
                out.insert(path, h.finish());
            }
        }
    }
    out
}

/// `cargo-spdf` run in `dir` with an environment that does not leak the developer's settings.
/// Yanked status is read from the fixture index, so no test reaches crates.io. See [`Spdf`].
pub fn spdf(dir: &Path) -> Spdf {
    let mut cmd = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("cargo-spdf"));
    cmd.current_dir(dir);
    for var in [
        "CARGO_SPDF_DB",
        "CARGO_SPDF_KEV",
        "CARGO_TERM_COLOR",
        "SOURCE_DATE_EPOCH",
        "NO_COLOR",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CI",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("CARGO_SPDF_INDEX_URL", fixture_index_url());
    // A test that forgets --db and --offline must not clone the real database from the network:
    // the automatic fetch into the default location then fails at once, offline.
    cmd.env("CARGO_SPDF_DB_URL", NO_DB_URL);
    Spdf { cmd, dir: dir.to_path_buf(), allowed: Vec::new(), expect_output: false, subcommand: None }
}

/// Where [`spdf`] points `CARGO_SPDF_DB_URL`: a local path that does not exist.
pub const NO_DB_URL: &str = "/nonexistent/cargo-spdf-tests/advisory-db.git";

/// The exit code of a finished command.
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

/// Stdout parsed as JSON.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `(code, level, advisory id or "", package name or "")` of every finding, sorted.
pub fn finding_keys(doc: &serde_json::Value) -> Vec<(String, String, String, String)> {
    let mut keys: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["level"].as_str().unwrap().to_owned(),
                f["advisory"]["id"].as_str().unwrap_or("").to_owned(),
                f["package"]["name"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// Owned 4-tuples from string literals, for comparing with [`finding_keys`].
pub fn keys(items: &[(&str, &str, &str, &str)]) -> Vec<(String, String, String, String)> {
    let mut v: Vec<_> = items
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    v.sort();
    v
}

/// A workspace made of the given files, in a temporary directory, with an empty Cargo.lock
/// unless one is given.
pub fn workspace_from(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    if !dir.path().join("Cargo.lock").exists() {
        lock(dir.path());
    }
    dir
}

/// Lets cargo bring an existing `Cargo.lock` up to date with the manifests (offline), as a
/// developer would after editing a manifest.
pub fn relock(dir: &Path) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--offline", "--format-version", "1"])
        .current_dir(dir)
        .env("RUSTUP_AUTO_INSTALL", "0")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Writes the `Cargo.lock` cargo would write for a workspace of path packages, so that the
/// fixture is not stale (the gate never writes it itself).
pub fn lock(dir: &Path) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["generate-lockfile", "--offline", "--quiet"])
        .current_dir(dir)
        .env("RUSTUP_AUTO_INSTALL", "0")
        .status();
    if !status.is_ok_and(|s| s.success()) || !dir.join("Cargo.lock").exists() {
        std::fs::write(dir.join("Cargo.lock"), "version = 4\n").unwrap();
    }
}

/// Runs `check --format json` with the given gates in `dir` (offline, fixture database).
pub fn check_gates(
    dir: &Path,
    gates: &[&str],
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, serde_json::Value) {
    let mut cmd = spdf(dir);
    cmd.args(["check", "--offline", "--format", "json", "--db"]).arg(fixture_db());
    for gate in gates {
        cmd.args(["--gate", gate]);
    }
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (code(&out), json(&out))
}

/// `check --offline --gate GATE` with the fixture database, the human report on stderr.
pub fn check_human(dir: &Path, gate: &str) -> Output {
    spdf(dir).args(["check", "--offline", "--gate", gate, "--db"]).arg(fixture_db()).output().unwrap()
}

/// `(code, level, member or "", lint or "")` of every finding, sorted.
pub fn lint_keys(doc: &serde_json::Value) -> Vec<(String, String, String, String)> {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    let mut keys: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (s(&f["code"]), s(&f["level"]), s(&f["member"]), s(&f["lint"])))
        .collect();
    keys.sort();
    keys
}
