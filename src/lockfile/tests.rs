//! Tests of the lockfile model: the four formats, every error, and the linear bound on a
//! generated 20,000 x 70 lockfile.

use super::*;
use crate::toml_file::TomlFile;

const GIT: &str = CRATES_IO_GIT;
const SUM_A: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const SUM_B: &str = "2222222222222222222222222222222222222222222222222222222222222222";

fn parse(text: &str) -> Result<Lockfile, SpannedErrors> {
    Lockfile::parse(&TomlFile::from_text(Path::new("/ws/Cargo.lock"), Path::new("/ws"), text.to_owned()))
}

/// The errors, with the file as shown to people (`/ws/Cargo.lock` from any other directory).
fn errors(text: &str) -> Vec<String> {
    let errors = parse(text).unwrap_err().0;
    assert!(errors.iter().all(|e| e.file.ends_with("Cargo.lock")), "{errors:?}");
    errors.iter().map(|e| format!("{}:{}: {}", e.line, e.column, e.message)).collect()
}

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

fn deps(lock: &Lockfile, name: &str, version: &str) -> Vec<String> {
    let p = lock.find(name, &v(version), None).unwrap();
    lock.dependencies(p).map(|d| format!("{} {}", d.name, d.version)).collect()
}

fn v4() -> String {
    format!(
        "version = 4\n\n\
         [[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"log\",\n \"syn 1.0.109\",\n \"syn 2.0.1\",\n]\n\n\
         [[package]]\nname = \"log\"\nversion = \"0.4.22\"\nsource = \"{GIT}\"\nchecksum = \"{SUM_A}\"\n\n\
         [[package]]\nname = \"syn\"\nversion = \"1.0.109\"\nsource = \"{GIT}\"\nchecksum = \"{SUM_B}\"\n\n\
         [[package]]\nname = \"syn\"\nversion = \"2.0.1\"\nsource = \"{CRATES_IO_SPARSE}\"\ndependencies = [\"log\"]\n"
    )
}

#[test]
fn v4_packages_with_sources_checksums_lines_and_edges() {
    let lock = parse(&v4()).unwrap();
    assert_eq!(lock.format, Format::V4);
    let summary: Vec<_> = lock
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.to_string(), p.is_crates_io(), p.checksum.is_some(), p.line))
        .collect();
    assert_eq!(
        summary,
        [
            ("app", "0.1.0".to_owned(), false, false, 3),
            ("log", "0.4.22".to_owned(), true, true, 12),
            ("syn", "1.0.109".to_owned(), true, true, 18),
            ("syn", "2.0.1".to_owned(), true, false, 24),
        ]
    );
    assert_eq!(deps(&lock, "app", "0.1.0"), ["log 0.4.22", "syn 1.0.109", "syn 2.0.1"]);
    assert_eq!(deps(&lock, "syn", "2.0.1"), ["log 0.4.22"]);
    assert_eq!(lock.packages[1].checksum.as_deref(), Some(SUM_A));
    assert_eq!(lock.named("syn").count(), 2);
    assert_eq!(lock.location(&lock.packages[2]), Location { file: "Cargo.lock".into(), line: Some(18) });
    assert_eq!(lock.sha256, crate::digest::sha256_hex(v4().as_bytes()));
    // Each of the 4 dependency strings was compared with the packages of its name only.
    assert_eq!(lock.resolution_steps(), 1 + 2 + 2 + 1);
}

#[test]
fn a_version_locked_from_two_sources_is_told_apart_by_the_source() {
    let other = "registry+https://mirror.example.com/index";
    let text = format!(
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"rand 0.8.5 ({other})\"]\n\n\
         [[package]]\nname = \"rand\"\nversion = \"0.8.5\"\nsource = \"{GIT}\"\n\n\
         [[package]]\nname = \"rand\"\nversion = \"0.8.5\"\nsource = \"{other}\"\n"
    );
    let lock = parse(&text).unwrap();
    assert_eq!(lock.format, Format::V3);
    let dep = lock.dependencies(&lock.packages[0]).next().unwrap();
    assert_eq!(dep.source.as_deref(), Some(other));
    assert_eq!(lock.find("rand", &v("0.8.5"), Some(GIT)).unwrap().line, 8);
    assert_eq!(lock.find("rand", &v("0.8.5"), Some(other)).unwrap().line, 13);
    assert!(lock.find("rand", &v("0.8.6"), None).is_none());
}

#[test]
fn v1_reads_the_root_full_dependencies_and_metadata_checksums() {
    let text = format!(
        "[root]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"log 0.4.22 ({GIT})\",\n \"util 0.1.0\",\n]\n\n\
         [[package]]\nname = \"log\"\nversion = \"0.4.22\"\nsource = \"{GIT}\"\n\n\
         [[package]]\nname = \"util\"\nversion = \"0.1.0\"\n\n\
         [metadata]\n\"checksum log 0.4.22 ({GIT})\" = \"{SUM_A}\"\n\"checksum other 1.0.0 ({GIT})\" = \"<none>\"\n"
    );
    let lock = parse(&text).unwrap();
    assert_eq!(lock.format, Format::V1);
    assert_eq!((lock.packages[0].name.as_str(), lock.packages[0].line), ("app", 1));
    assert_eq!(deps(&lock, "app", "0.1.0"), ["log 0.4.22", "util 0.1.0"]);
    assert_eq!(lock.packages[1].checksum.as_deref(), Some(SUM_A));
    assert_eq!(lock.packages[2].checksum, None);
}

#[test]
fn without_a_version_key_inline_checksums_mean_format_2() {
    let text = format!(
        "[[package]]\nname = \"log\"\nversion = \"0.4.22\"\nsource = \"{GIT}\"\nchecksum = \"{SUM_A}\"\n"
    );
    assert_eq!(parse(&text).unwrap().format, Format::V2);
    assert_eq!(parse("[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n").unwrap().format, Format::V1);
}

#[test]
fn every_error_names_the_file_line_and_column_and_all_are_reported_at_once() {
    let text = format!(
        "version = 4\n\n\
         [[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"missing\",\n \"syn\",\n \"log 0.5.0\",\n \"bad name (x\",\n]\n\n\
         [[package]]\nname = \"syn\"\nversion = \"1.0.0\"\nsource = \"{GIT}\"\n\n\
         [[package]]\nname = \"syn\"\nversion = \"2.0.0\"\nsource = \"{GIT}\"\nchecksum = \"abc\"\n\n\
         [[package]]\nname = \"log\"\nversion = \"one\"\n\n\
         [[package]]\nname = \"syn\"\nversion = \"1.0.0\"\nsource = \"{GIT}\"\n"
    );
    assert_eq!(
        errors(&text),
        [
            "22:12: invalid checksum of `syn 2.0.0`: expected 64 hexadecimal digits",
            "26:11: invalid version `one` of package `log`: unexpected character 'o' while parsing major version number",
            "28:1: package `syn 1.0.0` is locked twice; the first entry is at line 13",
            "7:2: dependency `missing` of `app 0.1.0` is not a locked package",
            "8:2: dependency `syn` of `app 0.1.0` is ambiguous: 3 locked packages match; the entry must name the version",
            "9:2: dependency `log 0.5.0` of `app 0.1.0` is not a locked package",
            "10:2: dependency `bad name (x` of `app 0.1.0` is malformed: expected `name`, `name version` or `name version (source)`",
        ]
    );
}

#[test]
fn syntax_errors_unknown_versions_and_missing_keys_are_errors() {
    assert_eq!(errors("version = 5\n"), ["1:11: unsupported lockfile version 5: formats 1 to 4 are read"]);
    let syntax = errors("version = 4\n[[package]\nname = \"a\"\n");
    assert!(syntax.len() == 1 && syntax[0].starts_with("2:"), "{syntax:?}");
    let missing = errors("version = 4\n\n[[package]]\nname = \"a\"\n");
    assert!(missing.len() == 1 && missing[0].contains("missing field `version`"), "{missing:?}");
    let key = errors("[metadata]\n\"checksum a\" = \"<none>\"\n");
    assert_eq!(key, ["2:1: invalid checksum key `checksum a`"]);
}

/// A v4 lockfile of `packages` crates.io packages, each depending on the next `deps` (one
/// name in nineteen locked at two versions, so the edges to them carry the version).
fn generated(packages: usize, deps: usize) -> String {
    let name = |i: usize| format!("c{:05}", if i % 20 == 1 { i - 1 } else { i });
    let version = |i: usize| if i % 20 == 1 { "0.9.0" } else { "1.0.0" };
    let dep = |i: usize| {
        let twice = i % 20 <= 1;
        if twice { format!("{} {}", name(i), version(i)) } else { name(i) }
    };
    let mut text = String::from("version = 4\n");
    for i in 0..packages {
        text.push_str(&format!(
            "\n[[package]]\nname = \"{}\"\nversion = \"{}\"\nsource = \"{GIT}\"\nchecksum = \"{SUM_A}\"\ndependencies = [\n",
            name(i),
            version(i)
        ));
        for j in 1..=deps {
            text.push_str(&format!(" \"{}\",\n", dep((i + j) % packages)));
        }
        text.push_str("]\n");
    }
    text
}

#[test]
fn resolution_is_linear_in_the_edges_on_20000_packages_with_70_dependencies_each() {
    let small = parse(&generated(20_000, 5)).map_err(|e| e.0.len()).unwrap();
    let large = parse(&generated(20_000, 70)).map_err(|e| e.0.len()).unwrap();
    assert_eq!(large.packages.len(), 20_000);
    let edges: usize = large.packages.iter().map(|p| p.dependencies.len()).sum();
    assert_eq!(edges, 20_000 * 70);
    // One name in ten is locked twice: each edge compares with at most two packages
    // (a scan per edge would compare 1.4 million edges with 20,000 packages each).
    assert!(large.resolution_steps() <= 2 * edges, "{}", large.resolution_steps());
    assert!(large.resolution_steps() >= edges);
    // Fourteen times the edges, at most fourteen times the work.
    assert!(large.resolution_steps() <= 14 * small.resolution_steps());
    let first = &large.packages[0];
    let names: Vec<_> =
        large.dependencies(first).take(3).map(|p| format!("{} {}", p.name, p.version)).collect();
    assert_eq!(names, ["c00000 0.9.0", "c00002 1.0.0", "c00003 1.0.0"]);
}

#[test]
fn positions_in_a_file_read_in_pieces_count_from_the_start_of_the_file() {
    let mut text = generated(600, 2);
    let before = text.lines().count();
    text.push_str(&format!(
        "\n[[package]]\nname = \"late\"\nversion = \"1.0.0\"\nsource = \"{GIT}\"\nchecksum = \"abc\"\ndependencies = [\n \"c00002\",\n \"gone\",\n]\n"
    ));
    assert_eq!(
        errors(&text),
        [
            format!("{}:12: invalid checksum of `late 1.0.0`: expected 64 hexadecimal digits", before + 6),
            format!("{}:2: dependency `gone` of `late 1.0.0` is not a locked package", before + 9),
        ]
    );
    let lines: Vec<usize> = parse(&generated(600, 2)).unwrap().packages.iter().map(|p| p.line).collect();
    assert_eq!(lines[599], 3 + 599 * 10);
}
