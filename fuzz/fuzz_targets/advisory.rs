//! The advisory-file parser on arbitrary text: an advisory or an invalid entry, never a panic.
#![no_main]

use cargo_spdf::load::database::parse_advisory_text;
use libfuzzer_sys::fuzz_target;
use rustsec::Collection;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = parse_advisory_text(text, "RUSTSEC-2020-0001.md", "fuzzed", Collection::Crates);
});
