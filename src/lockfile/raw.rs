//! The text of `Cargo.lock` deserialized (`toml` + serde), with every span the model needs
//! counted from the start of the file.
//!
//! A large lockfile is read in pieces of [`PIECE_ENTRIES`] `[[package]]` entries, cut where a
//! line is exactly `[[package]]`: each piece is a TOML document of its own, and reading them one
//! after the other keeps the parser's tree small (a 27 MB lockfile reads in about half the time
//! it takes whole). Reading in pieces gives what the whole file gives, or nothing: a cut inside
//! a multi-line string leaves the piece before it with an unterminated string, and a top-level
//! key other than `package` defined in two pieces would be a duplicate in the whole file. In
//! both cases, and for any error, the whole file is read instead, so errors are the toml
//! parser's own, with their position.

use crate::toml_file::{SpannedError, TomlFile};
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// `[[package]]` entries per piece.
const PIECE_ENTRIES: usize = 256;

/// A value and where it is written, in bytes from the start of the file.
#[derive(Debug)]
pub(super) struct At<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// One `[[package]]` entry (or the format 1 `[root]`).
#[derive(Debug)]
pub(super) struct RawEntry {
    /// The entry's `[[package]]` header.
    pub header: Range<usize>,
    pub name: String,
    pub version: At<String>,
    pub source: Option<String>,
    pub checksum: Option<At<String>>,
    /// Plain strings: a span on each of a million dependency strings would cost more than the
    /// rest of the parse; where one that does not resolve is written is looked up when the error
    /// is reported.
    pub dependencies: Vec<String>,
}

/// The keys of `Cargo.lock` the model reads.
#[derive(Debug, Default)]
pub(super) struct RawLock {
    pub version: Option<At<i64>>,
    pub root: Option<RawEntry>,
    pub packages: Vec<RawEntry>,
    pub metadata: Vec<(At<String>, At<String>)>,
}

/// Reads the file in pieces where it can, else whole; the error is the toml parser's.
pub(super) fn read(file: &TomlFile) -> Result<RawLock, SpannedError> {
    let pieces = pieces(&file.text);
    if pieces.len() > 1
        && let Some(raw) = read_pieces(&pieces)
    {
        return Ok(raw);
    }
    let piece: Piece = toml::from_str(&file.text).map_err(|e| file.toml_error(&e))?;
    let mut raw = RawLock::default();
    raw.add(piece, 0);
    Ok(raw)
}

/// The file cut before every [`PIECE_ENTRIES`]th `[[package]]` line: (offset, text) of each piece.
fn pieces(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let headers = memchr::memmem::find_iter(bytes, b"\n[[package]]")
        .map(|i| i + 1)
        .filter(|&at| matches!(bytes.get(at + "[[package]]".len()), None | Some(b'\n' | b'\r')));
    let mut cuts = vec![0];
    cuts.extend(headers.enumerate().filter(|(n, _)| *n > 0 && n % PIECE_ENTRIES == 0).map(|(_, at)| at));
    cuts.push(text.len());
    cuts.windows(2).map(|w| (w[0], &text[w[0]..w[1]])).collect()
}

/// Every piece read in turn; `None` when one cannot be read, or when a top-level key other than
/// `package` appears in two of them.
fn read_pieces(pieces: &[(usize, &str)]) -> Option<RawLock> {
    let mut raw = RawLock::default();
    let mut seen = HashSet::new();
    for (base, text) in pieces {
        let piece: Piece = toml::from_str(text).ok()?;
        if piece.keys.iter().any(|k| k != "package" && !seen.insert(k.clone())) {
            return None;
        }
        raw.add(piece, *base);
    }
    Some(raw)
}

impl RawLock {
    /// Adds what a piece read at `base` holds.
    fn add(&mut self, piece: Piece, base: usize) {
        let at = |s: Spanned<String>| {
            let span = shift(s.span(), base);
            At { value: s.into_inner(), span }
        };
        if let Some(v) = piece.version {
            self.version = Some(At { span: shift(v.span(), base), value: v.into_inner() });
        }
        if let Some(root) = piece.root {
            self.root = Some(entry(root, base));
        }
        self.packages.extend(piece.package.into_iter().map(|p| entry(p, base)));
        self.metadata.extend(piece.metadata.into_iter().flatten().map(|(k, v)| (at(k), at(v))));
    }
}

fn shift(span: Range<usize>, base: usize) -> Range<usize> {
    span.start + base..span.end + base
}

fn entry(spanned: Spanned<PiecePackage>, base: usize) -> RawEntry {
    let header = shift(spanned.span(), base);
    let p = spanned.into_inner();
    let at = |s: Spanned<String>| {
        let span = shift(s.span(), base);
        At { value: s.into_inner(), span }
    };
    RawEntry {
        header,
        name: p.name,
        version: at(p.version),
        source: p.source,
        checksum: p.checksum.map(at),
        dependencies: p.dependencies,
    }
}

/// One piece of the file as serde reads it, with the top-level keys it defines.
#[derive(Default)]
struct Piece {
    version: Option<Spanned<i64>>,
    package: Vec<Spanned<PiecePackage>>,
    root: Option<Spanned<PiecePackage>>,
    metadata: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    keys: Vec<String>,
}

/// One `[[package]]` entry as serde reads it.
#[derive(Deserialize)]
struct PiecePackage {
    name: String,
    version: Spanned<String>,
    source: Option<String>,
    checksum: Option<Spanned<String>>,
    #[serde(default)]
    dependencies: Vec<String>,
}

impl<'de> Deserialize<'de> for Piece {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PieceVisitor)
    }
}

/// Reads the top-level table key by key, so that the keys are known (unknown ones are skipped,
/// as cargo skips them).
struct PieceVisitor;

impl<'de> Visitor<'de> for PieceVisitor {
    type Value = Piece;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Cargo.lock document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Piece, A::Error> {
        let mut piece = Piece::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "version" => piece.version = Some(map.next_value()?),
                "package" => piece.package = map.next_value()?,
                "root" => piece.root = Some(map.next_value()?),
                "metadata" => piece.metadata = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            piece.keys.push(key);
        }
        Ok(piece)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(count: usize) -> String {
        let mut text = String::from("version = 4\n");
        for i in 0..count {
            text.push_str(&format!("\n[[package]]\nname = \"c{i}\"\nversion = \"1.0.0\"\n"));
        }
        text
    }

    #[test]
    fn large_files_are_cut_before_every_256th_entry() {
        let text = entries(600);
        let pieces = pieces(&text);
        assert_eq!(pieces.len(), 3);
        assert!(pieces[1].1.starts_with("[[package]]\nname = \"c256\""), "{}", &pieces[1].1[..40]);
        assert!(pieces[2].1.starts_with("[[package]]\nname = \"c512\""));
        assert_eq!(pieces.iter().map(|(_, t)| t.len()).sum::<usize>(), text.len());
        let raw = read_pieces(&pieces).unwrap();
        assert_eq!(raw.packages.len(), 600);
        let last = &raw.packages[599];
        assert_eq!(&text[last.header.clone()], "[[package]]");
        assert_eq!(&text[last.version.span.clone()], "\"1.0.0\"");
    }

    #[test]
    fn a_cut_inside_a_string_or_a_key_defined_twice_falls_back_to_the_whole_file() {
        let quoted = format!("{}\n[extra]\nnote = \"\"\"\n{}\"\"\"\n", entries(1), entries(300));
        assert!(read_pieces(&pieces(&quoted)).is_none());
        let file = TomlFile::from_text("/ws/Cargo.lock".as_ref(), "/ws".as_ref(), quoted);
        assert_eq!(read(&file).unwrap().packages.len(), 1);

        let twice = format!("{}\n[extra]\na = 1\n{}\n[extra]\nb = 2\n", entries(1), entries(300));
        assert!(read_pieces(&pieces(&twice)).is_none());
        let file = TomlFile::from_text("/ws/Cargo.lock".as_ref(), "/ws".as_ref(), twice);
        let err = read(&file).unwrap_err();
        assert!(err.message.contains("duplicate"), "{}", err.message);
    }
}
