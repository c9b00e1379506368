#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod advisory_db;
pub mod cargo_config;
pub mod cli;
pub mod cmd;
pub mod digest;
pub mod evidence;
pub mod exit;
pub mod finding;
pub mod fsread;
pub mod gates;
pub mod graph;
pub mod kev;
pub mod lints;
pub mod lockfile;
pub mod members;
pub mod output;
pub mod paths;
pub mod policy;
pub mod project;
pub mod report;
pub mod sbom;
pub mod support;
pub mod toml_file;
pub mod vcs;
pub mod workspace;
pub mod yanked;

use cli::{Cargo, Command};

/// Parses the command line, runs the subcommand, and returns the exit code. Errors are
/// printed here, with their whole chain, and become exit code 2.
pub fn main_with_args(args: Vec<std::ffi::OsString>) -> u8 {
    let Cargo::Spdf(args) = match <Cargo as clap::Parser>::try_parse_from(cli::normalize_args(args)) {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { exit::TOOL_ERROR } else { exit::OK };
            let _ = e.print();
            return code;
        }
    };
    let result = cmd::Env::resolve(&args.common).and_then(|env| match &args.command {
        Command::Check(check) => cmd::check::run(&args.common, check, &env),
        Command::Sbom(sbom) => cmd::sbom::run(&args.common, sbom, &env),
        Command::Evidence(evidence) => cmd::evidence::run(&args.common, evidence, &env),
        Command::Verify(verify) => cmd::verify::run(verify, &env),
        Command::Db(db) => cmd::db::run(&args.common, db, &env),
        Command::Init(init) => cmd::init::run(&args.common, init, &env),
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            let color = console::colors_enabled_stderr() && std::env::var_os("NO_COLOR").is_none();
            let label = console::style("error:").red().bold().force_styling(color);
            output::write_stderr(format!("{label} {e:#}\n").as_bytes());
            exit::TOOL_ERROR
        }
    }
}
