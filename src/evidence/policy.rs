//! `spdf.toml` in the bundle: a copy of the policy in force at release, so that the version can
//! be held to that same policy later (`cargo spdf monitor`), long after the source tree is gone.
//! A policy written as `[workspace.metadata.spdf]` in `Cargo.toml` is recorded as that table,
//! written out as a policy file; the built-in profile needs no copy (provenance names it).

use crate::policy::Origin;
use anyhow::{Context as _, bail};
use std::path::Path;

/// The bytes of the bundle's `spdf.toml`, or `None` under the built-in profile. The file read
/// must be the one the check used (same SHA-256), or the bundle would record another policy.
pub fn recorded(root: &Path, origin: &Origin) -> anyhow::Result<Option<Vec<u8>>> {
    let (path, sha256) = match origin {
        Origin::BuiltIn => return Ok(None),
        Origin::File { path, sha256 } | Origin::Manifest { path, sha256 } => (root.join(path), sha256),
    };
    let shown = crate::paths::display(&path);
    let text = crate::fsread::read_to_string(&path, crate::fsread::limit::CONFIG)
        .with_context(|| format!("cannot read the policy {shown} to record it in the bundle"))?;
    if crate::digest::sha256_hex(text.as_bytes()) != *sha256 {
        bail!("{shown} changed while the bundle was being made; run again");
    }
    match origin {
        Origin::Manifest { .. } => manifest_table(&text, &shown).map(Some),
        _ => Ok(Some(text.into_bytes())),
    }
}

/// The `[workspace.metadata.spdf]` (or `[package.metadata.spdf]`) table as a policy file.
fn manifest_table(text: &str, shown: &str) -> anyhow::Result<Vec<u8>> {
    let manifest: toml::Table = text.parse().with_context(|| format!("{shown} is not valid TOML"))?;
    let table = ["workspace", "package"]
        .into_iter()
        .find_map(|key| manifest.get(key)?.get("metadata")?.get("spdf")?.as_table().cloned())
        .with_context(|| format!("{shown} has no [workspace.metadata.spdf] table"))?;
    let body = toml::to_string(&table).with_context(|| format!("cannot write the policy of {shown}"))?;
    Ok(format!("# The [workspace.metadata.spdf] table of {shown}, in force for this release.\n{body}")
        .into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_file_is_copied_and_a_manifest_table_written_out() {
        let dir = tempfile::tempdir().unwrap();
        let text = "profile = \"medical\"\n";
        std::fs::write(dir.path().join("spdf.toml"), text).unwrap();
        let file =
            Origin::File { path: "spdf.toml".into(), sha256: crate::digest::sha256_hex(text.as_bytes()) };
        assert_eq!(recorded(dir.path(), &file).unwrap().unwrap(), text.as_bytes());
        let stale = Origin::File { path: "spdf.toml".into(), sha256: "0".repeat(64) };
        assert!(recorded(dir.path(), &stale).unwrap_err().to_string().contains("changed while"));
        let manifest = "[workspace]\nmembers = []\n\n[workspace.metadata.spdf]\nprofile = \"firmware\"\n";
        std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
        let origin = Origin::Manifest {
            path: "Cargo.toml".into(),
            sha256: crate::digest::sha256_hex(manifest.as_bytes()),
        };
        let copy = String::from_utf8(recorded(dir.path(), &origin).unwrap().unwrap()).unwrap();
        assert!(copy.ends_with("profile = \"firmware\"\n"), "{copy}");
        assert_eq!(recorded(dir.path(), &Origin::BuiltIn).unwrap(), None);
    }
}
