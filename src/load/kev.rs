//! Load: the CISA Known Exploited Vulnerabilities catalog (`known_exploited_vulnerabilities.json`).

use anyhow::{Context as _, bail};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One catalog entry, as much of it as the reports use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevEntry {
    /// When CISA added it (YYYY-MM-DD).
    pub date_added: String,
    /// What CISA requires federal agencies to do.
    pub required_action: String,
    /// The deadline CISA set.
    pub due_date: String,
    /// CISA's name for the vulnerability.
    pub name: String,
}

/// The catalog, indexed by CVE id.
#[derive(Debug, Clone)]
pub struct KevCatalog {
    /// Where it was read from.
    pub path: PathBuf,
    /// `catalogVersion`.
    pub version: String,
    /// `dateReleased`.
    pub released: String,
    /// Number of entries.
    pub count: usize,
    entries: HashMap<String, KevEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCatalog {
    catalog_version: String,
    #[serde(default)]
    date_released: String,
    vulnerabilities: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(default)]
    date_added: String,
    #[serde(default)]
    required_action: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    vulnerability_name: String,
}

/// Chooses the catalog: `--kev`, `CARGO_SPDF_KEV`, then the policy's `kev.catalog` (the
/// operator beats the inspected repository's policy).
pub fn locate(flag: Option<&Path>, policy: Option<&Path>) -> Option<PathBuf> {
    flag.map(crate::paths::absolute)
        .or_else(|| {
            std::env::var_os("CARGO_SPDF_KEV")
                .filter(|v| !v.is_empty())
                .map(|v| crate::paths::absolute(Path::new(&v)))
        })
        .or_else(|| policy.map(Path::to_path_buf))
}

impl KevCatalog {
    /// Reads a catalog; a missing or malformed file is an error naming it (and the line).
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let shown = crate::paths::display(path);
        let bytes = crate::fsread::read(path, crate::fsread::limit::KEV)
            .with_context(|| format!("cannot read the KEV catalog {shown}"))?;
        Self::parse(path, &bytes)
    }

    /// Parses a catalog's bytes; `path` names it in errors.
    pub fn parse(path: &Path, bytes: &[u8]) -> anyhow::Result<Self> {
        let shown = crate::paths::display(path);
        let raw: RawCatalog = serde_json::from_slice(bytes).map_err(|e| {
            anyhow::anyhow!("{shown}:{}:{}: not a CISA KEV catalog: {e}", e.line(), e.column())
        })?;
        if raw.catalog_version.trim().is_empty() {
            bail!("{shown}: the KEV catalog has no catalogVersion");
        }
        let count = raw.vulnerabilities.len();
        if count == 0 {
            bail!(
                "{shown}: the KEV catalog lists no vulnerabilities, so it cannot tell a known exploited one; point at CISA's known_exploited_vulnerabilities.json"
            );
        }
        let entries = raw
            .vulnerabilities
            .into_iter()
            .map(|e| {
                let entry = KevEntry {
                    date_added: e.date_added,
                    required_action: e.required_action,
                    due_date: e.due_date,
                    name: e.vulnerability_name,
                };
                (e.cve_id.trim().to_ascii_uppercase(), entry)
            })
            .collect();
        Ok(KevCatalog {
            path: path.to_path_buf(),
            version: raw.catalog_version,
            released: raw.date_released,
            count,
            entries,
        })
    }

    /// The entry for a CVE id, if the catalog lists it.
    pub fn get(&self, cve: &str) -> Option<&KevEntry> {
        self.entries.get(&cve.to_ascii_uppercase())
    }

    /// The first of `ids` the catalog lists, with its entry.
    pub fn find<'a>(&self, ids: impl IntoIterator<Item = &'a String>) -> Option<(&'a str, &KevEntry)> {
        ids.into_iter().find_map(|id| self.get(id).map(|e| (id.as_str(), e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_cisa_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kev.json");
        std::fs::write(&path, r#"{"title":"t","catalogVersion":"2025.08.25","dateReleased":"2025-08-25T17:04:19Z","count":1,"vulnerabilities":[{"cveID":"CVE-2023-4863","vendorProject":"Google","product":"Skia","vulnerabilityName":"Google Chromium WebP Heap-Based Buffer Overflow","dateAdded":"2023-09-13","shortDescription":"x","requiredAction":"Apply mitigations per vendor instructions.","dueDate":"2023-10-04","knownRansomwareCampaignUse":"Unknown","notes":"","cwes":[]}]}"#).unwrap();
        let kev = KevCatalog::load(&path).unwrap();
        assert_eq!((kev.version.as_str(), kev.count), ("2025.08.25", 1));
        assert_eq!(kev.get("cve-2023-4863").unwrap().date_added, "2023-09-13");
        std::fs::write(&path, "{\n  \"catalogVersion\": 5\n}").unwrap();
        let err = KevCatalog::load(&path).unwrap_err().to_string();
        assert!(err.contains("kev.json:2:"), "{err}");
    }
}
