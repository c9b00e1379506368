//! The policy loader on arbitrary `spdf.toml` text: an error with a location, never a panic.
#![no_main]

use cargo_spdf::policy::{self, Stage};
use cargo_spdf::toml_file::TomlFile;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = TomlFile::from_text(Path::new("/ws/spdf.toml"), Path::new("/ws"), text.to_owned());
    for stage in [Stage::Local, Stage::PreMerge, Stage::Release] {
        if let Err(errors) = policy::from_file(&file, stage) {
            // Rendering the errors walks every span back to a line and column.
            let _ = errors.to_string();
        }
    }
});
