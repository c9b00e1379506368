//! `cargo spdf db fetch|info`, and the fetch of a missing default database that `check` and
//! `sbom` do before they open it.
//!
//! The database is found as `check` finds it: `--db`, the policy's `advisories.db` (when there
//! is a workspace with a policy), `CARGO_SPDF_DB`, then `$CARGO_HOME/advisory-db`. It is fetched
//! by running the `git` command-line tool (the `fetch` feature, on by default), which honours the
//! user's git configuration (proxies, credentials, `url.<base>.insteadOf`) and works with local
//! mirrors, the way air-gapped sites keep a copy. The URL is `--url`, else `CARGO_SPDF_DB_URL`,
//! else the origin of an existing checkout, else [`DEFAULT_URL`].
//!
//! A missing database is fetched automatically only when it is missing from the default
//! location and neither `--offline` nor `--frozen` is given ([`fetch_if_missing`]): a database
//! the user named (`--db`, the policy, `CARGO_SPDF_DB`) that is missing is an error, never a fetch.
//!
//! ## `db info --format json`
//!
//! One object on stdout:
//!
//! | key | value |
//! |---|---|
//! | `schema` | `"cargo-spdf/db-info/v1"` |
//! | `path` | the database directory |
//! | `source` | how it was found: `flag` (`--db`), `policy` (`advisories.db`), `env` (`CARGO_SPDF_DB`) or `default` |
//! | `commit` | the commit of a git checkout, else `null` |
//! | `digest` | the SHA-256 content digest of a plain directory (see [`crate::load::database`]), else `null` |
//! | `last_updated` | RFC 3339: the commit date, or for a plain directory the date of its newest advisory; `null` when unknown |
//! | `age_days` | whole days from `last_updated` to the run's "now" (`SOURCE_DATE_EPOCH` when set), or `null` |
//! | `advisories` | the number of advisory files (`crates/` and `rust/`) |

#[cfg(feature = "fetch")]
mod git;

use super::Env;
use crate::cli::{CommonArgs, DbArgs, DbCommand, DbInfoFormat};
use crate::exit;
use crate::load::database::{self, AdvisoryDb, DbLocation, DbSource, Identity};
use crate::load::workspace::Workspace;
use crate::policy::{self, Stage};
use crate::report::human::Verbosity;
use anyhow::Context as _;
use jiff::Timestamp;
use std::collections::BTreeSet;
use std::path::Path;

/// Where the database is cloned from when neither `--url` nor `CARGO_SPDF_DB_URL` names a URL
/// and there is no checkout to update.
pub const DEFAULT_URL: &str = "https://github.com/rustsec/advisory-db.git";

/// The environment variable that replaces [`DEFAULT_URL`] (a mirror, or in tests a local path).
pub const URL_VAR: &str = "CARGO_SPDF_DB_URL";

/// What to say after git failed to fetch.
#[cfg(feature = "fetch")]
const HINT: &str = "point at a local copy with --db DIR or CARGO_SPDF_DB, or fetch from a mirror \
                    with `cargo spdf db fetch --url URL`";

/// Runs `db fetch` or `db info`.
pub fn run(common: &CommonArgs, args: &DbArgs, env: &Env) -> anyhow::Result<u8> {
    match &args.command {
        DbCommand::Fetch { url } => {
            let location = locate(common)?;
            let url = url.clone().or_else(env_url);
            fetch_into(&location, url.as_deref(), env)?;
        }
        DbCommand::Info { format } => info(common, *format, env)?,
    }
    Ok(exit::OK)
}

/// Before `check` or `sbom` opens the database: when it is missing from the default location,
/// fetch it there, as cargo-audit does. Nothing happens for a database named with `--db`, the
/// policy or `CARGO_SPDF_DB`, under `--offline` or `--frozen`, or without the `fetch` feature;
/// opening the database then reports it missing.
pub fn fetch_if_missing(location: &DbLocation, common: &CommonArgs) -> anyhow::Result<()> {
    let wanted = location.source == DbSource::Default && !common.offline && !common.frozen;
    if !wanted || !cfg!(feature = "fetch") || !is_missing(&location.path) {
        return Ok(());
    }
    let env = Env::resolve(common)?;
    let shown = crate::paths::display(&location.path);
    let message =
        format!("the advisory database: none at {shown}, the default location (--offline prevents this)");
    status(&env, "Fetching", &message);
    fetch_into(location, env_url().as_deref(), &env).with_context(|| {
        format!("no advisory database at {shown} (the default location), and fetching it failed")
    })
}

/// A directory that does not exist or is empty.
fn is_missing(path: &Path) -> bool {
    !path.exists() || std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}

/// `CARGO_SPDF_DB_URL`, when set and not empty.
fn env_url() -> Option<String> {
    std::env::var(URL_VAR).ok().filter(|v| !v.trim().is_empty())
}

/// The database location as `check` finds it. The policy is read only when `--db` is not given,
/// and only when there is a workspace: `db` commands also run outside one.
fn locate(common: &CommonArgs) -> anyhow::Result<DbLocation> {
    if common.db.is_some() {
        return Ok(database::locate(common.db.as_deref(), None));
    }
    let named = common.manifest_path.is_some() || common.policy.is_some();
    let policy_db = match Workspace::locate(common.manifest_path.as_deref()) {
        Ok(ws) => {
            policy::load(&ws.root, &ws.manifest, common.policy.as_deref(), Stage::Local)?.policy.advisories.db
        }
        Err(_) if !named => None,
        Err(e) => return Err(e),
    };
    Ok(database::locate(None, policy_db.as_deref()))
}

/// Clones or updates the database at `location` and says what it now holds.
#[cfg(feature = "fetch")]
fn fetch_into(location: &DbLocation, url: Option<&str>, env: &Env) -> anyhow::Result<()> {
    git::fetch(&location.path, url, env)?;
    let db = AdvisoryDb::open(location, &BTreeSet::new())?;
    status(env, "Fetched", &summary(&db));
    Ok(())
}

/// Without the `fetch` feature there is no fetching: say how to provide the database instead.
#[cfg(not(feature = "fetch"))]
fn fetch_into(_location: &DbLocation, _url: Option<&str>, _env: &Env) -> anyhow::Result<()> {
    anyhow::bail!(
        "this cargo-spdf was built without the `fetch` feature and cannot fetch the advisory \
         database; clone {DEFAULT_URL} with git and point at it with --db DIR or CARGO_SPDF_DB"
    )
}

#[cfg(feature = "fetch")]
/// "PATH: commit 0123456789ab of 2025-06-01, 950 advisories".
fn summary(db: &AdvisoryDb) -> String {
    let date = db.last_updated.map(|t| format!(" of {}", t.strftime("%Y-%m-%d"))).unwrap_or_default();
    let id = match &db.identity {
        Identity::Git { commit } => format!("commit {}", short(commit)),
        Identity::Digest { sha256 } => format!("digest {}", short(sha256)),
    };
    format!("{}: {id}{date}, {} advisories", crate::paths::display(&db.path), db.advisory_count)
}

#[cfg(feature = "fetch")]
fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

/// A cargo-style status line on stderr ("    Fetched ..."), unless `-q`.
fn status(env: &Env, verb: &str, message: &str) {
    if env.verbosity == Verbosity::Quiet {
        return;
    }
    let verb = console::style(format!("{verb:>12}")).green().bold().force_styling(env.color);
    crate::output::write_stderr(format!("{verb} {message}\n").as_bytes());
}

/// `db info`: opens the database (exit 2 when it is missing, as for `check`) and describes it
/// on stdout.
fn info(common: &CommonArgs, format: DbInfoFormat, env: &Env) -> anyhow::Result<()> {
    let location = locate(common)?;
    let db = AdvisoryDb::open(&location, &BTreeSet::new())?;
    let text = match format {
        DbInfoFormat::Human => info_human(&db, location.source, env.now),
        DbInfoFormat::Json => {
            let mut text = serde_json::to_string_pretty(&info_json(&db, location.source, env.now))?;
            text.push('\n');
            text
        }
    };
    crate::output::write_stdout(text.as_bytes())
}

/// The `cargo-spdf/db-info/v1` object (see the module docs).
fn info_json(db: &AdvisoryDb, source: DbSource, now: Timestamp) -> serde_json::Value {
    let (commit, digest) = match &db.identity {
        Identity::Git { commit } => (Some(commit), None),
        Identity::Digest { sha256 } => (None, Some(sha256)),
    };
    serde_json::json!({
        "schema": "cargo-spdf/db-info/v1",
        "path": db.path.display().to_string(),
        "source": source_name(source),
        "commit": commit,
        "digest": digest,
        "last_updated": db.last_updated.map(|t| t.to_string()),
        "age_days": db.age_days(now),
        "advisories": db.advisory_count,
    })
}

fn info_human(db: &AdvisoryDb, source: DbSource, now: Timestamp) -> String {
    let found = match source {
        DbSource::Flag => "given with --db",
        DbSource::Policy => "named by advisories.db in the policy",
        DbSource::Env => "named by CARGO_SPDF_DB",
        DbSource::Default => "the default location, shared with cargo-audit",
    };
    let (identity, updated) = match &db.identity {
        Identity::Git { commit } => (format!("commit:       {commit}"), "commit date"),
        Identity::Digest { sha256 } => (format!("digest:       sha256 {sha256}"), "newest advisory"),
    };
    let updated = match (db.last_updated, db.age_days(now)) {
        (Some(t), Some(age)) => format!("{t} ({updated}), {}", age_phrase(age)),
        _ => "unknown".to_owned(),
    };
    format!(
        "path:         {}\nfound:        {found}\n{identity}\nlast updated: {updated}\nadvisories:   {}\n",
        db.path.display(),
        db.advisory_count
    )
}

fn age_phrase(days: i64) -> String {
    match days {
        ..0 => "in the future".to_owned(),
        0 => "today".to_owned(),
        1 => "1 day ago".to_owned(),
        n => format!("{n} days ago"),
    }
}

fn source_name(source: DbSource) -> &'static str {
    match source {
        DbSource::Flag => "flag",
        DbSource::Policy => "policy",
        DbSource::Env => "env",
        DbSource::Default => "default",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age_phrase(-1), "in the future");
        assert_eq!(age_phrase(0), "today");
        assert_eq!(age_phrase(1), "1 day ago");
        assert_eq!(age_phrase(30), "30 days ago");
    }

    #[test]
    fn an_empty_directory_counts_as_missing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(is_missing(dir.path()));
        assert!(is_missing(&dir.path().join("absent")));
        std::fs::write(dir.path().join("f"), "").unwrap();
        assert!(!is_missing(dir.path()));
    }
}
