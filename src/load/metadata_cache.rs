//! The warm path: `cargo metadata`'s output kept under `$CARGO_HOME/cargo-spdf/metadata/`
//! (never inside the work tree, where a pull request could plant one), and used again only while
//! every input it depends on is byte-identical.
//!
//! An entry is found by a key: the SHA-256 of the cargo and rustc binaries' identity (path, size,
//! modification time), the whole command line (flags and the forwarded configuration), the
//! environment given to cargo, and the cargo and rustc variables of this process. It is valid only
//! when, re-hashed now, every file it rests on is as it was: the root manifest and every manifest
//! `cargo metadata` named outside cargo's own immutable caches (members, path dependencies,
//! vendored crates), `Cargo.lock`, every configuration file cargo reads, and, since cargo
//! discovers targets and members from the directory tree, the member list and the target files of
//! every path package. Anything else, a missing or corrupt entry, or a check that cannot be done,
//! means cargo runs and the entry is written anew (atomically, so two runs can share the cache).

use crate::load::workspace::Workspace;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable that turns the cache off (`0`).
pub const CACHE_VAR: &str = "CARGO_SPDF_METADATA_CACHE";

/// Format of an entry; a different one is never read. An entry is one line of JSON (what it rests
/// on: [`Entry`]) and then cargo's output as it was written, not escaped into a JSON string
/// (which made reading an entry back cost as much as parsing the output).
const FORMAT: u32 = 2;

/// What an entry's validity is judged against, besides the files `cargo metadata` names.
pub struct Inputs<'a> {
    /// The workspace.
    pub ws: &'a Workspace,
    /// The member manifests found from the root manifest's globs (a new member dir matching a
    /// glob changes the answer without changing any manifest).
    pub members: &'a [PathBuf],
    /// The configuration files cargo reads.
    pub config_files: &'a [PathBuf],
}

#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    files: BTreeMap<PathBuf, String>,
    members: Vec<PathBuf>,
    targets: BTreeMap<PathBuf, Vec<String>>,
}

/// The cache directory, unless turned off.
fn dir() -> Option<PathBuf> {
    if std::env::var(CACHE_VAR).is_ok_and(|v| v == "0") {
        return None;
    }
    let home = crate::paths::cargo_home();
    home.is_absolute().then(|| home.join("cargo-spdf").join("metadata"))
}

/// The key of a command.
pub fn key(cmd: &Command) -> String {
    let mut text = format!("{FORMAT}\n{}\n", crate::report::TOOL_VERSION);
    let program = PathBuf::from(cmd.get_program());
    let toolchain = super::toolchain::trusted();
    for tool in [program, PathBuf::from(toolchain.tool("rustc"))] {
        text.push_str(&format!("tool {}\n", identity(&tool)));
    }
    for arg in cmd.get_args() {
        text.push_str(&format!("arg {}\n", arg.to_string_lossy()));
    }
    for (k, v) in cmd.get_envs() {
        text.push_str(&format!(
            "env {}={}\n",
            k.to_string_lossy(),
            v.map(|v| v.to_string_lossy()).unwrap_or_default()
        ));
    }
    let mut env: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| {
            (k.starts_with("CARGO") || k.starts_with("RUST") || k.starts_with("__CARGO"))
                && !k.starts_with("CARGO_SPDF_")
                && !k.starts_with("CARGO_TERM_")
        })
        .collect();
    env.sort();
    for (k, v) in env {
        text.push_str(&format!("process {k}={v}\n"));
    }
    crate::digest::sha256_hex(text.as_bytes())
}

/// A binary's path, size and modification time.
fn identity(path: &Path) -> String {
    let resolved = which(path);
    let meta = std::fs::metadata(&resolved).ok();
    let size = meta.as_ref().map_or(0, std::fs::Metadata::len);
    let mtime = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{} {size} {mtime}", resolved.display())
}

/// A bare program name found on `PATH`.
fn which(program: &Path) -> PathBuf {
    if program.components().count() > 1 {
        return program.to_path_buf();
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| program.to_path_buf())
}

/// The stored output for `key`, if its entry is still valid.
pub fn lookup(key: &str, inputs: &Inputs<'_>) -> Option<String> {
    let path = dir()?.join(format!("{key}.json"));
    let mut bytes = crate::fsread::read(&path, crate::fsread::limit::LOCKFILE).ok()?;
    let header = memchr::memchr(b'\n', &bytes)?;
    let entry: Entry = serde_json::from_slice(&bytes[..header]).ok()?;
    let valid = entry.format == FORMAT
        && entry.members == sorted(inputs.members)
        && entry.files.iter().all(|(file, digest)| digest_of(file).as_deref() == Some(digest.as_str()))
        && entry.targets.iter().all(|(dir, files)| target_files(dir) == *files);
    if !valid {
        return None;
    }
    bytes.drain(..=header);
    String::from_utf8(bytes).ok()
}

/// What an entry rests on, taken from cargo's answer before the entry is written.
struct Plan {
    files: Vec<PathBuf>,
    package_dirs: Vec<PathBuf>,
    members: Vec<PathBuf>,
}

/// Each package's manifest and whether it is a path package, from cargo's answer: what
/// [`store`] needs of it once the answer is read.
pub fn packages(answer: &super::cargo_answer::Answer<'_>) -> Vec<(PathBuf, bool)> {
    answer.packages.iter().map(|p| (PathBuf::from(p.manifest_path.as_ref()), p.source.is_none())).collect()
}

/// Stores the output of a successful call; a failure to store is not an error (the next run
/// runs cargo again). The entry is written on a thread of its own, beside the gates (hashing what
/// it rests on and writing megabytes of JSON would otherwise wait in line after cargo), and
/// finished before the process exits: see [`finish_pending`]. `packages` is each package's
/// manifest and whether it is a path package ([`packages`]).
pub fn store(key: &str, stdout: String, packages: Vec<(PathBuf, bool)>, inputs: &Inputs<'_>) {
    let Some(dir) = dir() else { return };
    let home = crate::paths::cargo_home();
    let immutable = [home.join("registry").join("src"), home.join("git").join("checkouts")];
    let mut files: Vec<PathBuf> = vec![inputs.ws.manifest.clone(), inputs.ws.lockfile_path()];
    files.extend(inputs.config_files.iter().cloned());
    files.extend(config_candidates(&home));
    let mut package_dirs = Vec::new();
    for (manifest, path_package) in packages {
        if path_package && let Some(dir) = manifest.parent() {
            package_dirs.push(dir.to_path_buf());
        }
        if !immutable.iter().any(|d| manifest.starts_with(d)) {
            files.push(manifest);
        }
    }
    let plan = Plan { files, package_dirs, members: sorted(inputs.members) };
    let key = key.to_owned();
    let writer = std::thread::Builder::new().spawn(move || {
        crate::process::yield_to_children();
        write(&dir, &key, stdout, plan)
    });
    if let (Ok(handle), Ok(mut pending)) = (writer, PENDING.lock()) {
        pending.push(handle);
    }
}

/// The entries being written.
static PENDING: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>> = std::sync::Mutex::new(Vec::new());

/// Waits for the entries [`store`] is writing; called before the process exits.
pub fn finish_pending() {
    let handles = PENDING.lock().map(|mut p| std::mem::take(&mut *p)).unwrap_or_default();
    for handle in handles {
        let _ = handle.join();
    }
}

/// Hashes what the entry rests on and writes it.
fn write(dir: &Path, key: &str, stdout: String, plan: Plan) {
    let targets: BTreeMap<PathBuf, Vec<String>> = plan
        .package_dirs
        .into_iter()
        .map(|d| {
            let files = target_files(&d);
            (d, files)
        })
        .collect();
    let Some(digests) =
        plan.files.into_iter().map(|f| digest_of(&f).map(|d| (f, d))).collect::<Option<BTreeMap<_, _>>>()
    else {
        return;
    };
    let entry = Entry { format: FORMAT, files: digests, members: plan.members, targets };
    let Ok(mut bytes) = serde_json::to_vec(&entry) else { return };
    bytes.push(b'\n');
    bytes.extend_from_slice(stdout.as_bytes());
    if std::fs::create_dir_all(dir).is_ok() {
        let _ = crate::output::write_atomic(&dir.join(format!("{key}.json")), &bytes);
    }
}

/// Every place cargo looks for configuration, present or not (a file that appears later changes
/// the answer): `.cargo/config` and `.cargo/config.toml` in the current directory and each
/// parent, and `config` and `config.toml` in `$CARGO_HOME`.
fn config_candidates(home: &Path) -> Vec<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut out: Vec<PathBuf> =
        cwd.ancestors().flat_map(|d| ["config", "config.toml"].map(|n| d.join(".cargo").join(n))).collect();
    out.extend(["config", "config.toml"].map(|n| home.join(n)));
    out
}

fn sorted(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut v = paths.to_vec();
    v.sort();
    v
}

/// SHA-256 of a file's bytes, or `absent` for a file that does not exist (a config file that
/// appears later changes the answer too); `None` when it cannot be read.
fn digest_of(path: &Path) -> Option<String> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("absent".to_owned()),
        _ => crate::fsread::sha256_hex(path, crate::fsread::limit::LOCKFILE).ok(),
    }
}

/// The files cargo's target discovery looks at in a package directory: the crate roots and the
/// contents of `src/bin`, `examples`, `tests` and `benches`.
fn target_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for root in ["src/lib.rs", "src/main.rs", "build.rs"] {
        if dir.join(root).exists() {
            out.push(root.to_owned());
        }
    }
    for sub in ["src/bin", "examples", "tests", "benches"] {
        let Ok(listing) = std::fs::read_dir(dir.join(sub)) else { continue };
        for entry in listing.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let main = entry.path().join("main.rs");
            if name.ends_with(".rs") || main.exists() {
                out.push(format!("{sub}/{name}"));
            }
        }
    }
    out.sort();
    out
}
