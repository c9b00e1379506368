//! A gate that was not evaluated, in every output format: the human report says so above the
//! verdict and calls the run incomplete, SARIF has an error result and an unsuccessful
//! invocation (and still validates), GitHub an `::error`, JUnit an `<error>` in the gate's
//! suite, `report.md` a section saying why. Reports are built in-process.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use cargo_spdf::evidence::{markdown, provenance};
use cargo_spdf::finding::{Code, Finding, Gate, Level, Location};
use cargo_spdf::load::database::Identity;
use cargo_spdf::policy::{Origin, Profile, Stage};
use cargo_spdf::report::human::{Options, Verbosity};
use cargo_spdf::report::{
    DatabaseInfo, GateRun, PolicyInfo, Report, WorkspaceInfo, github, human, json, junit, sarif,
};
use support::*;

/// What `cargo metadata` says when a git dependency was never fetched, offline.
const REASON: &str = "`cargo metadata` failed for Cargo.toml: error: failed to load source for dependency `board-hal`\n\nCaused by:\n  can't checkout from 'https://git.example.com/board-hal': you are in the offline mode (--offline)\n";

/// An advisories finding that passes (a warning), and the licenses gate not evaluated.
fn report(gates: Vec<GateRun>) -> Report {
    let warning = Finding::new(Code::Unmaintained, Level::Warn, "oldlib 0.1.0: oldlib is unmaintained")
        .package("oldlib", "0.1.0")
        .at(Some(Location { file: "Cargo.lock".into(), line: Some(54) }))
        .help("replace it");
    Report {
        stage: Stage::PreMerge,
        workspace: WorkspaceInfo {
            root: "/work/device".into(),
            lockfile_sha256: Some("ab".repeat(32)),
            packages: Some(13),
        },
        database: Some(DatabaseInfo {
            path: "/db".into(),
            identity: Identity::Git { commit: "c0ffee".repeat(6) },
            advisories: 9,
            last_updated: None,
            age_days: Some(2),
            files_read: 1,
        }),
        policy: PolicyInfo { origin: Origin::BuiltIn, profile: Profile::Baseline },
        kev: None,
        gates,
        findings: vec![warning],
        notes: Vec::new(),
    }
}

fn incomplete() -> Report {
    report(vec![GateRun::evaluated(Gate::Advisories), GateRun::not_evaluated(Gate::Licenses, REASON)])
}

fn human_text(report: &Report, verbosity: Verbosity) -> String {
    let mut out = Vec::new();
    human::render(report, &mut out, Options { color: false, verbosity }).unwrap();
    String::from_utf8(out).unwrap()
}

fn rendered(report: &Report, f: fn(&Report, &mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    f(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn exit_code_and_verdict() {
    let report = incomplete();
    assert_eq!(report.exit_code(), 2);
    assert_eq!(report.verdict(), "fail");
    let complete = self::report(vec![GateRun::evaluated(Gate::Advisories)]);
    assert_eq!((complete.exit_code(), complete.verdict()), (0, "pass"));
}

#[test]
fn human_says_what_was_not_loaded_above_the_verdict_and_calls_the_run_incomplete() {
    for verbosity in [Verbosity::Quiet, Verbosity::Normal, Verbosity::Verbose] {
        let text = human_text(&incomplete(), verbosity);
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .position(|l| {
                l.starts_with(
                    "error: gate licenses not evaluated: `cargo metadata` failed for Cargo.toml: error: failed to load source for dependency `board-hal`",
                )
            })
            .unwrap_or_else(|| panic!("{verbosity:?}:\n{text}"));
        // The rest of cargo's message, one line each, then what to do, then the verdict.
        assert_eq!(lines[at + 1], "    |");
        assert_eq!(lines[at + 2], "    | Caused by:");
        assert!(lines[at + 3].starts_with("    |   can't checkout from 'https://git.example.com/board-hal'"));
        assert!(lines[at + 4].starts_with("    = help: make what could not be loaded load, and run again"));
        let verdict = lines.last().unwrap();
        assert!(
            verdict.starts_with("FAIL incomplete: gate licenses was not evaluated; 0 denied, 1 warning"),
            "{verdict}"
        );
        assert!(at + 7 >= lines.len(), "only the inputs line and the verdict follow:\n{text}");
    }
}

#[test]
fn human_lists_the_gate_in_the_table() {
    let text = human_text(&incomplete(), Verbosity::Normal);
    let row = text.lines().find(|l| l.starts_with("licenses")).unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = row.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(cells, ["licenses", "-", "not evaluated", "-"]);
}

#[test]
fn a_complete_run_says_nothing_of_the_kind() {
    let report = report(vec![GateRun::evaluated(Gate::Advisories), GateRun::evaluated(Gate::Licenses)]);
    let text = human_text(&report, Verbosity::Normal);
    assert!(!text.contains("not evaluated") && !text.contains("incomplete"), "{text}");
    assert!(text.lines().last().unwrap().starts_with("PASS 0 denied, 1 warning"), "{text}");
}

/// Every error of a SARIF log against fixtures/schemas/sarif-2.1.0.json.
fn sarif_errors(log: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("schemas/sarif-2.1.0.json")).unwrap()).unwrap();
    let validator = jsonschema::options().offline().should_validate_formats(true).build(&schema).unwrap();
    validator.iter_errors(log).map(|e| format!("{} at {}: {e}", e.schema_path(), e.instance_path())).collect()
}

#[test]
fn sarif_has_an_error_result_and_an_unsuccessful_invocation() {
    let log: serde_json::Value = serde_json::from_str(&rendered(&incomplete(), sarif::render)).unwrap();
    let errors = sarif_errors(&log);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "the gate, then the one finding");
    let gate = &results[0];
    assert_eq!(gate["ruleId"], "gate-not-evaluated");
    assert_eq!(gate["level"], "error");
    let text = gate["message"]["text"].as_str().unwrap();
    assert!(text.starts_with(&format!("gate licenses not evaluated: {REASON}")), "{text}");
    assert!(text.contains("\nhelp: "), "{text}");
    let rule = &run["tool"]["driver"]["rules"][usize::try_from(gate["ruleIndex"].as_u64().unwrap()).unwrap()];
    assert_eq!(rule["id"], "gate-not-evaluated");
    assert_eq!(results[1]["ruleId"], "unmaintained");
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(invocation["exitCode"], 2);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert_eq!(note["properties"]["gate"], "licenses");
    assert_eq!(note["message"]["text"], gate["message"]["text"]);
    assert_eq!(run["properties"]["verdict"], "fail");
}

#[test]
fn sarif_of_a_complete_run_has_a_successful_invocation() {
    let report = report(vec![GateRun::evaluated(Gate::Advisories)]);
    let log: serde_json::Value = serde_json::from_str(&rendered(&report, sarif::render)).unwrap();
    assert!(sarif_errors(&log).is_empty());
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert_eq!(invocation["exitCode"], 0);
    assert!(invocation.get("toolExecutionNotifications").is_none());
    assert!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != "gate-not-evaluated")
    );
}

#[test]
fn github_has_an_error_per_gate_first() {
    let two = report(vec![
        GateRun::not_evaluated(Gate::Sources, "Cargo.lock cannot be parsed: line 3"),
        GateRun::not_evaluated(Gate::Licenses, REASON),
    ]);
    let text = rendered(&two, github::render);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(
        lines[0],
        format!(
            "::error title=gate sources not evaluated::gate sources not evaluated: Cargo.lock cannot be parsed: line 3%0Ahelp: {}",
            cargo_spdf::report::not_evaluated_help(Gate::Sources)
        )
    );
    assert!(lines[1].starts_with("::error title=gate licenses not evaluated::gate licenses not evaluated: `cargo metadata` failed for Cargo.toml: error: failed to load source for dependency `board-hal`%0A%0ACaused by:%0A  can't checkout"), "{}", lines[1]);
    assert!(lines[2].starts_with("::warning file=Cargo.lock,line=54,title=unmaintained::"));
    assert!(lines[3].starts_with("::notice title=cargo-spdf::FAIL: incomplete: gates sources, licenses were not evaluated; 0 denied"), "{}", lines[3]);
}

#[test]
fn junit_has_an_error_in_the_gate_suite() {
    let xml = rendered(&incomplete(), junit::render);
    assert!(xml.contains(r#"<testsuites name="cargo-spdf" tests="2" failures="0" errors="1">"#), "{xml}");
    assert!(xml.contains(r#"<testsuite name="licenses" tests="1" failures="0" errors="1">"#), "{xml}");
    let case = &xml
        [xml.find(r#"<testcase classname="licenses" name="licenses">"#).unwrap_or_else(|| panic!("{xml}"))..];
    let error = &case[..case.find("</testcase>").unwrap()];
    assert!(
        error.contains(r#"<error message="gate licenses not evaluated: `cargo metadata` failed for Cargo.toml: error: failed to load source for dependency `board-hal`" type="not-evaluated">"#),
        "{error}"
    );
    assert!(
        error.contains("\n\n  Caused by:\n    can't checkout"),
        "each line of the reason on its own: {error}"
    );
    assert!(error.contains("= help: make what could not be loaded load"), "{error}");
    // The advisories suite is unchanged: a warning does not fail it.
    assert!(xml.contains(r#"<testsuite name="advisories" tests="1" failures="0" errors="0">"#), "{xml}");
}

#[test]
fn json_lists_the_gate_with_its_reason() {
    let doc: serde_json::Value = serde_json::from_str(&rendered(&incomplete(), json::render)).unwrap();
    assert_eq!(doc["verdict"], "fail");
    assert_eq!(
        doc["gates"],
        serde_json::json!([
            {"name": "advisories", "status": "evaluated", "reason": null},
            {"name": "licenses", "status": "not-evaluated", "reason": REASON},
        ])
    );
}

#[test]
fn report_md_says_not_evaluated_and_why() {
    let report = incomplete();
    let extra = provenance::Extra {
        workspace_name: "device",
        source_date_epoch: true,
        rustc: None,
        cargo: None,
        pinned: None,
        git: None,
        time: "2025-01-01T00:00:00Z".into(),
        now: "2025-01-01T00:00:00Z".parse().unwrap(),
    };
    let md = markdown::render(&report, &provenance::provenance(&report, &extra), &[]);
    assert!(
        md.contains("**Verdict: FAIL** (incomplete: gate licenses was not evaluated): 0 denied, 1 warnings"),
        "{md}"
    );
    let section = &md[md.find("## Gate `licenses`: NOT EVALUATED\n").unwrap_or_else(|| panic!("{md}"))..];
    let section = &section[..section[3..].find("\n## ").unwrap()];
    assert!(section.contains("nothing it checks is vouched for"), "{section}");
    assert!(section.contains("> `cargo metadata` failed for Cargo.toml: error: failed to load source for dependency `board-hal`\n>\n> Caused by:\n>   can't checkout"), "{section}");
    assert!(section.contains("To do: make what could not be loaded load"), "{section}");
    assert!(md.contains("## Gate `advisories`: pass\n"), "{md}");
}
