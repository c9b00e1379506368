//! Reading one crate's file of a sparse index, over HTTP(S) or from a local directory: every
//! published version with its yanked flag and, where the index gives it, its publication time
//! (`pubtime`).

use super::cache::{Cache, Entry};
use anyhow::{Context as _, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;
use url::Url;

/// The crates.io sparse index.
pub const DEFAULT_INDEX: &str = "https://index.crates.io/";

/// The environment variable that names another index: a mirror, or a local copy (`file://`).
pub const INDEX_URL_VAR: &str = "CARGO_SPDF_INDEX_URL";

/// Time allowed to connect to the index.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Time allowed for one whole request, body included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// What the index says about one published version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct VersionEntry {
    /// Whether it is yanked.
    pub yanked: bool,
    /// When it was published (RFC 3339, as the index writes it), when the index says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubtime: Option<String>,
}

/// Every version of a crate, by version string.
pub type Versions = BTreeMap<String, VersionEntry>;

/// What the index holds for a crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// Every published version, with whether it is yanked and when it was published.
    Versions(Versions),
    /// The index has no file for the crate.
    NotFound,
}

/// The index named by `CARGO_SPDF_INDEX_URL`, else crates.io's.
pub fn index_url() -> anyhow::Result<Url> {
    match std::env::var(INDEX_URL_VAR) {
        Ok(v) if !v.trim().is_empty() => parse_index_url(&v),
        _ => parse_index_url(DEFAULT_INDEX),
    }
}

/// Parses an index URL: `http://`, `https://` or `file://`, with cargo's `sparse+` prefix
/// allowed; the path always ends in `/` so that crate paths join below it.
fn parse_index_url(text: &str) -> anyhow::Result<Url> {
    let text = text.trim();
    let text = text.strip_prefix("sparse+").unwrap_or(text);
    let mut url = Url::parse(text).with_context(|| format!("{INDEX_URL_VAR} is not a valid URL: {text}"))?;
    if !matches!(url.scheme(), "http" | "https" | "file") {
        bail!("{INDEX_URL_VAR} must be an http://, https:// or file:// URL, not {text}");
    }
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url)
}

/// Whether reading the index uses the network.
pub fn is_remote(url: &Url) -> bool {
    url.scheme() != "file"
}

/// Where a crate's file is in a sparse index: `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcdef`,
/// lower-cased. `None` for a name that is not a valid crate name (so no path can escape the
/// index).
pub fn index_path(name: &str) -> Option<String> {
    let valid = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if name.is_empty() || !valid {
        return None;
    }
    let name = name.to_ascii_lowercase();
    Some(match name.len() {
        1 => format!("1/{name}"),
        2 => format!("2/{name}"),
        3 => format!("3/{}/{name}", &name[..1]),
        _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
    })
}

/// One line of an index file; other fields are not needed.
#[derive(Deserialize)]
struct IndexLine {
    vers: String,
    #[serde(default)]
    yanked: bool,
    #[serde(default)]
    pubtime: Option<String>,
}

/// The versions of an index file, each with its yanked flag and publication time. A line that
/// cannot be parsed makes the whole file unusable: a version could be missing from the answer.
/// A `pubtime` that is not a timestamp is left out (the version's date is then unknown).
fn parse(text: &str) -> Result<Versions, String> {
    let lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    lines
        .map(|(i, line)| {
            serde_json::from_str::<IndexLine>(line)
                .map(|l| {
                    let pubtime = l.pubtime.filter(|t| t.parse::<jiff::Timestamp>().is_ok());
                    (l.vers, VersionEntry { yanked: l.yanked, pubtime })
                })
                .map_err(|e| format!("line {} of the index file cannot be parsed: {e}", i + 1))
        })
        .collect()
}

/// A sparse index, ready to read.
pub struct Index {
    kind: Kind,
    /// Set by the first request that cannot reach the index at all; later lookups give the
    /// same answer at once instead of each waiting for its own timeout.
    unreachable: OnceLock<String>,
}

enum Kind {
    Dir(PathBuf),
    Http { agent: ureq::Agent, base: Url, cache: Option<Cache> },
}

impl Index {
    /// Opens the index at `url`; a `file://` index must be an existing directory.
    pub fn open(url: &Url, cache: Option<Cache>) -> anyhow::Result<Self> {
        let kind = if is_remote(url) {
            Kind::Http { agent: agent(), base: url.clone(), cache }
        } else {
            let dir = url
                .to_file_path()
                .ok()
                .with_context(|| format!("{INDEX_URL_VAR}: {url} is not a local path"))?;
            if !dir.is_dir() {
                bail!("{INDEX_URL_VAR}: the index directory {} does not exist", dir.display());
            }
            Kind::Dir(dir)
        };
        Ok(Index { kind, unreachable: OnceLock::new() })
    }

    /// What the index holds for `name`; `Err` says why it could not be read.
    pub fn fetch(&self, name: &str) -> Result<Fetched, String> {
        let Some(path) = index_path(name) else {
            return Err(format!("\"{name}\" is not a valid crate name"));
        };
        match &self.kind {
            Kind::Dir(dir) => read_file(&dir.join(&path)),
            Kind::Http { agent, base, cache } => {
                if let Some(error) = self.unreachable.get() {
                    return Err(error.clone());
                }
                self.fetch_http(agent, base, cache.as_ref(), &path)
            }
        }
    }

    /// What the cache holds for `name`, whatever its age (`None` for a `file://` index, which is
    /// not cached, or when nothing usable is cached).
    pub fn cached(&self, name: &str) -> Option<Entry> {
        let path = index_path(name)?;
        match &self.kind {
            Kind::Http { cache: Some(cache), .. } => cache.read(&path),
            _ => None,
        }
    }

    /// A fresh cache entry, else a (conditional) request; a new answer is cached.
    fn fetch_http(
        &self,
        agent: &ureq::Agent,
        base: &Url,
        cache: Option<&Cache>,
        path: &str,
    ) -> Result<Fetched, String> {
        let cached = cache.and_then(|c| c.read(path));
        if let Some(entry) = cached.as_ref().filter(|e| cache.is_some_and(|c| c.is_fresh(e))) {
            return Ok(Fetched::Versions(entry.versions.clone()));
        }
        let url = base.join(path).map_err(|e| format!("{base}{path}: {e}"))?;
        let answer = self.request_with_retries(agent, &url, cached)?;
        match answer {
            Answer::Entry(entry) => {
                if let Some(cache) = cache {
                    cache.write(path, &entry);
                }
                Ok(Fetched::Versions(entry.versions))
            }
            Answer::NotFound => Ok(Fetched::NotFound),
        }
    }
}

impl Index {
    /// A request, tried up to three times when the index cannot be reached (a transient name
    /// resolution or connection failure), before every later lookup is told it is unreachable.
    fn request_with_retries(
        &self,
        agent: &ureq::Agent,
        url: &Url,
        cached: Option<Entry>,
    ) -> Result<Answer, String> {
        let mut attempt = 0;
        loop {
            match request(agent, url, cached.clone()) {
                Ok(answer) => return Ok(answer),
                Err(Failure::Other(error)) => return Err(error),
                Err(Failure::Unreachable(error)) => {
                    if let Some(known) = self.unreachable.get() {
                        return Err(known.clone());
                    }
                    if attempt == 2 {
                        return Err(self.unreachable.get_or_init(|| error).clone());
                    }
                    std::thread::sleep(std::time::Duration::from_millis(250 * 4u64.pow(attempt)));
                    attempt += 1;
                }
            }
        }
    }
}

/// An HTTP client with timeouts, that hands back every status code to be judged here. TLS
/// trusts the system's certificate store, as cargo does, so that a site's own certificate
/// authority (a TLS-inspecting proxy, an internal mirror) works as it does for cargo.
fn agent() -> ureq::Agent {
    let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::PlatformVerifier).build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(REQUEST_TIMEOUT))
        .http_status_as_error(false)
        .user_agent(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// A local index file.
fn read_file(file: &std::path::Path) -> Result<Fetched, String> {
    match std::fs::read_to_string(file) {
        Ok(text) => parse(&text)
            .map(Fetched::Versions)
            .map_err(|e| format!("the index could not be read: {}: {e}", file.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Fetched::NotFound),
        Err(e) => Err(format!("the index could not be read: {}: {e}", file.display())),
    }
}

/// What a request gave.
enum Answer {
    /// The crate's versions, with the validators to revalidate them later.
    Entry(Entry),
    /// 404 or 410: no such crate in the index.
    NotFound,
}

/// Why a request gave nothing.
enum Failure {
    /// The index cannot be reached at all (name resolution, connection, timeout).
    Unreachable(String),
    /// This one request failed.
    Other(String),
}

/// GETs one index file, conditionally when a cached entry has validators; a 304 keeps the
/// cached versions.
fn request(agent: &ureq::Agent, url: &Url, cached: Option<Entry>) -> Result<Answer, Failure> {
    let mut req = agent.get(url.as_str());
    if let Some(etag) = cached.as_ref().and_then(|e| e.etag.as_deref()) {
        req = req.header("If-None-Match", etag);
    }
    if let Some(date) = cached.as_ref().and_then(|e| e.last_modified.as_deref()) {
        req = req.header("If-Modified-Since", date);
    }
    let mut response = req.call().map_err(|e| transport_failure(url, e))?;
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (etag, last_modified) = (header("etag"), header("last-modified"));
    match (response.status().as_u16(), cached) {
        (304, Some(entry)) => {
            Ok(Answer::Entry(Entry::now(entry.versions, etag.or(entry.etag), last_modified)))
        }
        (200, _) => {
            let text = response.body_mut().read_to_string().map_err(|e| transport_failure(url, e))?;
            let versions = parse(&text)
                .map_err(|e| Failure::Other(format!("the index could not be read: {url}: {e}")))?;
            Ok(Answer::Entry(Entry::now(versions, etag, last_modified)))
        }
        (404 | 410, _) => Ok(Answer::NotFound),
        (status, _) => {
            Err(Failure::Other(format!("the index could not be read: {url}: HTTP status {status}")))
        }
    }
}

/// Classifies a transport error: one that says the index cannot be reached stops the others.
fn transport_failure(url: &Url, error: ureq::Error) -> Failure {
    match error {
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::Timeout(_)
        | ureq::Error::Io(_) => Failure::Unreachable(format!(
            "the index could not be reached ({}): {error}",
            url.origin().ascii_serialization()
        )),
        _ => Failure::Other(format!("the index could not be read: {url}: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_sparse_layout() {
        assert_eq!(index_path("a").as_deref(), Some("1/a"));
        assert_eq!(index_path("ab").as_deref(), Some("2/ab"));
        assert_eq!(index_path("abc").as_deref(), Some("3/a/abc"));
        assert_eq!(index_path("Serde_Json").as_deref(), Some("se/rd/serde_json"));
        assert_eq!(index_path("../etc"), None);
        assert_eq!(index_path(""), None);
    }

    #[test]
    fn urls() {
        assert_eq!(
            parse_index_url("sparse+https://example.org/index").unwrap().as_str(),
            "https://example.org/index/"
        );
        assert_eq!(parse_index_url(DEFAULT_INDEX).unwrap().as_str(), DEFAULT_INDEX);
        assert!(parse_index_url("ftp://example.org/").is_err());
        assert!(parse_index_url("not a url").is_err());
        assert!(!is_remote(&parse_index_url("file:///srv/index").unwrap()));
    }

    #[test]
    fn index_lines() {
        let text = "{\"name\":\"a\",\"vers\":\"1.0.0\",\"yanked\":false,\"pubtime\":\"2021-03-04T05:06:07Z\"}\n\n{\"name\":\"a\",\"vers\":\"1.1.0\",\"yanked\":true,\"v\":2,\"pubtime\":\"last week\"}\n";
        let entry =
            |yanked, pubtime: Option<&str>| VersionEntry { yanked, pubtime: pubtime.map(str::to_owned) };
        assert_eq!(
            parse(text).unwrap(),
            [
                ("1.0.0".to_owned(), entry(false, Some("2021-03-04T05:06:07Z"))),
                ("1.1.0".to_owned(), entry(true, None))
            ]
            .into()
        );
        assert!(parse("{\"name\":\"a\"}\n").unwrap_err().contains("line 1"));
    }
}
