//! Load: `cargo metadata`, run once, for what only cargo can say: the members and their targets,
//! and (when a gate or output needs it) the dependency graph a target and feature set pull in,
//! with dependency kinds and manifest fields.
//!
//! It runs the trusted toolchain's cargo (see [`super::toolchain`]) from a directory outside the
//! workspace, so that cargo reads none of the workspace's configuration files, which could make
//! it run a compiler, wrapper or plugin of the pull request's choosing while it probes the
//! target. The settings resolution needs from them are forwarded as `--config` arguments (see
//! [`crate::cargo_config::CargoConfig::resolution_args`]), and the rustflags cargo would probe
//! with are passed through `CARGO_ENCODED_RUSTFLAGS` once the flags that load code into the
//! compiler are dropped ([`probe_flags`]). It always runs with `--locked`, so it never writes
//! `Cargo.lock`: a lockfile cargo would have to change is reported as [`Failure::Stale`].

use super::cargo_answer::{self, Answer};
use crate::cargo_config::CargoConfig;
use crate::graph::{CargoOptions, Dep, Graph, Package};
use crate::load::workspace::Workspace;
use crate::members::{Kind, Member, Target};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What `cargo metadata` said about the workspace.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// The members and their targets, sorted by name.
    pub members: Vec<Member>,
    /// The resolved graph (absent for a `--no-deps` call).
    pub graph: Option<Graph>,
}

/// Why `cargo metadata` gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Cargo would have to change `Cargo.lock` (with cargo's message).
    Stale(String),
    /// Anything else: a git source not cached offline, an undownloaded crate, a bad manifest.
    Other(String),
}

impl Failure {
    /// Cargo's message.
    pub fn message(&self) -> &str {
        match self {
            Self::Stale(m) | Self::Other(m) => m,
        }
    }
}

/// One `cargo metadata` call.
pub struct Request<'a> {
    /// The workspace.
    pub ws: &'a Workspace,
    /// Cargo's flags (features, target, offline).
    pub cargo: &'a CargoOptions,
    /// Resolve dependencies (else `--no-deps`: members and targets only).
    pub resolve: bool,
    /// The workspace's configuration, as read from the current directory.
    pub config: &'a CargoConfig,
    /// The host triple (which `[target.<triple>]` rustflags the probe takes).
    pub host: &'a str,
    /// The member manifests found without cargo, when known: the cache is used only then.
    pub members: Option<&'a [std::path::PathBuf]>,
}

/// Where a full answer goes the moment it is read, while cargo is still exiting (see [`run`]).
pub type Early<'a> = &'a (dyn Fn(Metadata) + Sync);

/// What [`run`] returns: cargo's answer, or word that the answer it handed to `early` stands.
#[derive(Debug)]
pub enum Reply {
    /// The answer (when none was handed over early, or the one handed over does not stand).
    Here(Metadata),
    /// The answer handed to `early` is cargo's: it exited successfully with nothing after it.
    AsHandedOver,
}

/// Runs `cargo metadata` and reads its answer. With `early`, an answer read before cargo has
/// exited is handed to it at once, for the caller to work on while cargo exits; whether it
/// stands is known only from the reply (an error, or [`Reply::Here`], means it does not).
pub fn run(req: &Request<'_>, early: Option<Early<'_>>) -> Result<Reply, Failure> {
    let mut cmd = command(req);
    let key = super::metadata_cache::key(&cmd);
    let config_files = req.config.files();
    let cache =
        req.members.map(|members| super::metadata_cache::Inputs { ws: req.ws, members, config_files });
    if let Some(stdout) = cache.as_ref().and_then(|c| super::metadata_cache::lookup(&key, c))
        && let Ok(answer) = cargo_answer::parse(&stdout)
    {
        return from_answer(&answer, &req.ws.root, req.resolve)
            .map(Reply::Here)
            .map_err(|e| Failure::Other(format!("{e:#}")));
    }
    let limit = crate::process::limit(std::time::Duration::from_secs(600));
    // Cargo writes its answer as one line, then frees what it built before it exits: the line is
    // read (and handed over) meanwhile, and stands once cargo has exited successfully with
    // nothing after it.
    let read = |line: &[u8]| {
        let read = match (read_answer(line, &req.ws.root, req.resolve), early) {
            (Ok((metadata, packages)), Some(early)) => {
                early(metadata);
                Ok((None, packages))
            }
            (read, _) => read.map(|(metadata, packages)| (Some(metadata), packages)),
        };
        (line.len(), read)
    };
    let (out, early) = crate::process::output_reading_first_line(&mut cmd, limit, read)
        .map_err(|e| Failure::Other(format!("cannot run `cargo metadata`: {e}")))?;
    if !out.status.success() {
        return Err(classify(&String::from_utf8_lossy(&out.stderr)));
    }
    let (metadata, packages) = match early {
        Some((len, read)) if out.stdout[len..].iter().all(u8::is_ascii_whitespace) => read?,
        _ => read_answer(&out.stdout, &req.ws.root, req.resolve).map(|(m, p)| (Some(m), p))?,
    };
    if let Some(c) = &cache
        && let Ok(text) = String::from_utf8(out.stdout)
    {
        super::metadata_cache::store(&key, text, packages, c);
    }
    Ok(metadata.map_or(Reply::AsHandedOver, Reply::Here))
}

/// Cargo's answer, read: the members and graph, and each package's manifest and whether it is a
/// path package (for the cache entry).
fn read_answer(
    stdout: &[u8],
    root: &Path,
    resolve: bool,
) -> Result<(Metadata, Vec<(PathBuf, bool)>), Failure> {
    let text = std::str::from_utf8(stdout)
        .map_err(|e| Failure::Other(format!("the output of `cargo metadata` is not UTF-8: {e}")))?;
    let answer = cargo_answer::parse(text)
        .map_err(|e| Failure::Other(format!("cannot read the output of `cargo metadata`: {e}")))?;
    let metadata = from_answer(&answer, root, resolve).map_err(|e| Failure::Other(format!("{e:#}")))?;
    Ok((metadata, super::metadata_cache::packages(&answer)))
}

/// The command: the trusted cargo, outside the workspace, `--locked`, forwarded configuration.
fn command(req: &Request<'_>) -> std::process::Command {
    let toolchain = super::toolchain::trusted();
    let mut cmd = toolchain.command("cargo", &super::toolchain::neutral_dir());
    cmd.args(["metadata", "--format-version", "1", "--locked", "--color", "never"]);
    if !req.resolve {
        cmd.arg("--no-deps");
    }
    cmd.args(req.cargo.args().into_iter().filter(|a| a != "--locked" && a != "--frozen"));
    if req.cargo.frozen && !req.cargo.offline {
        cmd.arg("--offline");
    }
    cmd.arg("--manifest-path").arg(&req.ws.manifest);
    let home = crate::paths::cargo_home();
    for arg in req.config.resolution_args(&|file| file.starts_with(&home)) {
        cmd.arg("--config").arg(arg);
    }
    let flags = req.config.rustflags_for_cfg_probe(req.host).map(|r| r.flags).unwrap_or_default();
    let values: Vec<String> = flags.into_iter().map(|f| f.value).collect();
    cmd.env("CARGO_ENCODED_RUSTFLAGS", probe_flags(&values).join("\u{1f}"));
    cmd.env("RUSTC", toolchain.tool("rustc"));
    for var in [
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_RUSTC_WRAPPER",
        "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    ] {
        cmd.env(var, "");
    }
    cmd.env_remove("CARGO_BUILD_RUSTC");
    cmd
}

/// What cargo's error says: a lockfile it would have to update, or another failure.
fn classify(stderr: &str) -> Failure {
    let message = stderr
        .lines()
        .map(|l| l.trim().trim_start_matches("error: "))
        .filter(|l| !l.is_empty() && !l.starts_with("Blocking waiting") && *l != "Caused by:")
        .collect::<Vec<_>>()
        .join(": ");
    let stale = ["--locked was passed to prevent this", "cannot update the lock file"]
        .iter()
        .any(|needle| message.contains(needle));
    if stale { Failure::Stale(message) } else { Failure::Other(message) }
}

/// The rustflags that may reach a target probe: those that change what `rustc --print cfg`
/// answers (`--cfg`, `--check-cfg`, `--target`, and the `-C` options that set cfgs) and lint
/// flags. Everything else is dropped, above all whatever loads code into the compiler
/// (`-Z codegen-backend`, `-Z llvm-plugins`, `-C llvm-args=-load=...`, `-C passes`, an
/// `@argfile`, `--sysroot`, `-L`/`-l`/`--extern`).
pub fn probe_flags(flags: &[String]) -> Vec<String> {
    const CODEGEN: [&str; 9] = [
        "target-feature",
        "target-cpu",
        "panic",
        "debug-assertions",
        "overflow-checks",
        "opt-level",
        "relocation-model",
        "code-model",
        "force-frame-pointers",
    ];
    const WITH_VALUE: [&str; 4] = ["--cfg", "--check-cfg", "--target", "--cap-lints"];
    let mut out = Vec::new();
    let mut it = flags.iter().peekable();
    while let Some(flag) = it.next() {
        if WITH_VALUE.contains(&flag.as_str()) {
            if let Some(value) = it.next() {
                out.extend([flag.clone(), value.clone()]);
            }
        } else if WITH_VALUE.iter().any(|w| flag.starts_with(&format!("{w}="))) || is_lint_flag(flag) {
            out.push(flag.clone());
        } else if let Some(option) = codegen_option(flag, it.peek().map(|s| s.as_str())) {
            if CODEGEN.iter().any(|c| option.split('=').next() == Some(c)) {
                if flag == "-C" || flag == "--codegen" {
                    it.next();
                    out.extend([flag.clone(), option.to_owned()]);
                } else {
                    out.push(flag.clone());
                }
            } else if flag == "-C" || flag == "--codegen" {
                it.next();
            }
        } else if ["-Z", "-L", "-l", "--extern", "--sysroot", "-o", "--out-dir"].contains(&flag.as_str()) {
            it.next();
        }
    }
    out
}

/// The option of a `-C` flag (`-Cx=y`, `-C x=y`, `--codegen x=y`, `--codegen=x=y`).
fn codegen_option<'a>(flag: &'a str, next: Option<&'a str>) -> Option<&'a str> {
    match flag {
        "-C" | "--codegen" => next,
        _ => flag.strip_prefix("-C").or_else(|| flag.strip_prefix("--codegen=")).filter(|o| !o.is_empty()),
    }
}

fn is_lint_flag(flag: &str) -> bool {
    let short = ["-A", "-W", "-D", "-F"].iter().any(|p| flag.starts_with(p) && flag.len() > 2);
    let long =
        ["--allow=", "--warn=", "--deny=", "--forbid=", "--force-warn="].iter().any(|p| flag.starts_with(p));
    short || long
}

/// Builds the members and (when resolved) the graph from `cargo metadata`'s answer.
pub fn from_answer(answer: &Answer<'_>, root: &Path, resolved: bool) -> anyhow::Result<Metadata> {
    let members: HashSet<&str> = answer.workspace_members.iter().map(|id| id.as_ref()).collect();
    let mut list: Vec<Member> =
        answer.packages.iter().filter(|p| members.contains(p.id.as_ref())).map(member).collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    let graph = if resolved { Some(graph(answer, &members, root)?) } else { None };
    Ok(Metadata { members: list, graph })
}

/// A member as `cargo metadata` describes it.
fn member(p: &cargo_answer::Package<'_>) -> Member {
    let manifest = PathBuf::from(p.manifest_path.as_ref());
    let mut targets: Vec<Target> = p
        .targets
        .iter()
        .filter_map(|t| {
            let kind = t.kind.iter().find_map(|k| target_kind(k))?;
            Some(Target { name: t.name.to_string(), kind, root: PathBuf::from(t.src_path.as_ref()) })
        })
        .collect();
    targets.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    Member {
        name: p.name.to_string(),
        id: p.id.to_string(),
        dir: manifest.parent().map(PathBuf::from).unwrap_or_default(),
        manifest,
        edition: p.edition.to_string(),
        rust_version: p.rust_version(),
        targets,
    }
}

/// What a target of cargo's kind builds (`None` for kinds cargo-spdf does not look at).
fn target_kind(kind: &str) -> Option<Kind> {
    match kind {
        "lib" | "rlib" | "dylib" | "cdylib" | "staticlib" | "proc-macro" => Some(Kind::Lib),
        "bin" => Some(Kind::Bin),
        "custom-build" => Some(Kind::BuildScript),
        "test" => Some(Kind::Test),
        "example" => Some(Kind::Example),
        "bench" => Some(Kind::Bench),
        _ => None,
    }
}

fn graph(answer: &Answer<'_>, members: &HashSet<&str>, root: &Path) -> anyhow::Result<Graph> {
    use anyhow::Context as _;
    let resolve = answer.resolve.as_ref().context("`cargo metadata` returned no dependency resolution")?;
    let resolved: HashSet<&str> = resolve.nodes.iter().map(|n| n.id.as_ref()).collect();
    let mut sources = Sources::default();
    let mut packages: Vec<(&str, Package)> = answer
        .packages
        .iter()
        .filter(|p| resolved.contains(p.id.as_ref()))
        .map(|p| (p.id.as_ref(), package(p, members.contains(p.id.as_ref()), root, &mut sources)))
        .collect();
    packages
        .sort_by(|a, b| (&a.1.name, &a.1.version, &a.1.source).cmp(&(&b.1.name, &b.1.version, &b.1.source)));
    let index: HashMap<&str, usize> = packages.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
    let mut deps = vec![Vec::new(); packages.len()];
    for node in &resolve.nodes {
        let Some(&from) = index.get(node.id.as_ref()) else { continue };
        let mut edges: BTreeMap<usize, Dep> = BTreeMap::new();
        for d in &node.deps {
            let Some(&to) = index.get(d.pkg.as_ref()) else { continue };
            let e = edges.entry(to).or_insert(Dep { to, normal: false, build: false, dev: false });
            for k in &d.dep_kinds {
                match k.kind.as_deref() {
                    Some("build") => e.build = true,
                    Some("dev") => e.dev = true,
                    _ => e.normal = true,
                }
            }
        }
        deps[from] = edges.into_values().collect();
    }
    Ok(Graph {
        packages: packages.into_iter().map(|(_, p)| p).collect(),
        deps,
        basis: crate::graph::Basis::Metadata,
    })
}

/// Sources already parsed: 800 packages name a handful of registries and repositories.
#[derive(Default)]
struct Sources(HashMap<String, crate::graph::Source>);

impl Sources {
    fn parse(&mut self, repr: &str) -> crate::graph::Source {
        if let Some(source) = self.0.get(repr) {
            return source.clone();
        }
        let source = crate::graph::parse_source(repr);
        self.0.insert(repr.to_owned(), source.clone());
        source
    }
}

fn package(p: &cargo_answer::Package<'_>, member: bool, root: &Path, sources: &mut Sources) -> Package {
    let manifest = Path::new(p.manifest_path.as_ref());
    let dir = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    Package {
        name: p.name.to_string(),
        version: p.version.clone(),
        source: match &p.source {
            None => crate::graph::Source::Path { dir: crate::paths::relative(&dir, root) },
            Some(s) => sources.parse(s),
        },
        source_repr: p.source.as_ref().map(|s| s.to_string()),
        license: p.license.clone().filter(|l| !l.trim().is_empty()),
        license_file: p.license_file.clone(),
        authors: p.authors.clone(),
        description: p.description.as_ref().map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
        repository: p.repository.clone(),
        homepage: p.homepage.clone(),
        documentation: p.documentation.clone(),
        proc_macro: p.has_target_kind("proc-macro"),
        binary: p.has_target_kind("bin"),
        member,
        unread: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn probe_flags_keep_what_sets_cfgs_and_drop_what_loads_code() {
        let flags = strings(&[
            "--cfg",
            "foo",
            "-Ctarget-feature=+avx2",
            "-C",
            "target-cpu=native",
            "-Zcodegen-backend=/x.so",
            "-Z",
            "llvm-plugins=/p.so",
            "-C",
            "llvm-args=-load=/p.so",
            "-Cpasses=x",
            "@/tmp/args",
            "--sysroot",
            "/evil",
            "-L",
            "/lib",
            "-Dwarnings",
            "--cfg=bar",
            "-C",
            "linker=/evil",
            "--target",
            "thumbv7em-none-eabihf",
        ]);
        assert_eq!(
            probe_flags(&flags),
            strings(&[
                "--cfg",
                "foo",
                "-Ctarget-feature=+avx2",
                "-C",
                "target-cpu=native",
                "-Dwarnings",
                "--cfg=bar",
                "--target",
                "thumbv7em-none-eabihf",
            ])
        );
    }

    #[test]
    fn a_lockfile_cargo_must_update_is_told_apart() {
        let stale = "error: the lock file /ws/Cargo.lock needs to be updated but --locked was passed to prevent this\nIf you want to try to generate the lock file without accessing the network, remove the --locked flag and use --offline instead.";
        assert!(matches!(classify(stale), Failure::Stale(_)));
        let offline = "error: failed to get `lib` as a dependency of package `app v0.1.0 (/ws)`\n\nCaused by:\n  can't checkout from 'file:///gone': you are in the offline mode (--offline)";
        assert!(matches!(classify(offline), Failure::Other(_)));
    }
}
