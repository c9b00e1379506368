//! The trusted toolchain: the cargo and rustc every child process runs, chosen by the operator
//! and never by the inspected workspace.
//!
//! Run inside a workspace, rustup's `cargo` and `rustc` proxies obey its `rust-toolchain.toml`,
//! which may name a toolchain by `path` (any program the pull request ships) or a channel that
//! is not installed (which rustup would download). So the gate never runs a proxy there: it runs
//! the binaries of one toolchain by absolute path, found once at start-up:
//!
//! 1. the directory of `$CARGO`, which cargo sets to itself when it runs `cargo spdf` (so the
//!    toolchain the operator invoked, e.g. `cargo +stable spdf`);
//! 2. otherwise the sysroot that `rustc --print sysroot` reports when run from a directory
//!    outside the workspace (the operator's default toolchain, or `RUSTUP_TOOLCHAIN`);
//! 3. otherwise the names on `PATH`, run from that same neutral directory.
//!
//! `$RUSTC`, when the operator sets it, is the compiler. Every child process gets
//! `RUSTUP_TOOLCHAIN` fixed to that toolchain and `RUSTUP_AUTO_INSTALL=0`, so nothing it starts
//! in turn can pick or install another toolchain either.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The toolchain the gate runs.
#[derive(Debug, Clone)]
pub struct Trusted {
    /// The toolchain's `bin` directory, when found.
    pub bin: Option<PathBuf>,
    /// The toolchain's root (its sysroot), given to rustup as `RUSTUP_TOOLCHAIN`.
    pub sysroot: Option<PathBuf>,
    /// `$RUSTC` as the operator set it.
    rustc_override: Option<OsString>,
    /// How it was chosen, for the report.
    pub chosen_by: ChosenBy,
    /// rustup's `RUSTUP_TOOLCHAIN_SOURCE` when this process was started through a proxy
    /// (`default`, `env`, `cli`, `override`, `toolchain-file`).
    pub rustup_source: Option<String>,
}

/// How the trusted toolchain was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChosenBy {
    /// The directory of `$CARGO`.
    CargoVariable,
    /// `rustc --print sysroot` run outside the workspace.
    Sysroot,
    /// Neither worked: the names on `PATH`, run outside the workspace.
    Path,
}

/// The toolchain found at start-up (resolved once per process).
pub fn trusted() -> &'static Trusted {
    static TRUSTED: OnceLock<Trusted> = OnceLock::new();
    TRUSTED.get_or_init(Trusted::resolve)
}

/// `rustc -vV` of the trusted compiler (run once per process).
pub fn version() -> Result<&'static crate::lints::toolchain::Toolchain, String> {
    static VERSION: OnceLock<Result<crate::lints::toolchain::Toolchain, String>> = OnceLock::new();
    VERSION.get_or_init(detect_cached).as_ref().map_err(Clone::clone)
}

/// `rustc -vV`, kept under `$CARGO_HOME/cargo-spdf/toolchain/` by the identity of the rustc
/// binary (path, size, modification time: a toolchain update replaces it), since every run that
/// reads the project needs it before `cargo metadata` can start.
fn detect_cached() -> Result<crate::lints::toolchain::Toolchain, String> {
    use crate::lints::toolchain::Toolchain;
    let rustc = PathBuf::from(trusted().tool("rustc"));
    let meta = std::fs::metadata(&rustc).ok();
    let stamp = meta.map(|m| {
        let mtime = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        format!("{} {} {mtime}", rustc.display(), m.len())
    });
    let home = crate::paths::cargo_home();
    let file = stamp.filter(|_| home.is_absolute()).map(|s| {
        home.join("cargo-spdf")
            .join("toolchain")
            .join(format!("{}.txt", crate::digest::sha256_hex(s.as_bytes())))
    });
    if let Some(text) = file.as_ref().and_then(|f| crate::fsread::read_to_string(f, 1 << 20).ok())
        && let Ok(toolchain) = Toolchain::parse(&text)
    {
        return Ok(toolchain);
    }
    let text = Toolchain::version_text(&neutral_dir()).map_err(|e| format!("{e:#}"))?;
    let toolchain = Toolchain::parse(&text).map_err(|e| format!("{e:#}"))?;
    if let Some(f) = file
        && f.parent().is_some_and(|d| std::fs::create_dir_all(d).is_ok())
    {
        let _ = crate::output::write_atomic(&f, text.as_bytes());
    }
    Ok(toolchain)
}

/// The host triple of the trusted compiler.
pub fn host() -> Result<String, String> {
    version().map(|t| t.host.clone())
}

/// A directory no workspace controls, to run toolchain commands from: `$CARGO_HOME` when it
/// exists (cargo reads its configuration there anyway), else the temporary directory.
pub fn neutral_dir() -> PathBuf {
    let home = crate::paths::cargo_home();
    if home.is_absolute() && home.is_dir() { home } else { std::env::temp_dir() }
}

impl Trusted {
    fn resolve() -> Self {
        let rustc_override = std::env::var_os("RUSTC").filter(|v| !v.is_empty());
        let rustup_source = std::env::var("RUSTUP_TOOLCHAIN_SOURCE").ok().filter(|v| !v.is_empty());
        let from_cargo = std::env::var_os("CARGO")
            .map(PathBuf::from)
            .filter(|c| c.is_absolute() && c.is_file())
            .and_then(|c| c.parent().map(Path::to_path_buf));
        if let Some(bin) = from_cargo {
            let sysroot = bin.parent().map(Path::to_path_buf);
            return Trusted {
                bin: Some(bin),
                sysroot,
                rustc_override,
                chosen_by: ChosenBy::CargoVariable,
                rustup_source,
            };
        }
        // rustup's own choice outside any workspace, read from its settings without running its
        // proxy (which costs a process and tens of milliseconds); else ask rustc.
        let sysroot = rustc_override.is_none().then(rustup_default).flatten();
        match sysroot.or_else(|| print_sysroot(rustc_override.as_deref())) {
            Some(sysroot) => Trusted {
                bin: Some(sysroot.join("bin")),
                sysroot: Some(sysroot),
                rustc_override,
                chosen_by: ChosenBy::Sysroot,
                rustup_source,
            },
            None => {
                Trusted { bin: None, sysroot: None, rustc_override, chosen_by: ChosenBy::Path, rustup_source }
            }
        }
    }

    /// The path of one of the toolchain's binaries (`cargo`, `rustc`, `clippy-driver`, ...).
    pub fn tool(&self, name: &str) -> OsString {
        if name == "rustc"
            && let Some(rustc) = &self.rustc_override
        {
            return rustc.clone();
        }
        self.bin
            .as_ref()
            .map(|bin| bin.join(exe(name)))
            .filter(|p| p.is_file())
            .map_or_else(|| OsString::from(name), OsString::from)
    }

    /// Whether the toolchain has this binary (clippy is an optional component).
    pub fn has(&self, name: &str) -> bool {
        self.bin.as_ref().is_some_and(|bin| bin.join(exe(name)).is_file())
    }

    /// A command for one of the toolchain's binaries, run in `dir`, with the toolchain fixed for
    /// it and everything it starts.
    pub fn command(&self, name: &str, dir: &Path) -> Command {
        let mut cmd = Command::new(self.tool(name));
        cmd.current_dir(dir);
        self.fix_environment(&mut cmd);
        cmd
    }

    /// Fixes the toolchain in a command's environment: rustup may neither pick another one
    /// (`RUSTUP_TOOLCHAIN`) nor install one (`RUSTUP_AUTO_INSTALL=0`).
    pub fn fix_environment(&self, cmd: &mut Command) {
        cmd.env("RUSTUP_AUTO_INSTALL", "0");
        if let Some(sysroot) = &self.sysroot {
            cmd.env("RUSTUP_TOOLCHAIN", sysroot);
        }
    }

    /// The note for the report when rustup chose this process's toolchain from the inspected
    /// workspace's `rust-toolchain.toml` (which a pull request can change). Read from the
    /// environment rustup gave this process, so that a run which runs no toolchain (the
    /// advisories gate) does not have to find one.
    pub fn chosen_by_workspace_note() -> Option<String> {
        let source = std::env::var("RUSTUP_TOOLCHAIN_SOURCE").ok();
        (source.as_deref() == Some("toolchain-file")).then(|| {
            "rustup chose the toolchain that runs cargo-spdf from a rust-toolchain.toml file; in CI, start the gate with a toolchain the workspace cannot choose: `cargo +stable spdf ...` or `cargo-spdf spdf ...`".to_owned()
        })
    }
}

/// The toolchain rustup would run outside any workspace: `RUSTUP_TOOLCHAIN` (a path, or the name
/// of an installed toolchain), else `default_toolchain` in `$RUSTUP_HOME/settings.toml`; `None`
/// when that is not a toolchain directory with a `rustc` (then `rustc --print sysroot` decides).
fn rustup_default() -> Option<PathBuf> {
    let home = std::env::var_os("RUSTUP_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".rustup")))?;
    let name = match std::env::var("RUSTUP_TOOLCHAIN").ok().filter(|v| !v.is_empty()) {
        Some(name) => name,
        None => {
            let text =
                crate::fsread::read_to_string(&home.join("settings.toml"), crate::fsread::limit::CONFIG)
                    .ok()?;
            let settings: toml::Table = toml::from_str(&text).ok()?;
            settings.get("default_toolchain")?.as_str()?.to_owned()
        }
    };
    let dir = if Path::new(&name).is_absolute() {
        PathBuf::from(&name)
    } else {
        home.join("toolchains").join(&name)
    };
    dir.join("bin").join(exe("rustc")).is_file().then_some(dir)
}

/// `rustc --print sysroot`, run from a neutral directory through whatever `rustc` is first on
/// `PATH` (or `$RUSTC`).
fn print_sysroot(rustc: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let mut cmd = Command::new(rustc.unwrap_or_else(|| std::ffi::OsStr::new("rustc")));
    cmd.args(["--print", "sysroot"]).current_dir(neutral_dir()).env("RUSTUP_AUTO_INSTALL", "0");
    let out = cmd.output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let path = PathBuf::from(text.trim());
    (out.status.success() && path.is_absolute() && path.join("bin").is_dir()).then_some(path)
}

fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trusted_toolchain_has_cargo_and_rustc() {
        let t = trusted();
        assert!(t.has("cargo") && t.has("rustc"), "{t:?}");
        let out = t.command("rustc", &std::env::temp_dir()).arg("-V").output().unwrap();
        assert!(out.status.success());
    }
}
