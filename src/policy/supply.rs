//! `[kev]`, `[sources]`, `[bans]` and `[licenses]`: the supply-chain sections.

use super::raw::{RawBan, RawBans, RawKev, RawLicenses, RawSources};
use super::validate::Validator;
use crate::finding::Location;
use std::path::PathBuf;
use toml::Spanned;

/// Validated `[sources]`.
#[derive(Debug, Clone)]
pub struct SourcesPolicy {
    /// Allowed registries: `crates-io` or index URLs (default: crates-io only).
    pub allow_registries: Vec<String>,
    /// Allowed git URL prefixes (default: none).
    pub allow_git: Vec<String>,
    /// Whether path dependencies outside the workspace are allowed (default: false).
    pub allow_external_paths: bool,
}

impl Default for SourcesPolicy {
    fn default() -> Self {
        SourcesPolicy {
            allow_registries: vec!["crates-io".to_owned()],
            allow_git: Vec::new(),
            allow_external_paths: false,
        }
    }
}

/// One validated ban.
#[derive(Debug, Clone)]
pub struct Ban {
    /// Crate name.
    pub name: String,
    /// Versions banned (all when absent).
    pub version: Option<semver::VersionReq>,
    /// Why, and what to use instead.
    pub reason: String,
    /// Where it is written.
    pub location: Location,
}

/// Validated `[licenses]`.
#[derive(Debug, Clone, Default)]
pub struct LicensesPolicy {
    /// Allowed SPDX licence ids; `None` when the policy has no `[licenses]` allow list (the gate
    /// then only reports packages without a licence).
    pub allow: Option<Vec<spdx::LicenseId>>,
    /// Workspace members are exempt (default: true).
    pub exempt_members: bool,
    /// Where the allow list is written.
    pub location: Option<Location>,
}

pub(super) fn kev(v: &mut Validator<'_>, raw: RawKev) -> Option<PathBuf> {
    let catalog = raw.catalog?;
    let dir = v.file.path.parent().unwrap_or(std::path::Path::new("."));
    Some(crate::paths::absolute(&dir.join(catalog.get_ref())))
}

pub(super) fn sources(v: &mut Validator<'_>, raw: RawSources) -> SourcesPolicy {
    let mut p = SourcesPolicy::default();
    if let Some(list) = raw.allow_registries {
        p.allow_registries = list.iter().filter_map(|r| registry(v, r)).collect();
    }
    if let Some(list) = raw.allow_git {
        p.allow_git = list.iter().filter_map(|g| url(v, g, "allow-git")).collect();
    }
    p.allow_external_paths = raw.allow_external_paths.is_some_and(|b| *b.get_ref());
    p
}

fn registry(v: &mut Validator<'_>, r: &Spanned<String>) -> Option<String> {
    if r.get_ref() == "crates-io" { Some(r.get_ref().clone()) } else { url(v, r, "allow-registries") }
}

fn url(v: &mut Validator<'_>, u: &Spanned<String>, key: &str) -> Option<String> {
    let text = u.get_ref().trim();
    let text = text.strip_prefix("sparse+").or_else(|| text.strip_prefix("registry+")).unwrap_or(text);
    if url::Url::parse(text).is_ok() {
        return Some(text.to_owned());
    }
    v.error(u, format!("`sources.{key}` entry \"{}\" is not a URL (or \"crates-io\")", u.get_ref()));
    None
}

pub(super) fn bans(v: &mut Validator<'_>, raw: RawBans) -> Vec<Ban> {
    raw.deny.unwrap_or_default().iter().filter_map(|b| ban(v, b)).collect()
}

fn ban(v: &mut Validator<'_>, entry: &Spanned<RawBan>) -> Option<Ban> {
    let raw: &RawBan = entry.get_ref();
    let Some(name) = raw.name.as_ref().map(|n| n.get_ref().trim().to_owned()).filter(|n| !n.is_empty())
    else {
        v.error(entry, "`bans.deny` entry needs a `name`");
        return None;
    };
    let version = match &raw.version {
        None => None,
        Some(req) => match semver::VersionReq::parse(req.get_ref()) {
            Ok(r) => Some(r),
            Err(e) => {
                v.error(req, format!("invalid version requirement \"{}\": {e}", req.get_ref()));
                return None;
            }
        },
    };
    let reason = raw.reason.as_ref().map(|r| r.get_ref().trim().to_owned()).unwrap_or_default();
    Some(Ban { name, version, reason, location: v.file.location(&entry.span()) })
}

pub(super) fn licenses(v: &mut Validator<'_>, raw: RawLicenses) -> LicensesPolicy {
    let exempt_members = raw.exempt_members.is_none_or(|b| *b.get_ref());
    let Some(list) = raw.allow else { return LicensesPolicy { allow: None, exempt_members, location: None } };
    let location = list.first().map(|l| v.file.location(&l.span()));
    let allow = list
        .iter()
        .filter_map(|id| match spdx::license_id(id.get_ref()) {
            Some(l) => Some(l),
            None => {
                v.error(id, format!("\"{}\" is not an SPDX licence identifier", id.get_ref()));
                None
            }
        })
        .collect();
    LicensesPolicy { allow: Some(allow), exempt_members, location }
}
