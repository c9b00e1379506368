//! The attribute scanner on arbitrary source text: a scan or a `line N` error, never a panic or
//! a stack overflow (it runs on a thread with the stack the lints gate gives it).
#![no_main]

use cargo_spdf::lints::attrs;
use cargo_spdf::lints::files::SCAN_STACK;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let text = text.to_owned();
    let worker = std::thread::Builder::new().stack_size(SCAN_STACK).spawn(move || {
        match attrs::scan(&text, true) {
            Ok(scan) => {
                // The second pass the lints gate makes when a file defines fragment macros.
                let mut fragments = BTreeMap::<String, Vec<_>>::new();
                for m in &scan.fragment_macros {
                    fragments.entry(m.name.clone()).or_default().push(m.kind);
                }
                if !fragments.is_empty() {
                    let _ = attrs::scan_with(&text, false, &fragments);
                }
            }
            Err(message) => assert!(message.starts_with("line "), "error without a line: {message}"),
        }
    });
    if let Ok(handle) = worker {
        if let Err(panic) = handle.join() {
            std::panic::resume_unwind(panic);
        }
    }
});
