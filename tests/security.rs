//! Security: in a pre-merge gate the pull request writes every manifest, lockfile, policy,
//! configuration and source file; the operator controls the command line and the environment.
//! A pull request cannot make the gate run its code, pass by mistake, or hang.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use support::*;

fn check_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = spdf(dir)
        .args(["check", "--offline", "--format", "json", "--db"])
        .arg(fixture_db())
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    (code(&out), json(&out), stderr(&out))
}

fn codes(doc: &Value) -> Vec<String> {
    doc["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_owned()).collect()
}

#[cfg(unix)]
fn executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
#[test]
fn no_code_of_the_workspace_runs() {
    let ws = copy_workspace("clean");
    let root = ws.path();
    let marker = root.join("ran");
    let evil = format!("#!/bin/sh\necho \"$0 $*\" >> {}\nexit 1\n", marker.display());
    for tool in ["wrapper", "rustc", "bin/cargo", "bin/rustc", "bin/clippy-driver", "cred"] {
        executable(&root.join("evil").join(tool), &evil);
    }
    let config = std::fs::read_to_string(root.join(".cargo/config.toml")).unwrap();
    let evil_dir = root.join("evil");
    std::fs::write(
        root.join(".cargo/config.toml"),
        format!(
            "{config}\n[build]\nrustc = \"{e}/rustc\"\nrustc-wrapper = \"{e}/wrapper\"\nrustc-workspace-wrapper = \"{e}/wrapper\"\nrustflags = [\"-Zcodegen-backend={e}/backend.so\", \"-Cllvm-args=-load={e}/plugin.so\"]\n\n[env]\nLD_PRELOAD = \"{e}/preload.so\"\n\n[registries.evil]\nindex = \"sparse+https://evil.example.com/\"\ncredential-provider = [\"{e}/cred\"]\n",
            e = evil_dir.display()
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("rust-toolchain.toml"),
        format!("[toolchain]\npath = \"{}\"\n", evil_dir.display()),
    )
    .unwrap();
    let (code, doc, err) = check_json(root, &[]);
    let _ = code;
    assert!(!marker.exists(), "workspace code ran: {}", std::fs::read_to_string(&marker).unwrap_or_default());
    assert_ne!(code, 2, "{err}\n{doc:#}");
    for gate in doc["gates"].as_array().unwrap() {
        assert_eq!(gate["status"], "evaluated", "{gate}\n{err}");
    }
    // The configuration that would substitute the compiler is reported, not used, and so is the
    // toolchain named by path.
    assert!(codes(&doc).iter().any(|c| c == "build-setting"), "{doc:#}");
    let by_path =
        doc["findings"].as_array().unwrap().iter().find(|f| {
            f["code"] == "toolchain-mismatch" && f["message"].as_str().unwrap().contains("by path")
        });
    assert!(by_path.is_some(), "{doc:#}");
}

#[test]
fn every_spelling_of_crates_io_is_crates_io() {
    let ws = copy_workspace("demo");
    let lock = ws.path().join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    let entry = text.find("name = \"vulnlib\"").unwrap();
    let (before, after) = text.split_at(entry);
    let after = after.replacen(
        "registry+https://github.com/rust-lang/crates.io-index",
        "registry+HTTP://GitHub.com/rust-lang/crates.io-index.git/",
        1,
    );
    std::fs::write(&lock, format!("{before}{after}")).unwrap();
    let (code, doc, _) = check_json(ws.path(), &["--gate", "advisories"]);
    assert_eq!(code, 1);
    let vulnlib: Vec<&Value> =
        doc["findings"].as_array().unwrap().iter().filter(|f| f["package"]["name"] == "vulnlib").collect();
    assert!(vulnlib.iter().any(|f| f["advisory"]["id"] == "RUSTSEC-2099-0001"), "{doc:#}");
}

#[test]
fn a_patched_copy_of_an_affected_release_gets_the_advisory() {
    let ws = copy_workspace("clean");
    let lock = ws.path().join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(&lock, format!("{text}\n[[package]]\nname = \"vulnlib\"\nversion = \"1.0.0\"\n")).unwrap();
    let (code, doc, _) = check_json(ws.path(), &["--gate", "advisories"]);
    assert_eq!(code, 1);
    let copy = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "vulnerability" && f["package"]["name"] == "vulnlib")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert!(copy["message"].as_str().unwrap().contains("a path copy of the crates.io release"), "{copy}");
    assert!(copy["help"].to_string().contains("resolved_with_pedigree"), "{copy}");
}

#[test]
fn a_waiver_cannot_be_eternal() {
    let ws = copy_workspace("demo");
    std::fs::write(
        ws.path().join("spdf.toml"),
        "profile = \"medical\"\n\n[[advisories.exceptions]]\nid = \"RUSTSEC-2099-0001\"\nreason = \"assessed\"\nexpires = \"2099-01-01\"\n",
    )
    .unwrap();
    let (_, doc, _) = check_json(ws.path(), &["--gate", "advisories"]);
    let too_long: Vec<&Value> =
        doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "exception-too-long").collect();
    assert_eq!(too_long.len(), 1, "{doc:#}");
    assert_eq!(too_long[0]["level"], "deny");
    let waived = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["advisory"]["id"] == "RUSTSEC-2099-0001" && f["code"] == "vulnerability")
        .unwrap();
    assert_eq!(waived["level"], "deny", "a waiver beyond the bound waives nothing");
}

#[cfg(unix)]
#[test]
fn a_policy_that_cannot_be_read_is_an_error() {
    type Make = fn(&Path);
    let cases: [(&str, Make); 3] = [
        ("a directory", |p| std::fs::create_dir(p).unwrap()),
        ("No such file", |p| std::os::unix::fs::symlink("nowhere.toml", p).unwrap()),
        ("not UTF-8", |p| std::fs::write(p, [0xff, 0xfe, b'\n']).unwrap()),
    ];
    for (expected, make) in cases {
        let ws = copy_workspace("clean");
        make(&ws.path().join("spdf.toml"));
        let out = spdf(ws.path()).args(["check", "--offline", "--db"]).arg(fixture_db()).output().unwrap();
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{expected}: {err}");
        assert!(err.contains("spdf.toml") && err.contains(expected), "{expected}: {err}");
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    assert!(std::process::Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[cfg(unix)]
#[test]
fn a_fifo_never_hangs_the_gate() {
    for file in ["Cargo.toml", "Cargo.lock", "spdf.toml", "src/main.rs", ".cargo/config.toml"] {
        let ws = copy_workspace("clean");
        mkfifo(&ws.path().join(file));
        let out = spdf(ws.path())
            .args(["check", "--offline", "--format", "json", "--db"])
            .arg(fixture_db())
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_ne!(code(&out), 0, "{file}: {err}");
        assert!(
            err.contains("FIFO") || String::from_utf8_lossy(&out.stdout).contains("FIFO"),
            "{file}: {err}"
        );
    }
}

#[test]
fn an_empty_database_or_catalog_is_an_error() {
    let ws = copy_workspace("clean");
    let empty = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(empty.path().join("crates")).unwrap();
    let out = spdf(ws.path())
        .args(["check", "--offline", "--gate", "advisories", "--db"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("holds no advisories"), "{}", stderr(&out));
    let kev = empty.path().join("kev.json");
    std::fs::write(&kev, r#"{"catalogVersion": "2099.01.01", "vulnerabilities": []}"#).unwrap();
    let out = spdf(ws.path())
        .args(["check", "--offline", "--gate", "advisories", "--db"])
        .arg(fixture_db())
        .arg("--kev")
        .arg(&kev)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("lists no vulnerabilities"), "{}", stderr(&out));
}

#[test]
fn the_operators_catalog_beats_the_policys() {
    let ws = copy_workspace("webp");
    let empty = ws.path().join("empty-kev.json");
    std::fs::write(&empty, r#"{"catalogVersion": "2099.01.01", "vulnerabilities": []}"#).unwrap();
    std::fs::write(ws.path().join("spdf.toml"), "[kev]\ncatalog = \"empty-kev.json\"\n").unwrap();
    let out = spdf(ws.path())
        .args(["check", "--offline", "--gate", "advisories", "--format", "json", "--db"])
        .arg(shared().join("advisory-db"))
        .env("CARGO_SPDF_KEV", shared().join("kev/known_exploited_vulnerabilities.json"))
        .output()
        .unwrap();
    let doc = json(&out);
    assert!(codes(&doc).iter().any(|c| c == "kev"), "{doc:#}");
}

#[cfg(unix)]
#[test]
fn racing_evidence_runs_one_wins_and_outputs_get_the_usual_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let ws = copy_workspace("clean");
    let out_dir = tempfile::tempdir().unwrap();
    let bundle = out_dir.path().join("bundle");
    let run = || {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("cargo-spdf"));
        cmd.args(["evidence", "--offline", "--stage", "local", "--db"])
            .arg(fixture_db())
            .arg("--out")
            .arg(&bundle)
            .current_dir(ws.path())
            .env("CARGO_SPDF_INDEX_URL", fixture_index_url())
            .env("CARGO_SPDF_DB_URL", NO_DB_URL);
        cmd.spawn().unwrap()
    };
    let (a, b) = (run(), run());
    let codes =
        [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()].map(|o| o.status.code().unwrap());
    assert!(codes.contains(&2) && codes.iter().any(|c| *c != 2), "{codes:?}");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&bundle) & 0o055, 0o055 & mode(&bundle), "{:o}", mode(&bundle));
    assert_ne!(mode(&bundle.join("SHA256SUMS")) & 0o044, 0, "{:o}", mode(&bundle.join("SHA256SUMS")));
    let report = out_dir.path().join("report.json");
    let out = spdf(ws.path())
        .args(["check", "--offline", "--format", "json", "--db"])
        .arg(fixture_db())
        .arg("--output")
        .arg(&report)
        .output()
        .unwrap();
    assert_ne!(code(&out), 2, "{}", stderr(&out));
    assert_ne!(mode(&report) & 0o044, 0, "{:o}", mode(&report));
}

#[cfg(unix)]
#[test]
fn verify_refuses_symlinks_and_fifos_in_a_bundle() {
    let ws = copy_workspace("clean");
    let out_dir = tempfile::tempdir().unwrap();
    let bundle = out_dir.path().join("bundle");
    let out = spdf(ws.path())
        .args(["evidence", "--offline", "--stage", "local", "--db"])
        .arg(fixture_db())
        .arg("--out")
        .arg(&bundle)
        .output()
        .unwrap();
    assert_ne!(code(&out), 2, "{}", stderr(&out));
    // The same bytes, but through a symlink that leads out of the bundle.
    let outside = out_dir.path().join("report.md");
    std::fs::rename(bundle.join("report.md"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, bundle.join("report.md")).unwrap();
    let out = spdf(out_dir.path()).arg("verify").arg(&bundle).output().unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("report.md: cannot be read: it is a symlink"), "{}", stderr(&out));
    std::fs::remove_file(bundle.join("report.md")).unwrap();
    mkfifo(&bundle.join("report.md"));
    let out =
        spdf(out_dir.path()).arg("verify").arg(&bundle).timeout(Duration::from_secs(30)).output().unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("a FIFO"), "{}", stderr(&out));
}

#[test]
fn at_pre_merge_the_base_revisions_policy_applies_and_weakenings_are_findings() {
    let ws = copy_workspace("demo");
    let root = ws.path();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@localhost"])
            .args(args)
            .current_dir(root)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    std::fs::write(root.join("spdf.toml"), "profile = \"medical\"\n").unwrap();
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "base"]);
    std::fs::write(
        root.join("spdf.toml"),
        "profile = \"medical\"\n\n[[advisories.exceptions]]\nid = \"RUSTSEC-2099-0001\"\nreason = \"trust me\"\nexpires = \"2027-01-01\"\n\n[lints]\nrequired = { unsafe_code = \"allow\" }\n",
    )
    .unwrap();
    let (code, doc, err) = check_json(
        root,
        &["--stage", "pre-merge", "--base", "HEAD", "--gate", "advisories", "--gate", "lints"],
    );
    assert_eq!(code, 1, "{err}");
    let weakened: Vec<&Value> =
        doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "policy-weakened").collect();
    let messages: Vec<&str> = weakened.iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(messages.iter().any(|m| m.contains("a waiver of RUSTSEC-2099-0001 is added")), "{messages:#?}");
    assert!(
        messages.iter().any(|m| m.contains("`unsafe_code` is required at allow, not forbid")),
        "{messages:#?}"
    );
    assert!(weakened.iter().all(|f| f["level"] == "deny"));
    let vuln = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "vulnerability" && f["advisory"]["id"] == "RUSTSEC-2099-0001")
        .unwrap();
    assert_eq!(vuln["level"], "deny", "the pull request's waiver is not applied");
    assert!(
        doc["notes"].to_string().contains("spdf.toml change: + id = \\\"RUSTSEC-2099-0001\\\""),
        "{}",
        doc["notes"]
    );
    let out = spdf(root)
        .args(["check", "--offline", "--base", "no-such-rev", "--db"])
        .arg(fixture_db())
        .output()
        .unwrap();
    let (code, err) = (support::code(&out), stderr(&out));
    assert_eq!(code, 2);
    assert!(err.contains("--base no-such-rev: not a commit"), "{err}");
}
