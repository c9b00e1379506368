//! Output cannot be forged: reports built in-process with hostile strings in every field (ESC
//! sequences, CR, LF, C0 and C1 controls, U+FFFE, bidi overrides, workflow commands, XML
//! markup), through every renderer. The human report and the GitHub annotations carry no
//! control character an input brought; JUnit and the SBOM's XML parse and carry nothing XML 1.0
//! forbids; JSON and SARIF parse and give the strings back exactly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use cargo_spdf::finding::{AdvisoryRef, Code, ExceptionRef, Finding, Gate, Level, Location};
use cargo_spdf::load::database::Identity;
use cargo_spdf::policy::{Origin, Profile, Stage};
use cargo_spdf::report::human::{Options, Verbosity};
use cargo_spdf::report::{
    DatabaseInfo, GateRun, KevInfo, PolicyInfo, Report, WorkspaceInfo, github, human, json, junit, sarif,
};
use proptest::prelude::*;
use support::*;

/// Characters and fragments an attacker would try.
const HOSTILE: &[&str] = &[
    "\u{1b}[31m",
    "\u{1b}]8;;https://evil.example\u{7}",
    "\u{1b}[2K\r",
    "\r\nFAIL 0 denied",
    "\n::error file=x::forged",
    "\u{0}",
    "\u{7}",
    "\u{8}",
    "\u{7f}",
    "\u{85}",
    "\u{9b}31m",
    "\u{fffe}",
    "\u{ffff}",
    "\u{202e}",
    "\u{2066}",
    "\u{2028}",
    "%0A",
    "%25",
    "::",
    ",",
    "<![CDATA[",
    "]]>",
    "</testcase>",
    "&amp;",
    "\"'",
    "|",
    "\\u{1b}",
    "\t",
];

fn hostile_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(HOSTILE).prop_map(str::to_owned),
        2 => any::<char>().prop_map(String::from),
        2 => "[a-z .:/-]{0,6}",
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|parts| parts.concat())
}

/// Hands out the generated strings one by one, round and round.
struct Pool(Vec<String>, usize);

impl Pool {
    fn next(&mut self) -> String {
        self.1 += 1;
        self.0[self.1 % self.0.len()].clone()
    }

    fn location(&mut self) -> Location {
        Location { file: self.next(), line: Some(self.1) }
    }
}

fn advisory(p: &mut Pool) -> AdvisoryRef {
    AdvisoryRef {
        id: p.next(),
        aliases: vec![p.next(), p.next()],
        title: p.next(),
        cvss: Some(p.next()),
        score: Some(9.8),
        severity: Some(p.next()),
        patched: vec![p.next()],
        unaffected: vec![p.next()],
        os: vec![p.next()],
        arch: vec![p.next()],
        url: p.next(),
        date: p.next(),
        description: p.next(),
        kev: Some(true),
    }
}

fn exception(p: &mut Pool) -> ExceptionRef {
    ExceptionRef {
        id: p.next(),
        reason: p.next(),
        expires: Some(p.next()),
        state: Some(p.next()),
        justification: Some(p.next()),
        response: vec![p.next()],
        approved_by: Some(p.next()),
        location: p.location(),
    }
}

/// A finding with every field set from the pool.
fn finding(p: &mut Pool, code: Code, level: Level) -> Finding {
    let mut f = Finding::new(code, level, p.next()).help(p.next()).help(p.next());
    f = f.package(&p.next(), &p.next()).at(Some(p.location()));
    f.advisory = Some(advisory(p));
    f.member = Some(p.next());
    f.lint = Some(p.next());
    f.required = Some(p.next());
    f.actual = Some(p.next());
    f.exception = Some(exception(p));
    f
}

/// A member finding whose message starts with the member, as the gates write them.
fn member_finding(member: &str, code: Code, message: &str) -> Finding {
    let mut f = Finding::new(code, Level::Deny, format!("{member}: {message}"));
    f.member = Some(member.to_owned());
    f.lint = Some(message.to_owned());
    f.required = Some(message.to_owned());
    f
}

/// A report with findings at every level, repeats across members (collapsed), a block of
/// missing lints, a gate not evaluated, and every provenance string from the pool.
fn report(strings: Vec<String>) -> Report {
    let mut p = Pool(strings, 0);
    let mut findings: Vec<Finding> = [
        (Code::Vulnerability, Level::Deny),
        (Code::Unmaintained, Level::Warn),
        (Code::Vulnerability, Level::Excepted),
        (Code::LintOverridden, Level::Excepted),
        (Code::Banned, Level::Deny),
    ]
    .into_iter()
    .map(|(code, level)| finding(&mut p, code, level))
    .collect();
    let (m1, m2, message) = (p.next(), p.next(), p.next());
    findings.push(member_finding(&m1, Code::BuildSetting, &message));
    findings.push(member_finding(&m2, Code::BuildSetting, &message));
    for _ in 0..5 {
        findings.push(member_finding(&m1, Code::LintMissing, &p.next()));
    }
    findings.push(Finding::new(Code::DbStale, Level::Deny, p.next()).help(p.next()));
    Report {
        stage: Stage::PreMerge,
        workspace: WorkspaceInfo { root: p.next(), lockfile_sha256: Some(p.next()), packages: Some(3) },
        database: Some(DatabaseInfo {
            path: p.next(),
            identity: Identity::Git { commit: p.next() },
            advisories: 10,
            last_updated: None,
            age_days: Some(1),
            files_read: 2,
        }),
        policy: PolicyInfo {
            origin: Origin::File { path: p.next(), sha256: p.next() },
            profile: Profile::Medical,
        },
        kev: Some(KevInfo {
            path: p.next(),
            version: p.next(),
            released: p.next(),
            count: 1,
            age_days: Some(3),
        }),
        gates: vec![
            GateRun::evaluated(Gate::Advisories),
            GateRun::evaluated(Gate::Lints),
            GateRun::evaluated(Gate::Build),
            GateRun::evaluated(Gate::Bans),
            GateRun::not_evaluated(Gate::Licenses, p.next()),
        ],
        findings,
        notes: vec![p.next(), p.next()],
    }
}

/// The SGR sequences the human report itself writes: ESC `[`, digits and `;`, `m`.
fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail[1..].find('m').map(|i| i + 2);
        match end.filter(|&e| tail[2..e - 1].chars().all(|c| c.is_ascii_digit() || c == ';')) {
            Some(e) if tail[1..].starts_with('[') => rest = &tail[e..],
            _ => {
                out.push_str(tail);
                return out;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What an input could use to forge or hide text on a terminal or in a log.
fn is_forging(c: char) -> bool {
    cargo_spdf::text::is_unsafe_for_display(c) && c != '\n'
}

fn render(f: impl Fn(&Report, &mut Vec<u8>) -> std::io::Result<()>, report: &Report) -> String {
    let mut out = Vec::new();
    f(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn check_human(report: &Report) {
    for verbosity in [Verbosity::Quiet, Verbosity::Normal, Verbosity::Verbose] {
        for color in [false, true] {
            let text = render(|r, o| human::render(r, o, Options { color, verbosity }), report);
            let plain = strip_sgr(&text);
            let bad: Vec<char> = plain.chars().filter(|&c| is_forging(c)).collect();
            assert!(bad.is_empty(), "{verbosity:?} color {color}: {bad:?} in\n{text}");
            if !color {
                assert_eq!(plain, text, "no escape sequence without colour");
            }
            let verdicts = plain.lines().filter(|l| l.starts_with("FAIL ") || l.starts_with("PASS ")).count();
            assert_eq!(verdicts, 1, "one verdict line, the report's own:\n{text}");
            assert!(plain.ends_with('\n'));
        }
    }
}

fn check_github(report: &Report) {
    let text = render(|r, o| github::render(r, o), report);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), report.findings.len() + 1 + 1, "{text}");
    for line in &lines {
        assert!(!line.chars().any(is_forging), "{line:?}");
        let rest = ["::error", "::warning", "::notice"]
            .iter()
            .find_map(|c| line.strip_prefix(c))
            .unwrap_or_else(|| panic!("not a workflow command: {line:?}"));
        let (properties, _message) =
            rest.split_once("::").unwrap_or_else(|| panic!("no message separator: {line:?}"));
        for property in properties.trim_start_matches(' ').split(',') {
            let (key, value) = property.split_once('=').unwrap_or_else(|| panic!("{property:?} in {line:?}"));
            assert!(["file", "line", "title"].contains(&key), "{key} in {line:?}");
            assert!(!value.contains([':', ',']), "{value:?} in {line:?}");
        }
    }
}

/// Parses XML to the end with quick-xml, failing on anything ill-formed; returns every text
/// and attribute value, unescaped.
fn parse_xml(xml: &str) -> Vec<String> {
    use quick_xml::XmlVersion;
    use quick_xml::events::{BytesStart, Event};
    assert!(xml.chars().all(cargo_spdf::text::is_xml_char), "a character XML 1.0 forbids: {xml:?}");
    let attributes = |e: &BytesStart<'_>, values: &mut Vec<String>| {
        for a in e.attributes() {
            let a = a.unwrap_or_else(|e| panic!("bad attribute: {e}\n{xml}"));
            values.push(a.normalized_value(XmlVersion::Explicit1_0).unwrap().into_owned());
        }
    };
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut values, mut open) = (Vec::new(), Vec::new());
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed: {e}\n{xml}")) {
            Event::Start(e) => {
                attributes(&e, &mut values);
                open.push(e.name().as_ref().to_owned());
            }
            Event::Empty(e) => attributes(&e, &mut values),
            Event::End(e) => assert_eq!(open.pop().as_deref(), Some(e.name().as_ref()), "{xml}"),
            Event::Text(t) => values.push(t.xml10_content().into_owned()),
            Event::CData(_) => panic!("no CDATA is written:\n{xml}"),
            Event::GeneralRef(r) => {
                let known = r.resolve_char_ref().unwrap().is_some()
                    || quick_xml::escape::resolve_predefined_entity(&r.xml10_content()).is_some();
                assert!(known, "unknown entity &{};", &*r);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(open.is_empty(), "unclosed {open:?}");
    values
}

fn check_junit(report: &Report) {
    let xml = render(|r, o| junit::render(r, o), report);
    let values = parse_xml(&xml);
    for v in values {
        assert!(!v.chars().any(is_forging), "{v:?} in\n{xml}");
    }
    assert!(xml.contains("type=\"not-evaluated\""), "{xml}");
}

/// The strings a SARIF result's text carries exactly: the message, then the waiver's reason
/// for a waived finding, else the help.
fn message_strings(f: &Finding) -> Vec<&str> {
    let mut all = vec![f.message.as_str()];
    match (&f.exception, f.level) {
        (Some(e), Level::Excepted) => all.push(e.reason.as_str()),
        _ => all.extend(f.help.iter().map(String::as_str)),
    }
    all
}

fn check_json(report: &Report) {
    let doc: serde_json::Value = serde_json::from_str(&render(|r, o| json::render(r, o), report)).unwrap();
    for (f, j) in report.findings.iter().zip(doc["findings"].as_array().unwrap()) {
        assert_eq!(j["message"], f.message.as_str());
        if !f.help.is_empty() {
            assert_eq!(j["help"], serde_json::json!(f.help));
        }
        if let Some(p) = &f.package {
            assert_eq!(j["package"]["name"], p.name.as_str());
        }
        if let Some(a) = &f.advisory {
            assert_eq!(j["advisory"]["title"], a.title.as_str());
            assert_eq!(j["advisory"]["description"], a.description.as_str());
        }
        if let Some(l) = &f.location {
            assert_eq!(j["location"]["file"], l.file.as_str());
        }
    }
    let licenses = &doc["gates"][4];
    assert_eq!(licenses["reason"].as_str(), report.gates[4].status.reason());
    assert_eq!(doc["notes"], serde_json::json!(report.notes));
}

fn check_sarif(report: &Report) {
    let log: serde_json::Value = serde_json::from_str(&render(|r, o| sarif::render(r, o), report)).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    // The gate not evaluated comes first, then one result per finding.
    assert_eq!(results.len(), report.findings.len() + 1);
    let reason = report.gates[4].status.reason().unwrap();
    assert!(results[0]["message"]["text"].as_str().unwrap().contains(reason));
    for (f, r) in report.findings.iter().zip(&results[1..]) {
        let text = r["message"]["text"].as_str().unwrap();
        for s in message_strings(f) {
            assert!(text.contains(s), "{s:?} not in {text:?}");
        }
        if let Some(e) = f.exception.as_ref().filter(|_| f.level == Level::Excepted) {
            assert_eq!(r["suppressions"][0]["justification"], e.reason.as_str());
        }
        if let Some(file) = f.location.as_ref().map(|l| l.file.as_str()).filter(|f| !f.starts_with('$')) {
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.chars().any(char::is_control), "{uri:?} for {file:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_renderer_can_be_forged(strings in proptest::collection::vec(hostile_string(), 40)) {
        let report = report(strings);
        check_human(&report);
        check_github(&report);
        check_junit(&report);
        check_json(&report);
        check_sarif(&report);
    }
}

#[test]
fn every_hostile_fragment_at_once() {
    let report = report(HOSTILE.iter().map(|s| s.repeat(2)).collect());
    check_human(&report);
    check_github(&report);
    check_junit(&report);
    check_json(&report);
    check_sarif(&report);
    let text =
        render(|r, o| human::render(r, o, Options { color: false, verbosity: Verbosity::Verbose }), &report);
    assert!(text.contains("\\u{1b}[31m"), "ESC is shown escaped:\n{text}");
    assert!(text.contains("\\u{fffe}"), "{text}");
}

/// An SBOM, through `cargo spdf sbom --format xml`, with hostile strings in the policy's product,
/// version, manufacturer and authors and in a waiver's reason (the VEX detail): it parses and
/// carries nothing XML 1.0 forbids.
#[test]
fn the_sbom_xml_stays_well_formed() {
    let ws = copy_workspace("demo");
    let hostile = "A\\u001B[31m\\u0000B\\uFFFE\\uFFFF\\r\\n</name>]]>&amp;\\u0007";
    std::fs::write(
        ws.path().join("spdf.toml"),
        format!(
            "[sbom]\nproduct = \"{hostile}\"\nversion = \"1.0{hostile}\"\nmanufacturer = \"{hostile}\"\nauthors = [\"{hostile} <qa@example.com>\"]\n\n\
             [[advisories.exceptions]]\nid = \"RUSTSEC-2099-0001\"\nreason = \"{hostile}\"\nstate = \"not_affected\"\njustification = \"code_not_reachable\"\n"
        ),
    )
    .unwrap();
    for version in ["1.5", "1.6"] {
        let out = spdf(ws.path())
            .args(["sbom", "--offline", "--format", "xml", "--spec-version", version, "--db"])
            .arg(fixture_db())
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let xml = String::from_utf8(out.stdout).unwrap();
        let values = parse_xml(&xml);
        assert!(values.iter().any(|v| v.contains("\\u{fffe}\\u{ffff}")), "U+FFFE is shown escaped:\n{xml}");
        assert!(values.iter().any(|v| v.contains("</name>]]>&amp;")), "markup in a string is text:\n{xml}");
    }
}
