//! The warm path: `cargo metadata`'s answer is kept under `$CARGO_HOME` and used again only while
//! every input it rests on is byte-identical. To see whether an entry was used, the test plants a
//! marker in the stored answer (a licence no real package has): a run that reports it used the
//! cache; after any input changes, it must not.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use std::path::Path;
use support::*;

const MARKER: &str = "MARKER-ONLY-IN-THE-CACHE";

fn licences(ws: &Path, home: &Path, env: &[(&str, &str)]) -> String {
    let mut cmd = spdf(ws);
    cmd.args(["check", "--offline", "--gate", "licenses", "--format", "json", "--db"])
        .arg(fixture_db())
        .env("CARGO_HOME", home);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert_ne!(code(&out), 2, "{}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Rewrites every stored answer so that safelib's licence is the marker.
fn plant_marker(home: &Path) -> usize {
    let dir = home.join("cargo-spdf/metadata");
    let mut planted = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        // An entry is a line of what it rests on, then cargo's output as cargo wrote it.
        let text = std::fs::read_to_string(&path).unwrap();
        let Some((header, stdout)) = text.split_once('\n') else { continue };
        let stdout = stdout.replace("\"license\":\"MIT\"", &format!("\"license\":\"{MARKER}\""));
        std::fs::write(&path, format!("{header}\n{stdout}")).unwrap();
        planted += 1;
    }
    planted
}

fn used_cache(out: &str) -> bool {
    out.contains(MARKER)
}

fn append(path: &Path, text: &str) {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    std::fs::write(path, format!("{old}{text}")).unwrap();
}

#[test]
fn the_cache_is_used_only_while_every_input_is_unchanged() {
    let ws = copy_workspace("clean");
    let home = tempfile::tempdir().unwrap();
    let root = ws.path();
    type Change<'a> = Box<dyn Fn() + 'a>;
    let changes: [(&str, Change<'_>); 5] = [
        ("the root manifest", Box::new(|| append(&root.join("Cargo.toml"), "\n# changed\n"))),
        ("Cargo.lock", Box::new(|| append(&root.join("Cargo.lock"), "\n# changed\n"))),
        (
            "the workspace's configuration",
            Box::new(|| append(&root.join(".cargo/config.toml"), "\n# changed\n")),
        ),
        ("a new target file", Box::new(|| std::fs::write(root.join("build.rs"), "fn main() {}\n").unwrap())),
        (
            "cargo's home configuration",
            Box::new(|| append(&home.path().join("config.toml"), "\n# changed\n")),
        ),
    ];
    assert!(!used_cache(&licences(root, home.path(), &[])));
    assert!(plant_marker(home.path()) > 0);
    assert!(
        used_cache(&licences(root, home.path(), &[])),
        "an unchanged workspace is answered from the cache"
    );
    for (what, change) in &changes {
        plant_marker(home.path());
        change();
        assert!(!used_cache(&licences(root, home.path(), &[])), "{what} changed, yet the cache was used");
    }
    // The environment cargo sees is part of the key.
    plant_marker(home.path());
    assert!(used_cache(&licences(root, home.path(), &[])));
    assert!(
        !used_cache(&licences(root, home.path(), &[("CARGO_NET_RETRY", "7")])),
        "a cargo variable changed"
    );
    // A corrupt entry is ignored and rebuilt: a broken header, or cargo's output cut short.
    let entries =
        || std::fs::read_dir(home.path().join("cargo-spdf/metadata")).unwrap().map(|e| e.unwrap().path());
    for entry in entries() {
        std::fs::write(entry, "{not json").unwrap();
    }
    assert!(!used_cache(&licences(root, home.path(), &[])));
    assert!(!licences(root, home.path(), &[]).is_empty());
    // (The entry of the run with CARGO_NET_RETRY set stays corrupt: only the one rebuilt counts.)
    assert_eq!(plant_marker(home.path()), 1);
    for entry in entries() {
        let text = std::fs::read_to_string(&entry).unwrap();
        if let Some((header, stdout)) = text.split_once('\n') {
            std::fs::write(&entry, format!("{header}\n{}", &stdout[..stdout.len() - 200])).unwrap();
        }
    }
    assert!(!used_cache(&licences(root, home.path(), &[])));
    // And it can be turned off.
    plant_marker(home.path());
    assert!(!used_cache(&licences(root, home.path(), &[("CARGO_SPDF_METADATA_CACHE", "0")])));
}
