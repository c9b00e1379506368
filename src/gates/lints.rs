//! The lints gate: for every workspace member, whether each required lint is in force at its
//! minimum level for every target that ships (library, binaries, build script), and every place
//! that lowers it: a source attribute, a rustflag, code hidden from clippy; and, after
//! `check --run-clippy`, the violations clippy reports (see [`super::violations`]). See
//! ../shared/docs/LINTS.md for the rules followed here.

use super::Ctx;
use crate::finding::{Code, ExceptionRef, Finding, Level, Location};
use crate::lints::LintLevel;
use crate::lints::attrs::{AttrLevel, AttrScope, LintAttr};
use crate::lints::resolve::{self, DecidedBy, Flag, FlagSource};
use crate::lints::toolchain::LintDb;
use crate::load::project::{MemberProject, Project};
use crate::policy::{LintException, LintsPolicy, Requirement};

/// What the gate reads: the project (members, their manifests and sources, the toolchain's lints,
/// the rustflags), and what clippy reported under `--run-clippy`.
pub struct Input<'a> {
    /// The project.
    pub project: &'a Project,
    /// What clippy reported, when it ran.
    pub clippy: Option<&'a crate::lints::clippy_run::ClippyRun>,
}

impl<'a> Input<'a> {
    /// The gate's input.
    pub fn from_loaded(l: &'a crate::load::Loaded) -> Result<Self, String> {
        let project =
            l.project.get().map_err(|e| super::missing("the project (members, manifests, sources)", e))?;
        Ok(Input { project, clippy: l.clippy.as_ref() })
    }
}

/// The lints policy a member is held to: the tools' for a tool member, else the product's.
fn member_policy<'p>(ctx: &Ctx<'p>, member: &MemberProject) -> &'p LintsPolicy {
    ctx.policy.lints_for(&member.member.name, &member.rel_dir)
}

/// Runs the gate.
pub fn check(ctx: &Ctx<'_>, input: &Input<'_>) -> Vec<Finding> {
    let project = input.project;
    let policy = &ctx.policy.lints;
    let mut findings = unknown_required(policy, &project.lintdb);
    if project.members.iter().any(|m| ctx.policy.is_tool(&m.member.name, &m.rel_dir)) {
        findings.extend(unknown_required(&ctx.policy.members.tools_lints, &project.lintdb));
    }
    let rustflags = rustflags(project);
    for member in &project.members {
        let policy = member_policy(ctx, member);
        findings.extend(unknown_in_manifest(member, &project.lintdb));
        let flags = manifest_flags(member);
        for req in policy.required.iter().filter(|r| project.lintdb.is_known(&r.lint)) {
            let (min, exception) = policy.minimum_for(&member.member.name, req);
            if min == LintLevel::Allow {
                continue;
            }
            findings.extend(targets(member, req, min, exception, &flags, &project.lintdb));
            findings.extend(overrides(member, req, min, &flags, policy, &project.lintdb));
        }
        if policy.required.iter().any(|r| r.lint.starts_with("clippy::")) {
            findings.extend(hidden_from_clippy(member));
        }
    }
    findings.extend(lowered_by_rustflags(project, ctx, &rustflags));
    if let Some(run) = input.clippy {
        findings.extend(super::violations::check(project, policy, run));
    }
    findings
}

/// Required lints the toolchain does not know: the requirement would silently do nothing.
fn unknown_required(policy: &LintsPolicy, db: &LintDb) -> Vec<Finding> {
    policy
        .required
        .iter()
        .filter(|r| !db.is_known(&r.lint))
        .map(|r| {
            let hint = db.suggest(&r.lint).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            let mut f = Finding::new(Code::LintUnknown, Level::Deny, format!("the policy requires `{}`, which this toolchain does not know{hint}", r.lint))
                .help("fix the lint name in spdf.toml (rustc only warns about unknown lints, so the requirement would do nothing)")
                .at(r.location.clone());
            f.lint = Some(r.lint.clone());
            f
        })
        .collect()
}

fn unknown_in_manifest(member: &MemberProject, db: &LintDb) -> Vec<Finding> {
    member
        .lints
        .flags
        .iter()
        .filter(|f| !db.is_known(&f.lint))
        .map(|f| {
            let hint = db.suggest(&f.lint).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            let mut finding = Finding::new(
                Code::LintUnknown,
                Level::Warn,
                format!(
                    "{}: `[lints]` sets `{}`, which this toolchain does not know{hint}",
                    member.member.name, f.lint
                ),
            )
            .help("fix or remove the entry: rustc only warns about it and it has no effect")
            .at(Some(f.location.clone()));
            finding.member = Some(member.member.name.clone());
            finding.lint = Some(f.lint.clone());
            finding
        })
        .collect()
}

fn manifest_flags(member: &MemberProject) -> Vec<Flag> {
    member
        .lints
        .flags
        .iter()
        .map(|f| Flag {
            lint: f.lint.clone(),
            level: f.level,
            force_warn: false,
            location: f.location.clone(),
            source: FlagSource::Manifest,
        })
        .collect()
}

/// Whether an attribute names `lint`, directly or through a group.
fn names(attr: &LintAttr, lint: &str, db: &LintDb) -> bool {
    attr.lints.iter().any(|l| l != "warnings" && db.contains(l, lint))
}

fn attr_level(level: AttrLevel) -> LintLevel {
    match level {
        AttrLevel::Allow | AttrLevel::Expect => LintLevel::Allow,
        AttrLevel::Warn => LintLevel::Warn,
        AttrLevel::Deny => LintLevel::Deny,
        AttrLevel::Forbid => LintLevel::Forbid,
    }
}

/// The level at each shipped target, and a finding when it falls short of `min`.
fn targets(
    member: &MemberProject,
    req: &Requirement,
    min: LintLevel,
    exception: Option<&LintException>,
    flags: &[Flag],
    db: &LintDb,
) -> Option<Finding> {
    let cli = resolve::cli_level(flags, &req.lint, db, &member.member.edition);
    let mut short: Vec<String> = Vec::new();
    let mut raised_somewhere = false;
    for target in member.member.targets.iter().filter(|t| t.kind.ships()) {
        let raised = root_level(member, &target.root, &req.lint, db);
        raised_somewhere |= raised.is_some();
        let level = raised.map_or(cli.level, |r| r.max(cli.level));
        if level < min {
            short.push(format!("{} `{}`", target.kind.as_str(), target.name));
        }
    }
    let all_targets = member.member.targets.iter().filter(|t| t.kind.ships()).count();
    if short.is_empty() {
        return exception
            .filter(|e| cli.level < req.min && e.level <= cli.level)
            .map(|e| excepted(member, req, cli.level, e));
    }
    let (code, at) = match (&cli.by, raised_somewhere) {
        (DecidedBy::Default, false) => {
            (Code::LintMissing, member.lints.location.clone().or(Some(member_manifest(member))))
        }
        (DecidedBy::Flag(f), _) => (Code::LintTooWeak, Some(f.location.clone())),
        (DecidedBy::Default, true) => (Code::LintMissing, Some(member_manifest(member))),
    };
    let which = if short.len() == all_targets {
        String::new()
    } else {
        format!(" for the {} (the crate-root attribute covers only its own target)", short.join(", "))
    };
    let actual = cli.level;
    let message = match code {
        Code::LintMissing => format!(
            "{}: `{}` is not set{which}; the policy requires {min}, the default is {actual}",
            member.member.name, req.lint
        ),
        _ => format!("{}: `{}` is {actual}{which}; the policy requires {min}", member.member.name, req.lint),
    };
    let mut f = Finding::new(code, Level::Deny, message)
        .help(format!("set it in the member's Cargo.toml: [lints] workspace = true with {} = \"{min}\" in [workspace.lints.{}], or in its own [lints.{}]", short_name(&req.lint), tool(&req.lint), tool(&req.lint)))
        .at(at);
    f.member = Some(member.member.name.clone());
    f.lint = Some(req.lint.clone());
    f.required = Some(min.to_string());
    f.actual = Some(actual.to_string());
    Some(f)
}

/// A member below the policy's minimum but within its exception: a documented deviation.
fn excepted(member: &MemberProject, req: &Requirement, actual: LintLevel, e: &LintException) -> Finding {
    let mut f = Finding::new(
        Code::LintTooWeak,
        Level::Excepted,
        format!(
            "{}: `{}` is {actual}, below the required {}, as the policy's exception allows",
            member.member.name, req.lint, req.min
        ),
    )
    .at(Some(e.location.clone()));
    f.member = Some(member.member.name.clone());
    f.lint = Some(req.lint.clone());
    f.required = Some(req.min.to_string());
    f.actual = Some(actual.to_string());
    f.exception = Some(deviation(&req.lint, &e.reason, e.location.clone()));
    f
}

fn deviation(lint: &str, reason: &str, location: Location) -> ExceptionRef {
    ExceptionRef {
        id: lint.to_owned(),
        reason: reason.to_owned(),
        expires: None,
        state: None,
        justification: None,
        response: Vec::new(),
        approved_by: None,
        location,
    }
}

/// The strongest unconditional crate-root attribute in a target's root file that names the lint.
fn root_level(member: &MemberProject, root: &std::path::Path, lint: &str, db: &LintDb) -> Option<LintLevel> {
    let file = member.files.iter().find(|f| f.abs == root)?;
    let scan = file.scan.as_ref().ok()?;
    scan.attrs
        .iter()
        .filter(|a| a.scope == AttrScope::CrateRoot && a.condition.is_none() && names(a, lint, db))
        .map(|a| attr_level(a.level))
        .max()
}

fn member_manifest(member: &MemberProject) -> Location {
    Location { file: member.manifest.report_name.clone(), line: None }
}

fn tool(lint: &str) -> &str {
    if lint.starts_with("clippy::") { "clippy" } else { "rust" }
}

fn short_name(lint: &str) -> &str {
    lint.rsplit("::").next().unwrap_or(lint)
}

/// Source attributes that lower a required lint below its minimum.
fn overrides(
    member: &MemberProject,
    req: &Requirement,
    min: LintLevel,
    flags: &[Flag],
    policy: &LintsPolicy,
    db: &LintDb,
) -> Vec<Finding> {
    // With `forbid` on the lint itself, a lowering attribute is a compile error, not an override.
    if resolve::is_forbidden(flags, &req.lint) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for file in &member.files {
        let Ok(scan) = &file.scan else {
            out.push(unparsable(member, file, &req.lint));
            continue;
        };
        for attr in &scan.attrs {
            let lowers_warnings = min == LintLevel::Warn
                && attr.lints.iter().any(|l| l == "warnings")
                && attr_level(attr.level) == LintLevel::Allow;
            if attr_level(attr.level) < min && (names(attr, &req.lint, db) || lowers_warnings) {
                out.push(overridden(member, file, attr, req, min, policy.allow_reasoned_deviations));
            }
        }
    }
    out
}

fn overridden(
    member: &MemberProject,
    file: &crate::load::project::SourceFile,
    attr: &LintAttr,
    req: &Requirement,
    min: LintLevel,
    reasoned_ok: bool,
) -> Finding {
    let level = match attr.level {
        AttrLevel::Allow => "allow",
        AttrLevel::Expect => "expect",
        AttrLevel::Warn => "warn",
        AttrLevel::Deny => "deny",
        AttrLevel::Forbid => "forbid",
    };
    let scope = match attr.scope {
        AttrScope::CrateRoot => "crate-level",
        AttrScope::Module => "module-level",
        AttrScope::Item => "item-level",
        AttrScope::MacroTokens => "inside a macro",
    };
    let condition = attr.condition.as_ref().map(|c| format!(" when `{c}`")).unwrap_or_default();
    let location = Location { file: file.path.clone(), line: Some(attr.line) };
    let documented = reasoned_ok && attr.reason.is_some();
    let mut f = Finding::new(
        Code::LintOverridden,
        if documented { Level::Excepted } else { Level::Deny },
        format!(
            "{}: {scope} `{level}({})`{condition} lowers `{}` below the required {min}",
            member.member.name,
            attr.lints.join(", "),
            req.lint
        ),
    )
    .at(Some(location.clone()));
    if let Some(reason) = attr.reason.as_ref().filter(|_| documented) {
        f.exception = Some(deviation(&req.lint, reason, location));
    } else {
        f.help.push(
            "remove the attribute, or give it a `reason = \"...\"` to record it as a documented deviation"
                .to_owned(),
        );
    }
    f.member = Some(member.member.name.clone());
    f.lint = Some(req.lint.clone());
    f.required = Some(min.to_string());
    f.actual = Some(attr_level(attr.level).to_string());
    f
}

fn unparsable(member: &MemberProject, file: &crate::load::project::SourceFile, lint: &str) -> Finding {
    let error = file.scan.as_ref().err().cloned().unwrap_or_default();
    let mut f = Finding::new(
        Code::LintOverridden,
        Level::Deny,
        format!(
            "{}: {} cannot be parsed, so its attributes cannot be checked for `{lint}`: {error}",
            member.member.name, file.path
        ),
    )
    .at(Some(Location { file: file.path.clone(), line: None }));
    f.member = Some(member.member.name.clone());
    f.lint = Some(lint.to_owned());
    f
}

fn hidden_from_clippy(member: &MemberProject) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in &member.files {
        for cfg in file.scan.iter().flat_map(|s| &s.clippy_cfgs) {
            let mut f = Finding::new(
                Code::LintOverridden,
                Level::Deny,
                format!("{}: `{}` hides code from clippy, or weakens it under clippy, so the required clippy lints do not see it", member.member.name, cfg.text),
            )
            .help("remove the clippy condition; use a lint attribute with a reason if a deviation is intended")
            .at(Some(Location { file: file.path.clone(), line: Some(cfg.line) }));
            f.member = Some(member.member.name.clone());
            f.lint = Some("clippy".to_owned());
            out.push(f);
        }
    }
    out
}

/// The lint flags in the rustflags cargo would use, and its `--cap-lints`.
fn rustflags(project: &Project) -> (Vec<Flag>, Option<(LintLevel, Location)>) {
    let Some(rf) = &project.rustflags else { return (Vec::new(), None) };
    let flags: Vec<(String, Location)> =
        rf.flags.iter().map(|f| (f.value.clone(), crate::gates::build::origin_location(&f.origin))).collect();
    resolve::parse_rustflags(&flags)
}

/// Rustflags that lower a required lint below its minimum in some member; reported once per lint.
fn lowered_by_rustflags(
    project: &Project,
    ctx: &Ctx<'_>,
    rustflags: &(Vec<Flag>, Option<(LintLevel, Location)>),
) -> Vec<Finding> {
    let (extra, cap) = rustflags;
    let mut out = Vec::new();
    let mut requirements: Vec<&Requirement> = ctx.policy.lints.required.iter().collect();
    requirements.extend(
        ctx.policy
            .members
            .tools_lints
            .required
            .iter()
            .filter(|r| !ctx.policy.lints.required.iter().any(|p| p.lint == r.lint)),
    );
    for req in requirements {
        let mut lowered: Vec<&str> = Vec::new();
        let mut decided_by: Option<Location> = None;
        for member in &project.members {
            let policy = member_policy(ctx, member);
            let Some(req) = policy.required.iter().find(|r| r.lint == req.lint) else { continue };
            let (min, _) = policy.minimum_for(&member.member.name, req);
            let manifest = manifest_flags(member);
            let before = resolve::cli_level(&manifest, &req.lint, &project.lintdb, &member.member.edition);
            let all: Vec<Flag> = manifest.iter().chain(extra.iter()).cloned().collect();
            let after = resolve::cli_level(&all, &req.lint, &project.lintdb, &member.member.edition);
            let capped = cap.as_ref().filter(|(c, _)| *c < after.level);
            let level = capped.map_or(after.level, |(c, _)| *c);
            if before.level >= min && level < min {
                lowered.push(&member.member.name);
                decided_by = capped.map(|(_, l)| l.clone()).or(match &after.by {
                    DecidedBy::Flag(f) if f.source == FlagSource::Rustflags => Some(f.location.clone()),
                    _ => None,
                });
            }
        }
        if !lowered.is_empty() {
            let mut f = Finding::new(
                Code::LintOverridden,
                Level::Deny,
                format!("rustflags lower `{}` below the required level in {}", req.lint, lowered.join(", ")),
            )
            .help(
                "remove the flag from RUSTFLAGS, CARGO_ENCODED_RUSTFLAGS or the .cargo/config.toml rustflags",
            )
            .at(decided_by);
            f.lint = Some(req.lint.clone());
            f.required = Some(req.min.to_string());
            out.push(f);
        }
    }
    out
}
