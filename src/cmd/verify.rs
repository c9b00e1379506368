//! `cargo spdf verify DIR`: checks that an evidence bundle is what was signed off: every file
//! listed in SHA256SUMS is there with its digest, nothing else is, and (with `--key`) the
//! signature over SHA256SUMS holds.

use super::Env;
use crate::cli::VerifyArgs;
use crate::evidence::sign;
use crate::exit;
use anyhow::{Context as _, bail};
use std::collections::BTreeSet;

/// Verifies the bundle; exit 0 when it holds, 1 when a digest, file or signature does not.
pub fn run(args: &VerifyArgs, env: &Env) -> anyhow::Result<u8> {
    let dir = &args.dir;
    let shown = crate::paths::display(dir);
    let sums_path = dir.join("SHA256SUMS");
    let sums = std::fs::read_to_string(&sums_path)
        .with_context(|| format!("{shown} is not an evidence bundle: cannot read its SHA256SUMS"))?;
    let mut problems = check_digests(dir, &sums)?;
    let signature = dir.join("SHA256SUMS.sig");
    let mut notes = Vec::new();
    match (&args.key, signature.is_file()) {
        (Some(key), true) => {
            let key = sign::verifying_key(key)?;
            let sig = std::fs::read(&signature)
                .with_context(|| format!("cannot read {}", crate::paths::display(&signature)))?;
            if let Err(e) = sign::verify(&key, sums.as_bytes(), &sig) {
                problems.push(format!("SHA256SUMS.sig: {e}"));
            }
        }
        (Some(_), false) => {
            problems.push("SHA256SUMS.sig is missing, so the signature cannot be checked".to_owned())
        }
        (None, true) => {
            notes.push("SHA256SUMS.sig is present but was not checked: pass --key PUBKEY".to_owned())
        }
        (None, false) => {}
    }
    let mut text = String::new();
    for p in &problems {
        text.push_str(&format!("error: {p}\n"));
    }
    for n in &notes {
        text.push_str(&format!("note: {n}\n"));
    }
    let listed = sums.lines().count();
    text.push_str(&if problems.is_empty() {
        format!(
            "{shown}: {listed} files verified{}\n",
            if args.key.is_some() { ", signature valid" } else { "" }
        )
    } else {
        format!("{shown}: verification FAILED ({} problems)\n", problems.len())
    });
    let _ = env;
    crate::output::write_stderr(text.as_bytes());
    Ok(if problems.is_empty() { exit::OK } else { exit::POLICY_VIOLATION })
}

/// Every mismatch between SHA256SUMS and the directory.
fn check_digests(dir: &std::path::Path, sums: &str) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut listed = BTreeSet::new();
    for (n, line) in sums.lines().enumerate() {
        let Some((digest, name)) = line.split_once("  ") else {
            bail!("SHA256SUMS:{}: not a `<sha256>  <file>` line", n + 1);
        };
        let name = name.trim_start_matches('*');
        if name.contains('/') || name.contains('\\') || name == ".." {
            bail!("SHA256SUMS:{}: `{name}` is not a file of the bundle", n + 1);
        }
        listed.insert(name.to_owned());
        match std::fs::read(dir.join(name)) {
            Ok(bytes) if crate::digest::sha256_hex(&bytes) == digest => {}
            Ok(_) => {
                problems.push(format!("{name}: its SHA-256 does not match SHA256SUMS (the file was changed)"))
            }
            Err(_) => problems.push(format!("{name}: listed in SHA256SUMS but missing")),
        }
    }
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !listed.contains(&name) && name != "SHA256SUMS" && name != "SHA256SUMS.sig" {
            problems.push(format!("{name}: in the bundle but not listed in SHA256SUMS"));
        }
    }
    Ok(problems)
}
