//! The lints gate: for every workspace member, whether each required lint is in force at its
//! minimum level for every target that ships (library, binaries, build script), as the flags
//! cargo passes decide it (`[lints]`, then the rustflags of the configuration read from the
//! member's directory), and every place that lowers it: a source attribute in shipped code, a
//! rustflag, code hidden from clippy; and, after `check --run-clippy`, the violations clippy
//! reports (see [`super::violations`]). Each finding is reported once per cause: a rustflag or
//! a `[workspace.lints]` entry that affects many members is one finding naming them all. See
//! ../shared/docs/LINTS.md for the rules followed here.

use super::Ctx;
use crate::finding::{Code, ExceptionRef, Finding, Level, Location};
use crate::lints::LintLevel;
use crate::lints::attrs::{AttrLevel, AttrScope, LintAttr};
use crate::lints::manifest::LintsSource;
use crate::lints::resolve::{self, Decided, DecidedBy, Flag, FlagSource};
use crate::lints::toolchain::LintDb;
use crate::load::project::{MemberProject, Project, SourceFile};
use crate::policy::{LintException, LintsPolicy, Requirement};
use std::collections::BTreeMap;
use std::path::Path;

/// What every check of one run reads.
struct Cx<'a> {
    project: &'a Project,
    policy: &'a LintsPolicy,
    db: &'a LintDb,
    root: &'a Path,
    /// The policy's requirements, under the toolchain's current names.
    required: Vec<Requirement>,
}

/// A member's flags as rustc sees them: `[lints]`, then the rustflags; and `--cap-lints`.
struct MemberFlags {
    all: Vec<Flag>,
    cap: Option<(LintLevel, Location)>,
}

/// What the gate reads: the project (members, their manifests and sources, the toolchain's lints,
/// the configuration), where the workspace is, and what clippy reported under `--run-clippy`.
pub struct Input<'a> {
    /// The project.
    pub project: &'a Project,
    /// The workspace root (locations are relative to it).
    pub root: &'a Path,
    /// What clippy reported, when it ran.
    pub clippy: Option<&'a crate::lints::clippy_run::ClippyRun>,
}

impl<'a> Input<'a> {
    /// The gate's input.
    pub fn from_loaded(l: &'a crate::load::Loaded) -> Result<Self, String> {
        let project =
            l.project.get().map_err(|e| super::missing("the project (members, manifests, sources)", e))?;
        Ok(Input { project, root: &l.ws.root, clippy: l.clippy.as_ref() })
    }
}

/// Runs the gate: the members that ship against the policy's lints, the tool members (see
/// `[members] tools`) against the tools' lints.
pub fn check(ctx: &Ctx<'_>, input: &Input<'_>) -> Vec<Finding> {
    let project = input.project;
    let (tools, product): (Vec<&MemberProject>, Vec<&MemberProject>) =
        project.members.iter().partition(|m| ctx.policy.is_tool(&m.member.name, &m.rel_dir));
    let mut findings = check_members(input, &ctx.policy.lints, &product);
    if !tools.is_empty() {
        findings.extend(check_members(input, &ctx.policy.members.tools_lints, &tools));
    }
    if let Some(run) = input.clippy {
        findings.extend(super::violations::check(project, &ctx.policy.lints, run));
    }
    merge_repeats(findings)
}

/// Every check of `members` against one lints policy.
fn check_members(input: &Input<'_>, policy: &LintsPolicy, members: &[&MemberProject]) -> Vec<Finding> {
    let project = input.project;
    let db = &project.lintdb;
    let required =
        policy.required.iter().map(|r| Requirement { lint: db.canonical(&r.lint), ..r.clone() }).collect();
    let cx = Cx { project, policy, db, root: input.root, required };
    let mut findings = unknown_required(&cx);
    let mut lowered_by_flags = Vec::new();
    for &member in members {
        let flags = member_flags(&cx, member);
        findings.extend(unknown_in_manifest(member, db));
        for req in cx.required.iter().filter(|r| db.is_known(&r.lint)) {
            let (min, exception) = policy.minimum_for(&member.member.name, req);
            if min == LintLevel::Allow {
                continue;
            }
            match targets(&cx, member, req, min, exception, &flags) {
                Shortfall::Rustflags(location) => lowered_by_flags.push((req, location, member)),
                Shortfall::Finding(f) => findings.push(*f),
                Shortfall::None => {}
            }
        }
        findings.extend(overrides(&cx, member, &flags));
        findings.extend(unparsable(&cx, member));
        if cx.required.iter().any(|r| r.lint.starts_with("clippy::")) {
            findings.extend(hidden_from_clippy(&cx, member));
        }
    }
    findings.extend(lowered_by_rustflags(&lowered_by_flags));
    findings
}

/// The flags of a member: its manifest's, then those of the rustflags its build uses.
fn member_flags(cx: &Cx<'_>, member: &MemberProject) -> MemberFlags {
    let mut all: Vec<Flag> = member
        .lints
        .flags
        .iter()
        .map(|f| Flag {
            lint: cx.db.canonical(&f.lint),
            level: f.level,
            force_warn: false,
            location: f.location.clone(),
            source: FlagSource::Manifest,
        })
        .collect();
    let config = cx.project.configs.get(member.config);
    let Some(rf) = config.and_then(|c| c.rustflags.as_ref()) else { return MemberFlags { all, cap: None } };
    let raw: Vec<(String, Location)> = rf
        .flags
        .iter()
        .map(|f| (f.value.clone(), super::build::origin_location(&f.origin, cx.root)))
        .collect();
    let (extra, cap) = resolve::parse_rustflags(&raw);
    all.extend(extra.into_iter().map(|f| Flag { lint: cx.db.canonical(&f.lint), ..f }));
    MemberFlags { all, cap }
}

/// Required lints the toolchain does not know: the requirement would silently do nothing.
fn unknown_required(cx: &Cx<'_>) -> Vec<Finding> {
    cx.required
        .iter()
        .filter(|r| !cx.db.is_known(&r.lint))
        .map(|r| {
            let hint = cx.db.suggest(&r.lint).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
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
        .filter(|f| !db.is_known(&db.canonical(&f.lint)))
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

/// The lints an attribute sets, under their current names; `warnings` is left out (it is not a
/// group of lints but a switch on what warns).
fn attr_lints<'a>(attr: &'a LintAttr, db: &'a LintDb) -> impl Iterator<Item = String> + 'a {
    attr.lints.iter().filter(|l| *l != "warnings").map(|l| db.canonical(l))
}

fn attr_level(level: AttrLevel) -> LintLevel {
    match level {
        AttrLevel::Allow | AttrLevel::Expect => LintLevel::Allow,
        AttrLevel::Warn => LintLevel::Warn,
        AttrLevel::Deny => LintLevel::Deny,
        AttrLevel::Forbid => LintLevel::Forbid,
    }
}

/// What [`targets`] found.
enum Shortfall {
    /// The requirement holds.
    None,
    /// Rustflags lower it, at this location (reported once for every member they lower).
    Rustflags(Location),
    /// A finding for this member.
    Finding(Box<Finding>),
}

/// The level at each judged target, and what falls short of `min`.
fn targets(
    cx: &Cx<'_>,
    member: &MemberProject,
    req: &Requirement,
    min: LintLevel,
    exception: Option<&LintException>,
    flags: &MemberFlags,
) -> Shortfall {
    let (decided, weakest) = resolve::requirement_level(&flags.all, &req.lint, cx.db, &member.member.edition);
    let cli = resolve::capped(decided, flags.cap.as_ref());
    let judged: Vec<_> =
        member.member.targets.iter().filter(|t| t.kind.ships() || cx.policy.check_test_targets).collect();
    let mut short: Vec<String> = Vec::new();
    let mut raised_somewhere = false;
    for target in &judged {
        let raised = root_level(cx, member, &target.root, &req.lint);
        raised_somewhere |= raised.is_some();
        if raised.map_or(cli.level, |r| r.max(cli.level)) < min {
            short.push(format!("{} `{}`", target.kind.as_str(), target.name));
        }
    }
    if short.is_empty() {
        return exception
            .filter(|e| cli.level < req.min && e.level <= cli.level)
            .map_or(Shortfall::None, |e| Shortfall::Finding(Box::new(excepted(member, req, cli.level, e))));
    }
    if let DecidedBy::Flag(f) = &cli.by
        && f.source == FlagSource::Rustflags
        && short.len() == judged.len()
    {
        return Shortfall::Rustflags(f.location.clone());
    }
    let which = if short.len() == judged.len() {
        String::new()
    } else {
        format!(" for the {} (the crate-root attribute covers only its own target)", short.join(", "))
    };
    Shortfall::Finding(Box::new(shortfall(
        member,
        req,
        min,
        &cli,
        weakest.as_deref(),
        &which,
        raised_somewhere,
    )))
}

/// `lint-missing` (nothing sets it) or `lint-too-weak` (a flag sets it lower).
fn shortfall(
    member: &MemberProject,
    req: &Requirement,
    min: LintLevel,
    cli: &Decided,
    weakest: Option<&str>,
    which: &str,
    raised_somewhere: bool,
) -> Finding {
    let inherited = member.lints.source == LintsSource::Workspace && !raised_somewhere;
    let (code, at) = match &cli.by {
        DecidedBy::Flag(f) => (Code::LintTooWeak, Some(f.location.clone())),
        DecidedBy::Default if inherited => (Code::LintMissing, member.lints.table.clone()),
        DecidedBy::Default => {
            (Code::LintMissing, member.lints.location.clone().or_else(|| Some(member_manifest(member))))
        }
    };
    let actual = cli.level;
    let of = weakest.map(|w| format!(" (its lint `{w}` is {actual})")).unwrap_or_default();
    let message = match code {
        Code::LintMissing if inherited => format!(
            "`{}` is not set in [workspace.lints]{which}; the policy requires {min}, the default is {actual}{of}",
            req.lint
        ),
        Code::LintMissing => {
            format!(
                "`{}` is not set{which}; the policy requires {min}, the default is {actual}{of}",
                req.lint
            )
        }
        _ => format!("`{}` is {actual}{which}{of}; the policy requires {min}", req.lint),
    };
    let mut f = Finding::new(code, Level::Deny, format!("{}: {message}", member.member.name))
        .help(format!("set it in the member's Cargo.toml: [lints] workspace = true with {} = \"{min}\" in [workspace.lints.{}], or in its own [lints.{}]", short_name(&req.lint), tool(&req.lint), tool(&req.lint)))
        .at(at);
    f.member = Some(member.member.name.clone());
    f.lint = Some(req.lint.clone());
    f.required = Some(min.to_string());
    f.actual = Some(actual.to_string());
    f
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

/// The strongest unconditional crate-root attribute in a target's root file that raises the lint
/// (for a group, every one of its lints); lowering attributes are [`overrides`]'.
fn root_level(cx: &Cx<'_>, member: &MemberProject, root: &Path, lint: &str) -> Option<LintLevel> {
    let file = member.files.iter().find(|f| f.abs == root)?;
    let scan = file.scan.as_ref().ok()?;
    let members = cx.db.members(lint);
    scan.attrs
        .iter()
        .filter(|a| a.scope == AttrScope::CrateRoot && a.condition.is_none() && !a.test_only)
        .filter(|a| !a.level.suppresses())
        .filter(|a| {
            let set: Vec<String> = attr_lints(a, cx.db).collect();
            members.iter().all(|m| set.iter().any(|l| cx.db.contains(l, m)))
        })
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

/// Whether the gate judges an attribute: it applies to shipped code, or the policy asks for all.
fn judged(cx: &Cx<'_>, file: &SourceFile, attr_test_only: bool) -> bool {
    cx.policy.check_test_targets || (file.ships() && !attr_test_only)
}

/// Source attributes that lower required lints below their minimum: one finding per attribute.
fn overrides(cx: &Cx<'_>, member: &MemberProject, flags: &MemberFlags) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in &member.files {
        let Ok(scan) = &file.scan else { continue };
        for attr in scan.attrs.iter().filter(|a| judged(cx, file, a.test_only)) {
            let lowered: Vec<(&Requirement, LintLevel)> = cx
                .required
                .iter()
                .filter_map(|req| {
                    let (min, _) = cx.policy.minimum_for(&member.member.name, req);
                    lowers(cx, attr, req, min, &flags.all).then_some((req, min))
                })
                .collect();
            if !lowered.is_empty() {
                out.push(overridden(cx, member, file, attr, &lowered));
            }
        }
    }
    out
}

/// Whether an attribute lowers a requirement: it sets one of its lints below `min` (a lint
/// forbidden by a flag cannot be lowered: that is a compile error), or it is `allow(warnings)`
/// against a warn-level requirement.
fn lowers(cx: &Cx<'_>, attr: &LintAttr, req: &Requirement, min: LintLevel, flags: &[Flag]) -> bool {
    let level = attr_level(attr.level);
    if level >= min {
        return false;
    }
    if min == LintLevel::Warn && level == LintLevel::Allow && attr.lints.iter().any(|l| l == "warnings") {
        return true;
    }
    let set: Vec<String> = attr_lints(attr, cx.db).collect();
    cx.db
        .members(&req.lint)
        .into_iter()
        .filter(|m| !resolve::is_forbidden(flags, m))
        .any(|m| set.iter().any(|l| cx.db.contains(l, m)))
}

fn overridden(
    cx: &Cx<'_>,
    member: &MemberProject,
    file: &SourceFile,
    attr: &LintAttr,
    lowered: &[(&Requirement, LintLevel)],
) -> Finding {
    let scope = match attr.scope {
        AttrScope::CrateRoot => "crate-level",
        AttrScope::Module => "module-level",
        AttrScope::Item => "item-level",
        AttrScope::MacroTokens => "inside a macro",
    };
    let condition = attr.condition.as_ref().map(|c| format!(" when `{c}`")).unwrap_or_default();
    let location = Location { file: file.path.clone(), line: Some(attr.line) };
    let documented = cx.policy.allow_reasoned_deviations && attr.reason.is_some();
    let names: Vec<String> = lowered.iter().map(|(r, min)| format!("`{}` ({min})", r.lint)).collect();
    let (first, min) = lowered.first().map_or(("", LintLevel::Deny), |(r, min)| (r.lint.as_str(), *min));
    let what = if lowered.len() == 1 {
        format!("lowers `{first}` below the required {min}")
    } else {
        format!("lowers {} required lints below their level: {}", lowered.len(), names.join(", "))
    };
    let mut f = Finding::new(
        Code::LintOverridden,
        if documented { Level::Excepted } else { Level::Deny },
        format!(
            "{}: {scope} `{}({})`{condition} {what}",
            member.member.name,
            attr.level.name(),
            attr.lints.join(", ")
        ),
    )
    .at(Some(location.clone()));
    if let Some(reason) = attr.reason.as_ref().filter(|_| documented) {
        f.exception = Some(deviation(first, reason, location));
    } else {
        f.help.push(
            "remove the attribute, or give it a `reason = \"...\"` to record it as a documented deviation"
                .to_owned(),
        );
    }
    f.member = Some(member.member.name.clone());
    f.lint = Some(if lowered.len() == 1 { first.to_owned() } else { attr.lints.join(", ") });
    f.required = Some(min.to_string());
    f.actual = Some(attr_level(attr.level).to_string());
    f
}

/// Files that cannot be read or parsed: their attributes cannot be checked. Deny when shipped
/// code compiles them, a warning otherwise.
fn unparsable(cx: &Cx<'_>, member: &MemberProject) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in &member.files {
        let Err(error) = &file.scan else { continue };
        let level = if judged(cx, file, false) { Level::Deny } else { Level::Warn };
        let mut f = Finding::new(
            Code::SourceUnparsable,
            level,
            format!(
                "{}: {} {error}, so its lint attributes cannot be checked",
                member.member.name, file.path
            ),
        )
        .help("make the file valid Rust (it would not compile either), or remove it from the module tree")
        .at(Some(Location { file: file.path.clone(), line: error_line(error) }));
        f.member = Some(member.member.name.clone());
        out.push(f);
    }
    out
}

/// The line a scan error names ("line 3, column 9: ...").
fn error_line(error: &str) -> Option<usize> {
    let rest = error.strip_prefix("line ")?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

fn hidden_from_clippy(cx: &Cx<'_>, member: &MemberProject) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in &member.files {
        for cfg in file.scan.iter().flat_map(|s| &s.clippy_cfgs).filter(|c| judged(cx, file, c.test_only)) {
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

/// Rustflags that lower a required lint: one finding per lint and flag, naming every member.
fn lowered_by_rustflags(lowered: &[(&Requirement, Location, &MemberProject)]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for (req, location, member) in lowered {
        let name = member.member.name.as_str();
        let same = out
            .iter_mut()
            .find(|f| f.lint.as_deref() == Some(&req.lint) && f.location.as_ref() == Some(location));
        if let Some(f) = same {
            f.message.push_str(", ");
            f.message.push_str(name);
            continue;
        }
        let mut f = Finding::new(
            Code::LintOverridden,
            Level::Deny,
            format!("rustflags lower `{}` below the required level in {name}", req.lint),
        )
        .help("remove the flag from RUSTFLAGS, CARGO_ENCODED_RUSTFLAGS or the .cargo/config.toml rustflags")
        .at(Some(location.clone()));
        f.lint = Some(req.lint.clone());
        f.required = Some(req.min.to_string());
        out.push(f);
    }
    out
}

/// Findings that differ only in their member (one `[workspace.lints]` entry, one shared file)
/// are one finding naming the members.
fn merge_repeats(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<(Finding, Vec<String>, String)> = Vec::new();
    // Where each cause is in `out`: a workspace has up to thousands of members, each finding
    // looked up once.
    type Cause = (String, Code, Level, Option<String>, Option<Location>, Option<String>, Option<String>);
    let mut at: BTreeMap<Cause, usize> = BTreeMap::new();
    for f in findings {
        let Some(member) = f.member.clone() else {
            out.push((f, Vec::new(), String::new()));
            continue;
        };
        let body = f.message.strip_prefix(&format!("{member}: ")).unwrap_or(&f.message).to_owned();
        let cause = (
            body.clone(),
            f.code,
            f.level,
            f.lint.clone(),
            f.location.clone(),
            f.required.clone(),
            f.actual.clone(),
        );
        match at.get(&cause) {
            Some(&i) => out[i].1.push(member),
            None => {
                at.insert(cause, out.len());
                out.push((f, vec![member], body));
            }
        }
    }
    out.into_iter()
        .map(|(mut f, members, body)| {
            if members.len() > 1 {
                f.member = None;
                f.message = format!("{}: {body}", members.join(", "));
            }
            f
        })
        .collect()
}
