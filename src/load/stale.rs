//! Whether `Cargo.lock` still locks what the manifests declare, decided without cargo (which
//! would rewrite the file to find out): every member has its entry, every dependency a member
//! declares is among its entry's dependencies at a version the requirement accepts, and every
//! dependency an entry lists has an entry. `cargo metadata --locked` has the last word where it
//! can run (see [`super::metadata::Failure::Stale`]); this check also covers runs where it
//! cannot, and says what is out of date.

use super::lockfile::Lock;
use super::manifests::{DeclaredDep, Manifest};

/// One way the lockfile is out of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// What cargo would have to change.
    pub message: String,
    /// The lockfile line it concerns, when there is one.
    pub line: Option<usize>,
}

/// Everything that is out of date, in a stable order.
pub fn check(lock: &Lock, members: &[Manifest]) -> Vec<Stale> {
    if lock.packages.is_empty() && !members.is_empty() {
        return vec![Stale {
            message: format!(
                "Cargo.lock locks no packages, but the workspace has {} member{}",
                members.len(),
                if members.len() == 1 { "" } else { "s" }
            ),
            line: None,
        }];
    }
    let mut out = Vec::new();
    for member in members {
        out.extend(member_entry(lock, member));
    }
    for d in &lock.dangling {
        let from = &lock.packages[d.from];
        out.push(Stale {
            message: format!(
                "the entry of {} lists the dependency `{}`, which has no entry of its own",
                from.label(),
                d.spec
            ),
            line: Some(from.line),
        });
    }
    out
}

/// The member's own entry, and its declared dependencies in it.
fn member_entry(lock: &Lock, member: &Manifest) -> Vec<Stale> {
    let version = member.version.clone().unwrap_or_else(|| semver::Version::new(0, 0, 0));
    let entry = lock.named(&member.name).find(|(_, p)| p.source.is_none() && p.version == version);
    let Some((_, entry)) = entry else {
        return vec![Stale {
            message: format!("workspace member {} {version} has no entry", member.name),
            line: None,
        }];
    };
    let mut out = Vec::new();
    let mut reported = std::collections::BTreeSet::new();
    for dep in &member.deps {
        if !reported.insert((&dep.name, dep.kind)) {
            continue;
        }
        let locked: Vec<&super::lockfile::LockedPackage> =
            entry.deps.iter().map(|&i| &lock.packages[i]).filter(|p| p.name == dep.name).collect();
        if let Some(problem) = unlocked(dep, &locked) {
            out.push(Stale { message: format!("member {} {problem}", member.name), line: Some(entry.line) });
        }
    }
    out
}

/// What is wrong with one declared dependency, if anything.
fn unlocked(dep: &DeclaredDep, locked: &[&super::lockfile::LockedPackage]) -> Option<String> {
    if locked.is_empty() {
        let req = dep.req.as_ref().map(|r| format!(" = \"{r}\"")).unwrap_or_default();
        return Some(format!("declares `{}{req}`, which its Cargo.lock entry does not list", dep.name));
    }
    let req = dep.req.as_ref().filter(|_| dep.path.is_none() && !dep.git)?;
    if locked.iter().any(|p| req.matches(&p.version)) {
        return None;
    }
    let versions: Vec<String> = locked.iter().map(|p| p.version.to_string()).collect();
    Some(format!("requires `{} = \"{req}\"`, but Cargo.lock locks {}", dep.name, versions.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::manifests::DepKind;
    use crate::toml_file::TomlFile;
    use std::path::Path;

    fn lock(text: &str) -> Lock {
        Lock::parse(&TomlFile::from_text(Path::new("/ws/Cargo.lock"), Path::new("/ws"), text.to_owned()))
            .unwrap()
    }

    fn member(deps: &[(&str, &str)]) -> Manifest {
        Manifest {
            name: "app".into(),
            version: Some(semver::Version::new(0, 1, 0)),
            deps: deps
                .iter()
                .map(|(n, r)| DeclaredDep {
                    name: (*n).into(),
                    req: Some(semver::VersionReq::parse(r).unwrap()),
                    path: None,
                    git: false,
                    kind: DepKind::Normal,
                })
                .collect(),
            ..Manifest::default()
        }
    }

    const LOCK: &str = "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\"]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.100\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

    #[test]
    fn a_lockfile_in_step_with_its_manifests_is_not_stale() {
        assert_eq!(check(&lock(LOCK), &[member(&[("serde", "1")])]), []);
    }

    #[test]
    fn an_added_dependency_a_raised_requirement_a_removed_entry_and_an_empty_file() {
        let stale = check(&lock(LOCK), &[member(&[("serde", "1"), ("rand", "0.8")])]);
        assert_eq!(
            stale[0].message,
            "member app declares `rand = \"^0.8\"`, which its Cargo.lock entry does not list"
        );
        let stale = check(&lock(LOCK), &[member(&[("serde", "1.0.200")])]);
        assert_eq!(
            stale[0].message,
            "member app requires `serde = \"^1.0.200\"`, but Cargo.lock locks 1.0.100"
        );
        let removed = lock(
            "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\"]\n",
        );
        let stale = check(&removed, &[member(&[("serde", "1")])]);
        assert!(
            stale.iter().any(|s| s.message.contains("lists the dependency `serde`, which has no entry")),
            "{stale:?}"
        );
        assert!(check(&lock(""), &[member(&[])])[0].message.starts_with("Cargo.lock locks no packages"));
    }
}
