//! `cargo spdf init`: writes a commented `spdf.toml` for a built-in profile at the workspace root.
//!
//! The file is valid as written (`cargo spdf check` accepts it unchanged): the profile, its
//! advisory defaults written out, the product name, and every other section with its defaults
//! and examples as comments, so that the policy can be read and reviewed on its own. What only
//! the team can say (the manufacturer, waivers, support data) is left commented out for them to
//! fill in, rather than filled with placeholders that would end up in an SBOM.
//!
//! With `--import`, the waivers, bans, licences and sources of cargo-audit's and cargo-deny's
//! files take the place of the examples (`init/import.rs`).

mod import;

use super::Env;
use crate::cli::{CommonArgs, InitArgs};
use crate::exit;
use crate::lints::LintLevel;
use crate::load::imported;
use crate::load::workspace::Workspace;
use crate::policy::{BuildPolicy, Profile};
use crate::report::human::Verbosity;
use anyhow::Context as _;
use std::fmt::Write as _;

/// What the template is written for.
#[derive(Debug, Clone)]
pub struct Template {
    /// The built-in profile.
    pub profile: Profile,
    /// The product name for `[sbom]`.
    pub product: String,
    /// The workspace members, sorted.
    pub members: Vec<String>,
    /// The members that look like tools that do not ship (`xtask`, members only other members
    /// build-depend on), for `[members] tools`.
    pub tools: Vec<String>,
    /// What `--import` read from the other tools' files.
    pub imports: Option<import::Imports>,
}

/// Writes `spdf.toml`, refusing to replace one unless `--force`.
pub fn run(common: &CommonArgs, args: &InitArgs, env: &Env) -> anyhow::Result<u8> {
    let ws = Workspace::locate(common.manifest_path.as_deref())?;
    let path = ws.root.join("spdf.toml");
    if path.exists() && !args.force {
        anyhow::bail!("{} already exists; use --force to replace it", crate::paths::display(&path));
    }
    if has_manifest_policy(&ws)? {
        anyhow::bail!(
            "{} already holds a policy in [workspace.metadata.spdf]; a spdf.toml beside it would be a second one",
            crate::paths::display(&ws.manifest)
        );
    }
    let manifests = crate::load::manifests::members(&ws)?;
    let tools = likely_tools(&manifests);
    let members: Vec<String> = manifests.into_iter().map(|m| m.name).collect();
    let product = match members.as_slice() {
        [only] => only.clone(),
        _ => {
            ws.root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "product".into())
        }
    };
    let imports = if args.import { Some(read_imports(&ws)?) } else { None };
    let template = Template { profile: args.profile, product, members, tools, imports };
    crate::output::write_atomic(&path, template.render().as_bytes())?;
    if env.verbosity != Verbosity::Quiet {
        tell(&template, &path, env);
    }
    Ok(exit::OK)
}

/// The other tools' files at the workspace root, merged; an unreadable file, or none at all, is
/// an error: the import was asked for.
fn read_imports(ws: &Workspace) -> anyhow::Result<import::Imports> {
    let found = imported::load(&ws.root);
    if found.is_empty() {
        anyhow::bail!(
            "--import: no .cargo/audit.toml, deny.toml, .deny.toml or .cargo/deny.toml in {}; nothing to import",
            crate::paths::display(&ws.root)
        );
    }
    let configs = found
        .into_iter()
        .map(|f| f.map_err(|e| anyhow::anyhow!("--import: cannot read {}: {}", e.file, e.reason)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(import::Imports::merge(&configs))
}

/// What was written, on stderr: the file, what was imported and what was not.
fn tell(template: &Template, path: &std::path::Path, env: &Env) {
    let style = |word: &str| console::style(format!("{word:>12}")).green().bold().force_styling(env.color);
    let mut text = String::new();
    if let Some(imports) = &template.imports {
        let _ = writeln!(text, "{} {}", style("Imported"), imports.summary());
        let label = console::style("warning:").yellow().bold().force_styling(env.color);
        for skipped in &imports.skipped {
            let _ = writeln!(text, "{label} not imported: {skipped}");
        }
    }
    let next = if template.imports.as_ref().is_some_and(|i| !i.waivers.is_empty()) {
        "complete the imported waivers (`imported = true`), set the manufacturer in [sbom], then run `cargo spdf check`"
    } else {
        "set the manufacturer in [sbom], then run `cargo spdf check`"
    };
    let _ = writeln!(
        text,
        "{} {} ({} profile); {next}",
        style("Wrote"),
        crate::paths::display(path),
        template.profile
    );
    crate::output::write_stderr(text.as_bytes());
}

/// Whether the root manifest has a `[workspace.metadata.spdf]` (or package) policy table.
fn has_manifest_policy(ws: &Workspace) -> anyhow::Result<bool> {
    let text = std::fs::read_to_string(&ws.manifest)
        .with_context(|| format!("cannot read {}", crate::paths::display(&ws.manifest)))?;
    let table: toml::Table = text.parse().unwrap_or_default();
    let found = ["workspace", "package"]
        .iter()
        .any(|key| table.get(*key).and_then(|t| t.get("metadata")).and_then(|m| m.get("spdf")).is_some());
    Ok(found)
}

/// Members that look like tools: named `xtask` (or ending in `-xtask`), or depended on by other
/// members only as a build dependency.
pub fn likely_tools(manifests: &[crate::load::manifests::Manifest]) -> Vec<String> {
    use crate::load::manifests::DepKind;
    let names: std::collections::BTreeSet<&str> = manifests.iter().map(|m| m.name.as_str()).collect();
    let deps = |kind: DepKind| -> std::collections::BTreeSet<&str> {
        manifests.iter().flat_map(|m| &m.deps).filter(|d| d.kind == kind).map(|d| d.name.as_str()).collect()
    };
    let (normal, build) = (deps(DepKind::Normal), deps(DepKind::Build));
    let mut tools: Vec<String> = names
        .iter()
        .filter(|n| **n == "xtask" || n.ends_with("-xtask") || (build.contains(**n) && !normal.contains(**n)))
        .map(|n| (*n).to_owned())
        .collect();
    tools.sort();
    tools
}

impl Template {
    /// The whole file.
    pub fn render(&self) -> String {
        [
            self.header(),
            self.advisories(),
            self.sbom(),
            self.members_section(),
            self.lints(),
            build(self.profile),
            self.supply_chain(),
            SUPPORT_AND_STAGES.to_owned(),
        ]
        .join("\n")
    }

    fn header(&self) -> String {
        let flag = if self.imports.is_some() { " --import" } else { "" };
        format!(
            "# spdf.toml: the security policy `cargo spdf check` enforces for this workspace, written by\n\
             # `cargo spdf init --profile {p}{flag}`. A commented-out key shows its default or an example;\n\
             # unknown keys are errors. Keys are described in cargo-spdf's README.\n\
             {imported}\n\
             profile = \"{p}\"                  # the built-in base: baseline | medical | firmware\n",
            p = self.profile,
            imported = self.imports.as_ref().map(import::Imports::header).unwrap_or_default(),
        )
    }

    /// `[kev]`, `[sources]`, `[bans]` and `[licenses]`: the examples, or what was imported.
    fn supply_chain(&self) -> String {
        let imports = self.imports.as_ref();
        [
            KEV.to_owned(),
            imports.and_then(import::Imports::sources).unwrap_or_else(|| SOURCES.to_owned()),
            imports.and_then(import::Imports::bans).unwrap_or_else(|| BANS.to_owned()),
            imports.and_then(import::Imports::licenses).unwrap_or_else(|| LICENSES.to_owned()),
        ]
        .join("\n")
    }

    fn advisories(&self) -> String {
        let db = "# db = \"vendor/advisory-db\"         # relative to this file (default: --db, CARGO_SPDF_DB, ~/.cargo/advisory-db)\n";
        let profile_deny: Vec<_> = self.profile.default_deny().into_iter().collect();
        let Some(imports) = &self.imports else {
            return format!("[advisories]\n{}{db}\n{}", self.advisory_defaults(), self.waiver_example());
        };
        let settings = imports.advisory_settings(&profile_deny, self.profile.as_str());
        let waivers = imports.waivers().unwrap_or_else(|| self.waiver_example());
        format!("[advisories]\n{settings}{db}\n{waivers}")
    }

    /// The `deny` list of the profile, and the threshold and database age as comments.
    fn advisory_defaults(&self) -> String {
        let deny: Vec<String> = self.profile.default_deny().iter().map(|k| quote(k.as_str())).collect();
        format!(
            "# The advisory kinds that fail the gate (the {p} profile's); the other kinds warn.\n\
             deny = [{deny}]\n\
             # severity-threshold = \"medium\"     # vulnerabilities scored below it warn (default: all deny)\n\
             # max-db-age-days = 7               # an older database is a db-stale finding (default: no limit)\n",
            p = self.profile,
            deny = deny.join(", "),
        )
    }

    /// A commented-out waiver.
    fn waiver_example(&self) -> String {
        let expires = if self.profile.waivers_need_expiry() {
            format!("required by the {} profile", self.profile)
        } else {
            "optional in the baseline profile".to_owned()
        };
        format!(
            "# A waiver: an advisory the team has assessed and accepted, and the VEX statement for it.\n\
             # [[advisories.exceptions]]\n\
             # id = \"RUSTSEC-2020-0071\"           # the advisory, or one of its aliases (CVE-..., GHSA-...)\n\
             # package = \"time@0.1\"               # optional: name, or name@version-requirement\n\
             # reason = \"only the host-side log viewer uses time 0.1; the affected API is not called\"\n\
             # expires = \"2027-03-31\"             # {expires}\n\
             # state = \"not_affected\"             # CycloneDX analysis.state\n\
             # justification = \"code_not_reachable\"   # CycloneDX analysis.justification (for not_affected)\n\
             # approved-by = \"Release QA\"\n",
        )
    }

    fn sbom(&self) -> String {
        format!(
            "[sbom]\n\
             product = {product}\n\
             # version = \"1.0.0\"                 # default: the members' common version\n\
             # EDIT: the manufacturer named in the SBOM (and as supplier of the workspace members).\n\
             # manufacturer = \"Example Medical Devices Inc.\"\n\
             # manufacturer-url = \"https://devices.example.com\"\n\
             # authors = [\"Release QA <qa@devices.example.com>\"]\n",
            product = quote(&self.product)
        )
    }

    fn members_section(&self) -> String {
        let mut out = String::from(
            "# Members that do not ship (host tools, build helpers, test rigs): held to the baseline profile\n\
             # (or [members.tools-policy]), left out of the product SBOM, and not shipped components for\n\
             # the licences and support gates. Globs over member names or paths.\n",
        );
        if self.tools.is_empty() {
            out.push_str("# [members]\n# tools = [\"xtask\"]\n");
        } else {
            let listed: Vec<String> = self.tools.iter().map(|t| quote(t)).collect();
            let _ = write!(
                out,
                "# CONFIRM: these members look like tools (an xtask, or built only as other members' build\n\
                 # dependencies); uncomment to declare them, after checking none of them ships.\n\
                 # [members]\n# tools = [{}]\n",
                listed.join(", ")
            );
        }
        out.push_str("# [members.tools-policy]\n# profile = \"baseline\"              # and optional [lints] / [build] tables for tools\n");
        out
    }

    fn lints(&self) -> String {
        let mut required = self.profile.required_lints();
        required.sort_by(|a, b| a.lint.cmp(&b.lint));
        let listed: Vec<String> = required.iter().map(|r| format!("{} = {}", r.lint, r.min)).collect();
        let first = self.members.first().map_or("member-name", String::as_str);
        let unsafe_min = required.iter().find(|r| r.lint == "unsafe_code").map_or(LintLevel::Deny, |r| r.min);
        let lowered = if unsafe_min == LintLevel::Forbid { "deny" } else { "allow" };
        let mut out = format!(
            "[lints]\n\
             # The {} lints the {} profile requires apply to every member, at least at these levels:\n",
            required.len(),
            self.profile
        );
        out.push_str(&wrapped_comment(&listed, "#   "));
        out.push_str("# Workspace members:\n");
        out.push_str(&wrapped_comment(&self.members, "#   "));
        let _ = write!(
            out,
            "# To require another lint, or a stricter level, name it with its minimum level; \"allow\"\n\
             # drops one of the profile's requirements for the whole workspace:\n\
             # required = {{ missing_docs = \"deny\", \"clippy::float_arithmetic\" = \"allow\" }}\n\
             # include-profile = true            # false: only the lints in `required` apply\n\
             # allow-reasoned-deviations = true  # an attribute that lowers a lint with a `reason` is a documented deviation\n\
             \n\
             # To lower a lint for one member, record the deviation and its reason:\n\
             # [[lints.exceptions]]\n\
             # member = {member}\n\
             # lint = \"unsafe_code\"\n\
             # level = \"{lowered}\"\n\
             # reason = \"register access through the vendor's peripheral access crate\"\n",
            member = quote(first),
        );
        out
    }
}

/// `[build]`: the profile's requirements, as comments.
fn build(profile: Profile) -> String {
    let b: BuildPolicy = profile.build();
    let min =
        b.min_rust_version.map_or("# min-rust-version = \"1.81\"       # default: none".to_owned(), |v| {
            format!("# min-rust-version = \"{}.{}\"", v.major, v.minor)
        });
    let inline = |map: &std::collections::BTreeMap<String, toml::Value>| {
        let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        if pairs.is_empty() { "{}".to_owned() } else { format!("{{ {} }}", pairs.join(", ")) }
    };
    let explicit: Vec<String> = b.release_explicit.iter().map(|k| quote(k)).collect();
    format!(
        "[build]\n\
         # The {profile} profile's build requirements; uncomment a key to change it.\n\
         # require-lockfile = {}             # Cargo.lock committed\n\
         # require-toolchain-pin = {}        # rust-toolchain.toml with an exact version\n\
         # require-rust-version = {}         # every member sets rust-version\n\
         {min}\n\
         # release = {}   # required [profile.release] values\n\
         # release-explicit = [{}]   # [profile.release] keys that must be written out\n\
         # dev = {}   # required [profile.dev] values\n\
         # deny-risky-config = {}            # compiler wrappers, -Z flags, [unstable] and the like deny (else warn)\n",
        b.require_lockfile,
        b.require_toolchain_pin,
        b.require_rust_version,
        inline(&b.release),
        explicit.join(", "),
        inline(&b.dev),
        b.deny_risky_config,
    )
}

/// `[kev]`, the same for every profile.
const KEV: &str = "\
[kev]
# The CISA Known Exploited Vulnerabilities catalog; an advisory whose CVE is in it is a kev
# finding (default: --kev, else CARGO_SPDF_KEV, else none).
# catalog = \"vendor/kev/known_exploited_vulnerabilities.json\"
";

/// `[sources]` with its defaults.
const SOURCES: &str = "\
[sources]
# allow-registries = [\"crates-io\"]     # default: crates.io only
# allow-git = []                       # git URL prefixes (default: none); git sources must pin a rev
# allow-external-paths = false         # path dependencies outside the workspace
";

/// `[bans]` with an example.
const BANS: &str = "\
[bans]
# deny = [{ name = \"openssl\", reason = \"use rustls\" }]   # default: none
";

/// `[licenses]` with an example.
const LICENSES: &str = "\
[licenses]
# allow = [\"MIT\", \"Apache-2.0\", \"BSD-3-Clause\"]   # default: no list; only a missing licence is reported
# exempt-members = true                # the workspace's own members are not checked
";

/// `[[support]]` and `[stage.*]`, as examples.
const SUPPORT_AND_STAGES: &str = "\
# FDA level of support and end of support per component; the first matching entry applies.
# Workspace members are \"actively maintained\" by the manufacturer; a crate with a RustSec
# unmaintained advisory is \"no longer maintained\" unless an entry here says otherwise.
# [[support]]
# packages = [\"tokio\", \"tokio-*\"]     # crate name patterns
# level = \"actively maintained\"        # or \"no longer maintained\", \"abandoned\"
# end-of-support = \"2028-12-31\"
# justification = \"LTS release line; see the maintainers' support policy\"   # a level or a justification is required

# Tables laid over the ones above for one stage (local, pre-merge, release), e.g.:
# [stage.release]
# advisories = { max-db-age-days = 1 }
";

/// A TOML basic string.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// `items`, comma-separated, on comment lines of at most about 100 characters.
fn wrapped_comment(items: &[String], prefix: &str) -> String {
    let mut out = String::new();
    let mut line = prefix.to_owned();
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() { format!("{item},") } else { item.clone() };
        if line.len() > prefix.len() && line.len() + 1 + piece.len() > 100 {
            out.push_str(line.trim_end());
            out.push('\n');
            line = prefix.to_owned();
        }
        if line.len() > prefix.len() {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    if line.len() > prefix.len() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{self, Origin, Stage};

    fn template(profile: Profile) -> Template {
        Template {
            profile,
            product: "pump \"controller\"".into(),
            members: vec!["app".into(), "core-lib".into(), "xtask".into()],
            tools: vec!["xtask".into()],
            imports: None,
        }
    }

    #[test]
    fn every_profile_template_is_a_valid_policy() {
        for profile in Profile::ALL {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("spdf.toml"), template(profile).render()).unwrap();
            let loaded = policy::load(dir.path(), &dir.path().join("Cargo.toml"), None, Stage::Release)
                .unwrap_or_else(|e| panic!("{profile}: {e:#}"));
            assert!(matches!(loaded.origin, Origin::File { .. }));
            let p = loaded.policy;
            let builtin = policy::Policy::builtin(profile);
            assert_eq!(p.profile, profile);
            assert_eq!(p.advisories.deny, builtin.advisories.deny, "{profile}");
            let lints = |l: &[policy::Requirement]| {
                let mut v: Vec<_> = l.iter().map(|r| (r.lint.clone(), r.min)).collect();
                v.sort();
                v
            };
            assert_eq!(lints(&p.lints.required), lints(&builtin.lints.required), "{profile}");
            assert_eq!(p.sbom.product.as_deref(), Some("pump \"controller\""));
            assert_eq!(p.sbom.manufacturer, None);
        }
    }

    #[test]
    fn commented_examples_are_valid_when_uncommented() {
        for profile in Profile::ALL {
            let text = template(profile).render();
            let uncommented: String = text
                .lines()
                .map(|l| l.strip_prefix("# ").filter(|rest| is_toml_line(rest)).unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n");
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("spdf.toml"), &uncommented).unwrap();
            let result = policy::load(dir.path(), &dir.path().join("Cargo.toml"), None, Stage::Release);
            assert!(result.is_ok(), "{profile}: {:#}\n{uncommented}", result.err().unwrap());
        }
    }

    /// A commented line that is a key or table header rather than prose.
    fn is_toml_line(rest: &str) -> bool {
        rest.starts_with('[') || rest.split_once(" = ").is_some_and(|(k, _)| !k.contains(' '))
    }

    #[test]
    fn the_template_lists_the_members_and_the_first_one_in_the_example() {
        let text = template(Profile::Medical).render();
        assert!(text.contains("#   app, core-lib, xtask\n"), "{text}");
        assert!(text.contains("# tools = [\"xtask\"]\n"), "{text}");
        assert!(text.contains("# member = \"app\"\n"));
        assert!(
            text.contains("# level = \"deny\"\n"),
            "medical forbids unsafe_code; the example lowers it to deny"
        );
    }

    /// A template with what `--import` reads from the given audit.toml and deny.toml texts.
    fn imported(profile: Profile, audit: &str, deny: &str) -> Template {
        use crate::toml_file::TomlFile;
        let root = std::path::Path::new("/ws");
        let file = |rel: &str, text: &str| TomlFile::from_text(&root.join(rel), root, text.to_owned());
        let configs = [
            imported::audit::read(&file(".cargo/audit.toml", audit)).unwrap(),
            imported::deny::read(&file("deny.toml", deny)).unwrap(),
        ];
        Template { imports: Some(import::Imports::merge(&configs)), ..template(profile) }
    }

    #[test]
    fn an_imported_template_is_a_valid_policy_whose_waivers_are_incomplete() {
        let audit = "[advisories]\nignore = [\"RUSTSEC-2099-0002\"]\n[output]\ndeny = [\"warnings\"]\n";
        let deny = "[advisories]\nignore = [{ id = \"RUSTSEC-2099-0002\", reason = \"a \\\"quoted\\\"\\nreason\" }, \"CVE-2099-1001\"]\n\
                    [bans]\ndeny = [\"openssl\"]\n[licenses]\nallow = [\"MIT\"]\n\
                    [sources]\nallow-git = [\"https://github.com/example/fork\"]\n[\"odd\\nkey\"]\nx = 1\n";
        for profile in Profile::ALL {
            let text = imported(profile, audit, deny).render();
            assert!(text.contains("#   deny.toml:10: [odd\\u{a}key] x: "), "{text}");
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("spdf.toml"), &text).unwrap();
            let loaded = policy::load(dir.path(), &dir.path().join("Cargo.toml"), None, Stage::Release)
                .unwrap_or_else(|e| panic!("{profile}: {e:#}\n{text}"));
            let p = loaded.policy;
            let waivers: Vec<_> =
                p.advisories.exceptions.iter().map(|e| (e.id.as_str(), e.incomplete.clone())).collect();
            assert_eq!(
                waivers,
                [("CVE-2099-1001", vec!["reason", "expires"]), ("RUSTSEC-2099-0002", vec!["expires"])]
            );
            assert_eq!(p.advisories.exceptions[1].reason, "a \"quoted\"\nreason");
            assert!(p.advisories.deny.contains(&crate::policy::AdvisoryKind::Unmaintained), "{profile}");
            assert_eq!(p.bans.len(), 1);
            assert_eq!(p.licenses.allow.as_ref().map(Vec::len), Some(1));
            assert_eq!(p.sources.allow_git, ["https://github.com/example/fork"]);
        }
    }

    #[test]
    fn long_lists_wrap() {
        let items: Vec<String> = (0..40).map(|i| format!("lint_number_{i}")).collect();
        let text = wrapped_comment(&items, "#   ");
        assert!(text.lines().count() > 3);
        assert!(text.lines().all(|l| l.len() <= 100 && l.starts_with("#   ")));
        assert!(text.ends_with("lint_number_39\n"));
    }
}
