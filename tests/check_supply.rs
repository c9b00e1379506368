//! The sources, bans and licenses gates over the supply fixture: crates.io stand-ins, a second
//! registry (vendored through source replacement), git dependencies made by the tests, and a
//! path dependency outside the workspace.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use support::*;

fn gates(dir: &std::path::Path, policy: &str, env: &[(&str, &str)]) -> (i32, serde_json::Value) {
    std::fs::write(dir.join("spdf.toml"), policy).unwrap();
    check_gates(dir, &["sources", "bans", "licenses"], &[], env)
}

fn by_code<'a>(doc: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == code).collect()
}

#[test]
fn a_second_registry_must_be_allowed() {
    let ws = copy_workspace("supply");
    let (code, doc) = gates(ws.path(), "", &[]);
    assert_eq!(code, 1);
    let f = by_code(&doc, "source-not-allowed");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["package"]["name"], "internal-lib");
    assert!(f[0]["message"].as_str().unwrap().contains("https://registry.internal.example.com/index/"));
    assert!(
        f[0]["message"].as_str().unwrap().contains("pulled in by supply-app 0.1.0 -> internal-lib 3.0.0")
    );
    let (_, doc) = gates(
        ws.path(),
        "[sources]\nallow-registries = [\"crates-io\", \"sparse+https://registry.internal.example.com/index\"]\n",
        &[],
    );
    assert!(by_code(&doc, "source-not-allowed").is_empty());
}

#[test]
fn a_banned_crate_reached_transitively() {
    let ws = copy_workspace("supply");
    let allow =
        "[sources]\nallow-registries = [\"crates-io\", \"https://registry.internal.example.com/index/\"]\n";
    let (code, doc) = gates(
        ws.path(),
        &format!(
            "{allow}[bans]\ndeny = [{{ name = \"badcrypto\", reason = \"use the audited crypto crate\" }}]\n"
        ),
        &[],
    );
    assert_eq!(code, 1);
    let f = by_code(&doc, "banned");
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0]["message"],
        "badcrypto 0.3.1 is banned by the policy: use the audited crypto crate (pulled in by supply-app 0.1.0 -> middleware 1.0.0 -> badcrypto 0.3.1)"
    );
    assert_eq!(f[0]["location"]["file"], "Cargo.lock");
    let (_, doc) = gates(
        ws.path(),
        &format!("{allow}[bans]\ndeny = [{{ name = \"badcrypto\", version = \"< 0.3\" }}]\n"),
        &[],
    );
    assert!(by_code(&doc, "banned").is_empty());
}

#[test]
fn licence_expressions() {
    let ws = copy_workspace("supply");
    let policy = "[sources]\nallow-registries = [\"crates-io\", \"https://registry.internal.example.com/index/\"]\n[licenses]\nallow = [\"MIT\", \"Apache-2.0\", \"BSD-3-Clause\", \"GPL-2.0-only\"]\n";
    let (status, doc) = gates(ws.path(), policy, &[]);
    assert_eq!(status, 1);
    let names = |code: &str| -> Vec<String> {
        by_code(&doc, code).iter().map(|f| f["package"]["name"].as_str().unwrap().to_owned()).collect()
    };
    // OR (middleware), AND (badcrypto), WITH (llvm-ish), deprecated GPL-2.0 (old-gpl) pass.
    assert_eq!(names("license-not-allowed"), ["copyleft"]);
    assert_eq!(names("license-unknown"), ["unlicensed"]);
    assert!(by_code(&doc, "license-unknown")[0]["level"] == "deny");
    let copyleft = by_code(&doc, "license-not-allowed")[0];
    assert!(copyleft["message"].as_str().unwrap().contains("`GPL-3.0-only` is not satisfied"));
    // Members are exempt unless the policy says otherwise.
    let (_, doc) = gates(ws.path(), &format!("{policy}exempt-members = false\n"), &[]);
    let members: Vec<_> = by_code(&doc, "license-not-allowed")
        .iter()
        .map(|f| f["package"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(members.contains(&"supply-app".to_owned()), "{members:?}");
    // An identifier that is not SPDX is a policy error.
    std::fs::write(ws.path().join("spdf.toml"), "[licenses]\nallow = [\"MIT\", \"Apache 2\"]\n").unwrap();
    let out = check_human(ws.path(), "licenses");
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("spdf.toml:2:17: \"Apache 2\" is not an SPDX licence identifier"),
        "{}",
        stderr(&out)
    );
}

/// A git repository holding one crate, at `dir`, and its head commit.
fn git_crate(dir: &std::path::Path) -> String {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"gitdep\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.org",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "gitdep"]);
    git(&["rev-parse", "HEAD"]).trim().to_owned()
}

#[test]
fn git_sources_must_be_allowed_and_pinned() {
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("gitdep");
    let commit = git_crate(&repo);
    let home = root.path().join("cargo-home");
    let url = format!("file://{}", repo.display());
    for (spec, pinned) in [(format!("rev = \"{commit}\""), true), ("branch = \"main\"".to_owned(), false)] {
        let ws = copy_workspace("supply");
        let manifest = ws.path().join("app/Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap()
            + &format!("gitdep = {{ git = \"{url}\", {spec} }}\n");
        std::fs::write(&manifest, text).unwrap();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = std::process::Command::new(cargo)
            .arg("generate-lockfile")
            .current_dir(ws.path())
            .env("CARGO_HOME", &home)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let allow = format!(
            "[sources]\nallow-registries = [\"crates-io\", \"https://registry.internal.example.com/index/\"]\nallow-git = [\"{url}\"]\n"
        );
        let env = [("CARGO_HOME", home.to_str().unwrap())];
        let (_, doc) = gates(ws.path(), &allow, &env);
        assert!(by_code(&doc, "source-not-allowed").is_empty(), "{doc:#}");
        let unpinned = by_code(&doc, "git-unpinned");
        assert_eq!(unpinned.len(), usize::from(!pinned), "{spec}: {doc:#}");
        if !pinned {
            assert!(unpinned[0]["message"].as_str().unwrap().contains(&format!("locked at {commit}")));
        }
        let (code, doc) = gates(
            ws.path(),
            "[sources]\nallow-registries = [\"crates-io\", \"https://registry.internal.example.com/index/\"]\n",
            &env,
        );
        assert_eq!(code, 1);
        assert!(
            by_code(&doc, "source-not-allowed")[0]["message"]
                .as_str()
                .unwrap()
                .contains("comes from the git repository")
        );
    }
}

#[test]
fn a_path_dependency_outside_the_workspace() {
    let root = tempfile::tempdir().unwrap();
    let ws = root.path().join("ws");
    copy_dir(&fixtures().join("workspaces/supply"), &ws);
    // `outside` depends on `helper` by a path of its own: no workspace manifest names `helper`,
    // and its directory is found by following the manifests, as cargo does.
    for (name, deps) in [("outside", "[dependencies]\nhelper = { path = \"../helper\" }\n"), ("helper", "")] {
        let dir = root.path().join(name);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n{deps}"),
        )
        .unwrap();
        std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    }
    let manifest = ws.join("app/Cargo.toml");
    std::fs::write(
        &manifest,
        std::fs::read_to_string(&manifest).unwrap() + "outside = { path = \"../../outside\" }\n",
    )
    .unwrap();
    let allow =
        "[sources]\nallow-registries = [\"crates-io\", \"https://registry.internal.example.com/index/\"]\n";
    // The dependency is not locked yet: the lockfile is stale, and left as it is.
    let before = std::fs::read(ws.join("Cargo.lock")).unwrap();
    let (code, doc) = gates(&ws, allow, &[]);
    assert_eq!(code, 1, "{doc:#}");
    let stale = by_code(&doc, "lockfile-stale");
    assert_eq!(stale.len(), 1, "{doc:#}");
    assert!(stale[0]["message"].as_str().unwrap().contains("declares `outside`"), "{}", stale[0]["message"]);
    assert_eq!(std::fs::read(ws.join("Cargo.lock")).unwrap(), before, "the gate never rewrites Cargo.lock");
    relock(&ws);
    let (code, doc) = gates(&ws, allow, &[]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(by_code(&doc, "lockfile-stale").is_empty(), "{doc:#}");
    let f = by_code(&doc, "source-not-allowed");
    assert_eq!(f.len(), 2, "{doc:#}");
    let messages: Vec<&str> = f.iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(
        messages[0].starts_with("helper 0.1.0: is a path dependency outside the workspace (../helper)"),
        "{messages:?}"
    );
    assert!(
        messages[0].contains("pulled in by supply-app 0.1.0 -> outside 0.1.0 -> helper 0.1.0"),
        "{messages:?}"
    );
    assert!(messages[1].contains("path dependency outside the workspace (../outside)"), "{messages:?}");
    let (code, _) = gates(&ws, &format!("{allow}allow-external-paths = true\n"), &[]);
    assert_eq!(code, 0);
}

#[test]
fn a_member_whose_version_was_bumped_and_not_locked_is_still_a_member() {
    let manifest = |version: &str| {
        format!(
            "[package]\nname = \"bumped\"\nversion = \"{version}\"\nedition = \"2021\"\nlicense = \"MIT\"\n"
        )
    };
    let ws = workspace_from(&[("Cargo.toml", &manifest("0.1.0")), ("src/lib.rs", "")]);
    std::fs::write(ws.path().join("Cargo.toml"), manifest("0.2.0")).unwrap();
    let (code, doc) = check_gates(ws.path(), &["sources", "bans"], &[], &[]);
    assert_eq!(code, 1, "{doc:#}");
    let codes: Vec<&str> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    // The lockfile is out of date, and says so; the member is not taken for a stray path package.
    assert_eq!(codes, ["lockfile-stale"], "{doc:#}");
}
