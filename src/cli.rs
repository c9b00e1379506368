//! The command line, as clap derive types only. Resolving flags against the environment and
//! the policy happens in [`crate::cmd`].

use crate::finding::Gate;
use crate::policy::Stage;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `cargo spdf`: cargo invokes `cargo-spdf spdf ...`, so the top level is `cargo` with one subcommand.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::styling::Styles::styled())]
pub enum Cargo {
    /// Secure-development gating for Rust workspaces: RustSec advisories, SBOM, lints, evidence.
    Spdf(SpdfArgs),
}

/// Arguments after `cargo spdf`.
#[derive(Debug, Args)]
#[command(version, about, long_about = None)]
pub struct SpdfArgs {
    /// Options every subcommand takes.
    #[command(flatten)]
    pub common: CommonArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the workspace against the policy; exit 1 when it is violated.
    Check(CheckArgs),
    /// Write a CycloneDX SBOM of the product, with FDA support data and vulnerabilities (VEX).
    Sbom(SbomArgs),
    /// Fetch the advisory database with git, or describe the one in use.
    Db(DbArgs),
    /// Write a commented spdf.toml for a built-in profile at the workspace root.
    Init(InitArgs),
    /// Write the release evidence bundle (SBOM, VEX, reports, FDA addendum, provenance, SHA256SUMS).
    Evidence(EvidenceArgs),
    /// Check an evidence bundle's digests (and signature).
    Verify(VerifyArgs),
    /// Watch released versions: what is new since each evidence bundle (or SBOM) was made.
    Monitor(MonitorArgs),
}

/// `cargo spdf evidence`.
#[derive(Debug, Args, Clone)]
pub struct EvidenceArgs {
    /// The bundle directory to create.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace an existing bundle.
    #[arg(long)]
    pub force: bool,
    /// Lifecycle stage checked for.
    #[arg(long, value_enum, default_value = "release")]
    pub stage: Stage,
    /// Sign SHA256SUMS with this Ed25519 private key (PKCS#8 PEM), writing SHA256SUMS.sig.
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
}

/// `cargo spdf verify`.
#[derive(Debug, Args, Clone)]
pub struct VerifyArgs {
    /// The bundle directory.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Check SHA256SUMS.sig with this Ed25519 public key (PEM).
    #[arg(long, value_name = "PUBKEY")]
    pub key: Option<PathBuf>,
}

/// `cargo spdf monitor`.
#[derive(Debug, Args, Clone)]
#[command(group = clap::ArgGroup::new("inputs").required(true).multiple(true).args(["bundle", "bundles", "sbom"]))]
pub struct MonitorArgs {
    /// An evidence bundle of a released version (repeatable).
    #[arg(long, value_name = "DIR")]
    pub bundle: Vec<PathBuf>,
    /// Every evidence bundle below DIR, one per released version (repeatable).
    #[arg(long, value_name = "DIR")]
    pub bundles: Vec<PathBuf>,
    /// A CycloneDX SBOM (JSON or XML, 1.3 to 1.6), or a directory of them such as
    /// cargo-cyclonedx's one file per crate (repeatable).
    #[arg(long, value_name = "FILE")]
    pub sbom: Vec<PathBuf>,
    /// A CycloneDX VEX document whose assessments apply to the versions monitored (repeatable).
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Check each bundle's SHA256SUMS.sig with this Ed25519 public key (PEM).
    #[arg(long, value_name = "PUBKEY")]
    pub key: Option<PathBuf>,
    /// Start the 30- and 60-day clocks no earlier than this day (YYYY-MM-DD), e.g. the day
    /// monitoring began.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<jiff::civil::Date>,
    /// Also report end-of-support dates within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub within: u32,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: MonitorFormat,
    /// Write the report to FILE (atomically) instead of stdout (or stderr for the human report).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `monitor --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MonitorFormat {
    /// The summary table and what is new, for people, on stderr.
    Human,
    /// The cargo-spdf/monitor/v1 document.
    Json,
    /// SARIF 2.1.0, one result per item.
    Sarif,
    /// One row per product version and item, for a tracker.
    Csv,
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse().map_err(|e| format!("not a YYYY-MM-DD date ({e})"))
}

/// Options shared by every subcommand, cargo-style.
#[derive(Debug, Args, Clone, Default)]
pub struct CommonArgs {
    /// Path to Cargo.toml (default: found from the current directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Policy file (default: spdf.toml at the workspace root, else [workspace.metadata.spdf]).
    #[arg(long, global = true, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Advisory database directory (default: advisories.db, CARGO_SPDF_DB, ~/.cargo/advisory-db).
    #[arg(long, global = true, value_name = "DIR")]
    pub db: Option<PathBuf>,
    /// CISA KEV catalog, known_exploited_vulnerabilities.json (default: `[kev] catalog`, CARGO_SPDF_KEV).
    #[arg(long, global = true, value_name = "FILE")]
    pub kev: Option<PathBuf>,
    /// Do not use the network.
    #[arg(long, global = true)]
    pub offline: bool,
    /// Require Cargo.lock to be up to date (passed to cargo).
    #[arg(long, global = true)]
    pub locked: bool,
    /// Both --locked and --offline.
    #[arg(long, global = true)]
    pub frozen: bool,
    /// Print only what fails the gate.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print provenance and more detail.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Coloring: auto, always, never (default: CARGO_TERM_COLOR, else auto).
    #[arg(long, global = true, value_name = "WHEN")]
    pub color: Option<ColorChoice>,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// `cargo spdf check`.
#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// Lifecycle stage: selects the policy's `[stage.<name>]` table and the stage's rules.
    #[arg(long, value_enum, default_value = "local")]
    pub stage: Stage,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Write the report to FILE (atomically) instead of stdout (or stderr for the human report).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Run only this gate (repeatable; default: all).
    #[arg(long = "gate", value_enum, value_name = "NAME")]
    pub gates: Vec<Gate>,
    /// Also count the required lints' actual violations by running `cargo clippy` on the
    /// workspace (lints gate). Opt-in: it runs build scripts and compiles every member, twice.
    #[arg(long)]
    pub run_clippy: bool,
    /// Judge by the policy of this git revision (the branch a pull request merges into): the
    /// work tree's changes to spdf.toml are shown and reported as policy-weakened, not applied.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// The target clippy compiles for with --run-clippy, e.g. thumbv7em-none-eabihf (code under
    /// `cfg(target_arch = ...)` is only linted for its target).
    #[arg(long, value_name = "TRIPLE", requires = "run_clippy")]
    pub clippy_target: Option<String>,
}

/// `cargo spdf sbom`.
#[derive(Debug, Args, Clone)]
pub struct SbomArgs {
    /// Serialization.
    #[arg(long, value_enum, default_value = "json")]
    pub format: crate::sbom::cyclonedx::Format,
    /// CycloneDX version.
    #[arg(long, value_enum, default_value = "1.6")]
    pub spec_version: crate::sbom::cyclonedx::SpecVersion,
    /// Write to FILE instead of stdout (atomically).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Keep only what this target pulls in (e.g. thumbv7em-none-eabihf).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
    /// The workspace members that make up the product (repeatable; default: all members).
    #[arg(short = 'p', long = "package", value_name = "PACKAGE")]
    pub packages: Vec<String>,
    /// Also list dev-only dependencies (tests, examples, benches).
    #[arg(long)]
    pub include_dev: bool,
    /// Leave the vulnerabilities section out.
    #[arg(long, conflicts_with = "vex_only")]
    pub no_vulnerabilities: bool,
    /// Write the vulnerabilities alone (VEX), referring to the SBOM's components by BOM-Link.
    #[arg(long)]
    pub vex_only: bool,
    /// Features to activate (as cargo's --features).
    #[arg(short = 'F', long, value_name = "FEATURES", value_delimiter = ',')]
    pub features: Vec<String>,
    /// Activate all features.
    #[arg(long)]
    pub all_features: bool,
    /// Do not activate the default features.
    #[arg(long)]
    pub no_default_features: bool,
    /// Lifecycle stage whose policy tables apply (waivers, support data).
    #[arg(long, value_enum, default_value = "local")]
    pub stage: Stage,
}

/// `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Findings for people, on stderr.
    Human,
    /// The cargo-spdf/check/v1 document.
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps).
    Sarif,
    /// JUnit XML: one test suite per gate, for CI test reports.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// `cargo spdf db`.
#[derive(Debug, Args, Clone)]
pub struct DbArgs {
    /// What to do with the database.
    #[command(subcommand)]
    pub command: DbCommand,
}

/// `cargo spdf db fetch|info`.
#[derive(Debug, Subcommand, Clone)]
pub enum DbCommand {
    /// Clone the advisory database into its place (--db, advisories.db, CARGO_SPDF_DB, or
    /// ~/.cargo/advisory-db), or update it when it is already a git checkout.
    Fetch {
        /// Git URL or local path to fetch from (default: CARGO_SPDF_DB_URL, else the checkout's
        /// origin, else github.com/rustsec/advisory-db).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Show which database is used, where it was found, its commit or digest, age and size.
    Info {
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: DbInfoFormat,
    },
}

/// `db info --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DbInfoFormat {
    /// Lines for people.
    Human,
    /// The cargo-spdf/db-info/v1 object.
    Json,
}

/// `cargo spdf init`.
#[derive(Debug, Args, Clone)]
pub struct InitArgs {
    /// The built-in profile the policy starts from.
    #[arg(long, value_enum, default_value = "baseline")]
    pub profile: crate::policy::Profile,
    /// Replace an existing spdf.toml.
    #[arg(long)]
    pub force: bool,
    /// Import the ignored advisories, bans, licences and sources of .cargo/audit.toml (cargo-audit)
    /// and deny.toml (cargo-deny) into the new policy.
    #[arg(long)]
    pub import: bool,
}

/// Makes `cargo-spdf check` and `cargo spdf check` parse the same: cargo passes "spdf" as the
/// first argument, a direct call does not.
pub fn normalize_args(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    if args.get(1).is_none_or(|a| a != "spdf") {
        args.insert(1, "spdf".into());
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn verify_cli() {
        Cargo::command().debug_assert();
    }

    #[test]
    fn both_invocations_parse() {
        for argv in [vec!["cargo-spdf", "spdf", "check"], vec!["cargo-spdf", "check"]] {
            let args = normalize_args(argv.into_iter().map(Into::into).collect());
            let Cargo::Spdf(a) = Cargo::try_parse_from(args).unwrap();
            assert!(matches!(a.command, Command::Check(_)));
        }
    }
}
