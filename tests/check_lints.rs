//! The lints gate, one test per precedence rule of ../shared/docs/LINTS.md section 1.3, over
//! workspaces written by the tests, plus the four-member fixture of the issue.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use support::*;

const POLICY: &str = "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"forbid\", \"clippy::unwrap_used\" = \"deny\" }\n";

fn package(name: &str, extra: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = \"1.81\"\n\n{extra}"
    )
}

fn lints(files: &[(&str, &str)], env: &[(&str, &str)]) -> Vec<(String, String, String, String)> {
    let ws = workspace_from(files);
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], env);
    assert!(code == 0 || code == 1, "{doc:#}");
    lint_keys(&doc)
}

fn keys4(items: &[(&str, &str, &str, &str)]) -> Vec<(String, String, String, String)> {
    keys(items)
}

#[test]
fn the_four_member_workspace() {
    let ws = copy_workspace("lints-four");
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        lint_keys(&doc),
        keys4(&[
            ("lint-missing", "deny", "no-lints", "clippy::unwrap_used"),
            ("lint-missing", "deny", "no-lints", "unsafe_code"),
            ("lint-overridden", "deny", "inherits-allow", "clippy::unwrap_used"),
        ])
    );
    let over = doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "lint-overridden").unwrap();
    assert_eq!(over["location"], serde_json::json!({"file": "inherits-allow/src/lib.rs", "line": 1}));
    assert_eq!((over["required"].as_str(), over["actual"].as_str()), (Some("deny"), Some("allow")));
}

#[test]
fn a_member_without_workspace_true_inherits_nothing() {
    let found = lints(
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"a\"]\n[workspace.lints.rust]\nunsafe_code = \"forbid\"\n[workspace.lints.clippy]\nunwrap_used = \"deny\"\n",
            ),
            ("a/Cargo.toml", &package("a", "")),
            ("a/src/lib.rs", ""),
            ("spdf.toml", POLICY),
        ],
        &[],
    );
    assert_eq!(
        found,
        keys4(&[
            ("lint-missing", "deny", "a", "clippy::unwrap_used"),
            ("lint-missing", "deny", "a", "unsafe_code")
        ])
    );
}

#[test]
fn a_group_satisfies_its_members_unless_a_later_flag_lowers_one() {
    let policy = "[lints]\ninclude-profile = false\nrequired = { \"clippy::cast_possible_truncation\" = \"deny\", \"clippy::needless_return\" = \"deny\" }\n";
    // pedantic = deny with cast_possible_truncation = allow at the same priority: the allow
    // comes later in cargo's order and wins. all = deny comes last and beats needless_return = allow.
    let same_priority = "[lints.clippy]\npedantic = \"deny\"\ncast_possible_truncation = \"allow\"\nall = \"deny\"\nneedless_return = \"allow\"\n";
    let found = lints(
        &[("Cargo.toml", &package("a", same_priority)), ("src/lib.rs", ""), ("spdf.toml", policy)],
        &[],
    );
    assert_eq!(found, keys4(&[("lint-too-weak", "deny", "a", "clippy::cast_possible_truncation")]));
    // With priority = -1 on the group, the group no longer overrides; with the member allowed
    // at priority 0 it is still too weak; without that entry the group satisfies it.
    let prioritized = "[lints.clippy]\npedantic = { level = \"deny\", priority = -1 }\nall = { level = \"deny\", priority = -1 }\n";
    let found =
        lints(&[("Cargo.toml", &package("a", prioritized)), ("src/lib.rs", ""), ("spdf.toml", policy)], &[]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn forbid_cannot_be_overridden_but_a_group_forbid_can() {
    let forbid = "[lints.rust]\nunsafe_code = \"forbid\"\n[lints.clippy]\nrestriction = { level = \"forbid\", priority = -1 }\n";
    let source = "#![allow(unsafe_code)]\n//! x\n#[allow(clippy::unwrap_used)]\npub fn f() -> u8 { Some(1).unwrap() }\n";
    let found =
        lints(&[("Cargo.toml", &package("a", forbid)), ("src/lib.rs", source), ("spdf.toml", POLICY)], &[]);
    // The allow(unsafe_code) under forbid is a compile error, not a silent override; the
    // allow(clippy::unwrap_used) under a group forbid takes effect.
    assert_eq!(found, keys4(&[("lint-overridden", "deny", "a", "clippy::unwrap_used")]));
}

#[test]
fn cfg_attr_and_module_attributes_are_overrides() {
    let manifest = "[lints.rust]\nunsafe_code = \"forbid\"\n[lints.clippy]\nunwrap_used = \"deny\"\n";
    let lib = "//! x\nmod inner;\n#[cfg_attr(not(test), allow(clippy::unwrap_used))]\npub fn f() -> u8 { Some(1).unwrap() }\n";
    let inner = "#![allow(clippy::restriction)]\npub fn g() {}\n";
    let ws = workspace_from(&[
        ("Cargo.toml", &package("a", manifest)),
        ("src/lib.rs", lib),
        ("src/inner.rs", inner),
        ("spdf.toml", POLICY),
    ]);
    let (_, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    let found: Vec<(String, u64, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["file"].as_str().unwrap().to_owned(),
                f["location"]["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!((found[0].0.as_str(), found[0].1), ("src/inner.rs", 1));
    assert!(found[0].2.contains("module-level `allow(clippy::restriction)`"));
    assert_eq!((found[1].0.as_str(), found[1].1), ("src/lib.rs", 3));
    assert!(found[1].2.contains("when `not(test)`"), "{}", found[1].2);
}

#[test]
fn a_reasoned_attribute_is_a_documented_deviation() {
    let manifest = "[lints.rust]\nunsafe_code = \"forbid\"\n[lints.clippy]\nunwrap_used = \"deny\"\n";
    let lib = "//! x\n#[expect(clippy::unwrap_used, reason = \"the value is a literal\")]\npub fn f() -> u8 { Some(1).unwrap() }\n";
    let ws = workspace_from(&[
        ("Cargo.toml", &package("a", manifest)),
        ("src/lib.rs", lib),
        ("spdf.toml", POLICY),
    ]);
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 0);
    let f = &doc["findings"][0];
    assert_eq!((f["code"].as_str(), f["level"].as_str()), (Some("lint-overridden"), Some("excepted")));
    assert_eq!(f["exception"]["reason"], "the value is a literal");
    // The policy can refuse reasoned deviations.
    std::fs::write(ws.path().join("spdf.toml"), format!("{POLICY}allow-reasoned-deviations = false\n"))
        .unwrap();
    let (code, _) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 1);
}

#[test]
fn rustflags_lower_a_required_lint() {
    let manifest = "[lints.rust]\nunsafe_code = \"deny\"\n[lints.clippy]\nunwrap_used = \"deny\"\n";
    let policy = "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"deny\", \"clippy::unwrap_used\" = \"deny\" }\n";
    let files = [
        ("Cargo.toml", package("a", manifest)),
        ("src/lib.rs", String::new()),
        ("spdf.toml", policy.to_owned()),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let found = lints(&files, &[("RUSTFLAGS", "-A clippy::unwrap_used")]);
    assert_eq!(found, keys4(&[("lint-overridden", "deny", "", "clippy::unwrap_used")]));
    // A forbid in the manifest is not lowered by a later -A.
    let forbid = package("a", "[lints.rust]\nunsafe_code = \"forbid\"\n");
    let found = lints(
        &[
            ("Cargo.toml", &forbid),
            ("src/lib.rs", ""),
            ("spdf.toml", "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"deny\" }\n"),
        ],
        &[("RUSTFLAGS", "-Aunsafe_code")],
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn config_rustflags_lower_a_required_lint_and_point_at_the_config() {
    let manifest = "[lints.rust]\nunsafe_code = \"deny\"\n";
    let policy = "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"deny\" }\n";
    let ws = workspace_from(&[
        ("Cargo.toml", &package("a", manifest)),
        ("src/lib.rs", ""),
        ("spdf.toml", policy),
        (".cargo/config.toml", "[build]\nrustflags = [\n  \"-Aunsafe_code\",\n]\n"),
    ]);
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 1);
    let f = &doc["findings"][0];
    assert_eq!(f["code"], "lint-overridden");
    assert_eq!(f["location"], serde_json::json!({"file": ".cargo/config.toml", "line": 3}));
    // RUSTFLAGS replaces the config's rustflags: with it set (even empty) the config no longer applies.
    let (code, _) = check_gates(ws.path(), &["lints"], &[], &[("RUSTFLAGS", "")]);
    assert_eq!(code, 0);
}

#[test]
fn a_crate_root_attribute_covers_only_its_own_target() {
    let policy = "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"forbid\" }\n";
    let lib = "#![forbid(unsafe_code)]\n//! x\n";
    let lib_only =
        lints(&[("Cargo.toml", &package("a", "")), ("src/lib.rs", lib), ("spdf.toml", policy)], &[]);
    assert!(lib_only.is_empty(), "{lib_only:?}");
    let ws = workspace_from(&[
        ("Cargo.toml", &package("a", "")),
        ("src/lib.rs", lib),
        ("src/main.rs", "fn main() {}\n"),
        ("spdf.toml", policy),
    ]);
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 1);
    let f = &doc["findings"][0];
    assert_eq!(f["code"], "lint-missing");
    assert!(f["message"].as_str().unwrap().contains("for the bin `a`"), "{}", f["message"]);
}

#[test]
fn unknown_lint_names_in_the_policy_and_the_manifest() {
    let manifest = "[lints.clippy]\nunwarp_used = \"deny\"\n";
    let policy = "[lints]\ninclude-profile = false\nrequired = { \"clippy::unwarp_used\" = \"deny\" }\n";
    let ws =
        workspace_from(&[("Cargo.toml", &package("a", manifest)), ("src/lib.rs", ""), ("spdf.toml", policy)]);
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        lint_keys(&doc),
        keys4(&[
            ("lint-unknown", "deny", "", "clippy::unwarp_used"),
            ("lint-unknown", "warn", "a", "clippy::unwarp_used")
        ])
    );
    let messages: Vec<&str> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(messages.iter().all(|m| m.contains("did you mean `clippy::unwrap_used`?")), "{messages:?}");
    let policy_finding = doc["findings"].as_array().unwrap().iter().find(|f| f["level"] == "deny").unwrap();
    assert_eq!(policy_finding["location"], serde_json::json!({"file": "spdf.toml", "line": 3}));
}

#[test]
fn a_member_exception_is_a_documented_deviation() {
    let manifest = "[lints.rust]\nunsafe_code = \"deny\"\n";
    let policy = format!(
        "{POLICY}\n[[lints.exceptions]]\nmember = \"a\"\nlint = \"unsafe_code\"\nlevel = \"deny\"\nreason = \"register access\"\n"
    );
    let ws = workspace_from(&[
        ("Cargo.toml", &package("a", &format!("{manifest}[lints.clippy]\nunwrap_used = \"deny\"\n"))),
        ("src/lib.rs", ""),
        ("spdf.toml", &policy),
    ]);
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(lint_keys(&doc), keys4(&[("lint-too-weak", "excepted", "a", "unsafe_code")]));
    assert_eq!(doc["findings"][0]["exception"]["reason"], "register access");
}

#[test]
fn profiles_require_their_lints() {
    let ws = workspace_from(&[
        ("Cargo.toml", &package("a", "")),
        ("src/lib.rs", ""),
        ("spdf.toml", "profile = \"medical\"\n"),
    ]);
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 1);
    let lints: Vec<String> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["lint"].as_str().unwrap().to_owned()).collect();
    for lint in [
        "unsafe_code",
        "clippy::arithmetic_side_effects",
        "clippy::indexing_slicing",
        "clippy::suspicious",
        "clippy::allow_attributes",
    ] {
        assert!(lints.iter().any(|l| l == lint), "{lint} in {lints:?}");
    }
    // Every name the three profiles require is known to this toolchain.
    for profile in ["baseline", "medical", "firmware"] {
        std::fs::write(ws.path().join("spdf.toml"), format!("profile = \"{profile}\"\n")).unwrap();
        let (_, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
        assert!(doc["findings"].as_array().unwrap().iter().all(|f| f["code"] != "lint-unknown"), "{profile}");
    }
}

fn findings(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    doc["findings"].as_array().unwrap().clone()
}

#[test]
fn rustflags_that_raise_a_lint_are_credited() {
    let policy = "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"deny\", \"clippy::dbg_macro\" = \"warn\" }\n";
    for config in [
        "[build]\nrustflags = [\"-Dunsafe_code\", \"-W\", \"clippy::dbg_macro\"]\n",
        "[target.'cfg(all())']\nrustflags = [\"-Dunsafe_code\", \"-Wclippy::dbg_macro\"]\n",
    ] {
        let found = lints(
            &[
                ("Cargo.toml", &package("a", "")),
                ("src/lib.rs", ""),
                ("spdf.toml", policy),
                (".cargo/config.toml", config),
            ],
            &[],
        );
        assert!(found.is_empty(), "{config}: {found:?}");
    }
    // Without them, both are missing.
    let found = lints(&[("Cargo.toml", &package("a", "")), ("src/lib.rs", ""), ("spdf.toml", policy)], &[]);
    assert_eq!(found.len(), 2, "{found:?}");
}

#[test]
fn allow_warnings_and_cap_lints_lower_what_warns() {
    let policy = "[lints]\ninclude-profile = false\nrequired = { \"clippy::dbg_macro\" = \"warn\" }\n";
    let manifest = package("a", "[lints.clippy]\ndbg_macro = \"warn\"\n");
    let files = |config: &'static str| {
        vec![
            ("Cargo.toml", manifest.clone()),
            ("src/lib.rs", String::new()),
            ("spdf.toml", policy.to_owned()),
            (".cargo/config.toml", config.to_owned()),
        ]
    };
    for config in
        ["[build]\nrustflags = [\"-Awarnings\"]\n", "[build]\nrustflags = [\"--cap-lints\", \"allow\"]\n"]
    {
        let files = files(config);
        let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let found = lints(&files, &[]);
        assert_eq!(found, keys4(&[("lint-overridden", "deny", "", "clippy::dbg_macro")]), "{config}");
    }
    let manifest = package("a", "[lints.rust]\nwarnings = \"allow\"\n[lints.clippy]\ndbg_macro = \"warn\"\n");
    let found = lints(&[("Cargo.toml", &manifest), ("src/lib.rs", ""), ("spdf.toml", policy)], &[]);
    assert_eq!(found, keys4(&[("lint-too-weak", "deny", "a", "clippy::dbg_macro")]));
}

#[test]
fn argument_files_and_config_includes_are_followed() {
    let policy = "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"deny\" }\n";
    let manifest = package("a", "[lints.rust]\nunsafe_code = \"deny\"\n");
    let ws = workspace_from(&[
        ("Cargo.toml", &manifest),
        ("src/lib.rs", ""),
        ("spdf.toml", policy),
        (".cargo/config.toml", "include = [\"extra.toml\"]\n"),
        (".cargo/extra.toml", "[build]\nrustflags = [\"@ci/flags\"]\n"),
        ("ci/flags", "-Copt-level=1\n-Aunsafe_code\n"),
    ]);
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 1, "{doc:#}");
    let f = &findings(&doc)[0];
    assert_eq!(f["code"], "lint-overridden");
    assert_eq!(f["location"], serde_json::json!({"file": "ci/flags", "line": 2}));
}

#[test]
fn a_renamed_lint_name_in_the_manifest_still_sets_the_lint() {
    let policy =
        "[lints]\ninclude-profile = false\nrequired = { \"clippy::arithmetic_side_effects\" = \"deny\" }\n";
    let manifest = package("a", "[lints.clippy]\ninteger_arithmetic = \"deny\"\n");
    let found = lints(&[("Cargo.toml", &manifest), ("src/lib.rs", ""), ("spdf.toml", policy)], &[]);
    assert!(found.is_empty(), "{found:?}");
    let lib = "#![allow(clippy::integer_arithmetic)]\n";
    let found = lints(&[("Cargo.toml", &manifest), ("src/lib.rs", lib), ("spdf.toml", policy)], &[]);
    assert_eq!(found, keys4(&[("lint-overridden", "deny", "a", "clippy::arithmetic_side_effects")]));
}

#[test]
fn one_finding_per_cause() {
    let root =
        "[workspace]\nmembers = [\"a\", \"b\", \"c\"]\n[workspace.lints.rust]\nunsafe_code = \"deny\"\n";
    let member = |name: &str| package(name, "[lints]\nworkspace = true\n");
    let policy = "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"deny\", \"clippy::unwrap_used\" = \"deny\", \"clippy::expect_used\" = \"deny\" }\n";
    let ws = workspace_from(&[
        ("Cargo.toml", root),
        ("a/Cargo.toml", &member("a")),
        ("a/src/lib.rs", "#![allow(clippy::restriction)]\n"),
        ("b/Cargo.toml", &member("b")),
        ("b/src/lib.rs", ""),
        ("c/Cargo.toml", &member("c")),
        ("c/src/lib.rs", ""),
        ("spdf.toml", policy),
    ]);
    let (_, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    let found = findings(&doc);
    let missing: Vec<&serde_json::Value> = found.iter().filter(|f| f["code"] == "lint-missing").collect();
    // Each missing lint is one finding at [workspace.lints], naming the three members.
    assert_eq!(missing.len(), 2, "{found:#?}");
    for f in &missing {
        assert_eq!(f["location"], serde_json::json!({"file": "Cargo.toml", "line": 3}));
        assert!(f["message"].as_str().unwrap().starts_with("a, b, c: "), "{}", f["message"]);
        assert!(f["member"].is_null());
    }
    // One group allow lowering two required lints is one finding.
    let over: Vec<&serde_json::Value> = found.iter().filter(|f| f["code"] == "lint-overridden").collect();
    assert_eq!(over.len(), 1, "{found:#?}");
    assert!(
        over[0]["message"].as_str().unwrap().contains("lowers 2 required lints"),
        "{}",
        over[0]["message"]
    );
}

#[test]
fn a_lint_whose_default_differs_by_edition_is_listed_once() {
    // `unsafe_op_in_unsafe_fn` warns by default in edition 2024 and is allowed in 2021: one finding
    // for each default in JSON, one entry in the human report's [workspace.lints] block.
    let root = "[workspace]\nmembers = [\"a\", \"b\", \"c\", \"d\"]\n[workspace.lints.rust]\nunsafe_code = \"deny\"\n";
    let old = |name: &str| package(name, "[lints]\nworkspace = true\n");
    let new = |name: &str| {
        old(name).replace(
            "edition = \"2021\"\nrust-version = \"1.81\"",
            "edition = \"2024\"\nrust-version = \"1.85\"",
        )
    };
    let policy = "[lints]\ninclude-profile = false\nrequired = { unsafe_op_in_unsafe_fn = \"deny\", \"clippy::unwrap_used\" = \"deny\", \"clippy::todo\" = \"deny\", \"clippy::dbg_macro\" = \"deny\" }\n";
    let ws = workspace_from(&[
        ("Cargo.toml", root),
        ("a/Cargo.toml", &old("a")),
        ("a/src/lib.rs", ""),
        ("b/Cargo.toml", &old("b")),
        ("b/src/lib.rs", ""),
        ("c/Cargo.toml", &new("c")),
        ("c/src/lib.rs", ""),
        ("d/Cargo.toml", &new("d")),
        ("d/src/lib.rs", ""),
        ("spdf.toml", policy),
    ]);
    let (_, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    let found = findings(&doc);
    let missing: Vec<&serde_json::Value> = found.iter().filter(|f| f["code"] == "lint-missing").collect();
    assert_eq!(missing.len(), 5, "{doc:#}");
    let out = check_human(ws.path(), "lints");
    let text = stderr(&out);
    assert!(
        text.contains(
            "4 required lints are not set in [workspace.lints], which 4 members (a, b, c, d) inherit"
        ),
        "{text}"
    );
    assert_eq!(text.matches("unsafe_op_in_unsafe_fn = \"deny\"").count(), 1, "{text}");
}

#[test]
fn code_that_does_not_ship_is_left_out_unless_the_policy_asks() {
    let manifest =
        package("a", "[lints.rust]\nunsafe_code = \"deny\"\n[lints.clippy]\nunwrap_used = \"deny\"\n");
    let lib = "#![cfg_attr(test, allow(unsafe_code))]\n#[cfg(test)]\nmod tests;\n";
    let files = [
        ("Cargo.toml", manifest.as_str()),
        ("src/lib.rs", lib),
        ("src/tests.rs", "#![allow(clippy::unwrap_used)]\n"),
        ("tests/it.rs", "#![allow(unsafe_code)]\n"),
        ("examples/demo.rs", "#![allow(unsafe_code)]\nfn main() {}\n"),
        (
            "spdf.toml",
            "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"deny\", \"clippy::unwrap_used\" = \"deny\" }\n",
        ),
    ];
    let ws = workspace_from(&files);
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(findings(&doc).is_empty(), "{doc:#}");
    let notes = doc["notes"].to_string();
    assert!(notes.contains("4 lint attributes in code that does not ship"), "{notes}");
    std::fs::write(ws.path().join("spdf.toml"), format!("{}check-test-targets = true\n", files[5].1))
        .unwrap();
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc).iter().filter(|f| f["code"] == "lint-overridden").count(), 4, "{doc:#}");
}

#[test]
fn only_files_the_module_tree_reaches_are_read() {
    let manifest = package("a", "[lints.rust]\nunsafe_code = \"deny\"\n");
    let policy = "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"deny\" }\n";
    let lib = "#[path = \"../target/gen/imp.rs\"]\nmod imp;\nmod outer;\n";
    let found = lints(
        &[
            ("Cargo.toml", &manifest),
            ("src/lib.rs", lib),
            ("target/gen/imp.rs", "#![allow(unsafe_code)]\n"),
            ("src/outer.rs", "#[path = \"../../shared/common.rs\"]\nmod common;\n"),
            ("../shared/common.rs", "#[allow(unsafe_code)]\nfn f() {}\n"),
            // Not in the module tree: a trybuild input and a stale file.
            ("tests/ui/bad.rs", "#![allow(unsafe_code)]\nfn main() { this does not parse }\n"),
            ("src/stale.rs", "#![allow(unsafe_code)]\n"),
            ("spdf.toml", policy),
        ],
        &[],
    );
    assert_eq!(
        found,
        keys4(&[
            ("lint-overridden", "deny", "a", "unsafe_code"),
            ("lint-overridden", "deny", "a", "unsafe_code")
        ])
    );
}

#[test]
fn an_unparsable_or_too_deep_file_is_named() {
    let manifest = package("a", "[lints.rust]\nunsafe_code = \"deny\"\n");
    let policy = "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"deny\" }\n";
    let deep = format!("pub fn f() -> u8 {{ {}1{} }}\n", "(".repeat(20000), ")".repeat(20000));
    let ws = workspace_from(&[
        ("Cargo.toml", &manifest),
        ("src/lib.rs", "mod deep;\nmod broken;\n"),
        ("src/deep.rs", &deep),
        ("src/broken.rs", "fn f( {\n"),
        ("spdf.toml", policy),
    ]);
    let (code, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(code, 1, "{doc:#}");
    let found: Vec<(String, String)> = findings(&doc)
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_owned(), f["location"]["file"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        found,
        [
            ("source-unparsable".to_owned(), "src/broken.rs".to_owned()),
            ("source-unparsable".to_owned(), "src/deep.rs".to_owned())
        ]
    );
    assert!(doc["findings"].to_string().contains("nested deeper than 256"), "{doc:#}");
}

#[test]
fn configuration_in_a_member_directory_counts_for_that_member() {
    let root = "[workspace]\nmembers = [\"board\", \"host\"]\n";
    let policy = "[lints]\ninclude-profile = false\nrequired = { unsafe_code = \"deny\" }\n";
    let ws = workspace_from(&[
        ("Cargo.toml", root),
        ("board/Cargo.toml", &package("board", "")),
        ("board/src/lib.rs", ""),
        (
            "board/.cargo/config.toml",
            "[build]\nrustflags = [\"-Dunsafe_code\"]\n\n[target.thumbv6m-none-eabi]\nrustflags = [\"-Cpanic=abort\"]\n",
        ),
        ("host/Cargo.toml", &package("host", "")),
        ("host/src/lib.rs", ""),
        ("spdf.toml", policy),
    ]);
    let (_, doc) = check_gates(ws.path(), &["lints"], &[], &[]);
    assert_eq!(lint_keys(&doc), keys4(&[("lint-missing", "deny", "host", "unsafe_code")]));
    let notes = doc["notes"].to_string();
    assert!(
        notes.contains("board/.cargo/config.toml:5: the [target.thumbv6m-none-eabi] rustflags are not judged: a build from board compiles for"),
        "{notes}"
    );
}
