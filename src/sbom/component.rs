//! One package of the graph as a CycloneDX component: identity (bom-ref, purl, SHA-256 from
//! Cargo.lock), licence, supplier, references, and the properties that carry its use and its
//! FDA support data.

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
        _ => purl(p),
    }
}

/// The package URL: `pkg:cargo/name@version`, with `repository_url` for a registry other than
/// crates.io and `vcs_url` (with the locked commit) for a git source.
pub fn purl(p: &Package) -> String {
    let builder = purl::GenericPurlBuilder::new("cargo".to_owned(), p.name.as_str())
        .with_version(p.version.to_string());
    let builder = match &p.source {
        Source::Registry { url } => builder.with_qualifier("repository_url", url.as_str()),
        Source::Git { url, commit, .. } => {
            let vcs = match commit {
                Some(c) => format!("git+{url}@{c}"),
                None => format!("git+{url}"),
            };
            builder.with_qualifier("vcs_url", vcs)
        }
        Source::CratesIo | Source::Path { .. } => Ok(builder),
    };
    builder
        .and_then(|b| b.build())
        .map(|p| p.to_string())
        .unwrap_or_else(|_| format!("pkg:cargo/{}@{}", p.name, p.version))
}

/// What the component is built from.
pub struct ComponentInput<'a> {
    /// The package.
    pub package: &'a Package,
    /// How the product uses it.
    pub usage: Usage,
    /// SHA-256 of the package archive, from Cargo.lock.
    pub sha256: Option<String>,
    /// FDA support data.
    pub support: &'a Support,
    /// The manufacturer, supplier of workspace members.
    pub manufacturer: Option<&'a OrganizationalEntity>,
}

/// Builds the component.
pub fn component(input: &ComponentInput<'_>) -> Component {
    let p = input.package;
    let class = if p.member && p.binary { Classification::Application } else { Classification::Library };
    let reference = bom_ref(p);
    let mut c = Component::new(class, &clean(&p.name), &p.version.to_string(), Some(reference));
    c.purl = Purl::from_str(&purl(p)).ok();
    c.scope = Some(if input.usage.runtime || p.member { Scope::Required } else { Scope::Excluded });
    c.description = p.description.as_deref().map(|d| NormalizedString::new(&clean(d)));
    c.author = (!p.authors.is_empty()).then(|| NormalizedString::new(&clean(&p.authors.join(", "))));
    c.supplier = match (p.member, input.manufacturer) {
        (true, Some(m)) => Some(m.clone()),
        _ => supplier(p),
    };
    c.hashes = input
        .sha256
        .as_ref()
        .map(|h| Hashes(vec![Hash { alg: HashAlgorithm::SHA_256, content: HashValue(h.clone()) }]));
    c.licenses = licenses(p);
    c.external_references = references(p);
    c.properties = Some(properties(input));
    c
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

/// Authors (with their e-mail as contacts) and the repository or homepage.
fn supplier(p: &Package) -> Option<OrganizationalEntity> {
    let contacts: Vec<OrganizationalContact> = p.authors.iter().map(|a| contact(a)).collect();
    let url: Vec<Uri> = [&p.repository, &p.homepage]
        .into_iter()
        .flatten()
        .filter(|u| valid_url(u))
        .take(1)
        .map(|u| Uri::new(u))
        .collect();
    if contacts.is_empty() && url.is_empty() {
        return None;
    }
    let names: Vec<String> =
        contacts.iter().filter_map(|c| c.name.as_ref().map(ToString::to_string)).collect();
    Some(OrganizationalEntity {
        bom_ref: None,
        name: (!names.is_empty()).then(|| NormalizedString::new(&names.join(", "))),
        url: (!url.is_empty()).then_some(url),
        contact: (!contacts.is_empty()).then_some(contacts),
    })
}

/// `"Name <email>"` as a contact.
pub fn contact(author: &str) -> OrganizationalContact {
    let author = clean(author);
    match author.split_once('<') {
        Some((name, rest)) if rest.trim_end().ends_with('>') => {
            let email = rest.trim_end().trim_end_matches('>').trim();
            let name = name.trim();
            OrganizationalContact::new(
                if name.is_empty() { email } else { name },
                Some(email).filter(|e| !e.is_empty()),
            )
        }
        _ => OrganizationalContact::new(author.trim(), None),
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
    match &p.source {
        Source::Path { dir } => props.push(("cargo-spdf:path", dir.clone())),
        Source::Registry { url } => props.push(("cargo-spdf:registry", url.clone())),
        Source::Git { url, .. } => props.push(("cargo-spdf:git", url.clone())),
        Source::CratesIo => {}
    }
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
        assert_eq!(purl(&pkg(Source::CratesIo)), "pkg:cargo/demo@1.2.3");
        let registry = pkg(Source::Registry { url: "https://reg.example.com/index/".into() });
        assert_eq!(purl(&registry), "pkg:cargo/demo@1.2.3?repository_url=https://reg.example.com/index/");
        let git = pkg(Source::Git {
            url: "https://github.com/ex/demo".into(),
            commit: Some("0123abc".into()),
            pinned: true,
        });
        assert_eq!(purl(&git), "pkg:cargo/demo@1.2.3?vcs_url=git%2Bhttps://github.com/ex/demo%400123abc");
        let path = pkg(Source::Path { dir: "crates/demo".into() });
        assert_eq!(bom_ref(&path), "path+crates/demo#demo@1.2.3");
        assert_eq!(purl(&path), "pkg:cargo/demo@1.2.3");
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
    fn authors_become_contacts() {
        let c = contact("Jane Doe <jane@example.org>");
        assert_eq!(c.name.unwrap().to_string(), "Jane Doe");
        assert_eq!(c.email.unwrap().to_string(), "jane@example.org");
        assert_eq!(contact("The Team").email, None);
    }
}
