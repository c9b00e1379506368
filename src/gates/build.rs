//! The build gate: the settings a release's safety evidence depends on (release profile,
//! toolchain pin, rust-version, a committed Cargo.lock) and everything that silently defeats them
//! (per-package and custom profiles, cargo config, `CARGO_PROFILE_*`, rustflags), plus risky
//! configuration (compiler wrappers, nightly flags, `target-feature`, `soft-float`).

use super::Ctx;
use crate::cargo_config::Origin;
use crate::finding::{Code, Finding, Level, Location};
use crate::load::project::{LockfileState, Project};
use crate::policy::BuildPolicy;
use crate::toml_file::TomlFile;
use toml::de::{DeTable, DeValue};

/// What the gate reads: the project (manifests, configuration, toolchain file, git state) and
/// the advisory database (the toolchain's own advisories).
pub struct Input<'a> {
    /// The project.
    pub project: &'a Project,
    /// The advisory database.
    pub db: &'a crate::load::database::AdvisoryDb,
}

impl<'a> Input<'a> {
    /// The gate's input.
    pub fn from_loaded(l: &'a crate::load::Loaded) -> Result<Self, String> {
        Ok(Input {
            project: l
                .project
                .get()
                .map_err(|e| super::missing("the project (members, manifests, configuration)", e))?,
            db: l.db.get().map_err(|e| super::missing("the advisory database", e))?,
        })
    }
}

/// Runs the gate.
pub fn check(ctx: &Ctx<'_>, input: &Input<'_>) -> Vec<Finding> {
    let project = input.project;
    let policy = &ctx.policy.build;
    let mut findings = Vec::new();
    findings.extend(lockfile(project, policy));
    findings.extend(rust_versions(project, ctx.policy));
    findings.extend(toolchain_pin(project, policy));
    findings.extend(toolchain_mismatch(project, ctx.stage));
    findings.extend(toolchain_by_path(project, ctx.stage));
    findings.extend(profiles(project, policy));
    findings.extend(risky(project, policy));
    findings.extend(toolchain_advisories(project, input.db));
    if ctx.stage == crate::policy::Stage::Release {
        findings.extend(dirty_worktree(project, policy));
    }
    findings
}

/// A release from uncommitted changes cannot be traced to a commit: denied, or with
/// `allow-dirty` recorded as a warning.
fn dirty_worktree(project: &Project, policy: &BuildPolicy) -> Option<Finding> {
    let git = project.git.as_ref().filter(|g| g.dirty())?;
    let level = if policy.allow_dirty { Level::Warn } else { Level::Deny };
    let shown: Vec<&str> = git.changes.iter().take(5).map(String::as_str).collect();
    let more = git.changes.len().saturating_sub(shown.len());
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    let mut f = Finding::new(
        Code::WorktreeDirty,
        level,
        format!("the work tree has uncommitted changes ({}{more}): the release cannot be traced to commit {}", shown.join(", "), git.commit.as_deref().unwrap_or("(none)")),
    )
    .help("commit or stash the changes and check again (or set [build] allow-dirty = true to record them instead)");
    f.actual = Some(format!("{} changed paths", git.changes.len()));
    Some(f)
}

/// The advisory database's `rust/` collection (std, cargo, rustdoc, ...) against the toolchain
/// the workspace builds with.
fn toolchain_advisories(project: &Project, db: &crate::load::database::AdvisoryDb) -> Vec<Finding> {
    let version = project.toolchain_version();
    let at = project
        .toolchain_file
        .as_ref()
        .map(|f| Location { file: f.report_name.clone(), line: line_of(f, "channel") });
    let mut out = Vec::new();
    for (component, entry) in db.toolchain() {
        let crate::load::database::Entry::Advisory(advisory) = entry else { continue };
        if advisory.metadata.withdrawn.is_some() || !advisory.versions.is_vulnerable(&version) {
            continue;
        }
        let patched: Vec<String> = advisory.versions.patched().iter().map(ToString::to_string).collect();
        let fix = if patched.is_empty() {
            "no fixed toolchain exists".to_owned()
        } else {
            format!("fixed in {}", patched.join(" or "))
        };
        let mut f = Finding::new(
            Code::ToolchainAdvisory,
            Level::Deny,
            format!("Rust {version}: {} in {component} ({}); {fix}", advisory.title(), advisory.id()),
        )
        .package(component, &version.to_string())
        .help(format!("move to a fixed toolchain ({}) in rust-toolchain.toml, or waive it with the assessment of why the affected API is not used", if patched.is_empty() { "none yet".to_owned() } else { patched.join(" or ") }))
        .at(at.clone());
        f.advisory = Some(super::advisories::advisory_ref(advisory));
        f.required = Some(patched.join(" or "));
        f.actual = Some(version.to_string());
        out.push(f);
    }
    out
}

/// The workspace root: where the root manifest is.
fn ws_root(project: &Project) -> &std::path::Path {
    project.root_manifest.path.parent().unwrap_or(std::path::Path::new("."))
}

/// Where a config value comes from, as a finding location relative to the workspace root.
pub fn origin_location(origin: &Origin, root: &std::path::Path) -> Location {
    match origin {
        Origin::File { path, line } => {
            Location { file: crate::paths::relative(path, root), line: Some(*line) }
        }
        Origin::Env { var } => Location { file: format!("${var}"), line: None },
    }
}

fn setting(level: Level, message: String, at: Location, required: String, actual: String) -> Finding {
    let mut f = Finding::new(Code::BuildSetting, level, message).at(Some(at));
    f.required = Some(required);
    f.actual = Some(actual);
    f
}

fn lockfile(project: &Project, policy: &BuildPolicy) -> Option<Finding> {
    if !policy.require_lockfile {
        return None;
    }
    let message = match project.lockfile {
        LockfileState::Missing => "Cargo.lock is missing: builds are not reproducible and `--locked` fails",
        LockfileState::Untracked => {
            "Cargo.lock is not tracked by git: the versions a release was built with are not recorded"
        }
        LockfileState::Tracked | LockfileState::NotInGit => return None,
    };
    Some(
        Finding::new(Code::LockfileMissing, Level::Deny, message)
            .help("run `cargo generate-lockfile` if needed, commit Cargo.lock, and build with `--locked`")
            .at(Some(Location { file: "Cargo.lock".to_owned(), line: None })),
    )
}

fn rust_versions(project: &Project, policy: &crate::policy::Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in &project.members {
        let policy = policy.build_for(&m.member.name, &m.rel_dir);
        let at =
            Location { file: m.manifest.report_name.clone(), line: line_of(&m.manifest, "rust-version") };
        match (&m.member.rust_version, &policy.min_rust_version) {
            (None, _) if policy.require_rust_version => {
                let mut f = setting(
                    Level::Deny,
                    format!("{}: `rust-version` is not set", m.member.name),
                    at,
                    "rust-version set".into(),
                    "unset".into(),
                );
                f.member = Some(m.member.name.clone());
                out.push(f.help("set `rust-version` in [package] (or [workspace.package]): clippy and cargo use it, and lint settings depend on it"));
            }
            (Some(v), Some(min)) if v < min => {
                let mut f = setting(
                    Level::Deny,
                    format!(
                        "{}: `rust-version` {v} is below {min}; lints such as allow_attributes_without_reason are silent below 1.81",
                        m.member.name
                    ),
                    at,
                    format!(">= {min}"),
                    v.to_string(),
                );
                f.member = Some(m.member.name.clone());
                out.push(f);
            }
            _ => {}
        }
    }
    out
}

/// The 1-based line of the first `key =` in a file, for pointing at simple keys.
fn line_of(file: &TomlFile, key: &str) -> Option<usize> {
    file.text
        .lines()
        .position(|l| l.trim_start().strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('=')))
        .map(|i| i + 1)
}

fn toolchain_pin(project: &Project, policy: &BuildPolicy) -> Option<Finding> {
    if !policy.require_toolchain_pin {
        return None;
    }
    let (channel, at) = match &project.toolchain_file {
        None => (None, Location { file: "rust-toolchain.toml".to_owned(), line: None }),
        Some(file) => {
            let channel = toolchain_channel(file);
            (channel.clone(), Location { file: file.report_name.clone(), line: line_of(file, "channel") })
        }
    };
    if channel.as_deref().is_some_and(is_exact_pin) {
        return None;
    }
    let actual = channel.clone().unwrap_or_else(|| "no rust-toolchain.toml".to_owned());
    let help = match &project.toolchain_file {
        Some(file) => format!(
            "set `channel` in {} to an exact release (`X.Y.Z`) or a dated nightly or beta (`nightly-YYYY-MM-DD`): the one you build and test with",
            file.report_name
        ),
        None => "add rust-toolchain.toml with [toolchain] channel = \"X.Y.Z\": the exact release you build and test with".to_owned(),
    };
    let mut f = Finding::new(
        Code::ToolchainUnpinned,
        Level::Deny,
        format!("the toolchain is not pinned to an exact version ({actual}): lint names, groups and defaults change between releases"),
    )
    .help(help)
    .at(Some(at));
    f.required = Some("an exact version (X.Y.Z, nightly-YYYY-MM-DD or beta-YYYY-MM-DD)".to_owned());
    f.actual = Some(actual);
    Some(f)
}

/// A `rust-toolchain.toml` that names a toolchain by `path`: any program the file points at. The
/// gate never runs it (it runs the trusted toolchain, see `load::toolchain`), and says so: a
/// warning on a developer's machine, denied before a merge and at release, where the pull request
/// or the release would be built with something no one can identify.
fn toolchain_by_path(project: &Project, stage: crate::policy::Stage) -> Option<Finding> {
    let file = project.toolchain_file.as_ref()?;
    let table: toml::Table = file.text.parse().ok()?;
    let path = table.get("toolchain")?.get("path")?.as_str()?;
    let level = if stage == crate::policy::Stage::Local { Level::Warn } else { Level::Deny };
    let mut f = Finding::new(
        Code::ToolchainMismatch,
        level,
        format!(
            "{} names a toolchain by path ({path}); it was not run: {} judged the workspace",
            file.report_name,
            project.toolchain.rustc_version
        ),
    )
    .help("pin an installed release instead (`channel = \"X.Y.Z\"`): a toolchain by path is whatever program that directory holds")
    .at(Some(Location { file: file.report_name.clone(), line: line_of(file, "path") }));
    f.required = Some("a released toolchain".to_owned());
    f.actual = Some(format!("path = {path}"));
    Some(f)
}

/// The toolchain that ran against the exact one rust-toolchain.toml pins: `toolchain-mismatch`,
/// a warning, denied at the release stage (the evidence would record a compiler the release is
/// not built with). Pins that name no one toolchain are `toolchain-unpinned`'s concern.
fn toolchain_mismatch(project: &Project, stage: crate::policy::Stage) -> Option<Finding> {
    let file = project.toolchain_file.as_ref()?;
    let pinned = toolchain_channel(file).filter(|c| is_exact_pin(c))?;
    let ran = &project.toolchain.rustc_version;
    if pin_matches(&pinned, ran) {
        return None;
    }
    let level = if stage == crate::policy::Stage::Release { Level::Deny } else { Level::Warn };
    let mut f = Finding::new(
        Code::ToolchainMismatch,
        level,
        format!("{} pins {pinned}, but {ran} ran: the lint levels were judged and the evidence is recorded for another toolchain than the pinned one", file.report_name),
    )
    .help(format!("run cargo-spdf with the pinned toolchain (`cargo +{pinned} spdf ...`), or update the pin to the toolchain you build with"))
    .at(Some(Location { file: file.report_name.clone(), line: line_of(file, "channel") }));
    f.required = Some(pinned);
    f.actual = Some(ran.clone());
    Some(f)
}

/// Whether `rustc -V` (`rustc 1.95.0 (59807616e 2026-04-14)`) is the toolchain an exact pin
/// names: `X.Y.Z` a stable X.Y.Z; `nightly-D` or `beta-D` that channel built from a commit of
/// day D or the day before (a nightly is built from the previous day's last commit).
pub fn pin_matches(pinned: &str, rustc_version: &str) -> bool {
    let mut words = rustc_version.split_whitespace().skip(1);
    let release = words.next().unwrap_or("");
    let date = rustc_version.rsplit(' ').next().unwrap_or("").trim_end_matches(')');
    let (pin_version, _host) = pinned.split_once('-').unwrap_or((pinned, ""));
    if pin_version.split('.').count() == 3 && pin_version.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return release == pin_version;
    }
    let Some((kind, day)) = pinned.split_once('-') else { return false };
    let day = day.get(..10).and_then(|d| d.parse::<jiff::civil::Date>().ok());
    let built = date.parse::<jiff::civil::Date>().ok();
    let same_channel = release.ends_with(&format!("-{kind}"));
    match (day, built) {
        (Some(day), Some(built)) => same_channel && (built == day || built.tomorrow().ok() == Some(day)),
        _ => false,
    }
}

/// Whether a channel names one toolchain: `1.95.0`, `nightly-2026-04-01`, `beta-2026-04-01`,
/// each optionally followed by a host triple (`1.95.0-x86_64-unknown-linux-gnu`).
pub fn is_exact_pin(channel: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let release = |parts: &[&str]| {
        parts.len() >= 3 && parts[..3].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let (version, _host) = channel.split_once('-').unwrap_or((channel, ""));
    if release(&version.split('.').collect::<Vec<_>>()) && version.split('.').count() == 3 {
        return true;
    }
    let parts: Vec<&str> = channel.splitn(5, '-').collect();
    matches!(parts.as_slice(), [kind, y, m, d, ..] if (*kind == "nightly" || *kind == "beta") && digits(y, 4) && digits(m, 2) && digits(d, 2))
}

/// The `channel` of rust-toolchain.toml, or the whole of a legacy one-line rust-toolchain.
pub fn toolchain_channel(file: &TomlFile) -> Option<String> {
    match file.text.parse::<toml::Table>() {
        Ok(t) => t.get("toolchain")?.get("channel")?.as_str().map(str::to_owned),
        Err(_) => Some(file.text.trim().to_owned()).filter(|t| !t.is_empty() && !t.contains('\n')),
    }
}

/// Cargo's built-in values of the settings the gate checks, for a profile that does not set them.
fn default_value(profile: &str, key: &str) -> toml::Value {
    let dev = !matches!(profile, "release" | "bench");
    match key {
        "overflow-checks" | "debug-assertions" | "incremental" => toml::Value::Boolean(dev),
        "panic" => toml::Value::String("unwind".into()),
        "opt-level" => toml::Value::Integer(if dev { 0 } else { 3 }),
        "lto" => toml::Value::Boolean(false),
        "codegen-units" => toml::Value::Integer(if dev { 256 } else { 16 }),
        "debug" => toml::Value::Boolean(dev),
        _ => toml::Value::String("none".into()),
    }
}

fn de_value(v: &DeValue<'_>) -> Option<toml::Value> {
    Some(match v {
        DeValue::Boolean(b) => toml::Value::Boolean(*b),
        DeValue::String(s) => toml::Value::String(s.to_string()),
        DeValue::Integer(i) => toml::Value::Integer(i.as_str().parse().ok()?),
        _ => return None,
    })
}

/// The root manifest's `[profile]` table: profile -> key -> (value, line), and profile header lines.
struct Profiles {
    values: Vec<(String, String, toml::Value, usize)>,
    headers: Vec<(String, usize)>,
}

fn read_profiles(file: &TomlFile) -> Profiles {
    let mut out = Profiles { values: Vec::new(), headers: Vec::new() };
    let Ok(doc) = DeTable::parse(&file.text) else { return out };
    let Some(profiles) = doc.get_ref().get("profile").and_then(|p| p.get_ref().as_table()) else {
        return out;
    };
    for (name, table) in profiles {
        let Some(table) = table.get_ref().as_table() else { continue };
        out.headers.push((name.get_ref().to_string(), file.line_col(name.span().start).0));
        collect(file, name.get_ref(), table, &mut out.values);
    }
    out
}

fn collect(
    file: &TomlFile,
    prefix: &str,
    table: &DeTable<'_>,
    out: &mut Vec<(String, String, toml::Value, usize)>,
) {
    for (key, value) in table {
        let line = file.line_col(key.span().start).0;
        match value.get_ref() {
            DeValue::Table(inner) if key.get_ref().as_ref() == "package" => {
                for (pkg, settings) in inner {
                    if let Some(settings) = settings.get_ref().as_table() {
                        collect(file, &format!("{prefix}.package.{}", pkg.get_ref()), settings, out);
                    }
                }
            }
            other => {
                out.extend(de_value(other).map(|v| (prefix.to_owned(), key.get_ref().to_string(), v, line)))
            }
        }
    }
}

fn profiles(project: &Project, policy: &BuildPolicy) -> Vec<Finding> {
    let p = read_profiles(&project.root_manifest);
    let mut out = Vec::new();
    for (profile, required) in [("release", &policy.release), ("dev", &policy.dev)] {
        for (key, want) in required {
            out.extend(required_setting(project, policy, &p, profile, key, want));
            out.extend(defeaters(project, &p, profile, key, want));
        }
    }
    let manifest = &project.root_manifest;
    let at = |line: Option<usize>| Location { file: manifest.report_name.clone(), line };
    let header = |name: &str| p.headers.iter().find(|(n, _)| n == name).map(|(_, l)| *l);
    for key in &policy.release_explicit {
        if !p.values.iter().any(|(pr, k, _, _)| pr == "release" && k == key) {
            out.push(
                setting(
                    Level::Deny,
                    format!("[profile.release] does not set `{key}` explicitly"),
                    at(header("release")),
                    "set explicitly".into(),
                    "unset".into(),
                )
                .help(format!(
                    "write `{key} = ...` in [profile.release] so the release build's behaviour is documented"
                )),
            );
        }
    }
    out.extend(weakened_checks(project, &p));
    out
}

/// One required profile setting, as `cargo build [--release]` builds it: the manifest's value,
/// else the default (for `panic`, the build target's own strategy, which is `abort` for thumb
/// targets); a value the policy records as supplied by an external build is excepted.
fn required_setting(
    project: &Project,
    policy: &BuildPolicy,
    p: &Profiles,
    profile: &str,
    key: &str,
    want: &toml::Value,
) -> Vec<Finding> {
    let manifest = &project.root_manifest;
    let set = p.values.iter().find(|(pr, k, _, _)| pr == profile && k == key);
    let header = p.headers.iter().find(|(n, _)| n == profile).map(|(_, l)| *l);
    let line = set.map(|(_, _, _, l)| *l).or(header);
    let build = if profile == "release" { "cargo build --release" } else { "cargo build" };
    let actuals: Vec<(toml::Value, String)> = match set {
        Some((_, _, v, _)) => vec![(v.clone(), String::new())],
        None => defaults(project, profile, key),
    };
    let mut out = Vec::new();
    for (actual, how) in actuals.into_iter().filter(|(a, _)| a != want) {
        let message = format!(
            "as `{build}` builds it, [profile.{profile}] {key} is {actual}{how}; the policy requires {want}"
        );
        let at = Location { file: manifest.report_name.clone(), line };
        let external = policy.external.as_ref().filter(|_| profile == "release");
        let mut f = match external.and_then(|e| e.values.get(key).map(|v| (e, v))) {
            Some((e, v)) if v == want => {
                let mut f = setting(Level::Excepted, format!("{message}; the external build supplies {key} = {v} ({})", e.reason), e.location.clone(), want.to_string(), v.to_string());
                f.exception = Some(external_ref(key, e));
                f
            }
            _ => setting(Level::Deny, message, at, want.to_string(), actual.to_string())
                .help(format!("set `{key} = {want}` in [profile.{profile}] of the root Cargo.toml, or record the build step that supplies it in the policy's [build] external")),
        };
        f.help.dedup();
        out.push(f);
    }
    out
}

/// Cargo's default for a key the profile leaves out, with how it was decided; for `panic`, one
/// per distinct build target (each directory's `[build] target`).
fn defaults(project: &Project, profile: &str, key: &str) -> Vec<(toml::Value, String)> {
    let unset = " (cargo's default; the key is not set)".to_owned();
    if key != "panic" {
        return vec![(default_value(profile, key), unset)];
    }
    let mut out: Vec<(toml::Value, String)> = Vec::new();
    for config in &project.configs {
        let strategy = config.target_panic().unwrap_or("unwind");
        let entry = (
            toml::Value::String(strategy.to_owned()),
            format!(" (the default of the build target {}; the key is not set)", config.target),
        );
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    out
}

fn external_ref(key: &str, e: &crate::policy::ExternalSettings) -> crate::finding::ExceptionRef {
    crate::finding::ExceptionRef {
        id: format!("build.external.{key}"),
        reason: e.reason.clone(),
        expires: None,
        state: None,
        justification: None,
        response: Vec::new(),
        approved_by: None,
        location: e.location.clone(),
    }
}

/// Per-package and custom profiles, config `[profile]` tables, `CARGO_PROFILE_*` and rustflags
/// that set a required release or dev setting to something else.
fn defeaters(project: &Project, p: &Profiles, profile: &str, key: &str, want: &toml::Value) -> Vec<Finding> {
    let manifest = &project.root_manifest;
    let root = ws_root(project);
    let mut out = Vec::new();
    let custom: Vec<String> = p
        .values
        .iter()
        .filter(|(_, k, v, _)| k == "inherits" && v.as_str() == Some(profile))
        .map(|(pr, _, _, _)| pr.clone())
        .collect();
    for (pr, k, v, line) in &p.values {
        let overrides = pr.starts_with(&format!("{profile}.package.")) || custom.contains(pr);
        if overrides && k == key && v != want {
            out.push(setting(
                Level::Deny,
                format!("[profile.{pr}] sets {key} = {v}, defeating the required {key} = {want} of [profile.{profile}]"),
                Location { file: manifest.report_name.clone(), line: Some(*line) },
                want.to_string(),
                v.to_string(),
            ));
        }
    }
    for s in crate::cargo_config::effective(project.config.profile_settings()) {
        let in_scope = s.key == format!("profile.{profile}.{key}")
            || (s.key.starts_with(&format!("profile.{profile}.package."))
                && s.key.ends_with(&format!(".{key}")));
        if in_scope && &s.value != want {
            out.push(setting(
                Level::Deny,
                format!(
                    "{} = {} in cargo's configuration overrides the manifest's [profile.{profile}] {key}",
                    s.key, s.value
                ),
                origin_location(&s.origin, root),
                want.to_string(),
                s.value.to_string(),
            ));
        }
    }
    if profile == "release" {
        out.extend(codegen_flag_conflicts(project, key, want));
    }
    out
}

/// `-C overflow-checks=off`, `-C debug-assertions=off`, `-C panic=...` in rustflags.
fn codegen_flag_conflicts(project: &Project, key: &str, want: &toml::Value) -> Vec<Finding> {
    let root = ws_root(project);
    let Some(rf) = &project.rustflags else { return Vec::new() };
    let mut out = Vec::new();
    for (value, origin) in codegen_options(rf) {
        let Some((k, v)) = value.split_once('=') else { continue };
        let actual = match (k, key) {
            ("overflow-checks" | "debug-assertions", _) if k == key => {
                toml::Value::Boolean(matches!(v, "on" | "yes" | "y" | "true"))
            }
            ("panic", "panic") => toml::Value::String(v.to_owned()),
            _ => continue,
        };
        if &actual != want {
            out.push(setting(
                Level::Deny,
                format!("rustflags pass `-C {value}`, which overrides the release profile's {key} = {want}"),
                origin_location(origin, root),
                want.to_string(),
                actual.to_string(),
            ));
        }
    }
    out
}

/// The `-C` options in a rustflags list (`-C x`, `-Cx`, `--codegen x`, `--codegen=x`).
fn codegen_options(rf: &crate::cargo_config::Rustflags) -> Vec<(String, &Origin)> {
    let mut out = Vec::new();
    let mut iter = rf.flags.iter().peekable();
    while let Some(flag) = iter.next() {
        let v = flag.value.as_str();
        let value = if v == "-C" || v == "--codegen" {
            iter.next().map(|n| n.value.clone())
        } else {
            v.strip_prefix("-C").or_else(|| v.strip_prefix("--codegen=")).map(str::to_owned)
        };
        out.extend(value.map(|value| (value, &flag.origin)));
    }
    out
}

/// dev and test profiles must not turn off debug assertions or overflow checks (ANSSI DENV-CARGO-OPTS).
fn weakened_checks(project: &Project, p: &Profiles) -> Vec<Finding> {
    let mut out = Vec::new();
    for (pr, k, v, line) in &p.values {
        let dev_like =
            pr == "dev" || pr == "test" || pr.starts_with("dev.package.") || pr.starts_with("test.package.");
        if dev_like
            && (k == "overflow-checks" || k == "debug-assertions")
            && v == &toml::Value::Boolean(false)
        {
            out.push(setting(
                Level::Deny,
                format!(
                    "[profile.{pr}] turns off {k}: tests no longer exercise the checks the code relies on"
                ),
                Location { file: project.root_manifest.report_name.clone(), line: Some(*line) },
                "true".into(),
                "false".into(),
            ));
        }
    }
    out
}

/// Compiler wrappers and substitutes, nightly features, and codegen flags that are unsafe or unsound.
fn risky(project: &Project, policy: &BuildPolicy) -> Vec<Finding> {
    let root = ws_root(project);
    let level = if policy.deny_risky_config { Level::Deny } else { Level::Warn };
    let mut out = Vec::new();
    for s in crate::cargo_config::effective(project.config.toolchain_overrides()) {
        out.push(setting(
            level,
            format!("{} = {} substitutes or wraps the compiler", s.key, s.value),
            origin_location(&s.origin, root),
            "unset".into(),
            s.value.to_string(),
        ));
    }
    for s in project.config.unstable() {
        out.push(setting(
            level,
            "an [unstable] table enables nightly-only cargo features".to_owned(),
            origin_location(&s.origin, root),
            "no [unstable]".into(),
            "set".into(),
        ));
    }
    let Some(rf) = &project.rustflags else { return out };
    for flag in &rf.flags {
        if flag.value.starts_with("-Z") {
            out.push(setting(
                level,
                format!("rustflags pass the nightly-only `{}`", flag.value),
                origin_location(&flag.origin, root),
                "no -Z flags".into(),
                flag.value.clone(),
            ));
        }
    }
    for (value, origin) in codegen_options(rf) {
        if value.starts_with("target-feature") || value.starts_with("soft-float") {
            let why = if value.starts_with("soft-float") {
                "is unsound and deprecated"
            } else {
                "is unsafe and may cause undefined behaviour (rustc documentation)"
            };
            out.push(setting(
                level,
                format!("rustflags pass `-C {value}`, which {why}"),
                origin_location(origin, root),
                "not set".into(),
                value.clone(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_toolchain_against_the_pin() {
        assert!(pin_matches("1.95.0", "rustc 1.95.0 (59807616e 2026-04-14)"));
        assert!(pin_matches("1.95.0-x86_64-unknown-linux-gnu", "rustc 1.95.0 (59807616e 2026-04-14)"));
        assert!(!pin_matches("1.95.0", "rustc 1.94.1 (e408947bf 2026-03-25)"));
        assert!(!pin_matches("1.95.0", "rustc 1.95.0-nightly (0123abc 2026-03-01)"));
        assert!(pin_matches("nightly-2026-04-01", "rustc 1.97.0-nightly (0123abc 2026-03-31)"));
        assert!(pin_matches("nightly-2026-04-01", "rustc 1.97.0-nightly (0123abc 2026-04-01)"));
        assert!(!pin_matches("nightly-2026-04-01", "rustc 1.97.0-nightly (0123abc 2026-03-20)"));
        assert!(!pin_matches("beta-2026-04-01", "rustc 1.97.0-nightly (0123abc 2026-03-31)"));
    }
}
