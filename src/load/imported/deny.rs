//! cargo-deny's `deny.toml`, in the shapes its book documents and the older ones it still
//! reads: `[advisories] ignore` as ids, `{ id, reason }` tables or package specs (yanked
//! versions); `[bans] deny` as package-spec strings (`name`, `name@version`, `name:req`),
//! `{ crate = "spec", ... }` or the old `{ name, version, ... }` tables; `[licenses] allow`;
//! `[sources]` registries, git URLs, `private` prefixes and `allow-org`; and the lint levels of
//! older versions (`vulnerability`, `notice`, `severity-threshold`).

use super::audit::severity;
use super::{Ban, Collect, Item, Tool, ToolConfig};
use crate::policy::AdvisoryKind;
use crate::toml_file::{SpannedError, TomlFile};
use serde::Deserialize;
use toml::Spanned;

/// The file, as far as it is imported; other keys are listed by [`Collect::finish`].
#[derive(Debug, Default, Deserialize)]
struct DenyFile {
    advisories: Option<Advisories>,
    bans: Option<Bans>,
    licenses: Option<Licenses>,
    sources: Option<Sources>,
}

/// `[advisories]`, with the lint levels older versions had.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Advisories {
    ignore: Option<Vec<Spanned<IgnoreEntry>>>,
    yanked: Option<Spanned<String>>,
    unmaintained: Option<Spanned<String>>,
    unsound: Option<Spanned<String>>,
    vulnerability: Option<Spanned<String>>,
    notice: Option<Spanned<String>>,
    severity_threshold: Option<Spanned<String>>,
}

/// One `[advisories] ignore` entry.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum IgnoreEntry {
    /// An advisory id, or a package spec of yanked versions.
    Text(String),
    /// `{ id = "...", reason = "..." }`.
    Advisory { id: String, reason: Option<String> },
    /// `{ crate = "spec", reason = "..." }` (or `{ name, version }`): yanked versions.
    Package(PackageTable),
    /// Anything else, which cargo-deny rejects.
    Other(toml::Value),
}

/// A package-spec table: `{ crate = "spec" }`, or the old `{ name, version }`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct PackageTable {
    #[serde(rename = "crate")]
    krate: Option<String>,
    name: Option<String>,
    version: Option<String>,
    reason: Option<String>,
    use_instead: Option<String>,
    wrappers: Option<Vec<String>>,
    deny_multiple_versions: Option<bool>,
}

/// `[bans]`.
#[derive(Debug, Default, Deserialize)]
struct Bans {
    deny: Option<Vec<Spanned<BanEntry>>>,
}

/// One `[bans] deny` entry.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum BanEntry {
    /// A package spec.
    Spec(String),
    /// A package-spec table with `wrappers`, `reason`, `use-instead`.
    Table(PackageTable),
    /// Anything else, which cargo-deny rejects.
    Other(toml::Value),
}

/// `[licenses]`.
#[derive(Debug, Default, Deserialize)]
struct Licenses {
    allow: Option<Vec<Spanned<String>>>,
}

/// `[sources]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Sources {
    allow_registry: Option<Vec<Spanned<String>>>,
    allow_git: Option<Vec<Spanned<String>>>,
    private: Option<Vec<Spanned<String>>>,
    allow_org: Option<AllowOrg>,
    unknown_registry: Option<Spanned<String>>,
    unknown_git: Option<Spanned<String>>,
    required_git_spec: Option<Spanned<String>>,
}

/// `[sources.allow-org]`: organisations on the three hosts cargo-deny knows.
#[derive(Debug, Default, Deserialize)]
struct AllowOrg {
    github: Option<Vec<Spanned<String>>>,
    gitlab: Option<Vec<Spanned<String>>>,
    bitbucket: Option<Vec<Spanned<String>>>,
}

/// Reads the file; a syntax error or a value of the wrong type is an error, as in cargo-deny.
pub fn read(file: &TomlFile) -> Result<ToolConfig, SpannedError> {
    let raw: DenyFile = file.parse()?;
    let mut c = Collect::new(Tool::CargoDeny, file);
    advisories(&mut c, raw.advisories.unwrap_or_default());
    bans(&mut c, raw.bans.unwrap_or_default());
    licenses(&mut c, raw.licenses.unwrap_or_default());
    sources(&mut c, raw.sources.unwrap_or_default());
    Ok(c.finish(why))
}

fn advisories(c: &mut Collect<'_>, raw: Advisories) {
    if let Some(entries) = raw.ignore {
        c.handle("advisories.ignore");
        for entry in &entries {
            ignore(c, entry);
        }
    }
    let levels = [
        ("advisories.yanked", raw.yanked, AdvisoryKind::Yanked),
        ("advisories.unmaintained", raw.unmaintained, AdvisoryKind::Unmaintained),
        ("advisories.unsound", raw.unsound, AdvisoryKind::Unsound),
        ("advisories.vulnerability", raw.vulnerability, AdvisoryKind::Vulnerability),
        ("advisories.notice", raw.notice, AdvisoryKind::Notice),
    ];
    for (key, value, kind) in levels {
        if let Some(value) = value {
            c.handle(key);
            level(c, key, &value, kind);
        }
    }
    if let Some(threshold) = raw.severity_threshold {
        c.handle("advisories.severity-threshold");
        severity(c, &threshold, "severity-threshold");
    }
}

fn ignore(c: &mut Collect<'_>, entry: &Spanned<IgnoreEntry>) {
    let span = entry.span();
    match entry.get_ref() {
        IgnoreEntry::Text(text) if is_id_like(text) => c.ignore(&span, text, None),
        IgnoreEntry::Advisory { id, reason } => c.ignore(&span, id, reason.as_deref()),
        IgnoreEntry::Text(spec) => yanked(c, &span, spec),
        IgnoreEntry::Package(table) => {
            let spec = table.krate.clone().or_else(|| table.name.clone()).unwrap_or_default();
            yanked(c, &span, &spec);
        }
        IgnoreEntry::Other(value) => {
            c.skip(&span, format!("ignore entry {value}"), "neither an advisory id nor a package spec");
        }
    }
}

/// cargo-deny's own test: an advisory id starts with upper-case letters and a dash, which a
/// crate name cannot.
fn is_id_like(text: &str) -> bool {
    text.split_once('-')
        .is_some_and(|(kind, _)| !kind.is_empty() && kind.chars().all(|c| c.is_ascii_uppercase()))
}

fn yanked(c: &mut Collect<'_>, span: &std::ops::Range<usize>, spec: &str) {
    c.skip(
        span,
        format!("ignore of yanked \"{spec}\""),
        "spdf.toml waives advisories, not yanked versions: update the crate, or leave `yanked` out of [advisories] deny so that yanked versions warn",
    );
}

/// A lint level (or, for `unmaintained` and `unsound`, a scope): `deny` and `all` make the kind
/// fail; anything else leaves it to `[advisories] deny`.
fn level(c: &mut Collect<'_>, key: &str, value: &Spanned<String>, kind: AdvisoryKind) {
    let what = format!("[advisories] {} = \"{}\"", key.trim_start_matches("advisories."), value.get_ref());
    if matches!(value.get_ref().as_str(), "deny" | "all") {
        c.deny(&value.span(), kind, what);
        return;
    }
    let why = match kind {
        AdvisoryKind::Vulnerability => {
            "a vulnerability fails unless it is waived or scored below [advisories] severity-threshold"
        }
        AdvisoryKind::Unmaintained | AdvisoryKind::Unsound => {
            "[advisories] deny decides whether the kind fails, for every crate (spdf.toml has no workspace or transitive scope)"
        }
        _ => "[advisories] deny decides whether the kind fails",
    };
    c.skip(&value.span(), what, why);
}

fn bans(c: &mut Collect<'_>, raw: Bans) {
    let Some(entries) = raw.deny else { return };
    c.handle("bans.deny");
    for entry in &entries {
        let span = entry.span();
        let line = c.line(&span);
        let ban = match entry.get_ref() {
            BanEntry::Spec(spec) => spec_ban(spec, line, None),
            BanEntry::Table(table) => table_ban(table, line),
            BanEntry::Other(value) => {
                Err((format!("[bans] deny entry {value}"), "not a package spec".to_owned()))
            }
        };
        match ban {
            Ok(ban) => c.config().bans.push(ban),
            Err((what, why)) => c.skip(&span, what, why),
        }
    }
}

/// What a skipped entry is, and why it was skipped.
type Refusal = (String, String);

fn table_ban(t: &PackageTable, line: usize) -> Result<Ban, Refusal> {
    let spec = match (&t.krate, &t.name) {
        (Some(spec), _) => spec.clone(),
        (None, Some(name)) => t.version.as_ref().map_or_else(|| name.clone(), |v| format!("{name}:{v}")),
        (None, None) => return Err(("[bans] deny entry".to_owned(), "names no crate".to_owned())),
    };
    let what = format!("[bans] deny \"{spec}\"");
    if let Some(wrappers) = t.wrappers.as_ref().filter(|w| !w.is_empty()) {
        let why = format!(
            "deny.toml lets {} use it directly, and a spdf.toml ban has no such exception: an outright ban would fail where cargo-deny passes",
            wrappers.join(", ")
        );
        return Err((what, why));
    }
    if t.deny_multiple_versions == Some(true) {
        return Err((what, "a rule against duplicate versions, which cargo spdf does not check".to_owned()));
    }
    let reason = match (t.reason.as_deref(), t.use_instead.as_deref()) {
        (Some(r), Some(u)) => Some(format!("{r}; use {u} instead")),
        (Some(r), None) => Some(r.to_owned()),
        (None, Some(u)) => Some(format!("use {u} instead")),
        (None, None) => None,
    };
    spec_ban(&spec, line, reason)
}

/// A package spec as cargo-deny reads it: `name`, `name@version` (that version exactly) or
/// `name:requirement`.
fn spec_ban(spec: &str, line: usize, reason: Option<String>) -> Result<Ban, Refusal> {
    let what = || format!("[bans] deny \"{spec}\"");
    let (name, version) =
        match spec.find('@').map(|i| (i, true)).or_else(|| spec.find(':').map(|i| (i, false))) {
            None => (spec, None),
            Some((i, exact)) => {
                let mut req =
                    semver::VersionReq::parse(&spec[i + 1..]).map_err(|e| (what(), e.to_string()))?;
                if let (true, Some(first)) = (exact, req.comparators.first_mut()) {
                    first.op = semver::Op::Exact;
                }
                (&spec[..i], Some(req.to_string()))
            }
        };
    let name = name.trim();
    if name.is_empty() {
        return Err((what(), "names no crate".to_owned()));
    }
    Ok(Ban { name: name.to_owned(), version, reason, line })
}

fn licenses(c: &mut Collect<'_>, raw: Licenses) {
    let Some(list) = raw.allow else { return };
    c.handle("licenses.allow");
    let mut allow = Vec::new();
    for entry in &list {
        let text = entry.get_ref().trim();
        let line = c.line(&entry.span());
        // An exception only adds permissions, so allowing the licence allows it with any.
        let (id, note) = match text.split_once(" WITH ") {
            Some((id, _)) => (id.trim(), Some(text.to_owned())),
            None => (text, None),
        };
        match spdx::license_id(id) {
            Some(l) => allow.push(Item { value: l.name.to_owned(), line, note }),
            None => c.skip(
                &entry.span(),
                format!("[licenses] allow \"{text}\""),
                "not an SPDX licence identifier",
            ),
        }
    }
    c.config().licenses = Some(allow);
}

fn sources(c: &mut Collect<'_>, raw: Sources) {
    if let Some(list) = raw.allow_registry {
        c.handle("sources.allow-registry");
        let registries = list.iter().filter_map(|r| registry(c, r)).collect();
        c.config().registries = Some(registries);
    }
    for (key, list) in [("sources.allow-git", raw.allow_git), ("sources.private", raw.private)] {
        let Some(list) = list else { continue };
        c.handle(key);
        for url in &list {
            let prefix = url.get_ref().trim().trim_end_matches(".git").to_owned();
            git(c, url, prefix, (key == "sources.private").then(|| "[sources] private".to_owned()));
        }
    }
    if let Some(orgs) = raw.allow_org {
        c.handle("sources.allow-org");
        let hosts = [
            ("github", "https://github.com", orgs.github),
            ("gitlab", "https://gitlab.com", orgs.gitlab),
            ("bitbucket", "https://bitbucket.org", orgs.bitbucket),
        ];
        for (host, base, list) in hosts {
            for org in list.iter().flatten() {
                let prefix = format!("{base}/{}/", org.get_ref().trim());
                git(c, org, prefix, Some(format!("[sources.allow-org] {host} \"{}\"", org.get_ref())));
            }
        }
    }
    strict_only(
        c,
        "sources.unknown-registry",
        raw.unknown_registry,
        "deny",
        "cargo spdf denies every registry [sources] allow-registries does not list",
    );
    strict_only(
        c,
        "sources.unknown-git",
        raw.unknown_git,
        "deny",
        "cargo spdf denies every git repository [sources] allow-git does not cover",
    );
    strict_only(
        c,
        "sources.required-git-spec",
        raw.required_git_spec,
        "rev",
        "cargo spdf requires every git dependency to pin a commit (`rev`)",
    );
}

/// A setting that `spdf.toml` always has at `strict`: said nothing about when the file has it
/// too, skipped with `why` otherwise.
fn strict_only(
    c: &mut Collect<'_>,
    key: &'static str,
    value: Option<Spanned<String>>,
    strict: &str,
    why: &str,
) {
    let Some(value) = value else { return };
    c.handle(key);
    if value.get_ref() != strict {
        let (section, name) = key.split_once('.').unwrap_or(("", key));
        c.skip(&value.span(), format!("[{section}] {name} = \"{}\"", value.get_ref()), why);
    }
}

/// An allowed registry: crates.io's index, in any of its spellings, is `crates-io`.
fn registry(c: &mut Collect<'_>, entry: &Spanned<String>) -> Option<Item<String>> {
    let text = entry.get_ref().trim();
    let bare = text.trim_start_matches("sparse+").trim_start_matches("registry+");
    let normal = bare.trim_end_matches('/').trim_end_matches(".git");
    let line = c.line(&entry.span());
    if text == "crates-io"
        || matches!(normal, "https://github.com/rust-lang/crates.io-index" | "https://index.crates.io")
    {
        let note = (text != "crates-io").then(|| text.to_owned());
        return Some(Item { value: "crates-io".to_owned(), line, note });
    }
    if url::Url::parse(bare).is_err() {
        c.skip(&entry.span(), format!("[sources] allow-registry \"{text}\""), "not a URL");
        return None;
    }
    Some(Item { value: bare.to_owned(), line, note: None })
}

/// An allowed git URL prefix.
fn git(c: &mut Collect<'_>, at: &Spanned<String>, prefix: String, note: Option<String>) {
    if url::Url::parse(&prefix).is_err() {
        c.skip(&at.span(), format!("[sources] git source \"{}\"", at.get_ref()), "not a URL");
        return;
    }
    let line = c.line(&at.span());
    c.config().git.push(Item { value: prefix, line, note });
}

/// Why a key of `deny.toml` is not imported.
fn why(key: &str) -> &'static str {
    let (section, name) = key.split_once('.').unwrap_or(("", key));
    match (section, name) {
        ("graph", _)
        | ("", "targets" | "exclude" | "all-features" | "no-default-features" | "features" | "exclude-dev") => {
            "cargo spdf judges every locked package whatever the target and features, so it may report crates this setting kept out of cargo-deny's graph"
        }
        ("output", _) | ("", "feature-depth") => "a cargo-deny output setting",
        ("advisories", "db-path") => {
            "a run option: give the database with --db or CARGO_SPDF_DB, or set [advisories] db"
        }
        ("advisories", "db-urls" | "db-url") => {
            "cargo spdf reads one RustSec database: `cargo spdf db fetch --url URL` fetches it from a mirror"
        }
        ("advisories", "git-fetch-with-cli") => "cargo spdf fetches the database with the git command line",
        ("advisories", "disable-yank-checking") => {
            "cargo spdf always looks up yanked versions: leave `yanked` out of [advisories] deny to make them warn"
        }
        ("advisories", "maximum-db-staleness") => {
            "cargo-deny checks it only when it does not fetch; set [advisories] max-db-age-days (the release stage requires at most 7 days unless it says otherwise)"
        }
        ("advisories", "unused-ignored-advisory") => {
            "a waiver that matches no finding is an exception-unused warning"
        }
        (_, "version") => "a cargo-deny format version",
        (
            "bans",
            "multiple-versions" | "multiple-versions-include-dev" | "skip" | "skip-tree" | "highlight",
        ) => "cargo spdf does not check for duplicate versions",
        ("bans", "wildcards" | "allow-wildcard-paths") => {
            "cargo spdf does not check wildcard version requirements"
        }
        ("bans", "allow") => "cargo spdf has no allow list of crates, only [bans] deny",
        ("bans", "features" | "workspace-default-features" | "external-default-features") => {
            "cargo spdf does not check crate features"
        }
        ("bans", "build") => "cargo spdf does not inspect build scripts or the files crates ship",
        ("bans", "workspace-dependencies") => "cargo spdf does not check the use of [workspace.dependencies]",
        ("licenses", "exceptions") => {
            "spdf.toml has no per-crate licence exceptions: add those licences to [licenses] allow, or expect license-not-allowed findings for those crates"
        }
        ("licenses", "clarify") => {
            "cargo spdf reads each crate's licence expression from its manifest; a crate without one is license-unknown"
        }
        ("licenses", "private") => {
            "cargo spdf exempts the workspace's own members ([licenses] exempt-members) and checks every other crate"
        }
        ("licenses", "confidence-threshold") => "cargo spdf does not detect licences from licence texts",
        ("licenses", "unlicensed" | "copyleft" | "allow-osi-fsf-free" | "default" | "deny") => {
            "removed from cargo-deny; in spdf.toml only the licences in [licenses] allow are allowed"
        }
        ("licenses", "unused-allowed-license")
        | ("sources", "unused-allowed-source" | "unused-allowed-org") => {
            "an unused entry of an allow list is not reported"
        }
        _ => "not a setting of cargo-deny's deny.toml that cargo spdf knows",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> ToolConfig {
        read(&TomlFile::from_text(Path::new("/ws/deny.toml"), Path::new("/ws"), text.into())).unwrap()
    }

    #[test]
    fn package_specs_become_bans_with_version_requirements() {
        let c = parse(
            "[bans]\ndeny = [\n  \"openssl\",\n  \"time@0.1.45\",\n  \"chrono:<0.4.20\",\n  \
             { crate = \"ring@0.16\", use-instead = \"aws-lc-rs\" },\n  \
             { name = \"md5\", version = \"*\", reason = \"weak\" },\n  \
             { crate = \"log\", wrappers = [\"app\"] },\n  \
             { name = \"rand\", deny-multiple-versions = true },\n]\n",
        );
        let bans: Vec<_> = c
            .bans
            .iter()
            .map(|b| (b.name.as_str(), b.version.as_deref(), b.reason.as_deref(), b.line))
            .collect();
        assert_eq!(
            bans,
            [
                ("openssl", None, None, 3),
                ("time", Some("=0.1.45"), None, 4),
                ("chrono", Some("<0.4.20"), None, 5),
                ("ring", Some("=0.16"), Some("use aws-lc-rs instead"), 6),
                ("md5", Some("*"), Some("weak"), 7),
            ]
        );
        let skipped: Vec<_> = c.skipped.iter().map(|s| (s.line, s.what.as_str())).collect();
        assert_eq!(skipped, [(8, "[bans] deny \"log\""), (9, "[bans] deny \"rand\"")]);
    }

    #[test]
    fn ignores_split_into_advisories_and_yanked_versions() {
        let c = parse(
            "[advisories]\nignore = [\n  \"RUSTSEC-2099-0001\",\n  { id = \"RUSTSEC-2099-0002\", reason = \"not reachable\" },\n  \
             \"yanked@0.1\",\n  { crate = \"other@1.0.0\", reason = \"no fix yet\" },\n  \"TALOS-2099-1\",\n]\n",
        );
        let ids: Vec<_> = c.ignores.iter().map(|i| (i.id.as_str(), i.reason.as_deref(), i.line)).collect();
        assert_eq!(ids, [("RUSTSEC-2099-0001", None, 3), ("RUSTSEC-2099-0002", Some("not reachable"), 4)]);
        let skipped: Vec<_> = c.skipped.iter().map(|s| (s.line, s.what.as_str())).collect();
        assert_eq!(
            skipped,
            [
                (5, "ignore of yanked \"yanked@0.1\""),
                (6, "ignore of yanked \"other@1.0.0\""),
                (7, "ignore of \"TALOS-2099-1\"")
            ]
        );
    }

    #[test]
    fn registries_and_git_sources_translate() {
        let c = parse(
            "[sources]\nunknown-registry = \"deny\"\nunknown-git = \"warn\"\n\
             allow-registry = [\"https://github.com/rust-lang/crates.io-index\", \"sparse+https://r.example.com/index/\"]\n\
             allow-git = [\"https://github.com/example/fork.git\"]\n[sources.allow-org]\ngithub = [\"example-org\"]\n",
        );
        let registries: Vec<_> = c.registries.iter().flatten().map(|r| r.value.as_str()).collect();
        assert_eq!(registries, ["crates-io", "https://r.example.com/index/"]);
        let git: Vec<_> = c.git.iter().map(|g| g.value.as_str()).collect();
        assert_eq!(git, ["https://github.com/example/fork", "https://github.com/example-org/"]);
        let skipped: Vec<_> = c.skipped.iter().map(|s| (s.line, s.what.as_str())).collect();
        assert_eq!(skipped, [(3, "[sources] unknown-git = \"warn\"")]);
    }
}
