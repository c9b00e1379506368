//! The build gate: release settings and what defeats them, toolchain pin and advisories,
//! rust-version, committed Cargo.lock, risky configuration.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use support::*;

fn package(extra: &str) -> String {
    format!(
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = \"1.81\"\n\n{extra}"
    )
}

const RELEASE_OK: &str = "[profile.release]\noverflow-checks = true\nincremental = false\npanic = \"abort\"\ndebug-assertions = false\n";

fn build(files: &[(&str, &str)], env: &[(&str, &str)]) -> serde_json::Value {
    let mut files = files.to_vec();
    if !files.iter().any(|(p, _)| *p == "rust-toolchain.toml") {
        files.push(("rust-toolchain.toml", "[toolchain]\nchannel = \"1.95.0\"\n"));
    }
    files.push(("src/lib.rs", ""));
    let ws = workspace_from(&files);
    check_gates(ws.path(), &["build"], &[], env).1
}

fn messages(doc: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] != "toolchain-advisory")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
                f["location"].clone(),
            )
        })
        .collect()
}

#[test]
fn medical_release_without_overflow_checks_points_at_the_root_manifest() {
    let manifest = package("[profile.release]\npanic = \"abort\"\ndebug-assertions = false\n");
    let doc = build(&[("Cargo.toml", &manifest), ("spdf.toml", "profile = \"medical\"\n")], &[]);
    let found = messages(&doc);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "build-setting");
    assert!(found[0].1.contains("[profile.release] overflow-checks is false (cargo's default; the key is not set); the policy requires true"));
    assert_eq!(found[0].2, serde_json::json!({"file": "Cargo.toml", "line": 7}));
    let ok = build(&[("Cargo.toml", &package(RELEASE_OK)), ("spdf.toml", "profile = \"medical\"\n")], &[]);
    assert!(messages(&ok).is_empty(), "{:#?}", messages(&ok));
}

#[test]
fn what_defeats_the_release_profile() {
    let policy = "[build]\nrelease = { overflow-checks = true }\n";
    let per_package = format!(
        "{RELEASE_OK}\n[profile.release.package.a]\noverflow-checks = false\n\n[profile.ship]\ninherits = \"release\"\noverflow-checks = false\n"
    );
    let doc = build(&[("Cargo.toml", &package(&per_package)), ("spdf.toml", policy)], &[]);
    let found = messages(&doc);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().any(|f| f.1.contains("[profile.release.package.a] sets overflow-checks = false")));
    assert!(found.iter().any(|f| f.1.contains("[profile.ship] sets overflow-checks = false")));

    let config = "[profile.release]\noverflow-checks = false\n";
    let doc = build(
        &[("Cargo.toml", &package(RELEASE_OK)), ("spdf.toml", policy), (".cargo/config.toml", config)],
        &[],
    );
    let found = messages(&doc);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].2, serde_json::json!({"file": ".cargo/config.toml", "line": 2}));

    let doc = build(
        &[("Cargo.toml", &package(RELEASE_OK)), ("spdf.toml", policy)],
        &[("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "false")],
    );
    let found = messages(&doc);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].2["file"], "$CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS");

    let doc = build(
        &[("Cargo.toml", &package(RELEASE_OK)), ("spdf.toml", policy)],
        &[("RUSTFLAGS", "-C overflow-checks=off")],
    );
    let found = messages(&doc);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].1.contains("-C overflow-checks=off"));
}

#[test]
fn dev_and_test_must_keep_their_checks() {
    let doc = build(
        &[(
            "Cargo.toml",
            &package("[profile.dev]\ndebug-assertions = false\n[profile.test]\noverflow-checks = false\n"),
        )],
        &[],
    );
    let found = messages(&doc);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().all(|f| f.0 == "build-setting"));
}

#[test]
fn toolchain_pin_and_rust_version() {
    let policy = "[build]\nrequire-toolchain-pin = true\nmin-rust-version = \"1.81\"\n";
    let stable = build(
        &[
            ("Cargo.toml", &package("")),
            ("spdf.toml", policy),
            ("rust-toolchain.toml", "[toolchain]\nchannel = \"stable\"\n"),
        ],
        &[],
    );
    let found = messages(&stable);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "toolchain-unpinned");
    assert_eq!(found[0].2, serde_json::json!({"file": "rust-toolchain.toml", "line": 2}));
    let old = "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = \"1.70\"\n";
    let found = messages(&build(&[("Cargo.toml", old), ("spdf.toml", policy)], &[]));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].1.contains("`rust-version` 1.70.0 is below 1.81.0"));
    let none = "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    let found = messages(&build(&[("Cargo.toml", none), ("spdf.toml", policy)], &[]));
    assert!(found.iter().any(|f| f.1.contains("`rust-version` is not set")), "{found:#?}");
}

#[test]
fn lockfile_missing_or_untracked() {
    let ws = workspace_from(&[("Cargo.toml", &package("")), ("src/lib.rs", "")]);
    std::fs::remove_file(ws.path().join("Cargo.lock")).unwrap();
    let (code, doc) = check_gates(ws.path(), &["build"], &[], &[]);
    assert_eq!(code, 1);
    assert!(doc["findings"].as_array().unwrap().iter().any(|f| f["code"] == "lockfile-missing"));
    std::fs::write(ws.path().join("Cargo.lock"), "version = 4\n").unwrap();
    let git = |args: &[&str]| {
        std::process::Command::new("git").arg("-C").arg(ws.path()).args(args).output().unwrap()
    };
    git(&["init", "-q"]);
    let (_, doc) = check_gates(ws.path(), &["build"], &[], &[]);
    let f = doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "lockfile-missing").unwrap();
    assert!(f["message"].as_str().unwrap().contains("not tracked by git"));
    git(&["add", "Cargo.lock"]);
    let (_, doc) = check_gates(ws.path(), &["build"], &[], &[]);
    assert!(doc["findings"].as_array().unwrap().iter().all(|f| f["code"] != "lockfile-missing"));
}

#[test]
fn risky_configuration() {
    let config = "[build]\nrustflags = [\"-Zshare-generics\", \"-C\", \"target-feature=+avx2\"]\nrustc-wrapper = \"sccache\"\n\n[unstable]\nbuild-std = [\"core\"]\n";
    let doc = build(
        &[
            ("Cargo.toml", &package("")),
            ("spdf.toml", "profile = \"firmware\"\n[build]\nrelease = {}\ndev = {}\n"),
            (".cargo/config.toml", config),
        ],
        &[],
    );
    let found = messages(&doc);
    let text: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    assert!(text.iter().any(|m| m.contains("-Zshare-generics")), "{text:#?}");
    assert!(text.iter().any(|m| m.contains("target-feature=+avx2")), "{text:#?}");
    assert!(text.iter().any(|m| m.contains("rustc-wrapper")), "{text:#?}");
    assert!(text.iter().any(|m| m.contains("[unstable]")), "{text:#?}");
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "build-setting")
            .all(|f| f["level"] == "deny")
    );
    // Under baseline the same settings warn.
    let doc = build(
        &[("Cargo.toml", &package("")), (".cargo/config.toml", config)],
        &[("RUSTC_WRAPPER", "sccache")],
    );
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "build-setting")
            .all(|f| f["level"] == "warn")
    );
}

#[test]
fn a_toolchain_pinned_to_1_58_0_has_cve_2022_21658() {
    let ws = copy_workspace("webp");
    std::fs::write(ws.path().join("rust-toolchain.toml"), "[toolchain]\nchannel = \"1.58.0\"\n").unwrap();
    let out = spdf(ws.path())
        .args(["check", "--offline", "--gate", "build", "--format", "json", "--db"])
        .arg(shared().join("advisory-db"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let doc = json(&out);
    let ids: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "toolchain-advisory")
        .map(|f| f["advisory"]["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"CVE-2022-21658"), "{ids:?}");
    let f =
        doc["findings"].as_array().unwrap().iter().find(|f| f["advisory"]["id"] == "CVE-2022-21658").unwrap();
    assert_eq!(f["package"], serde_json::json!({"name": "std", "version": "1.58.0"}));
    assert_eq!(f["required"], ">=1.58.1");
    assert_eq!(f["location"], serde_json::json!({"file": "rust-toolchain.toml", "line": 2}));
    // A current toolchain is not affected.
    std::fs::write(ws.path().join("rust-toolchain.toml"), "[toolchain]\nchannel = \"1.95.0\"\n").unwrap();
    let out = spdf(ws.path())
        .args(["check", "--offline", "--gate", "build", "--format", "json", "--db"])
        .arg(shared().join("advisory-db"))
        .output()
        .unwrap();
    assert!(json(&out)["findings"].as_array().unwrap().iter().all(|f| f["code"] != "toolchain-advisory"));
}

#[test]
fn dated_nightly_and_beta_pins_are_exact() {
    let policy = "[build]\nrequire-toolchain-pin = true\n";
    for channel in ["nightly-2026-01-15", "beta-2026-03-01", "1.95.0", "1.95.0-x86_64-unknown-linux-gnu"] {
        let file = format!("[toolchain]\nchannel = \"{channel}\"\n");
        let doc = build(
            &[("Cargo.toml", &package("")), ("spdf.toml", policy), ("rust-toolchain.toml", &file)],
            &[],
        );
        assert!(
            messages(&doc).iter().all(|f| f.0 != "toolchain-unpinned"),
            "{channel}: {:#?}",
            messages(&doc)
        );
    }
    // The help never proposes the toolchain that happens to run, nor a file that exists.
    let doc = build(
        &[
            ("Cargo.toml", &package("")),
            ("spdf.toml", policy),
            ("rust-toolchain.toml", "[toolchain]\nchannel = \"nightly\"\n"),
        ],
        &[],
    );
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "toolchain-unpinned")
        .unwrap()
        .clone();
    let help = f["help"].to_string();
    assert!(help.contains("set `channel` in rust-toolchain.toml"), "{help}");
    assert!(!help.contains("add rust-toolchain.toml") && !help.contains("1.95"), "{help}");
}

#[test]
fn panic_defaults_to_the_build_targets_strategy() {
    let policy = "[build]\nrelease = { panic = \"abort\" }\n";
    let doc = build(&[("Cargo.toml", &package("")), ("spdf.toml", policy)], &[]);
    let found = messages(&doc);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].1.starts_with("as `cargo build --release` builds it, [profile.release] panic is \"unwind\" (the default of the build target"), "{}", found[0].1);
    // A thumb target aborts on panic: nothing to set.
    let config = "[build]\ntarget = \"thumbv7em-none-eabihf\"\n";
    let doc =
        build(&[("Cargo.toml", &package("")), ("spdf.toml", policy), (".cargo/config.toml", config)], &[]);
    assert!(messages(&doc).is_empty(), "{:#?}", messages(&doc));
}

#[test]
fn settings_an_external_build_supplies_are_recorded() {
    let policy = "[build]\nrelease = { overflow-checks = true }\nexternal = { overflow-checks = true, reason = \"xtask dist passes -C overflow-checks=y\" }\n";
    let ws = workspace_from(&[
        ("Cargo.toml", &package("")),
        ("src/lib.rs", ""),
        ("spdf.toml", policy),
        ("rust-toolchain.toml", "[toolchain]\nchannel = \"1.95.0\"\n"),
    ]);
    let (code, doc) = check_gates(ws.path(), &["build"], &[], &[]);
    assert_eq!(code, 0, "{doc:#}");
    let f = doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "build-setting").unwrap();
    assert_eq!(f["level"], "excepted");
    assert_eq!(f["exception"]["reason"], "xtask dist passes -C overflow-checks=y");
    assert_eq!(f["location"]["file"], "spdf.toml");
    // The reason is required.
    std::fs::write(ws.path().join("spdf.toml"), "[build]\nexternal = { overflow-checks = true }\n").unwrap();
    let out = check_human(ws.path(), "build");
    assert_eq!(support::code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("spdf.toml:2"), "{}", stderr(&out));
}

#[test]
fn a_toolchain_file_in_a_parent_directory_pins_the_workspace() {
    // A workspace in a board or examples directory of a larger repository: rustup obeys the
    // repository's rust-toolchain.toml, found by walking up from the workspace.
    let repo = tempfile::tempdir().unwrap();
    let board = repo.path().join("examples/board");
    std::fs::create_dir_all(board.join("src")).unwrap();
    std::fs::write(board.join("Cargo.toml"), package("")).unwrap();
    std::fs::write(board.join("src/lib.rs"), "").unwrap();
    std::fs::write(board.join("spdf.toml"), "[build]\nrequire-toolchain-pin = true\n").unwrap();
    lock(&board);
    let toolchain = repo.path().join("rust-toolchain.toml");
    std::fs::write(&toolchain, "[toolchain]\nchannel = \"1.95.0\"\n").unwrap();
    let doc = check_gates(&board, &["build"], &[], &[]).1;
    assert!(messages(&doc).iter().all(|f| f.0 != "toolchain-unpinned"), "{doc:#}");
    std::fs::write(&toolchain, "[toolchain]\nchannel = \"1.95\"\n").unwrap();
    let doc = check_gates(&board, &["build"], &[], &[]).1;
    let found = messages(&doc);
    let unpinned: Vec<_> = found.iter().filter(|f| f.0 == "toolchain-unpinned").collect();
    assert_eq!(unpinned.len(), 1, "{found:#?}");
    assert!(unpinned[0].1.contains("(1.95)"), "{found:#?}");
    assert_eq!(unpinned[0].2, serde_json::json!({"file": "../../rust-toolchain.toml", "line": 2}));
}
