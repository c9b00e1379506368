//! KEV: advisories whose CVE is in CISA's Known Exploited Vulnerabilities catalog. Each is also a
//! `kev` finding (deny in every profile by default): the FDA expects known exploited
//! vulnerabilities to be designed out. Every advisory finding records whether it is in the catalog.

use super::Ctx;
use crate::finding::{Code, Finding, Level};
use crate::load::kev::KevCatalog;
use crate::policy::{AdvisoryKind, Profile, Stage};

/// Marks advisory findings with their KEV membership and adds a `kev` finding for each listed
/// one; without a catalog, says so (and fails at the release stage).
pub fn apply(findings: &mut Vec<Finding>, ctx: &Ctx<'_>, kev: Option<&KevCatalog>) {
    let Some(catalog) = kev else {
        findings.extend(not_run(ctx));
        return;
    };
    let level =
        if ctx.policy.advisories.deny.contains(&AdvisoryKind::Kev) { Level::Deny } else { Level::Warn };
    let mut added = Vec::new();
    for f in findings.iter_mut() {
        let Some(advisory) = f.advisory.as_mut() else { continue };
        let listed = catalog.find(&advisory.aliases).or_else(|| catalog.find([&advisory.id]));
        advisory.kev = Some(listed.is_some());
        let Some((cve, entry)) = listed else { continue };
        let mut kev = Finding::new(
            Code::Kev,
            level,
            format!(
                "{}: {} ({cve}) is in CISA's Known Exploited Vulnerabilities catalog since {}: {}",
                f.package.as_ref().map(|p| format!("{} {}", p.name, p.version)).unwrap_or_default(),
                advisory.id,
                entry.date_added,
                entry.name
            ),
        )
        .help(format!("CISA's required action: {}", entry.required_action))
        .help("the FDA expects known exploited vulnerabilities to be designed out: upgrade or remove the component first");
        kev.package = f.package.clone();
        kev.advisory = Some(advisory.clone());
        kev.location = f.location.clone();
        added.push(kev);
    }
    findings.extend(added);
}

/// Without a catalog: nothing under baseline before release; a note-like warning under the
/// medical and firmware profiles; a deny finding at the release stage.
fn not_run(ctx: &Ctx<'_>) -> Option<Finding> {
    let level = match (ctx.stage, ctx.policy.profile) {
        (Stage::Release, _) => Level::Deny,
        (_, Profile::Medical | Profile::Firmware) => Level::Warn,
        (_, Profile::Baseline) => return None,
    };
    Some(
        Finding::new(Code::Kev, level, "the KEV check did not run: no CISA Known Exploited Vulnerabilities catalog was given")
            .help("pass --kev known_exploited_vulnerabilities.json, set [kev] catalog in spdf.toml, or set CARGO_SPDF_KEV")
            .at(None),
    )
}
