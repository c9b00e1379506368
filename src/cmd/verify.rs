//! `cargo spdf verify DIR`: checks that an evidence bundle is what was signed off: every file
//! listed in SHA256SUMS is there, a regular file with its digest, nothing else is, and (with
//! `--key`) the signature over SHA256SUMS holds (see [`crate::evidence::check`]).

use super::Env;
use crate::cli::VerifyArgs;
use crate::evidence::check::{self, Signature};
use crate::evidence::sign;
use crate::exit;

/// Verifies the bundle; exit 0 when it holds, 1 when a digest, file or signature does not, 2
/// when it is not a bundle at all.
pub fn run(args: &VerifyArgs, env: &Env) -> anyhow::Result<u8> {
    let dir = &args.dir;
    let key = args.key.as_deref().map(sign::verifying_key).transpose()?;
    let checked = check::check_keeping(dir, key.as_ref(), &|_| false)?;
    let mut text = String::new();
    for p in &checked.problems {
        text.push_str(&format!("error: {}\n", crate::text::inline(p)));
    }
    if checked.signature == Signature::NotChecked {
        text.push_str("note: SHA256SUMS.sig is present but was not checked: pass --key PUBKEY\n");
    }
    let shown = crate::text::inline(&crate::paths::display(dir)).into_owned();
    text.push_str(&if checked.holds() {
        let signed = if checked.signature == Signature::Valid { ", signature valid" } else { "" };
        format!("{shown}: {} files verified{signed}\n", checked.listed)
    } else {
        format!("{shown}: verification FAILED ({} problems)\n", checked.problems.len())
    });
    let _ = env;
    crate::output::write_stderr(text.as_bytes());
    Ok(if checked.holds() { exit::OK } else { exit::POLICY_VIOLATION })
}
