//! One file per subcommand: each resolves its settings, loads, runs the gates and renders.

pub mod check;
pub mod db;
pub mod evidence;
pub mod init;
pub mod monitor;
pub mod sbom;
pub mod verify;

use crate::cli::{ColorChoice, CommonArgs};
use crate::report::human::Verbosity;
use anyhow::Context as _;
use jiff::Timestamp;

/// Settings every subcommand resolves from the common flags and the environment.
#[derive(Debug, Clone)]
pub struct Env {
    /// Colour on stderr.
    pub color: bool,
    /// Detail of human output.
    pub verbosity: Verbosity,
    /// "Now": `SOURCE_DATE_EPOCH` when set (reproducible runs), else the clock.
    pub now: Timestamp,
    /// No network use.
    pub offline: bool,
}

impl Env {
    /// Resolves the common flags against `CARGO_TERM_COLOR`, `NO_COLOR` and `SOURCE_DATE_EPOCH`.
    pub fn resolve(common: &CommonArgs) -> anyhow::Result<Self> {
        Ok(Env {
            color: color(
                common.color,
                std::env::var("CARGO_TERM_COLOR").ok().as_deref(),
                std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            )?,
            verbosity: match (common.quiet, common.verbose) {
                (true, _) => Verbosity::Quiet,
                (false, 0) => Verbosity::Normal,
                (false, _) => Verbosity::Verbose,
            },
            now: now()?,
            offline: common.offline || common.frozen,
        })
    }
}

/// `--color` beats `CARGO_TERM_COLOR`; under `auto`, `NO_COLOR` or a non-terminal stderr turn colour off.
fn color(flag: Option<ColorChoice>, cargo_term_color: Option<&str>, no_color: bool) -> anyhow::Result<bool> {
    let choice = match (flag, cargo_term_color) {
        (Some(c), _) => c,
        (None, None) => ColorChoice::Auto,
        (None, Some(v)) => match v {
            "auto" | "" => ColorChoice::Auto,
            "always" => ColorChoice::Always,
            "never" => ColorChoice::Never,
            other => {
                anyhow::bail!("CARGO_TERM_COLOR must be auto, always or never, not \"{other}\"")
            }
        },
    };
    Ok(match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && console::Term::stderr().features().colors_supported(),
    })
}

/// `SOURCE_DATE_EPOCH` when set, else the system clock.
fn now() -> anyhow::Result<Timestamp> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            let secs: i64 = v
                .trim()
                .parse()
                .with_context(|| format!("SOURCE_DATE_EPOCH must be a number of seconds, not \"{v}\""))?;
            Timestamp::from_second(secs).with_context(|| format!("SOURCE_DATE_EPOCH {secs} is out of range"))
        }
        _ => Ok(Timestamp::now()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_flag_beats_environment() {
        assert!(color(Some(ColorChoice::Always), Some("never"), true).unwrap());
        assert!(!color(Some(ColorChoice::Never), Some("always"), false).unwrap());
        assert!(color(None, Some("always"), true).unwrap());
        assert!(!color(None, Some("never"), false).unwrap());
        assert!(!color(None, None, true).unwrap(), "NO_COLOR turns auto off");
        assert!(color(None, Some("sometimes"), false).is_err());
    }
}
