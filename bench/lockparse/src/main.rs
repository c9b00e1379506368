//! `lockparse MODEL Cargo.lock`: reads the lockfile with one model (`cargo-lock` or `spdf`) and
//! writes one JSON line: packages, dependency edges and the parse time in milliseconds (the
//! file is read before the clock starts). Exit code 2 when the file cannot be parsed.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(model), Some(path)) = (args.get(1), args.get(2)) else {
        return fail("usage: lockparse cargo-lock|spdf Cargo.lock");
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return fail(&format!("cannot read {path}: {e}")),
    };
    let start = Instant::now();
    let counted = match model.as_str() {
        "cargo-lock" => cargo_lock(&text),
        "spdf" => spdf(path, text),
        other => Err(format!("unknown model {other}: cargo-lock or spdf")),
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    match counted {
        Ok((packages, edges)) => {
            let line = format!("{{\"model\":\"{model}\",\"packages\":{packages},\"edges\":{edges},\"parse_ms\":{ms:.1}}}\n");
            let _ = std::io::stdout().write_all(line.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// Packages and edges as `cargo_lock` reads them.
fn cargo_lock(text: &str) -> Result<(usize, usize), String> {
    let lock: cargo_lock::Lockfile = text.parse().map_err(|e| format!("{e}"))?;
    Ok((lock.packages.len(), lock.packages.iter().map(|p| p.dependencies.len()).sum()))
}

/// Packages and edges as `cargo_spdf::lockfile` reads them.
fn spdf(path: &str, text: String) -> Result<(usize, usize), String> {
    let path = Path::new(path);
    let root = path.parent().unwrap_or(Path::new("."));
    let file = cargo_spdf::toml_file::TomlFile::from_text(path, root, text);
    let lock = cargo_spdf::lockfile::Lockfile::parse(&file).map_err(|e| e.to_string())?;
    Ok((lock.packages.len(), lock.packages.iter().map(|p| p.dependencies.len()).sum()))
}

fn fail(message: &str) -> ExitCode {
    let _ = std::io::stderr().write_all(format!("lockparse: {message}\n").as_bytes());
    ExitCode::from(2)
}
