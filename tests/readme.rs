//! Every `cargo spdf` command the README shows runs as shown: each line of its `sh` and `yaml`
//! code blocks that invokes cargo-spdf is parsed by the command line (so no documented flag is
//! rejected), and run on a copy of the demo fixture prepared with the files the examples name
//! (a bundle archive, keys, another tool's SBOM, a deny.toml, a base branch). Only the commands
//! that need the network or compile the workspace are parsed without being run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use clap::Parser as _;
use std::path::Path;
use support::*;

/// The cargo-spdf arguments of every command line in the README's shell and YAML blocks.
fn readme_commands() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut out = Vec::new();
    let (mut in_block, mut shell, mut pending) = (false, false, String::new());
    for line in text.lines() {
        if let Some(info) = line.trim().strip_prefix("```") {
            in_block = !in_block;
            shell = in_block && matches!(info, "sh" | "bash" | "yaml" | "");
            continue;
        }
        if !shell {
            continue;
        }
        if let Some(start) = line.trim_end().strip_suffix('\\') {
            pending.push_str(start);
            pending.push(' ');
            continue;
        }
        let full = std::mem::take(&mut pending) + line;
        out.extend(command(&full));
    }
    assert!(out.len() >= 30, "expected the README's commands, found {}", out.len());
    out
}

/// The arguments after `spdf` of a line that runs cargo-spdf, without comments, redirections
/// and what follows `&&`.
fn command(line: &str) -> Option<Vec<String>> {
    let line = line.split(" #").next().unwrap_or(line);
    let (start, at) = ["cargo spdf ", "cargo +stable spdf ", "cargo-spdf spdf "]
        .iter()
        .find_map(|p| line.find(p).map(|i| (i, i + p.len())))?;
    let before = line[..start].trim();
    if before.ends_with("name:") || before.starts_with('#') || before.starts_with('`') {
        return None;
    }
    let rest = &line[at..];
    let end = [" #", " &&", " |", " >"].iter().filter_map(|t| rest.find(t)).min().unwrap_or(rest.len());
    Some(rest[..end].split_whitespace().map(str::to_owned).collect())
}

/// Commands that need the network or compile the workspace: parsed, not run.
fn parse_only(args: &[String]) -> bool {
    let db_fetch = args.first().is_some_and(|a| a == "db") && args.get(1).is_some_and(|a| a == "fetch");
    db_fetch || args.iter().any(|a| a == "--run-clippy")
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@localhost"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = spdf(dir);
    cmd.args(args)
        .env("CARGO_SPDF_DB", fixture_db())
        .env("CARGO_SPDF_KEV", fixtures().join("kev/known_exploited_vulnerabilities.json"));
    cmd.output().unwrap()
}

/// The demo workspace with everything the README's examples name, in a git repository whose
/// `origin/main` is its first commit.
fn prepared() -> tempfile::TempDir {
    let ws = copy_workspace("demo");
    let root = ws.path();
    copy_dir(&fixture_db(), &root.join("vendor/advisory-db"));
    let kev = fixtures().join("kev/known_exploited_vulnerabilities.json");
    std::fs::copy(&kev, root.join("kev.json")).unwrap();
    std::fs::create_dir_all(root.join("kev")).unwrap();
    std::fs::copy(&kev, root.join("kev/known_exploited_vulnerabilities.json")).unwrap();
    std::fs::copy(fixtures().join("keys/test-ed25519.pem"), root.join("qa.pem")).unwrap();
    std::fs::copy(fixtures().join("keys/test-ed25519.pub.pem"), root.join("qa.pub.pem")).unwrap();
    std::fs::copy(fixtures().join("import/deny.toml"), root.join("deny.toml")).unwrap();
    copy_dir(&fixtures().join("monitor/cargo-cyclonedx"), &root.join("path/to/workspace"));
    // `-p firmware`: a member of that name.
    std::fs::create_dir_all(root.join("firmware/src")).unwrap();
    std::fs::write(
        root.join("firmware/Cargo.toml"),
        "[package]\nname = \"firmware\"\nversion = \"1.2.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
    )
    .unwrap();
    std::fs::write(root.join("firmware/src/main.rs"), "fn main() {}\n").unwrap();
    let manifest = root.join("Cargo.toml");
    let text =
        std::fs::read_to_string(&manifest).unwrap().replacen("members = [", "members = [\"firmware\", ", 1);
    std::fs::write(&manifest, text).unwrap();
    relock(root);
    for (version, dir) in [("2.1.0", "archive/2.1.0"), ("2.0.3", "archive/2.0.3")] {
        let out = run(root, &["evidence", "--stage", "local", "--out", dir, "--sign-key", "qa.pem"]);
        assert_ne!(code(&out), 2, "{version}: {}", stderr(&out));
    }
    let sbom = run(root, &["sbom", "--format", "xml", "--output", "pump-firmware.cdx.xml"]);
    assert_eq!(code(&sbom), 0, "{}", stderr(&sbom));
    let vex = run(root, &["sbom", "--vex-only", "--output", "pump-firmware.vex.json"]);
    assert_eq!(code(&vex), 0, "{}", stderr(&vex));
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    ws
}

#[test]
fn every_command_the_readme_shows_runs_as_shown() {
    let commands = readme_commands();
    let base = prepared();
    for args in &commands {
        let argv: Vec<&str> = ["cargo", "spdf"].into_iter().chain(args.iter().map(String::as_str)).collect();
        if let Err(e) = cargo_spdf::cli::Cargo::try_parse_from(&argv) {
            panic!("the README shows `cargo spdf {}`, which is rejected: {e}", args.join(" "));
        }
        if parse_only(args) {
            continue;
        }
        // A fresh copy for each, so that one command's outputs (a bundle, spdf.toml) do not
        // stand in another's way.
        let ws = tempfile::tempdir().unwrap();
        copy_dir(base.path(), ws.path());
        git(ws.path(), &["update-ref", "refs/remotes/origin/main", "HEAD"]);
        if args.first().is_some_and(|a| a == "verify") {
            let out = run(
                ws.path(),
                &["evidence", "--stage", "local", "--out", "evidence/1.4.0", "--sign-key", "qa.pem"],
            );
            assert_ne!(code(&out), 2, "{}", stderr(&out));
        }
        let strs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(ws.path(), &strs);
        assert_ne!(code(&out), 2, "`cargo spdf {}` could not do its job:\n{}", args.join(" "), stderr(&out));
    }
}

#[test]
fn commands_are_found_in_every_kind_of_line() {
    assert_eq!(
        command("cargo spdf check --db x         # a comment"),
        Some(vec!["check".into(), "--db".into(), "x".into()])
    );
    assert_eq!(command("  - run: cargo spdf db fetch"), Some(vec!["db".into(), "fetch".into()]));
    assert_eq!(command("cargo spdf sbom > sbom.cdx.json"), Some(vec!["sbom".into()]));
    assert_eq!(command("- name: cargo spdf check"), None);
    assert_eq!(
        command("cargo install --path . --locked && cd /x && cargo spdf check"),
        Some(vec!["check".into()])
    );
}
