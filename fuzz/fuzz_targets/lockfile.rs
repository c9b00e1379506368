//! The lockfile model on arbitrary `Cargo.lock` text: every accepted file is self-consistent.
#![no_main]

use cargo_spdf::load::lockfile::Lock;
use cargo_spdf::toml_file::TomlFile;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = TomlFile::from_text(Path::new("/ws/Cargo.lock"), Path::new("/ws"), text.to_owned());
    let Ok(lock) = Lock::parse(&file) else { return };
    let roots: Vec<usize> = lock.path_packages().collect();
    for (index, package) in lock.packages.iter().enumerate() {
        let version = package.version.to_string();
        let found = lock.find(&package.name, &version, package.source.as_deref());
        assert!(found.is_some(), "{} {version} is not found by its own name and version", package.name);
        assert!(package.deps.iter().all(|&d| d < lock.packages.len()), "an edge out of range");
        let _ = lock.location_of(index);
        let _ = lock.checksum(&package.name, &version, package.source.as_deref());
        let _ = lock.path_to(&roots, index);
    }
});
