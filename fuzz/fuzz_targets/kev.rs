//! The KEV catalog reader on arbitrary bytes: a catalog or an error naming the file.
#![no_main]

use cargo_spdf::load::kev::KevCatalog;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(catalog) = KevCatalog::parse(Path::new("kev.json"), data) {
        let _ = catalog.get("CVE-2021-44228");
    }
});
