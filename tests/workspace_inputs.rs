//! Real workspaces: every gate stands on its own inputs, and a check never changes the workspace.
//! A git dependency that cannot be fetched offline, a stale, emptied or edited lockfile, and a
//! workspace with a tool member. (The harness in `support` checks, for every run, that the
//! inspected directory is byte for byte what it was.)
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
use support::*;

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, Value, String) {
    let mut cmd = spdf(dir);
    cmd.args(["check", "--offline", "--format", "json", "--db"]).arg(fixture_db()).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (code(&out), json(&out), stderr(&out))
}

fn statuses(doc: &Value) -> Vec<(String, String)> {
    doc["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["name"].as_str().unwrap().to_owned(), g["status"].as_str().unwrap().to_owned()))
        .collect()
}

fn findings<'a>(doc: &'a Value, code: &str) -> Vec<&'a Value> {
    doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == code).collect()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@localhost", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The clean fixture plus a dependency on a git repository that is then deleted, with cargo's
/// git cache emptied: `cargo metadata --offline` cannot run.
fn workspace_with_a_lost_git_dependency() -> (tempfile::TempDir, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("gitlib");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(
        repo.join("Cargo.toml"),
        "[package]\nname = \"gitlib\"\nversion = \"0.2.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
    )
    .unwrap();
    std::fs::write(repo.join("src/lib.rs"), "").unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "gitlib"]);
    let rev = git(&repo, &["rev-parse", "HEAD"]);
    let ws = root.path().join("ws");
    copy_dir(&fixtures().join("workspaces/clean"), &ws);
    let manifest = ws.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace(
        "safelib = \"1\"\n",
        &format!("safelib = \"1\"\ngitlib = {{ git = \"file://{}\", rev = \"{rev}\" }}\n", repo.display()),
    );
    std::fs::write(&manifest, text).unwrap();
    let home = root.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["generate-lockfile"])
        .current_dir(&ws)
        .env("CARGO_HOME", &home)
        .env("RUSTUP_AUTO_INSTALL", "0")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&repo).unwrap();
    std::fs::remove_dir_all(home.join("git")).unwrap();
    (root, home)
}

#[test]
fn a_git_dependency_that_cannot_be_fetched_does_not_stop_the_other_gates() {
    let (root, home) = workspace_with_a_lost_git_dependency();
    let ws = root.path().join("ws");
    let home = home.to_str().unwrap();
    let (code, doc, err) = run(&ws, &[], &[("CARGO_HOME", home)]);
    assert_eq!(code, 1, "{err}\n{doc:#}");
    for (gate, status) in statuses(&doc) {
        assert_eq!(status, "evaluated", "{gate}: {doc:#}");
    }
    // The lockfile gates judged the lockfile: the git source is not allowed by the default policy.
    let sources = findings(&doc, "source-not-allowed");
    assert_eq!(sources.len(), 1, "{doc:#}");
    assert!(sources[0]["message"].as_str().unwrap().contains("gitlib 0.2.0"), "{doc:#}");
    // The licences gate fell back to the lockfile: gitlib's manifest is nowhere on disk, which
    // it says, and fails closed on; safelib's was read from the vendored copy.
    let unknown = findings(&doc, "license-unknown");
    assert_eq!(unknown.len(), 1, "{doc:#}");
    assert_eq!(unknown[0]["level"], "deny");
    assert!(
        unknown[0]["message"].as_str().unwrap().contains("git checkout is not in cargo's cache"),
        "{doc:#}"
    );
    let notes = doc["notes"].to_string();
    assert!(notes.contains("`cargo metadata` failed") && notes.contains("over-approximation"), "{notes}");
}

#[test]
fn an_emptied_stale_or_edited_lockfile_never_passes_and_is_never_rewritten() {
    type Spoil = fn(&Path);
    let cases: [(&str, Spoil); 3] = [
        ("Cargo.lock locks no packages", |ws| std::fs::write(ws.join("Cargo.lock"), "").unwrap()),
        ("declares `extra", |ws| {
            let manifest = ws.join("Cargo.toml");
            let text = std::fs::read_to_string(&manifest).unwrap();
            std::fs::write(
                &manifest,
                text.replace("safelib = \"1\"\n", "safelib = \"1\"\nextra = { path = \"extra\" }\n"),
            )
            .unwrap();
            std::fs::create_dir_all(ws.join("extra/src")).unwrap();
            std::fs::write(ws.join("extra/Cargo.toml"), "[package]\nname = \"extra\"\nversion = \"0.1.0\"\n")
                .unwrap();
            std::fs::write(ws.join("extra/src/lib.rs"), "").unwrap();
        }),
        ("lists the dependency `safelib`, which has no entry", |ws| {
            let lock = ws.join("Cargo.lock");
            let text = std::fs::read_to_string(&lock).unwrap();
            let cut = text.find("[[package]]\nname = \"safelib\"").unwrap();
            std::fs::write(&lock, &text[..cut]).unwrap();
        }),
    ];
    for (expected, spoil) in cases {
        let ws = copy_workspace("clean");
        spoil(ws.path());
        for gates in [&[][..], &["--gate", "advisories"][..], &["--gate", "bans"][..]] {
            let (code, doc, err) = run(ws.path(), gates, &[]);
            assert_eq!(code, 1, "{expected} {gates:?}: {err}\n{doc:#}");
            let stale = findings(&doc, "lockfile-stale");
            assert!(
                stale.iter().any(|f| f["message"].as_str().unwrap().contains(expected)),
                "{expected} {gates:?}: {doc:#}"
            );
            assert!(stale.iter().all(|f| f["location"]["file"] == "Cargo.lock" && f["level"] == "deny"));
        }
    }
}

#[test]
fn the_digest_reported_is_that_of_the_bytes_judged() {
    let ws = copy_workspace("clean");
    let bytes = std::fs::read(ws.path().join("Cargo.lock")).unwrap();
    let (_, doc, _) = run(ws.path(), &[], &[]);
    let digest = sha2_hex(&bytes);
    assert_eq!(doc["workspace"]["lockfile_sha256"], digest.as_str());
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `app` and `xtask`; only `xtask` depends on `safelib`.
fn workspace_with_a_tool() -> tempfile::TempDir {
    let ws = copy_workspace("clean");
    let root = ws.path();
    std::fs::remove_dir_all(root.join("src")).unwrap();
    let lints = std::fs::read_to_string(fixtures().join("workspaces/clean/Cargo.toml")).unwrap();
    let lints = &lints[lints.find("[lints.rust]").unwrap()..];
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"app\", \"xtask\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    for (name, deps) in [("app", ""), ("xtask", "safelib = \"1\"\n")] {
        std::fs::create_dir_all(root.join(name).join("src")).unwrap();
        std::fs::write(
            root.join(name).join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = \"1.81\"\nlicense = \"MIT\"\npublish = false\n\n[dependencies]\n{deps}\n{lints}"),
        )
        .unwrap();
        std::fs::write(root.join(name).join("src/main.rs"), "fn main() {}\n").unwrap();
    }
    std::fs::create_dir_all(root.join("app/.cargo")).unwrap();
    std::fs::rename(root.join(".cargo"), root.join("app/.cargo-unused")).unwrap();
    std::fs::create_dir_all(root.join(".cargo")).unwrap();
    std::fs::write(
        root.join(".cargo/config.toml"),
        "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"vendor\"\n",
    )
    .unwrap();
    std::fs::remove_file(root.join("Cargo.lock")).unwrap();
    lock(root);
    ws
}

#[test]
fn a_tool_member_is_held_to_the_tools_policy_and_does_not_ship() {
    let ws = workspace_with_a_tool();
    let firmware = "profile = \"firmware\"\n";
    std::fs::write(ws.path().join("spdf.toml"), firmware).unwrap();
    let (_, doc, err) = run(ws.path(), &["--gate", "lints", "--gate", "support"], &[]);
    let member_lints = |doc: &Value, member: &str| -> Vec<String> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["member"] == member && f["code"] == "lint-missing")
            .map(|f| f["lint"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        member_lints(&doc, "xtask").contains(&"clippy::std_instead_of_core".to_owned()),
        "{err}\n{doc:#}"
    );
    assert_eq!(
        findings(&doc, "support-missing").iter().filter(|f| f["package"]["name"] == "xtask").count(),
        1,
        "{doc:#}"
    );

    std::fs::write(ws.path().join("spdf.toml"), format!("{firmware}\n[members]\ntools = [\"xtask\"]\n"))
        .unwrap();
    let (_, doc, err) = run(ws.path(), &["--gate", "lints", "--gate", "support"], &[]);
    let xtask = member_lints(&doc, "xtask");
    assert!(xtask.is_empty(), "the baseline profile's lints are all set in xtask: {xtask:?}\n{err}");
    assert!(member_lints(&doc, "app").contains(&"clippy::std_instead_of_core".to_owned()), "{doc:#}");
    assert!(findings(&doc, "support-missing").iter().all(|f| f["package"]["name"] != "xtask"), "{doc:#}");
}

/// A toolchain whose `cargo` is the real one, but for `cargo metadata`'s full call, which
/// answers in full and then, by `FAKE_CARGO_MODE`, fails (`fail`) or writes more (`more`), and
/// writes its nice value to `$NICE_FILE`.
fn toolchain_taking_back_its_answer(dir: &Path) -> std::path::PathBuf {
    let real = std::env::var_os("CARGO").map(std::path::PathBuf::from).expect("cargo sets CARGO");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let rustc = real.with_file_name("rustc");
    std::os::unix::fs::symlink(rustc, bin.join("rustc")).unwrap();
    let script = format!(
        "#!/bin/sh\n\"{}\" \"$@\"\ncode=$?\n\
         case \"$1 $*\" in metadata*--no-deps*) exit $code ;; metadata*) ;; *) exit $code ;; esac\n\
         awk '{{print $19}}' /proc/$$/stat > \"$NICE_FILE\"\n\
         case \"$FAKE_CARGO_MODE\" in\n\
         fail) sleep 0.2; echo 'error: the package cache lock was lost' >&2; exit 101 ;;\n\
         more) echo '{{\"packages\":[]}}' ;;\n\
         esac\nexit $code\n",
        real.display()
    );
    let cargo = bin.join("cargo");
    std::fs::write(&cargo, script).unwrap();
    let mut perms = std::fs::metadata(&cargo).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&cargo, perms).unwrap();
    cargo
}

#[test]
fn an_answer_cargo_takes_back_is_not_judged() {
    let root = tempfile::tempdir().unwrap();
    let cargo = toolchain_taking_back_its_answer(root.path());
    let cargo = cargo.to_str().unwrap();
    let cases = [
        ("", None),
        ("fail", Some("`cargo metadata` failed: the package cache lock was lost")),
        ("more", Some("`cargo metadata` failed: cannot read the output of `cargo metadata`")),
    ];
    for (mode, said) in cases {
        let ws = copy_workspace("clean");
        let home = root.path().join(format!("home-{mode}"));
        let home = home.to_str().unwrap();
        let nice_file = root.path().join(format!("nice-{mode}"));
        let nice = nice_file.to_str().unwrap();
        let env = [("CARGO", cargo), ("FAKE_CARGO_MODE", mode), ("CARGO_HOME", home), ("NICE_FILE", nice)];
        let (code, doc, err) = run(ws.path(), &[], &env);
        assert!(code == 0 || code == 1, "{mode}: {err}\n{doc:#}");
        // cargo, the run's critical path, runs at the priority of the run, not of its helpers.
        let own = std::fs::read_to_string("/proc/self/stat").unwrap();
        let own = own[own.rfind(')').unwrap() + 2..].split(' ').nth(16).unwrap().to_owned();
        assert_eq!(std::fs::read_to_string(&nice_file).unwrap().trim(), own, "{mode}");
        let notes = doc["notes"].to_string();
        match said {
            // The answer handed over while cargo exited stood, and was judged.
            None => assert!(!notes.contains("`cargo metadata` failed"), "{notes}"),
            // The answer cargo took back was not: the graph is the lockfile's, and says why.
            Some(said) => {
                assert!(notes.contains(said) && notes.contains("over-approximation"), "{mode}: {notes}")
            }
        }
        for (gate, status) in statuses(&doc) {
            assert_eq!(status, "evaluated", "{mode} {gate}: {doc:#}");
        }
    }
}
