#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

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
pub mod lints;
pub mod load;
pub mod members;
pub mod monitor;
pub mod output;
pub mod paths;
pub mod policy;
pub mod process;
pub mod report;
pub mod sbom;
pub mod support;
pub mod text;
pub mod toml_file;
pub mod upgrade;
pub mod vcs;

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
        Command::Monitor(monitor) => cmd::monitor::run(&args.common, monitor, &env),
        Command::Db(db) => cmd::db::run(&args.common, db, &env),
        Command::Init(init) => cmd::init::run(&args.common, init, &env),
    });
    // A metadata cache entry still being written is finished first (see load::metadata_cache).
    load::metadata_cache::finish_pending();
    match result {
        Ok(code) => code,
        Err(e) => {
            let color = console::colors_enabled_stderr() && std::env::var_os("NO_COLOR").is_none();
            let label = console::style("error:").red().bold().force_styling(color);
            // Errors quote inputs (file contents, cargo's output): each line escaped, so none
            // can recolour the terminal or pass for another line.
            let lines: Vec<String> = text::lines(&format!("{e:#}")).map(|l| l.into_owned()).collect();
            output::write_stderr(format!("{label} {}\n", lines.join("\n")).as_bytes());
            exit::TOOL_ERROR
        }
    }
}
