//! `cargo spdf check --format sarif|junit|github`: the CI formats, over the demo fixture
//! workspace and the fixture advisory database, compared finding by finding with the JSON report.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use support::*;

/// 2025-01-01T00:00:00Z.
const JAN_2025: &str = "1735689600";
/// 2025-07-01T00:00:00Z: the day after the first waiver of [`WAIVERS`] expires.
const JUL_2025: &str = "1751328000";

/// An expired waiver (from July 2025), two that hold, and one that matches nothing: findings at
/// every level, some pointing at spdf.toml.
const WAIVERS: &str = r#"
[advisories]
deny = ["vulnerability"]

[[advisories.exceptions]]
id = "RUSTSEC-2099-0001"
package = "vulnlib@1"
reason = "the parser is only fed signed firmware images"
expires = "2025-06-30"
approved-by = "Release QA"

[[advisories.exceptions]]
id = "CVE-2099-1002"
reason = "timing is not observable on the device"

[[advisories.exceptions]]
id = "RUSTSEC-2099-0007"
reason = "the device does not run Windows"

[[advisories.exceptions]]
id = "RUSTSEC-2099-0009"
reason = "absentlib is not used"
"#;

/// A demo workspace: with the built-in policy, or with [`WAIVERS`].
struct Case {
    ws: tempfile::TempDir,
    now: &'static str,
}

impl Case {
    fn baseline() -> Self {
        Case { ws: copy_workspace("demo"), now: JAN_2025 }
    }

    fn waivers() -> Self {
        let ws = copy_workspace("demo");
        std::fs::write(ws.path().join("spdf.toml"), WAIVERS).unwrap();
        Case { ws, now: JUL_2025 }
    }

    fn both() -> [Self; 2] {
        [Self::baseline(), Self::waivers()]
    }

    fn path(&self) -> &Path {
        self.ws.path()
    }

    /// `check --gate advisories --format FORMAT`: exit code and stdout.
    fn run(&self, format: &str) -> (i32, String) {
        let out = spdf(self.path())
            .args(["check", "--gate", "advisories", "--format", format, "--db"])
            .arg(fixture_db())
            .env("SOURCE_DATE_EPOCH", self.now)
            .output()
            .unwrap();
        assert!(out.stderr.is_empty(), "{}", stderr(&out));
        (code(&out), String::from_utf8(out.stdout).unwrap())
    }

    /// The JSON report of the same run, to compare with.
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.run("json").1).unwrap()
    }

    fn sarif(&self) -> serde_json::Value {
        let (code, text) = self.run("sarif");
        assert_eq!(code, 1);
        serde_json::from_str(&text).unwrap()
    }
}

fn findings(doc: &serde_json::Value) -> &Vec<serde_json::Value> {
    doc["findings"].as_array().unwrap()
}

fn results(sarif: &serde_json::Value) -> &Vec<serde_json::Value> {
    sarif["runs"][0]["results"].as_array().unwrap()
}

/// Every error of a SARIF log against fixtures/schemas/sarif-2.1.0.json; empty when valid.
fn sarif_errors(log: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("schemas/sarif-2.1.0.json")).unwrap()).unwrap();
    let validator = jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    validator.iter_errors(log).map(|e| format!("{} at {}: {e}", e.schema_path(), e.instance_path())).collect()
}

#[test]
fn the_waiver_case_has_findings_at_every_level_and_in_the_policy() {
    let doc = Case::waivers().json();
    // The warnings include gonelib 1.0.0, yanked in the fixture index, and nolicense, not in it.
    assert_eq!(doc["summary"], serde_json::json!({"deny": 2, "warn": 6, "excepted": 2}));
    let codes: BTreeSet<&str> = findings(&doc).iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains("exception-expired") && codes.contains("exception-unused"), "{codes:?}");
}

#[test]
fn sarif_validates_against_the_official_schema() {
    for case in Case::both() {
        let log = case.sarif();
        let errors = sarif_errors(&log);
        assert!(errors.is_empty(), "{} schema errors:\n{}", errors.len(), errors.join("\n"));
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["runs"].as_array().unwrap().len(), 1);
        assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "cargo-spdf");
    }
}

#[test]
fn sarif_has_one_result_per_finding_with_its_level() {
    for case in Case::both() {
        let (doc, log) = (case.json(), case.sarif());
        assert_eq!(results(&log).len(), findings(&doc).len());
        for (f, r) in findings(&doc).iter().zip(results(&log)) {
            assert_eq!(r["ruleId"], f["code"]);
            let level = match f["level"].as_str().unwrap() {
                "deny" => "error",
                "warn" => "warning",
                _ => "note",
            };
            assert_eq!(r["level"], level, "{f}");
            assert!(r["message"]["text"].as_str().unwrap().starts_with(f["message"].as_str().unwrap()));
        }
        let errors = results(&log).iter().filter(|r| r["level"] == "error").count();
        assert_eq!(u64::try_from(errors).unwrap(), doc["summary"]["deny"].as_u64().unwrap());
    }
}

#[test]
fn sarif_waived_results_are_suppressed_with_the_reason() {
    let case = Case::waivers();
    let (doc, log) = (case.json(), case.sarif());
    let notes: Vec<_> = results(&log).iter().filter(|r| r["level"] == "note").collect();
    assert_eq!(u64::try_from(notes.len()).unwrap(), doc["summary"]["excepted"].as_u64().unwrap());
    for (f, r) in findings(&doc).iter().zip(results(&log)) {
        let suppressions = r["suppressions"].as_array();
        if f["level"] != "excepted" {
            assert!(suppressions.is_none(), "{r}");
            continue;
        }
        let s = &suppressions.unwrap()[0];
        assert_eq!(s["kind"], "external");
        assert_eq!(s["status"], "accepted");
        assert_eq!(s["justification"], f["exception"]["reason"]);
        let at = &s["location"]["physicalLocation"];
        assert_eq!(at["artifactLocation"]["uri"], "spdf.toml");
        assert_eq!(at["region"]["startLine"], f["exception"]["location"]["line"]);
    }
}

#[test]
fn sarif_results_point_at_the_line_that_causes_them() {
    for case in Case::both() {
        let (doc, log) = (case.json(), case.sarif());
        let root = doc["workspace"]["root"].as_str().unwrap();
        let srcroot = &log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
        assert_eq!(srcroot, url::Url::from_directory_path(root).unwrap().as_str());
        assert!(srcroot.as_str().unwrap().ends_with('/'));
        for (f, r) in findings(&doc).iter().zip(results(&log)) {
            let at = &r["locations"][0]["physicalLocation"];
            assert_eq!(at["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let uri = at["artifactLocation"]["uri"].as_str().unwrap();
            let line = usize::try_from(at["region"]["startLine"].as_u64().unwrap()).unwrap();
            assert!(line >= 1);
            assert_eq!(uri, f["location"]["file"], "{f}");
            let text = std::fs::read_to_string(case.path().join(uri)).unwrap();
            let text = text.lines().nth(line - 1).unwrap();
            match uri {
                "Cargo.lock" => {
                    assert_eq!(text, format!("name = \"{}\"", f["package"]["name"].as_str().unwrap()))
                }
                "spdf.toml" => assert_eq!(text, "[[advisories.exceptions]]", "{f}"),
                other => panic!("unexpected file {other}"),
            }
        }
    }
}

#[test]
fn sarif_rules_are_the_finding_codes() {
    for case in Case::both() {
        let (doc, log) = (case.json(), case.sarif());
        let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let codes: BTreeSet<&str> = findings(&doc).iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert_eq!(ids.iter().copied().collect::<BTreeSet<_>>(), codes);
        assert_eq!(ids.len(), codes.len(), "one rule per code");
        for r in results(&log) {
            let rule = &rules[usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap()];
            assert_eq!(rule["id"], r["ruleId"]);
            assert!(!rule["shortDescription"]["text"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn sarif_carries_the_security_severity_of_scored_vulnerabilities() {
    let case = Case::baseline();
    let (doc, log) = (case.json(), case.sarif());
    for (f, r) in findings(&doc).iter().zip(results(&log)) {
        let expected = f["advisory"]["score"].as_f64().map(|s| format!("{s:.1}"));
        assert_eq!(r["properties"]["security-severity"].as_str().map(str::to_owned), expected, "{f}");
        assert_eq!(r["properties"]["tags"], serde_json::json!(["security", "advisories"]));
    }
    let vuln =
        results(&log).iter().find(|r| r["message"]["text"].as_str().unwrap().contains("RUSTSEC-2099-0001"));
    assert_eq!(vuln.unwrap()["properties"]["security-severity"], "9.8");
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules.iter().find(|r| r["id"] == "vulnerability").unwrap();
    assert_eq!(rule["properties"]["security-severity"], "9.8", "the highest score of the rule's results");
    let unsound = rules.iter().find(|r| r["id"] == "unsound").unwrap();
    assert!(unsound["properties"].get("security-severity").is_none());
}

#[test]
fn sarif_is_deterministic_and_fingerprints_do_not_depend_on_the_directory() {
    let (a, b) = (Case::waivers(), Case::waivers());
    assert_eq!(a.run("sarif"), a.run("sarif"));
    let prints = |case: &Case| -> Vec<String> {
        results(&case.sarif())
            .iter()
            .map(|r| r["partialFingerprints"]["cargoSpdf/v1"].as_str().unwrap().to_owned())
            .collect()
    };
    let prints_a = prints(&a);
    assert_eq!(prints_a, prints(&b));
    assert_eq!(prints_a.iter().collect::<BTreeSet<_>>().len(), prints_a.len(), "unique");
}

#[test]
fn sarif_snapshot() {
    let mut log = Case::waivers().sarif();
    let run = &mut log["runs"][0];
    run["tool"]["driver"]["version"] = "[VERSION]".into();
    run["tool"]["driver"]["semanticVersion"] = "[VERSION]".into();
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///[ROOT]/".into();
    insta::assert_json_snapshot!(log);
}

#[test]
fn sarif_to_a_file() {
    let case = Case::baseline();
    let report = case.path().join("report.sarif");
    let out = spdf(case.path())
        .args(["check", "--gate", "advisories", "--format", "sarif", "--output"])
        .arg(&report)
        .arg("--db")
        .arg(fixture_db())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
}

/// What a JUnit document holds, read back with quick-xml.
#[derive(Debug, Default)]
struct Junit {
    /// `tests` and `failures` of `<testsuites>`.
    totals: (usize, usize),
    suites: Vec<Suite>,
}

#[derive(Debug, Default)]
struct Suite {
    name: String,
    /// `tests` and `failures` attributes.
    counts: (usize, usize),
    cases: Vec<TestCase>,
}

#[derive(Debug, Default)]
struct TestCase {
    classname: String,
    name: String,
    /// `type` of each `<failure>`.
    failures: Vec<String>,
    system_out: String,
}

/// Parses the document, failing on anything that is not well-formed.
fn parse_junit(xml: &str) -> Junit {
    use quick_xml::XmlVersion;
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut doc, mut in_out, mut depth) = (Junit::default(), false, 0usize);
    loop {
        let event = reader.read_event().unwrap_or_else(|e| panic!("not well-formed: {e}\n{xml}"));
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &str| {
                    e.try_get_attribute(name)
                        .unwrap()
                        .map(|a| a.normalized_value(XmlVersion::Explicit1_0).unwrap().into_owned())
                        .unwrap_or_default()
                };
                let count = |name: &str| attr(name).parse::<usize>().unwrap();
                match e.name().as_ref() {
                    "testsuites" => doc.totals = (count("tests"), count("failures")),
                    "testsuite" => doc.suites.push(Suite {
                        name: attr("name"),
                        counts: (count("tests"), count("failures")),
                        cases: Vec::new(),
                    }),
                    "testcase" => doc.suites.last_mut().unwrap().cases.push(TestCase {
                        classname: attr("classname"),
                        name: attr("name"),
                        ..TestCase::default()
                    }),
                    "failure" => last_case(&mut doc).failures.push(attr("type")),
                    "system-out" => in_out = true,
                    _ => {}
                }
                depth += usize::from(matches!(event, Event::Start(_)));
            }
            Event::Text(t) if in_out => last_case(&mut doc).system_out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_out => last_case(&mut doc).system_out.push_str(&entity(r)),
            Event::End(e) => {
                in_out &= e.name().as_ref() != "system-out";
                depth -= 1;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    doc
}

/// The text an entity or character reference stands for.
fn entity(r: &quick_xml::events::BytesRef<'_>) -> String {
    if let Some(c) = r.resolve_char_ref().unwrap() {
        return c.to_string();
    }
    let name = r.xml10_content();
    quick_xml::escape::resolve_predefined_entity(&name)
        .unwrap_or_else(|| panic!("unknown entity &{name};"))
        .to_owned()
}

fn last_case(doc: &mut Junit) -> &mut TestCase {
    doc.suites.last_mut().unwrap().cases.last_mut().unwrap()
}

#[test]
fn junit_is_well_formed_with_one_failure_per_deny_finding() {
    for case in Case::both() {
        let doc = case.json();
        let (code, xml) = case.run("junit");
        assert_eq!(code, 1);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        let junit = parse_junit(&xml);
        assert_eq!(junit.suites.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["advisories"]);
        let failures: Vec<&String> =
            junit.suites.iter().flat_map(|s| &s.cases).flat_map(|c| &c.failures).collect();
        assert_eq!(u64::try_from(failures.len()).unwrap(), doc["summary"]["deny"].as_u64().unwrap());
        let deny_codes: Vec<&str> = findings(&doc)
            .iter()
            .filter(|f| f["level"] == "deny")
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        let mut types: Vec<&str> = failures.iter().map(|t| t.as_str()).collect();
        let mut expected = deny_codes.clone();
        types.sort();
        expected.sort();
        assert_eq!(types, expected, "failure types are the finding codes");
        for suite in &junit.suites {
            let failing = suite.cases.iter().filter(|c| !c.failures.is_empty()).count();
            assert_eq!(suite.counts, (suite.cases.len(), failing), "{}", suite.name);
            assert!(suite.cases.iter().all(|c| c.classname == suite.name));
        }
        let totals = junit.suites.iter().fold((0, 0), |(t, f), s| (t + s.counts.0, f + s.counts.1));
        assert_eq!(junit.totals, totals);
    }
}

#[test]
fn junit_has_a_test_case_per_package_and_one_for_the_policy() {
    let (_, xml) = Case::waivers().run("junit");
    let junit = parse_junit(&xml);
    let cases = &junit.suites[0].cases;
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "gonelib 1.0.0",
            "nolicense 0.2.0",
            "noticelib 2.0.0",
            "oldlib 0.1.0",
            "unsoundlib 0.3.0",
            "vulnlib 1.0.0",
            "winlib 0.5.0",
            "advisories"
        ]
    );
    let vulnlib = &cases[5];
    assert_eq!(vulnlib.failures, ["vulnerability"], "the expired waiver no longer waives RUSTSEC-2099-0001");
    assert!(vulnlib.system_out.contains("waived[vulnerability]: vulnlib 1.0.0"), "{}", vulnlib.system_out);
    assert!(vulnlib.system_out.contains("waived: timing is not observable on the device"));
    let policy = &cases[7];
    assert_eq!(policy.failures, ["exception-expired"]);
    assert!(policy.system_out.contains("warning[exception-unused]"), "{}", policy.system_out);
    assert!(policy.system_out.contains("--> spdf.toml:"), "{}", policy.system_out);
}

#[test]
fn junit_shows_a_gate_without_findings_as_a_passing_test_case() {
    let ws = copy_workspace("clean");
    let out = spdf(ws.path())
        .args(["check", "--gate", "advisories", "--format", "junit", "--db"])
        .arg(fixture_db())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let junit = parse_junit(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(junit.totals, (1, 0));
    let case = &junit.suites[0].cases[0];
    assert_eq!((case.classname.as_str(), case.name.as_str()), ("advisories", "advisories"));
    assert!(case.failures.is_empty() && case.system_out.is_empty());
}

#[test]
fn junit_snapshot() {
    let (_, xml) = Case::waivers().run("junit");
    insta::assert_snapshot!(xml);
}

/// Undoes the message escaping of a workflow command.
fn unescape(s: &str) -> String {
    s.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
}

#[test]
fn github_has_one_command_per_finding_and_a_summary() {
    for case in Case::both() {
        let doc = case.json();
        let (code, text) = case.run("github");
        assert_eq!(code, 1);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), findings(&doc).len() + 1);
        for (f, line) in findings(&doc).iter().zip(&lines) {
            let command = match f["level"].as_str().unwrap() {
                "deny" => "error",
                "warn" => "warning",
                _ => "notice",
            };
            let (head, message) =
                line.split_once("::").map(|(_, rest)| rest.split_once("::").unwrap()).unwrap();
            let expected_head = format!(
                "{command} file={},line={},title={}",
                f["location"]["file"].as_str().unwrap(),
                f["location"]["line"],
                f["code"].as_str().unwrap()
            );
            assert_eq!(head, expected_head);
            let message = unescape(message);
            assert!(message.starts_with(f["message"].as_str().unwrap()), "{message}");
            if f["level"] == "excepted" {
                assert!(
                    message.ends_with(&format!("\nwaived: {}", f["exception"]["reason"].as_str().unwrap()))
                );
            } else {
                for help in f["help"].as_array().unwrap() {
                    assert!(message.contains(&format!("\nhelp: {}", help.as_str().unwrap())), "{message}");
                }
            }
        }
        let summary = lines.last().unwrap();
        let s = &doc["summary"];
        assert!(
            summary.starts_with(&format!(
                "::notice title=cargo-spdf::FAIL: {} denied, {} warning",
                s["deny"], s["warn"]
            )),
            "{summary}"
        );
    }
}

#[test]
fn github_messages_are_escaped() {
    let (_, text) = Case::baseline().run("github");
    let line = text.lines().find(|l| l.contains("RUSTSEC-2099-0001")).unwrap();
    // "vulnlib 1.0.0: Heap overflow …" then the help lines: colons and commas stay as they are in
    // the message, line breaks are escaped.
    assert!(
        line.contains("::vulnlib 1.0.0: Heap overflow in vulnlib::parse (RUSTSEC-2099-0001)%0Ahelp: upgrade")
    );
    assert!(!line.contains('\r'));
}

#[test]
fn github_snapshot() {
    let (_, text) = Case::waivers().run("github");
    insta::assert_snapshot!(text);
}
