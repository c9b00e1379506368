//! What the human report says about its inputs: the provenance block (`-v`) and the line before
//! the verdict.

use super::Out;
use crate::load::database::Identity;
use crate::policy::Origin;
use crate::report::{Report, TOOL_NAME, TOOL_VERSION};
use crate::text::inline;
use std::io;

/// "checked N locked packages against M advisories (database ..., D days old)".
pub fn inputs_line(report: &Report) -> Option<String> {
    let packages = report.workspace.packages?;
    let db = report.database.as_ref()?;
    let age = db.age_days.map(|a| format!(", {a} days old")).unwrap_or_default();
    let id = identity(&db.identity);
    let kev =
        report.kev.as_ref().map(|k| format!(" and KEV catalog {}", inline(&k.version))).unwrap_or_default();
    Some(format!("checked {packages} locked packages against {} advisories ({id}{age}){kev}", db.advisories))
}

/// Tool, workspace, policy, lockfile and database, for `-v`.
pub fn provenance(report: &Report, out: &mut Out<'_>) -> io::Result<()> {
    let policy = match &report.policy.origin {
        Origin::File { path, sha256 } | Origin::Manifest { path, sha256 } => {
            format!("{} (sha256 {})", inline(path), short(sha256))
        }
        Origin::BuiltIn => "none (built-in defaults)".to_owned(),
    };
    let dim = out.theme.dim.clone();
    writeln!(out.w, "{} {TOOL_NAME} {TOOL_VERSION}", dim.apply_to("tool:     "))?;
    writeln!(out.w, "{} {}", dim.apply_to("workspace:"), inline(&report.workspace.root))?;
    writeln!(
        out.w,
        "{} {policy}, profile {}, stage {}",
        dim.apply_to("policy:   "),
        report.policy.profile,
        report.stage.as_str()
    )?;
    if let Some(sha) = &report.workspace.lockfile_sha256 {
        let packages = report.workspace.packages.unwrap_or_default();
        writeln!(
            out.w,
            "{} Cargo.lock (sha256 {}), {packages} packages",
            dim.apply_to("lockfile: "),
            short(sha)
        )?;
    }
    if let Some(db) = &report.database {
        writeln!(
            out.w,
            "{} {} ({}{}), {} advisories; read the {} files of locked crates, left {} others unread",
            dim.apply_to("database: "),
            inline(&db.path),
            identity(&db.identity),
            db.age_days.map(|a| format!(", {a} days old")).unwrap_or_default(),
            db.advisories,
            db.files_read,
            db.advisories.saturating_sub(db.files_read)
        )?;
    }
    writeln!(out.w)
}

/// A database identity, shortened for people.
fn identity(id: &Identity) -> String {
    match id {
        Identity::Git { commit } => format!("commit {}", short(commit)),
        Identity::Digest { sha256 } => format!("digest {}", short(sha256)),
    }
}

/// The first 12 characters of a hex digest or commit id, escaped (they come from inputs).
fn short(hex: &str) -> String {
    inline(hex.get(..12).unwrap_or(hex)).into_owned()
}
