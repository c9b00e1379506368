//! One package of the graph as a CycloneDX component: identity (bom-ref, purl, SHA-256 from
//! Cargo.lock), licence, supplier and authors, references, and the properties that carry its
//! use, its release activity and its FDA support data.
//!
//! Package URLs name where a component comes from. `pkg:cargo/name@version` means crates.io, so a
//! path package (a workspace member, an in-house crate) never gets that bare form, which would
//! name whatever unrelated crate has that name on crates.io: its purl carries the repository it
//! is built from as `vcs_url` (its own `repository`, else the product's), and it has none when
//! no repository is known.

use super::authors::{self, Person};
use super::scope::Usage;
use crate::graph::{Package, Source};
use crate::support::Support;
use cyclonedx_bom::external_models::uri::Uri;
use cyclonedx_bom::models::component::{Classification, Component, Scope};
use cyclonedx_bom::models::external_reference::{
    ExternalReference, ExternalReferenceType, ExternalReferences,
};
use cyclonedx_bom::models::hash::{Hash, HashAlgorithm, HashValue, Hashes};
use cyclonedx_bom::models::license::{License, LicenseChoice, Licenses};
use cyclonedx_bom::models::organization::{OrganizationalContact, OrganizationalEntity};
use cyclonedx_bom::models::property::{Properties, Property};
use cyclonedx_bom::prelude::{NormalizedString, Purl, SpdxExpression};
use std::str::FromStr as _;

/// The bom-ref of a package: its purl, or for a path package `path+<dir>#name@version` with the
/// directory relative to the workspace root.
pub fn bom_ref(p: &Package) -> String {
    match &p.source {
        Source::Path { dir } => format!("path+{dir}#{}@{}", p.name, p.version),
        _ => registry_purl(p).unwrap_or_else(|| format!("pkg:cargo/{}@{}", p.name, p.version)),
    }
}

/// The package URL: `pkg:cargo/name@version`, with `repository_url` for a registry other than
/// crates.io, `vcs_url` (with the locked commit) for a git source, and for a path package
/// `vcs_url` of its repository, or of `product_repository` (none when neither is known).
pub fn purl(p: &Package, product_repository: Option<&str>) -> Option<String> {
    match &p.source {
        Source::Path { .. } => {
            let repo = p.repository.as_deref().filter(|u| authors::is_web_url(u)).or(product_repository)?;
            build_purl(p, Some(("vcs_url", vcs(repo))))
        }
        _ => registry_purl(p),
    }
}

/// The purl of a registry or git package.
fn registry_purl(p: &Package) -> Option<String> {
    match &p.source {
        Source::CratesIo | Source::Path { .. } => build_purl(p, None),
        Source::Registry { url } => build_purl(p, Some(("repository_url", url.clone()))),
        Source::Git { url, commit, .. } => {
            let at = commit.as_ref().map(|c| format!("@{c}")).unwrap_or_default();
            build_purl(p, Some(("vcs_url", format!("git+{url}{at}"))))
        }
    }
}

fn build_purl(p: &Package, qualifier: Option<(&str, String)>) -> Option<String> {
    let builder = purl::GenericPurlBuilder::new("cargo".to_owned(), p.name.as_str())
        .with_version(p.version.to_string());
    let builder = match qualifier {
        Some((key, value)) => builder.with_qualifier(key, value).ok()?,
        None => builder,
    };
    builder.build().ok().map(|p| p.to_string())
}

/// A repository URL as a purl `vcs_url` (`git+https://...`).
pub fn vcs(repo: &str) -> String {
    if repo.starts_with("git+") { repo.to_owned() } else { format!("git+{repo}") }
}

/// What the component is built from.
pub struct ComponentInput<'a> {
    /// The package.
    pub package: &'a Package,
    /// How the product uses it.
    pub usage: Usage,
    /// A workspace member the policy names as a tool (build tooling that does not ship).
    pub tool: bool,
    /// SHA-256 of the package archive, from Cargo.lock.
    pub sha256: Option<String>,
    /// FDA support data.
    pub support: &'a Support,
    /// The manufacturer, supplier of workspace members.
    pub manufacturer: Option<&'a OrganizationalEntity>,
    /// The product's repository, which qualifies the purls of path packages.
    pub product_repository: Option<&'a str>,
}

/// Builds the component, and the people its `authors` name (written as `authors` in 1.6 and
/// as the legacy `author` string in 1.5).
pub fn component(input: &ComponentInput<'_>) -> (Component, Vec<Person>) {
    let p = input.package;
    let class = if p.member && p.binary { Classification::Application } else { Classification::Library };
    let reference = bom_ref(p);
    let mut c = Component::new(class, &clean(&p.name), &p.version.to_string(), Some(reference));
    c.purl = purl(p, input.product_repository).and_then(|u| Purl::from_str(&u).ok());
    c.scope = Some(if input.usage.runtime { Scope::Required } else { Scope::Excluded });
    c.description = p.description.as_deref().map(|d| NormalizedString::new(&clean(d)));
    let people = authors::people(&p.authors);
    c.author = (!people.is_empty())
        .then(|| NormalizedString::new(&people.iter().map(Person::display).collect::<Vec<_>>().join(", ")));
    c.supplier = match (p.member, input.manufacturer) {
        (true, Some(m)) => Some(m.clone()),
        _ => Some(supplier(p, &people)),
    };
    c.hashes = input
        .sha256
        .as_ref()
        .map(|h| Hashes(vec![Hash { alg: HashAlgorithm::SHA_256, content: HashValue(h.clone()) }]));
    c.licenses = licenses(p);
    c.external_references = references(p);
    c.properties = Some(properties(input));
    (c, people)
}

/// The licence: the SPDX expression (crates.io's lax forms such as `MIT/Apache-2.0` normalized),
/// a named licence when the declared text is not a valid expression, or the licence file when
/// only one is declared.
fn licenses(p: &Package) -> Option<Licenses> {
    let choice = match (&p.license, &p.license_file) {
        (Some(expr), _) => match canonical_expression(expr) {
            Some(canonical) => LicenseChoice::Expression(SpdxExpression::new(&canonical)),
            None => LicenseChoice::License(License::named_license(&clean(expr))),
        },
        (None, Some(file)) => LicenseChoice::License(License::named_license(&format!(
            "licence file {file} (no SPDX expression declared)"
        ))),
        (None, None) => return None,
    };
    Some(Licenses(vec![choice]))
}

/// The canonical SPDX form of a declared licence expression, when it is one.
pub fn canonical_expression(expr: &str) -> Option<String> {
    spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX).ok()?;
    match spdx::Expression::canonicalize(expr) {
        Ok(Some(canonical)) => Some(canonical),
        Ok(None) => Some(expr.trim().to_owned()),
        Err(_) => None,
    }
}

/// The supplier of a third-party package: its authors (with their valid addresses as contacts)
/// and its repository, homepage or crates.io page; where it names no authors, a supplier stated
/// as unknown, so every component has a supplier name.
fn supplier(p: &Package, people: &[Person]) -> OrganizationalEntity {
    let crates_io = (p.source == Source::CratesIo).then(|| format!("https://crates.io/crates/{}", p.name));
    let url = [p.repository.clone(), p.homepage.clone()]
        .into_iter()
        .flatten()
        .chain(people.iter().filter_map(|a| a.url.clone()))
        .chain(crates_io)
        .find(|u| valid_url(u))
        .map(|u| vec![Uri::new(&u)]);
    let named: Vec<&str> = people.iter().map(Person::label).filter(|l| !l.is_empty()).collect();
    let name = match (named.is_empty(), &p.unread) {
        (false, _) => named.join(", "),
        (true, Some(_)) => "unknown (its manifest could not be read)".to_owned(),
        (true, None) => "unknown (the package names no authors)".to_owned(),
    };
    let contacts: Vec<OrganizationalContact> =
        people.iter().filter(|a| a.name.is_some() || a.email.is_some()).map(contact).collect();
    OrganizationalEntity {
        bom_ref: None,
        name: Some(NormalizedString::new(&clean(&name))),
        url,
        contact: (!contacts.is_empty()).then_some(contacts),
    }
}

/// A person as a CycloneDX contact: the name (or the address), and a valid address.
pub fn contact(person: &Person) -> OrganizationalContact {
    OrganizationalContact {
        bom_ref: None,
        name: Some(NormalizedString::new(&clean(person.label()))),
        email: person.email.as_deref().map(NormalizedString::new),
        phone: None,
    }
}

fn references(p: &Package) -> Option<ExternalReferences> {
    let refs: Vec<ExternalReference> = [
        (ExternalReferenceType::Vcs, &p.repository),
        (ExternalReferenceType::Documentation, &p.documentation),
        (ExternalReferenceType::Website, &p.homepage),
    ]
    .into_iter()
    .filter_map(|(kind, url)| {
        url.as_ref().filter(|u| valid_url(u)).map(|u| ExternalReference::new(kind, Uri::new(u)))
    })
    .collect();
    (!refs.is_empty()).then_some(ExternalReferences(refs))
}

/// Whether a declared URL is an absolute http(s) or git URL (others are left out rather than
/// written into the SBOM unchecked).
fn valid_url(u: &str) -> bool {
    url::Url::parse(u)
        .is_ok_and(|u| matches!(u.scheme(), "https" | "http" | "git" | "ssh") && u.host().is_some())
}

fn properties(input: &ComponentInput<'_>) -> Properties {
    let p = input.package;
    let mut props: Vec<(&str, String)> = vec![
        ("cargo-spdf:dependencyKind", input.usage.kind().to_owned()),
        ("cargo-spdf:directDependency", input.usage.direct.to_string()),
    ];
    if p.member {
        props.push(("cargo-spdf:workspaceMember", "true".to_owned()));
    }
    if p.proc_macro {
        props.push(("cargo-spdf:procMacro", "true".to_owned()));
    }
    if input.tool {
        props.push(("cargo-spdf:buildTool", "true".to_owned()));
    }
    match &p.source {
        Source::Path { dir } => props.push(("cargo-spdf:path", dir.clone())),
        Source::Registry { url } => props.push(("cargo-spdf:registry", url.clone())),
        Source::Git { url, .. } => props.push(("cargo-spdf:git", url.clone())),
        Source::CratesIo => {}
    }
    props.extend(registry_properties(input.support));
    props.extend(support_properties(input.support));
    props.sort();
    Properties(props.into_iter().map(|(k, v)| Property::new(k, &clean(&v))).collect())
}

/// The FDA support properties, with the names the product contract fixes.
pub fn support_properties(s: &Support) -> Vec<(&'static str, String)> {
    let mut props = Vec::new();
    if let Some(level) = s.level {
        props.push(("cargo-spdf:fda:levelOfSupport", level.as_str().to_owned()));
    }
    if let Some(date) = s.end_of_support {
        props.push(("cdx:lifecycle:milestone:endOfSupport", date.to_string()));
    }
    if let Some(j) = &s.justification {
        props.push(("cargo-spdf:fda:justification", j.clone()));
    }
    if let Some(source) = s.source {
        props.push(("cargo-spdf:fda:supportSource", source.as_str().to_owned()));
    }
    if let Some(gap) = &s.gap {
        props.push(("cargo-spdf:fda:supportGap", gap.clone()));
    }
    if let Some(at) = &s.location {
        let line = at.line.map(|l| format!(":{l}")).unwrap_or_default();
        props.push(("cargo-spdf:fda:policyEntry", format!("{}{line}", at.file)));
    }
    props.extend(s.assessed.map(|d| ("cargo-spdf:fda:assessed", d.to_string())));
    props.extend(s.assessed_by.clone().map(|a| ("cargo-spdf:fda:assessedBy", a)));
    props.extend(s.replacement_plan.clone().map(|r| ("cargo-spdf:fda:replacementPlan", r)));
    props
}

/// What the crates.io index says about the crate's releases (dates as YYYY-MM-DD), or why it
/// could not be read.
pub fn registry_properties(s: &Support) -> Vec<(&'static str, String)> {
    let mut props = Vec::new();
    if let Some(reason) = &s.history_unknown {
        props.push(("cargo-spdf:registry:unavailable", reason.clone()));
    }
    let Some(a) = &s.activity else { return props };
    let date = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string());
    props.extend(date(a.published).map(|d| ("cargo-spdf:registry:published", d)));
    if let Some((v, d)) = &a.latest {
        props.push(("cargo-spdf:registry:latestVersion", v.to_string()));
        props.extend(date(*d).map(|d| ("cargo-spdf:registry:latestVersionPublished", d)));
    }
    if let Some((v, d)) = &a.latest_compatible {
        props.push(("cargo-spdf:registry:latestCompatibleVersion", v.to_string()));
        props.extend(date(*d).map(|d| ("cargo-spdf:registry:latestCompatibleVersionPublished", d)));
    }
    props.extend(date(a.last_release).map(|d| ("cargo-spdf:registry:lastRelease", d)));
    props.push(("cargo-spdf:registry:releasesLast12Months", a.releases_last_12_months.to_string()));
    props.extend(date(a.cached_at).map(|d| ("cargo-spdf:registry:cachedAt", d)));
    props
}

/// Removes control characters other than tab and newline, which XML 1.0 cannot carry.
pub fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control() || *c == '\t' || *c == '\n').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(source: Source) -> Package {
        Package { source, ..Package::stub("demo", semver::Version::new(1, 2, 3)) }
    }

    #[test]
    fn purls_name_their_source() {
        assert_eq!(purl(&pkg(Source::CratesIo), None).as_deref(), Some("pkg:cargo/demo@1.2.3"));
        let registry = pkg(Source::Registry { url: "https://reg.example.com/index/".into() });
        assert_eq!(
            purl(&registry, None).as_deref(),
            Some("pkg:cargo/demo@1.2.3?repository_url=https://reg.example.com/index/")
        );
        let git = pkg(Source::Git {
            url: "https://github.com/ex/demo".into(),
            commit: Some("0123abc".into()),
            pinned: true,
        });
        assert_eq!(
            purl(&git, None).as_deref(),
            Some("pkg:cargo/demo@1.2.3?vcs_url=git%2Bhttps://github.com/ex/demo%400123abc")
        );
    }

    #[test]
    fn path_packages_never_get_a_bare_crates_io_purl() {
        let path = pkg(Source::Path { dir: "crates/demo".into() });
        assert_eq!(bom_ref(&path), "path+crates/demo#demo@1.2.3");
        assert_eq!(purl(&path, None), None, "no repository known: no purl rather than a wrong one");
        assert_eq!(
            purl(&path, Some("https://git.example.com/pump")).as_deref(),
            Some("pkg:cargo/demo@1.2.3?vcs_url=git%2Bhttps://git.example.com/pump")
        );
        let own = Package { repository: Some("https://github.com/ex/demo".into()), ..path };
        assert_eq!(
            purl(&own, Some("https://git.example.com/pump")).as_deref(),
            Some("pkg:cargo/demo@1.2.3?vcs_url=git%2Bhttps://github.com/ex/demo")
        );
    }

    #[test]
    fn licence_expressions_are_normalized() {
        assert_eq!(canonical_expression("MIT/Apache-2.0").as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!(canonical_expression("MIT OR Apache-2.0").as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!(
            canonical_expression("Apache-2.0 WITH LLVM-exception").as_deref(),
            Some("Apache-2.0 WITH LLVM-exception")
        );
        assert_eq!(canonical_expression("Proprietary, see LICENSE"), None);
    }

    #[test]
    fn every_supplier_has_a_name() {
        let people = authors::parse("Jane Doe <https://example.org>");
        let s = supplier(&pkg(Source::CratesIo), &people);
        assert_eq!(s.name.unwrap().to_string(), "Jane Doe");
        assert_eq!(s.url.unwrap()[0].to_string(), "https://example.org");
        assert!(s.contact.unwrap()[0].email.is_none(), "a URL is never an e-mail address");
        let nobody = supplier(&pkg(Source::CratesIo), &[]);
        assert_eq!(nobody.name.unwrap().to_string(), "unknown (the package names no authors)");
        assert_eq!(nobody.url.unwrap()[0].to_string(), "https://crates.io/crates/demo");
    }
}
