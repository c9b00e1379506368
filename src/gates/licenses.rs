//! The licenses gate: each shipped component's licence expression against the allowed licences,
//! evaluated as SPDX expressions (`A OR B` needs either, `A AND B` both; `WITH` exceptions only
//! add permissions; deprecated identifiers such as `GPL-2.0` count as their current equivalent).

use super::Ctx;
use crate::finding::{Code, Finding, Level, Location};
use crate::graph::{Graph, Package, Source};
use crate::load::Loaded;
use crate::load::lockfile::Lock;
use crate::policy::LicensesPolicy;
use spdx::{Expression, LicenseId, LicenseItem, LicenseReq, ParseMode};

/// What the gate reads: the dependency graph (`cargo metadata`'s, or the lockfile's when it
/// could not run) and `Cargo.lock` (for locations).
pub struct Input<'a> {
    /// The graph.
    pub graph: &'a Graph,
    /// The lockfile.
    pub lock: &'a Lock,
}

impl<'a> Input<'a> {
    /// The gate's input.
    pub fn from_loaded(l: &'a Loaded) -> Result<Self, String> {
        Ok(Input {
            graph: l.graph.get().map_err(|e| super::missing("the dependency graph", e))?,
            lock: l.lock.get().map_err(|e| super::missing("Cargo.lock", e))?,
        })
    }
}

/// Runs the gate over the product's shipped components: the members that ship and what they pull
/// in at runtime (tool members, build-only dependencies and what only they pull in do not ship).
pub fn check(ctx: &Ctx<'_>, input: &Input<'_>) -> Vec<Finding> {
    let (graph, lock) = (input.graph, input.lock);
    let policy = &ctx.policy.licenses;
    let roots = graph.product_members(ctx.policy);
    let scope = crate::graph::scope::walk(graph, &roots, false);
    let mut out = Vec::new();
    // What ships: linked into the product (build-only dependencies and proc-macros run on the
    // build machine; the SBOM lists them with scope `excluded`).
    for (&i, _) in scope.included.iter().filter(|(_, usage)| usage.runtime) {
        let p = &graph.packages[i];
        if p.member && policy.exempt_members {
            continue;
        }
        let at = match &p.source {
            Source::Path { dir } => Location { file: format!("{dir}/Cargo.toml"), line: None },
            _ => lock.location(&p.name, &p.version.to_string()),
        };
        out.extend(evaluate(p, policy).map(|f| f.at(Some(at))));
    }
    out
}

fn evaluate(p: &Package, policy: &LicensesPolicy) -> Option<Finding> {
    let version = p.version.to_string();
    let unknown_level = if policy.allow.is_some() { Level::Deny } else { Level::Warn };
    if let Some(reason) = &p.unread {
        // Not a licence the package lacks but one the gate could not read: fail closed.
        return Some(unknown(p, Level::Deny, format!("has a licence that could not be read: {reason}")));
    }
    let Some(text) = &p.license else {
        let what = match &p.license_file {
            Some(file) => format!("declares only a licence file ({file}), no SPDX expression"),
            None => "declares no licence".to_owned(),
        };
        return Some(unknown(p, unknown_level, what));
    };
    let expr = match Expression::parse_mode(text, ParseMode::LAX) {
        Ok(e) => e,
        Err(e) => {
            return Some(unknown(
                p,
                unknown_level,
                format!("has a licence that is not an SPDX expression (\"{text}\": {e})"),
            ));
        }
    };
    let allow = policy.allow.as_ref()?;
    if expr.evaluate(|req| allowed(req, allow)) {
        return None;
    }
    let names: Vec<&str> = allow.iter().map(|l| l.name).collect();
    let mut f = Finding::new(
        Code::LicenseNotAllowed,
        Level::Deny,
        format!(
            "{} {version}: its licence `{text}` is not satisfied by the allowed licences ({})",
            p.name,
            names.join(", ")
        ),
    )
    .package(&p.name, &version)
    .help(format!("replace `{}`, or add one of its licences to [licenses] allow after legal review", p.name));
    f.actual = Some(text.clone());
    f.required = Some(names.join(" | "));
    Some(f)
}

fn unknown(p: &Package, level: Level, what: String) -> Finding {
    let version = p.version.to_string();
    Finding::new(Code::LicenseUnknown, level, format!("{} {version} {what}", p.name))
        .package(&p.name, &version)
        .help(format!("find the licence terms of `{}` and record them, or replace it", p.name))
}

/// Whether one licence of an expression is allowed.
fn allowed(req: &LicenseReq, allow: &[LicenseId]) -> bool {
    let LicenseItem::Spdx { id, or_later } = &req.license else { return false };
    allow.iter().any(|a| *a == *id || current_equivalent(*id, *or_later).is_some_and(|eq| eq == *a))
}

/// A deprecated GNU identifier's current equivalent: `GPL-2.0` is `GPL-2.0-only`, `GPL-2.0+` is
/// `GPL-2.0-or-later` (likewise for LGPL, AGPL and GFDL).
fn current_equivalent(id: LicenseId, or_later: bool) -> Option<LicenseId> {
    if !id.is_deprecated() {
        return None;
    }
    let base = id.name.trim_end_matches('+');
    let suffix = if or_later || id.name.ends_with('+') { "-or-later" } else { "-only" };
    spdx::license_id(&format!("{base}{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(expr: &str, allow: &[&str]) -> bool {
        let allow: Vec<LicenseId> = allow.iter().map(|a| spdx::license_id(a).unwrap()).collect();
        Expression::parse_mode(expr, ParseMode::LAX).unwrap().evaluate(|r| allowed(r, &allow))
    }

    #[test]
    fn expressions_are_evaluated() {
        assert!(ok("MIT OR Apache-2.0", &["Apache-2.0"]));
        assert!(!ok("MIT AND Apache-2.0", &["Apache-2.0"]));
        assert!(ok("MIT AND Apache-2.0", &["MIT", "Apache-2.0"]));
        assert!(ok("Apache-2.0 WITH LLVM-exception", &["Apache-2.0"]));
        assert!(ok("MIT/Apache-2.0", &["MIT"]));
        assert!(ok("GPL-2.0", &["GPL-2.0-only"]));
        assert!(ok("GPL-2.0+", &["GPL-2.0-or-later"]));
        assert!(!ok("GPL-3.0-only", &["MIT", "Apache-2.0"]));
        assert!(!ok("(MIT OR Apache-2.0) AND Unicode-3.0", &["MIT"]));
    }
}
