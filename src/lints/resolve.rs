//! The level a lint ends up at for one crate, from the flags cargo passes (the manifest's
//! `[lints]`, then rustflags) and the toolchain's default, following rustc's rules: later flags
//! win, except that `forbid` on the lint itself and `--force-warn` stick; a flag on a group applies
//! to its members; `-D warnings` turns what would warn into an error.

use super::LintLevel;
use super::toolchain::LintDb;
use crate::finding::Location;

/// Where a flag comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagSource {
    /// The manifest's `[lints]` table.
    Manifest,
    /// Extra rustflags (environment or `.cargo/config.toml`).
    Rustflags,
}

/// One lint flag, in the order rustc sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Normalized lint or group.
    pub lint: String,
    /// Level.
    pub level: LintLevel,
    /// `--force-warn`.
    pub force_warn: bool,
    /// Where it is set.
    pub location: Location,
    /// Which source.
    pub source: FlagSource,
}

/// How a lint's level was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecidedBy {
    /// The toolchain's default (for the crate's edition).
    Default,
    /// A flag.
    Flag(Flag),
}

/// A lint's level and what decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// The level.
    pub level: LintLevel,
    /// What decided it.
    pub by: DecidedBy,
}

/// The level `lint` ends up at from `flags` alone (no source attributes).
pub fn cli_level(flags: &[Flag], lint: &str, db: &LintDb, edition: &str) -> Decided {
    let mut decided = Decided { level: default_level(db, lint, edition), by: DecidedBy::Default };
    let mut sticky = false;
    for flag in flags {
        let applies = flag.lint == lint || (flag.lint != "warnings" && db.contains(&flag.lint, lint));
        if !applies || sticky {
            continue;
        }
        decided = Decided { level: flag.level, by: DecidedBy::Flag(flag.clone()) };
        sticky = flag.force_warn || (flag.level == LintLevel::Forbid && flag.lint == lint);
    }
    // `warnings` ignores the order: its last flag decides what happens to what would warn.
    if decided.level == LintLevel::Warn
        && !matches!(&decided.by, DecidedBy::Flag(f) if f.force_warn)
        && let Some(w) = flags.iter().rev().find(|f| f.lint == "warnings")
        && w.level != LintLevel::Warn
    {
        let level = if w.level >= LintLevel::Deny { LintLevel::Deny } else { LintLevel::Allow };
        decided = Decided { level, by: DecidedBy::Flag(w.clone()) };
    }
    decided
}

/// The level a requirement ends up at: for a lint, its own; for a group, that of its weakest
/// member (a group is in force only where each of its lints is), with the member's name.
pub fn requirement_level(
    flags: &[Flag],
    required: &str,
    db: &LintDb,
    edition: &str,
) -> (Decided, Option<String>) {
    let members = db.members(required);
    if members.len() <= 1 && members.first().is_none_or(|m| *m == required) {
        return (cli_level(flags, required, db, edition), None);
    }
    let mut weakest: Option<(Decided, &str)> = None;
    for member in members {
        let decided = cli_level(flags, member, db, edition);
        if weakest.as_ref().is_none_or(|(w, _)| decided.level < w.level) {
            weakest = Some((decided, member));
        }
    }
    match weakest {
        Some((decided, member)) => (decided, Some(member.to_owned())),
        None => (cli_level(flags, required, db, edition), None),
    }
}

/// Applies `--cap-lints`: nothing is above the cap.
pub fn capped(decided: Decided, cap: Option<&(LintLevel, Location)>) -> Decided {
    match cap {
        Some((level, at)) if *level < decided.level => Decided {
            level: *level,
            by: DecidedBy::Flag(Flag {
                lint: "--cap-lints".to_owned(),
                level: *level,
                force_warn: false,
                location: at.clone(),
                source: FlagSource::Rustflags,
            }),
        },
        _ => decided,
    }
}

/// Whether `lint` is forbidden by a flag on the lint itself, which no later flag or attribute
/// can lower (an `allow` attribute is then a compile error, not a silent override).
pub fn is_forbidden(flags: &[Flag], lint: &str) -> bool {
    flags.iter().any(|f| f.lint == lint && f.level == LintLevel::Forbid && !f.force_warn)
}

/// The toolchain's default, adjusted for the edition where the default changed with it.
pub fn default_level(db: &LintDb, lint: &str, edition: &str) -> LintLevel {
    let edition_2024 = edition >= "2024";
    match lint {
        "static_mut_refs" if edition_2024 => LintLevel::Deny,
        "unsafe_op_in_unsafe_fn" if edition_2024 => LintLevel::Warn,
        "missing_unsafe_on_extern" | "unsafe_attr_outside_unsafe" if edition_2024 => LintLevel::Deny,
        _ => db.default_level(lint).unwrap_or(LintLevel::Allow),
    }
}

/// Parses the lint flags out of a rustflags list (`-D x`, `-Dx`, `--deny=x`, `--deny x`,
/// `--force-warn x`, `--cap-lints LEVEL`, and their -A/-W/-F and long forms). Returns the lint
/// flags, and the `--cap-lints` level with its index, if any.
pub fn parse_rustflags(flags: &[(String, Location)]) -> (Vec<Flag>, Option<(LintLevel, Location)>) {
    let mut out = Vec::new();
    let mut cap = None;
    let mut i = 0;
    while i < flags.len() {
        let (flag, location) = &flags[i];
        let (kind, inline) = split_flag(flag);
        let Some(kind) = kind else {
            i += 1;
            continue;
        };
        let value = match inline {
            Some(v) => v.to_owned(),
            None => {
                i += 1;
                flags.get(i).map(|(v, _)| v.clone()).unwrap_or_default()
            }
        };
        match kind {
            "cap-lints" => {
                // Only the first --cap-lints counts (rust-lang/rust#54282).
                if cap.is_none() {
                    cap = LintLevel::parse(&value).map(|l| (l, location.clone()));
                }
            }
            level => {
                let force_warn = level == "force-warn";
                let level = LintLevel::parse(level).unwrap_or(LintLevel::Warn);
                for lint in value.split(',').filter(|l| !l.is_empty()) {
                    out.push(Flag {
                        lint: super::normalize(lint),
                        level,
                        force_warn,
                        location: location.clone(),
                        source: FlagSource::Rustflags,
                    });
                }
            }
        }
        i += 1;
    }
    (out, cap)
}

/// Splits `-Dx` / `-D` / `--deny=x` / `--deny` into the level name and an inline value.
fn split_flag(flag: &str) -> (Option<&'static str>, Option<&str>) {
    const SHORT: [(&str, &str); 4] = [("-A", "allow"), ("-W", "warn"), ("-D", "deny"), ("-F", "forbid")];
    const LONG: [&str; 6] = ["allow", "warn", "deny", "forbid", "force-warn", "cap-lints"];
    for (short, name) in SHORT {
        if let Some(rest) = flag.strip_prefix(short) {
            return (Some(name), (!rest.is_empty()).then_some(rest));
        }
    }
    for name in LONG {
        if let Some(rest) = flag.strip_prefix("--").and_then(|f| f.strip_prefix(name)) {
            if rest.is_empty() {
                return (Some(name), None);
            }
            if let Some(value) = rest.strip_prefix('=') {
                return (Some(name), Some(value));
            }
        }
    }
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> LintDb {
        LintDb::parse(
            "Lint checks provided by rustc:\n  unsafe-code  allow  x\n  unused-must-use  warn  x\nLint groups provided by rustc:\n  warnings  all lints\nLint checks loaded by this crate:\n  clippy::unwrap-used  allow  x\n  clippy::cast-possible-truncation  allow  x\nLint groups loaded by this crate:\n  clippy::pedantic  clippy::cast-possible-truncation\n  clippy::restriction  clippy::unwrap-used\n",
        )
    }

    fn flag(lint: &str, level: LintLevel, source: FlagSource) -> Flag {
        Flag {
            lint: lint.into(),
            level,
            force_warn: false,
            location: Location { file: "Cargo.toml".into(), line: Some(1) },
            source,
        }
    }

    #[test]
    fn later_flags_win_but_forbid_on_the_lint_sticks() {
        use FlagSource::*;
        use LintLevel::*;
        let db = db();
        let deny_then_allow = [flag("unsafe_code", Deny, Manifest), flag("unsafe_code", Allow, Rustflags)];
        assert_eq!(cli_level(&deny_then_allow, "unsafe_code", &db, "2021").level, Allow);
        let forbid_then_allow =
            [flag("unsafe_code", Forbid, Manifest), flag("unsafe_code", Allow, Rustflags)];
        assert_eq!(cli_level(&forbid_then_allow, "unsafe_code", &db, "2021").level, Forbid);
        assert!(is_forbidden(&forbid_then_allow, "unsafe_code"));
        // A group forbid is not sticky for its members.
        let group = [
            flag("clippy::pedantic", Forbid, Manifest),
            flag("clippy::cast_possible_truncation", Allow, Manifest),
        ];
        assert_eq!(cli_level(&group, "clippy::cast_possible_truncation", &db, "2021").level, Allow);
        // A group sets its members; a later member flag lowers one.
        let pedantic = [flag("clippy::pedantic", Deny, Manifest)];
        assert_eq!(cli_level(&pedantic, "clippy::cast_possible_truncation", &db, "2021").level, Deny);
        assert_eq!(cli_level(&[], "unsafe_code", &db, "2021").by, DecidedBy::Default);
    }

    #[test]
    fn deny_warnings_escalates_what_warns() {
        let db = db();
        let flags = [flag("warnings", LintLevel::Deny, FlagSource::Rustflags)];
        assert_eq!(cli_level(&flags, "unused_must_use", &db, "2021").level, LintLevel::Deny);
        assert_eq!(cli_level(&flags, "unsafe_code", &db, "2021").level, LintLevel::Allow);
    }

    #[test]
    fn allow_warnings_silences_what_would_warn() {
        let db = db();
        let flags = [
            flag("unused_must_use", LintLevel::Warn, FlagSource::Manifest),
            flag("warnings", LintLevel::Allow, FlagSource::Rustflags),
        ];
        assert_eq!(cli_level(&flags, "unused_must_use", &db, "2021").level, LintLevel::Allow);
        let deny = [
            flag("unsafe_code", LintLevel::Deny, FlagSource::Manifest),
            flag("warnings", LintLevel::Allow, FlagSource::Manifest),
        ];
        assert_eq!(cli_level(&deny, "unsafe_code", &db, "2021").level, LintLevel::Deny);
    }

    #[test]
    fn a_group_requirement_is_as_strong_as_its_weakest_member() {
        let db = db();
        let flags = [flag("clippy::pedantic", LintLevel::Deny, FlagSource::Manifest)];
        let (decided, member) = requirement_level(&flags, "clippy::pedantic", &db, "2021");
        assert_eq!(
            (decided.level, member.as_deref()),
            (LintLevel::Deny, Some("clippy::cast_possible_truncation"))
        );
        let lowered = [
            flags[0].clone(),
            flag("clippy::cast_possible_truncation", LintLevel::Allow, FlagSource::Rustflags),
        ];
        assert_eq!(requirement_level(&lowered, "clippy::pedantic", &db, "2021").0.level, LintLevel::Allow);
        let cap = (LintLevel::Warn, Location { file: "RUSTFLAGS".into(), line: None });
        assert_eq!(
            capped(cli_level(&flags, "clippy::pedantic", &db, "2021"), Some(&cap)).level,
            LintLevel::Warn
        );
    }

    #[test]
    fn editions_change_defaults() {
        let db = db();
        assert_eq!(default_level(&db, "static_mut_refs", "2024"), LintLevel::Deny);
        assert_eq!(default_level(&db, "unsafe_op_in_unsafe_fn", "2021"), LintLevel::Allow);
    }

    #[test]
    fn rustflags_forms() {
        let loc = Location { file: "RUSTFLAGS".into(), line: None };
        let args: Vec<(String, Location)> = [
            "-Aunsafe_code",
            "-D",
            "clippy::unwrap-used",
            "--warn=missing-docs",
            "--cap-lints",
            "warn",
            "--cap-lints=allow",
            "-Copt-level=3",
            "--force-warn",
            "a,b",
        ]
        .iter()
        .map(|s| (s.to_string(), loc.clone()))
        .collect();
        let (flags, cap) = parse_rustflags(&args);
        let names: Vec<_> = flags.iter().map(|f| (f.lint.as_str(), f.level, f.force_warn)).collect();
        assert_eq!(
            names,
            [
                ("unsafe_code", LintLevel::Allow, false),
                ("clippy::unwrap_used", LintLevel::Deny, false),
                ("missing_docs", LintLevel::Warn, false),
                ("a", LintLevel::Warn, true),
                ("b", LintLevel::Warn, true)
            ]
        );
        assert_eq!(cap.map(|c| c.0), Some(LintLevel::Warn));
    }
}
