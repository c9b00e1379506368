//! Raw policy -> validated [`Policy`]: every value checked, every error collected.

use super::raw::{DateValue, RawAdvisories, RawException, RawPolicy, RawSbom, RawSupport, RawSupportTable};
use super::{
    Advisories, AdvisoryKind, Exception, PackageScope, Policy, Profile, SbomPolicy, Severity, Stage,
    SupportLevel, SupportRule, SupportThresholds,
};
use crate::toml_file::{SpannedError, TomlFile};
use jiff::civil::Date;
use std::collections::BTreeSet;
use toml::Spanned;

/// CycloneDX 1.5/1.6 `analysis.state` values.
pub const VEX_STATES: [&str; 6] =
    ["resolved", "resolved_with_pedigree", "exploitable", "in_triage", "false_positive", "not_affected"];

/// CycloneDX 1.5/1.6 `analysis.justification` values.
pub const VEX_JUSTIFICATIONS: [&str; 9] = [
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control",
];

/// CycloneDX 1.5/1.6 `analysis.response` values.
pub const VEX_RESPONSES: [&str; 5] =
    ["can_not_fix", "will_not_fix", "update", "rollback", "workaround_available"];

/// Collects errors while validating one file.
pub(super) struct Validator<'a> {
    pub(super) file: &'a TomlFile,
    errors: Vec<SpannedError>,
}

impl Validator<'_> {
    pub(super) fn error<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) {
        self.errors.push(self.file.error(&at.span(), message));
    }

    /// Checks that a string value is one of `allowed`.
    pub(super) fn one_of(&mut self, value: &Spanned<String>, key: &str, allowed: &[&str]) -> Option<String> {
        if allowed.contains(&value.get_ref().as_str()) {
            return Some(value.get_ref().clone());
        }
        self.error(
            value,
            format!("invalid `{key}` value \"{}\"; expected one of: {}", value.get_ref(), allowed.join(", ")),
        );
        None
    }
}

/// Validates `raw` for `stage`; on failure returns every error found.
pub fn validate(raw: RawPolicy, file: &TomlFile, stage: Stage) -> Result<Policy, Vec<SpannedError>> {
    let mut v = Validator { file, errors: Vec::new() };
    let raw = select_stage(&mut v, raw, stage);
    let profile = match &raw.profile {
        None => Profile::Baseline,
        Some(name) => Profile::parse(name.get_ref()).unwrap_or_else(|| {
            v.error(
                name,
                format!("unknown profile \"{}\"; expected baseline, medical or firmware", name.get_ref()),
            );
            Profile::Baseline
        }),
    };
    let advisories = advisories(&mut v, raw.advisories.unwrap_or_default(), profile);
    let sbom = sbom(&mut v, raw.sbom.unwrap_or_default());
    let support_table = raw.support.map(super::raw::RawSupportSection::into_table).unwrap_or_default();
    let support_thresholds = thresholds(&mut v, &support_table);
    let support =
        support_table.entries.unwrap_or_default().iter().filter_map(|s| support_rule(&mut v, s)).collect();
    let lints = super::lints::lints(&mut v, raw.lints.unwrap_or_default(), profile);
    let build = super::lints::build(&mut v, raw.build.unwrap_or_default(), profile);
    let kev = raw.kev.and_then(|k| super::supply::kev(&mut v, k));
    let sources = super::supply::sources(&mut v, raw.sources.unwrap_or_default());
    let bans = super::supply::bans(&mut v, raw.bans.unwrap_or_default());
    let licenses = super::supply::licenses(&mut v, raw.licenses.unwrap_or_default());
    let members = super::members::members(&mut v, raw.members.unwrap_or_default());
    if v.errors.is_empty() {
        Ok(Policy {
            profile,
            advisories,
            sbom,
            support,
            support_thresholds,
            lints,
            build,
            kev,
            sources,
            bans,
            licenses,
            members,
        })
    } else {
        Err(v.errors)
    }
}

/// Checks the `[stage.*]` tables and lays the one for `stage` over the top level.
fn select_stage(v: &mut Validator<'_>, mut raw: RawPolicy, stage: Stage) -> RawPolicy {
    let stages = raw.stage.take().unwrap_or_default();
    let mut chosen = None;
    for (name, table) in stages {
        let Some(s) = Stage::ALL.into_iter().find(|s| s.as_str() == name) else {
            v.error(&table, format!("unknown stage \"{name}\"; expected local, pre-merge or release"));
            continue;
        };
        let inner = table.get_ref();
        if let Some(p) = &inner.profile {
            v.error(p, "`profile` cannot be set per stage; set it at the top level");
        }
        if inner.stage.is_some() {
            v.error(&table, "stage tables cannot be nested");
        }
        if s == stage {
            chosen = Some(table.into_inner());
        }
    }
    match chosen {
        Some(over) => raw.overlay(over),
        None => raw,
    }
}

fn advisories(v: &mut Validator<'_>, raw: RawAdvisories, profile: Profile) -> Advisories {
    let base = profile.default_deny();
    let deny = match raw.deny {
        None => base,
        Some(list) => list
            .into_inner()
            .iter()
            .filter_map(|k| match AdvisoryKind::ALL.into_iter().find(|a| a.as_str() == k.get_ref()) {
                Some(kind) => Some(kind),
                None => {
                    let names: Vec<_> = AdvisoryKind::ALL.iter().map(|a| a.as_str()).collect();
                    v.one_of(k, "advisories.deny", &names);
                    None
                }
            })
            .collect(),
    };
    let severity_threshold = raw.severity_threshold.and_then(|s| {
        let name =
            v.one_of(&s, "advisories.severity-threshold", &["none", "low", "medium", "high", "critical"])?;
        name.parse::<Severity>().ok()
    });
    let max_db_age_days =
        raw.max_db_age_days.and_then(|d| positive(v, &d, "advisories.max-db-age-days", "days"));
    let max_kev_age_days =
        raw.max_kev_age_days.and_then(|d| positive(v, &d, "advisories.max-kev-age-days", "days"));
    let max_exception_days = match raw.max_exception_days {
        None => profile.max_exception_days(),
        Some(d) => positive(v, &d, "advisories.max-exception-days", "days"),
    };
    let db = raw.db.map(|d| {
        let dir = v.file.path.parent().unwrap_or(std::path::Path::new("."));
        crate::paths::absolute(&dir.join(d.get_ref()))
    });
    let exceptions = exceptions(v, raw.exceptions.unwrap_or_default(), profile);
    Advisories {
        db,
        deny,
        severity_threshold,
        max_db_age_days,
        max_exception_days,
        max_kev_age_days,
        exceptions,
    }
}

/// A positive whole number of `unit`, else an error naming `key`.
fn positive(v: &mut Validator<'_>, n: &Spanned<i64>, key: &str, unit: &str) -> Option<u32> {
    match u32::try_from(*n.get_ref()) {
        Ok(value) if value > 0 => Some(value),
        _ => {
            v.error(n, format!("`{key}` must be a positive number of {unit}, not {}", n.get_ref()));
            None
        }
    }
}

/// `[support] active-within-months` and `abandoned-after-months`: positive, and the first below
/// the second.
fn thresholds(v: &mut Validator<'_>, raw: &RawSupportTable) -> SupportThresholds {
    let defaults = SupportThresholds::default();
    let active = raw
        .active_within_months
        .as_ref()
        .and_then(|n| positive(v, n, "support.active-within-months", "months"));
    let abandoned = raw
        .abandoned_after_months
        .as_ref()
        .and_then(|n| positive(v, n, "support.abandoned-after-months", "months"));
    let t = SupportThresholds {
        active_within_months: active.unwrap_or(defaults.active_within_months),
        abandoned_after_months: abandoned.unwrap_or(defaults.abandoned_after_months),
    };
    if t.active_within_months >= t.abandoned_after_months {
        let message = format!(
            "`support.active-within-months` ({}) must be below `support.abandoned-after-months` ({})",
            t.active_within_months, t.abandoned_after_months
        );
        match (&raw.active_within_months, &raw.abandoned_after_months) {
            (Some(at), _) => v.error(at, message),
            (None, Some(at)) => v.error(at, message),
            (None, None) => {}
        }
    }
    t
}

fn exceptions(v: &mut Validator<'_>, raw: Vec<Spanned<RawException>>, profile: Profile) -> Vec<Exception> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for entry in raw {
        let Some(e) = exception(v, &entry, profile) else {
            continue;
        };
        let key = (
            e.id.clone(),
            e.package.as_ref().map(|p| (p.name.clone(), p.req.as_ref().map(ToString::to_string))),
        );
        if !seen.insert(key) {
            v.error(&entry, format!("duplicate waiver for {}; merge the two entries", e.id));
            continue;
        }
        out.push(e);
    }
    out
}

fn exception(v: &mut Validator<'_>, entry: &Spanned<RawException>, profile: Profile) -> Option<Exception> {
    let raw = entry.get_ref();
    let errors_before = v.errors.len();
    let id = match &raw.id {
        None => {
            v.error(entry, "waiver has no `id`");
            String::new()
        }
        Some(id) if is_advisory_id(id.get_ref()) => id.get_ref().clone(),
        Some(id) => {
            v.error(
                id,
                format!(
                    "\"{}\" is not an advisory id (RUSTSEC-YYYY-NNNN, CVE-YYYY-NNNN or GHSA-xxxx-xxxx-xxxx)",
                    id.get_ref()
                ),
            );
            String::new()
        }
    };
    let package = raw.package.as_ref().and_then(|p| package_scope(v, p));
    let imported = raw.imported.as_ref().is_some_and(|i| *i.get_ref());
    let mut incomplete = Vec::new();
    let reason = match &raw.reason {
        Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().trim().to_owned(),
        _ if imported => {
            incomplete.push("reason");
            super::NO_REASON_IMPORTED.to_owned()
        }
        Some(r) => {
            v.error(r, "waiver `reason` is empty; say why the finding is acceptable");
            String::new()
        }
        None => {
            v.error(entry, format!("waiver for {id} has no `reason`; say why the finding is acceptable"));
            String::new()
        }
    };
    let expires = if imported && raw.expires.is_none() {
        incomplete.push("expires");
        None
    } else {
        expiry(v, entry, profile)
    };
    let state = raw.state.as_ref().and_then(|s| v.one_of(s, "state", &VEX_STATES));
    let justification =
        raw.justification.as_ref().and_then(|j| v.one_of(j, "justification", &VEX_JUSTIFICATIONS));
    if let (Some(j), false) = (&raw.justification, state.as_deref() == Some("not_affected")) {
        v.error(j, "`justification` applies only to state = \"not_affected\"");
    }
    let response =
        raw.response.iter().flatten().filter_map(|r| v.one_of(r, "response", &VEX_RESPONSES)).collect();
    let approved_by = raw.approved_by.as_ref().map(|a| a.get_ref().trim().to_owned());
    if v.errors.len() > errors_before {
        return None;
    }
    Some(Exception {
        id,
        package,
        reason,
        expires,
        state,
        justification,
        response,
        approved_by,
        incomplete,
        location: v.file.location(&entry.span()),
    })
}

fn expiry(v: &mut Validator<'_>, entry: &Spanned<RawException>, profile: Profile) -> Option<Date> {
    match &entry.get_ref().expires {
        Some(d) => date(v, d, "expires"),
        None if profile.waivers_need_expiry() => {
            v.error(entry, format!("the {profile} profile requires an `expires` date on every waiver"));
            None
        }
        None => None,
    }
}

/// Parses a YYYY-MM-DD date value.
fn date(v: &mut Validator<'_>, d: &Spanned<DateValue>, key: &str) -> Option<Date> {
    let text = d.get_ref().as_text();
    match text.parse::<Date>() {
        Ok(date) if text.len() == 10 => Some(date),
        _ => {
            v.error(d, format!("invalid `{key}` date \"{text}\"; expected YYYY-MM-DD"));
            None
        }
    }
}

fn sbom(v: &mut Validator<'_>, raw: RawSbom) -> SbomPolicy {
    let text = |s: Option<Spanned<String>>, v: &mut Validator<'_>, key: &str| {
        let s = s?;
        if s.get_ref().trim().is_empty() {
            v.error(&s, format!("`sbom.{key}` is empty"));
            return None;
        }
        Some(s.into_inner().trim().to_owned())
    };
    SbomPolicy {
        product: text(raw.product, v, "product"),
        version: text(raw.version, v, "version"),
        manufacturer: text(raw.manufacturer, v, "manufacturer"),
        manufacturer_url: raw.manufacturer_url.and_then(|u| web_url(v, u, "manufacturer-url")),
        repository: raw.repository.and_then(|r| web_url(v, r, "repository")),
        authors: raw
            .authors
            .unwrap_or_default()
            .into_iter()
            .filter_map(|a| text(Some(a), v, "authors"))
            .collect(),
    }
}

/// An absolute http(s) URL (the SBOM's URL fields must validate as such), else an error.
fn web_url(v: &mut Validator<'_>, u: Spanned<String>, key: &str) -> Option<String> {
    let text = u.get_ref().trim();
    let web =
        url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if web {
        return Some(text.to_owned());
    }
    v.error(&u, format!("`sbom.{key}` must be an absolute http:// or https:// URL, not \"{}\"", u.get_ref()));
    None
}

fn support_rule(v: &mut Validator<'_>, entry: &Spanned<RawSupport>) -> Option<SupportRule> {
    let raw = entry.get_ref();
    let errors_before = v.errors.len();
    let patterns: Vec<glob::Pattern> = match &raw.packages {
        None => {
            v.error(entry, "`[[support]]` entry has no `packages`");
            Vec::new()
        }
        Some(list) => list
            .iter()
            .filter_map(|p| match glob::Pattern::new(p.get_ref()) {
                Ok(pattern) => Some(pattern),
                Err(e) => {
                    v.error(p, format!("invalid package pattern \"{}\": {e}", p.get_ref()));
                    None
                }
            })
            .collect(),
    };
    let level = raw.level.as_ref().and_then(|l| {
        let names: Vec<_> = SupportLevel::ALL.iter().map(|s| s.as_str()).collect();
        let name = v.one_of(l, "level", &names)?;
        SupportLevel::ALL.into_iter().find(|s| s.as_str() == name)
    });
    let end_of_support = raw.end_of_support.as_ref().and_then(|d| date(v, d, "end-of-support"));
    let text = |s: &Option<Spanned<String>>| {
        s.as_ref().map(|j| j.get_ref().trim().to_owned()).filter(|j| !j.is_empty())
    };
    let justification = text(&raw.justification);
    let assessed = raw.assessed.as_ref().and_then(|d| date(v, d, "assessed"));
    if raw.level.is_none() && justification.is_none() {
        v.error(
            entry,
            "`[[support]]` entry needs a `level`, or a `justification` saying why none can be given",
        );
    }
    (v.errors.len() == errors_before).then(|| SupportRule {
        patterns,
        level,
        end_of_support,
        justification,
        assessed,
        assessed_by: text(&raw.assessed_by),
        replacement_plan: text(&raw.replacement_plan),
        location: v.file.location(&entry.span()),
    })
}

fn package_scope(v: &mut Validator<'_>, p: &Spanned<String>) -> Option<PackageScope> {
    let text = p.get_ref();
    let (name, req) = match text.split_once('@') {
        Some((n, r)) => (n, Some(r)),
        None => (text.as_str(), None),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        v.error(p, format!("invalid package name \"{name}\" in `package`"));
        return None;
    }
    let req = match req.map(semver::VersionReq::parse) {
        None => None,
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            v.error(p, format!("invalid version requirement in `package = \"{text}\"`: {e}"));
            return None;
        }
    };
    Some(PackageScope { name: name.to_owned(), req })
}

/// Whether `id` looks like a RustSec, CVE or GHSA id.
pub fn is_advisory_id(id: &str) -> bool {
    let digits = |s: &str, min: usize| s.len() >= min && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = id.strip_prefix("RUSTSEC-").or_else(|| id.strip_prefix("CVE-")) {
        return rest
            .split_once('-')
            .is_some_and(|(year, n)| digits(year, 4) && year.len() == 4 && digits(n, 4));
    }
    if let Some(rest) = id.strip_prefix("GHSA-") {
        let parts: Vec<_> = rest.split('-').collect();
        return parts.len() == 3
            && parts.iter().all(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_ids() {
        assert!(is_advisory_id("RUSTSEC-2020-0071"));
        assert!(is_advisory_id("CVE-2023-4863"));
        assert!(is_advisory_id("GHSA-j7hp-h8jx-5ppr"));
        assert!(!is_advisory_id("RUSTSEC-20-0071"));
        assert!(!is_advisory_id("rustsec-2020-0071"));
        assert!(!is_advisory_id("GHSA-j7hp-h8jx"));
    }
}
