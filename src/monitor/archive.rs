//! Load: one released product version, as its archive recorded it at release: the components
//! it shipped, the vulnerabilities it listed with their assessment (the SBOM's and the VEX's),
//! what the release check found yanked, the policy it was held to, and when it was made.

use super::cdx::{self, Document};
use crate::evidence::check::Signature;
use crate::finding::Level;
use crate::policy::{Policy, Profile, Stage};
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::str::FromStr as _;

/// The property cargo-spdf (and CycloneDX's registered taxonomy) gives a component's end of support.
pub const END_OF_SUPPORT: &str = "cdx:lifecycle:milestone:endOfSupport";

/// Where a product version was read from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// An evidence bundle directory.
    Bundle(PathBuf),
    /// A CycloneDX SBOM file.
    Sbom(PathBuf),
}

impl Source {
    /// `bundle` or `sbom`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Bundle(_) => "bundle",
            Self::Sbom(_) => "sbom",
        }
    }

    /// The directory or file.
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::Bundle(p) | Self::Sbom(p) => p,
        }
    }
}

/// Which policy the product version is held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    /// The copy of the policy file recorded in the bundle (`spdf.toml`).
    Recorded,
    /// The file given with `--policy`, for every product version.
    Flag(String),
    /// The built-in rules of a profile: the profile the bundle recorded, or baseline for an SBOM.
    Profile(Profile),
}

impl PolicySource {
    /// `bundle`, `flag` or `profile`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Recorded => "bundle",
            Self::Flag(_) => "flag",
            Self::Profile(_) => "profile",
        }
    }
}

/// The policy in force for a product version.
#[derive(Debug, Clone)]
pub struct HeldTo {
    /// The policy, with the rules of its stage.
    pub policy: Policy,
    /// Where it came from.
    pub source: PolicySource,
    /// The stage: the one the bundle was made for, else release.
    pub stage: Stage,
}

/// One component, as the archive identifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Crate name (from the purl when there is one).
    pub name: String,
    /// Version (from the purl when there is one).
    pub version: String,
    /// `bom-ref`.
    pub bom_ref: Option<String>,
    /// `purl`.
    pub purl: Option<String>,
    /// Whether it is a crates.io package (a `pkg:cargo` purl with a semver version, naming no
    /// other registry, no git repository and no local path, and not a workspace member): only
    /// those are matched against the advisory database, as the advisories gate does.
    pub crates_io: bool,
    /// `cdx:lifecycle:milestone:endOfSupport`.
    pub end_of_support: Option<Date>,
}

/// One vulnerability the archive lists, with its assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Its id (RustSec, CVE, GHSA, ...).
    pub id: String,
    /// The ids of its references (aliases).
    pub aliases: Vec<String>,
    /// The components it affects (bom-refs, purls or BOM-Links); empty: not said.
    pub affects: Vec<String>,
    /// The CVSS vector of its first rating.
    pub vector: Option<String>,
    /// The score of its first rating.
    pub score: Option<f64>,
    /// The severity of its first rating.
    pub severity: Option<String>,
    /// `analysis.state`.
    pub state: Option<String>,
    /// `cargo-spdf:kev`: whether it was in the KEV catalog then (absent: not recorded).
    pub kev: Option<bool>,
    /// `cargo-spdf:finding:level`: the level the release check gave it.
    pub level: Option<Level>,
    /// `cargo-spdf:waiver:expires`: the waiver behind the assessment runs out after this day.
    pub waiver_expires: Option<Date>,
    /// The document it is written in, for messages.
    pub file: String,
}

/// The analysis states that settle a vulnerability for a product: no action is owed on it.
pub const SETTLED_STATES: [&str; 4] =
    ["resolved", "resolved_with_pedigree", "not_affected", "false_positive"];

impl Statement {
    /// Every id it goes by.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// Whether its assessment settles it (resolved, not affected, false positive).
    pub fn settled(&self) -> bool {
        self.state.as_deref().is_some_and(|s| SETTLED_STATES.contains(&s))
    }
}

/// What the database recorded at release, as the bundle's provenance gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RecordedDatabase {
    /// The git commit, for a checkout.
    pub commit: Option<String>,
    /// The content digest, for a plain directory.
    pub digest: Option<String>,
    /// Its last update.
    pub last_updated: Option<String>,
}

/// One released product version.
#[derive(Debug, Clone)]
pub struct Archived {
    /// Where it was read from.
    pub source: Source,
    /// The product's name.
    pub product: String,
    /// The product's version, when the SBOM gives one.
    pub version: Option<String>,
    /// When the bundle (or SBOM) was made.
    pub released: Option<Timestamp>,
    /// The SBOM's serial number.
    pub serial: Option<String>,
    /// Every component.
    pub components: Vec<Component>,
    /// Every vulnerability listed, by the SBOM and by the VEX documents that apply.
    pub statements: Vec<Statement>,
    /// The patched versions the release report gave each (advisory, crate, version).
    pub patched: BTreeMap<(String, String, String), Vec<String>>,
    /// The yanked findings of the release report, by (crate, version): `yanked`, or `unknown`
    /// when the status could not be established then.
    pub yanked: BTreeMap<(String, String), String>,
    /// Whether the archive recorded yanked status at all (an evidence bundle's report does).
    pub yanked_recorded: bool,
    /// The policy it is held to.
    pub held_to: HeldTo,
    /// The database the bundle was made with.
    pub database: Option<RecordedDatabase>,
    /// The bundle's signature status.
    pub signature: Option<Signature>,
    /// Things the reader should know about how it was read.
    pub notes: Vec<String>,
}

impl Archived {
    /// A product version from an SBOM; the rest is filled in by the caller.
    pub fn from_document(source: Source, doc: &Document, file: &str, held_to: HeldTo) -> Self {
        let fallback =
            source.path().file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let product = doc.product.as_ref().map(|p| p.name.clone()).filter(|n| !n.is_empty());
        Archived {
            product: product.unwrap_or(fallback),
            version: doc.product.as_ref().and_then(|p| p.version.clone()),
            released: doc.timestamp.as_deref().and_then(|t| Timestamp::from_str(t).ok()),
            serial: doc.serial.clone(),
            components: components(doc),
            statements: statements(doc, file),
            source,
            patched: BTreeMap::new(),
            yanked: BTreeMap::new(),
            yanked_recorded: false,
            held_to,
            database: None,
            signature: None,
            notes: Vec::new(),
        }
    }

    /// Adds the statements of a VEX document that concern this product version.
    pub fn add_vex(&mut self, doc: &Document, file: &str) {
        let own = statements(doc, file);
        let concerns = |s: &Statement| {
            s.affects.is_empty()
                || s.affects
                    .iter()
                    .any(|r| self.components.iter().any(|c| refers_to(r, c, self.serial.as_deref())))
        };
        let kept: Vec<Statement> = own.into_iter().filter(|s| concerns(s)).collect();
        self.statements.extend(kept);
    }

    /// The statements about an advisory (any of `ids`) for a component.
    pub fn statements_for<'a>(
        &'a self,
        ids: &'a [&'a str],
        component: &'a Component,
    ) -> impl Iterator<Item = &'a Statement> {
        self.statements.iter().filter(move |s| {
            s.ids().any(|id| ids.contains(&id))
                && (s.affects.is_empty()
                    || s.affects.iter().any(|r| refers_to(r, component, self.serial.as_deref())))
        })
    }
}

/// The components of a document, each (name, version, crates.io or not) once.
fn components(doc: &Document) -> Vec<Component> {
    let mut seen = BTreeSet::new();
    doc.components
        .iter()
        .filter_map(component)
        .filter(|c| seen.insert((c.name.clone(), c.version.clone(), c.crates_io)))
        .collect()
}

/// A component as monitoring identifies it; one without a name and version is left out.
fn component(c: &cdx::Component) -> Option<Component> {
    let purl = c.purl.as_deref().and_then(|p| purl::GenericPurl::<String>::from_str(p).ok());
    let cargo = purl.as_ref().filter(|p| p.package_type() == "cargo");
    let name = cargo.map_or(c.name.clone(), |p| p.name().to_owned());
    let version = cargo.and_then(|p| p.version().map(str::to_owned)).or_else(|| c.version.clone())?;
    let semver = semver::Version::parse(&version).is_ok();
    let member = c.property("cargo-spdf:workspaceMember") == Some("true")
        || c.bom_ref.as_deref().is_some_and(|r| r.starts_with("path+"));
    let crates_io = !member
        && semver
        && cargo.is_some_and(|p| {
            let q = p.qualifiers();
            q.get("download_url").is_none()
                && q.get("vcs_url").is_none()
                && q.get("repository_url").is_none_or(is_crates_io_index)
        });
    Some(Component {
        name,
        version,
        bom_ref: c.bom_ref.clone(),
        purl: c.purl.clone(),
        crates_io,
        end_of_support: c.property(END_OF_SUPPORT).and_then(|d| d.parse().ok()),
    })
}

/// Whether a `repository_url` names the crates.io index (git or sparse).
fn is_crates_io_index(url: &str) -> bool {
    let url = url.trim_end_matches('/').trim_start_matches("sparse+").trim_start_matches("registry+");
    url == "https://github.com/rust-lang/crates.io-index" || url == "https://index.crates.io"
}

/// The vulnerabilities of a document that have an id.
fn statements(doc: &Document, file: &str) -> Vec<Statement> {
    doc.vulnerabilities
        .iter()
        .filter_map(|v| {
            let rating = v.ratings.iter().find(|r| r.vector.is_some()).or(v.ratings.first());
            Some(Statement {
                id: v.id.clone().filter(|id| !id.is_empty())?,
                aliases: v.references.clone(),
                affects: v.affects.clone(),
                vector: rating.and_then(|r| r.vector.clone()),
                score: rating.and_then(|r| r.score),
                severity: rating.and_then(|r| r.severity.clone()),
                state: v.state.clone(),
                kev: v.property("cargo-spdf:kev").and_then(|k| k.parse().ok()),
                level: v.property("cargo-spdf:finding:level").and_then(level),
                waiver_expires: v.property("cargo-spdf:waiver:expires").and_then(|d| d.parse().ok()),
                file: file.to_owned(),
            })
        })
        .collect()
}

fn level(name: &str) -> Option<Level> {
    [Level::Deny, Level::Warn, Level::Excepted].into_iter().find(|l| l.as_str() == name)
}

/// Whether a reference (a bom-ref, a purl, or a BOM-Link `urn:cdx:<serial>/<version>#<ref>`)
/// points at a component. A BOM-Link to another SBOM than `serial` points at nothing here.
pub fn refers_to(reference: &str, component: &Component, serial: Option<&str>) -> bool {
    let reference = match reference.strip_prefix("urn:cdx:") {
        Some(link) => {
            let Some((bom, fragment)) = link.split_once('#') else { return false };
            let link_serial = bom.split('/').next().unwrap_or_default();
            let ours = serial.map(|s| s.trim_start_matches("urn:uuid:"));
            if ours.is_some_and(|s| !s.eq_ignore_ascii_case(link_serial)) {
                return false;
            }
            fragment
        }
        None => reference,
    };
    if component.bom_ref.as_deref() == Some(reference) || component.purl.as_deref() == Some(reference) {
        return true;
    }
    purl::GenericPurl::<String>::from_str(reference).is_ok_and(|p| {
        p.package_type() == "cargo"
            && p.name() == component.name
            && p.version() == Some(component.version.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cdx_component(purl: &str, props: &[(&str, &str)]) -> cdx::Component {
        cdx::Component {
            bom_ref: Some(purl.to_owned()),
            name: "x".into(),
            version: Some("9.9.9".into()),
            purl: Some(purl.to_owned()),
            properties: props.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    #[test]
    fn only_crates_io_packages_are_matched() {
        let c = |purl: &str| component(&cdx_component(purl, &[])).unwrap();
        let plain = c("pkg:cargo/vulnlib@1.0.0");
        assert_eq!(
            (plain.name.as_str(), plain.version.as_str(), plain.crates_io),
            ("vulnlib", "1.0.0", true)
        );
        assert!(c("pkg:cargo/a@1.0.0?repository_url=https://github.com/rust-lang/crates.io-index").crates_io);
        assert!(!c("pkg:cargo/a@1.0.0?repository_url=https://my.registry/index").crates_io);
        assert!(!c("pkg:cargo/a@1.0.0?download_url=file://../a").crates_io);
        assert!(!c("pkg:cargo/a@1.0.0?vcs_url=git%2Bhttps://example.org/a%401234").crates_io);
        assert!(!c("pkg:npm/a@1.0.0").crates_io);
        let member =
            component(&cdx_component("pkg:cargo/app@1.0.0", &[("cargo-spdf:workspaceMember", "true")]));
        assert!(!member.unwrap().crates_io);
        let eos = component(&cdx_component("pkg:cargo/a@1.0.0", &[(END_OF_SUPPORT, "2026-01-31")])).unwrap();
        assert_eq!(eos.end_of_support, Some(jiff::civil::date(2026, 1, 31)));
    }

    #[test]
    fn references_by_bom_ref_purl_and_bom_link() {
        let c = component(&cdx_component("pkg:cargo/vulnlib@1.0.0", &[])).unwrap();
        let serial = Some("urn:uuid:3c71494d-37e4-58f4-afbe-952d1b4f6726");
        assert!(refers_to("pkg:cargo/vulnlib@1.0.0", &c, serial));
        assert!(refers_to(
            "urn:cdx:3c71494d-37e4-58f4-afbe-952d1b4f6726/1#pkg:cargo/vulnlib@1.0.0",
            &c,
            serial
        ));
        assert!(!refers_to(
            "urn:cdx:00000000-0000-0000-0000-000000000000/1#pkg:cargo/vulnlib@1.0.0",
            &c,
            serial
        ));
        assert!(refers_to("pkg:cargo/vulnlib@1.0.0?arch=x86_64", &c, serial));
        assert!(!refers_to("pkg:cargo/vulnlib@1.0.1", &c, serial));
    }
}
