//! `Cargo.lock` as written: its entries deserialized, in pieces on every core when the file is
//! large, with the line of each and its dependency strings borrowed from the text.

use super::{LockedPackage, is_crates_io, v1_checksum};
use crate::toml_file::{SpannedError, TomlFile};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

#[derive(Deserialize)]
pub(super) struct RawLock<'a> {
    pub(super) version: Option<u32>,
    #[serde(default, borrow)]
    pub(super) package: Vec<RawPackage<'a>>,
    pub(super) metadata: Option<Metadata>,
}

#[derive(Deserialize)]
pub(super) struct RawPackage<'a> {
    name: toml::Spanned<String>,
    #[serde(borrow)]
    version: toml::Spanned<Text<'a>>,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default, borrow)]
    dependencies: Vec<Text<'a>>,
}

/// A string of the file, borrowed where it is written without escapes: a large lockfile's
/// dependency strings (1.4 million in 20,000 entries with 70 each) are then not copied, nor
/// freed one by one.
pub(super) struct Text<'a>(pub(super) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// The entries of one piece of the file, which lies at `from..to`.
pub(super) struct Piece<'a> {
    from: usize,
    to: usize,
    entries: Vec<RawPackage<'a>>,
}

/// The entries of a piece as the gates see them (lines counted from the piece's first line),
/// and the newlines of its text.
pub(super) struct Built<'a> {
    pub(super) from: usize,
    pub(super) entries: Vec<Result<(LockedPackage, Vec<Text<'a>>), SpannedError>>,
    pub(super) newlines: usize,
}

impl<'a> Piece<'a> {
    pub(super) fn build(self, file: &TomlFile, metadata: &Metadata) -> Built<'a> {
        let text = file.text.get(self.from..self.to).unwrap_or_default();
        let mut lines = Lines { text: text.as_bytes(), at: 0, newlines: 0 };
        let entries = self
            .entries
            .into_iter()
            .map(|p| {
                // The entry's line is that of its `name = ` key, the first one cargo writes.
                let line = lines.before(p.name.span().start);
                locked(file, self.from, p, line, metadata)
            })
            .collect();
        Built { from: self.from, entries, newlines: lines.before(text.len()) }
    }
}

/// Newlines before offsets of a text visited in increasing order, as entries are: counted from
/// one offset to the next, every entry's line costs one pass over the file, where an index of
/// every line's start would be built first. An offset before the last one is counted back.
struct Lines<'t> {
    text: &'t [u8],
    at: usize,
    newlines: usize,
}

impl Lines<'_> {
    fn before(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        let between = |a: usize, b: usize| newlines(self.text.get(a..b).unwrap_or_default());
        if offset >= self.at {
            self.newlines += between(self.at, offset);
        } else {
            self.newlines -= between(offset, self.at);
        }
        self.at = offset;
        self.newlines
    }
}

pub(super) fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// A version 1 lockfile's `[metadata]` table.
pub(super) type Metadata = BTreeMap<String, toml::Value>;

/// What the file holds: its format version, its entries in pieces, and `[metadata]`.
pub(super) type Parsed<'a> = (Option<u32>, Vec<Piece<'a>>, Option<Metadata>);

/// The file parsed in pieces (see [`chunked`]), else whole.
pub(super) fn pieces(file: &TomlFile) -> Result<Parsed<'_>, SpannedError> {
    if let Some(parsed) = chunked(file) {
        return Ok(parsed);
    }
    let raw: RawLock = file.parse()?;
    Ok((raw.version, vec![Piece { from: 0, to: file.text.len(), entries: raw.package }], raw.metadata))
}

/// Entries per chunk when a large lockfile is parsed in pieces.
pub(super) const CHUNK: usize = 512;

/// Parses a large lockfile in pieces split at `[[package]]` headers, on every core: a whole
/// 20,000-package file as one TOML document takes several times the time and memory. `None`
/// (parse it whole) for a small file, or when a piece does not parse on its own, so that errors
/// are always the whole file's.
///
/// A piece cut inside a multi-line string leaves that string open in the piece before it, which
/// then does not parse. What pieces parsed apart could not see is a table defined twice, which
/// TOML forbids: so the file is parsed whole unless one part at most holds anything but
/// `[[package]]` entries (version 1's `[metadata]`, say), the part before them counting when it
/// holds more than `version`.
pub(super) fn chunked(file: &TomlFile) -> Option<Parsed<'_>> {
    use rayon::prelude::*;
    let text = &file.text;
    let starts: Vec<usize> = text.match_indices("\n[[package]]\n").map(|(i, _)| i + 1).collect();
    if starts.len() <= CHUNK {
        return None;
    }
    let firsts: Vec<usize> = starts.chunks(CHUNK).map(|c| c[0]).collect();
    let ends = firsts.iter().skip(1).copied().chain(std::iter::once(text.len()));
    let bounds: Vec<(usize, usize)> = firsts.iter().copied().zip(ends).collect();
    let head = text.get(..firsts[0])?;
    let top: RawLock = toml::from_str(head).ok()?;
    let head_keys: toml::Table = toml::from_str(head).ok()?;
    let parsed: Vec<Option<(RawLock, bool)>> = bounds
        .par_iter()
        .map(|&(from, to)| {
            let piece = text.get(from..to)?;
            Some((toml::from_str(piece).ok()?, holds_other_tables(piece)))
        })
        .collect();
    let mut others = usize::from(head_keys.keys().any(|k| k != "version"));
    let mut pieces = Vec::with_capacity(parsed.len());
    let mut metadata = top.metadata;
    for (piece, &(from, to)) in parsed.into_iter().zip(&bounds) {
        let (raw, other) = piece?;
        others += usize::from(other);
        pieces.push(Piece { from, to, entries: raw.package });
        metadata = metadata.or(raw.metadata);
    }
    (others <= 1).then_some((top.version, pieces, metadata))
}

/// Whether a piece of a lockfile has a table header other than `[[package]]` (or a line inside
/// a multi-line string that looks like one, which only makes the file be parsed whole).
fn holds_other_tables(piece: &str) -> bool {
    piece.lines().any(|line| {
        let line = line.trim_start_matches([' ', '\t']);
        line.starts_with('[') && line.trim_end() != "[[package]]"
    })
}

/// An entry as the gates see it, with its dependency strings still to resolve; `offset` is where
/// the piece it was parsed from begins, `line` the line of its name in the piece.
fn locked<'a>(
    file: &TomlFile,
    offset: usize,
    p: RawPackage<'a>,
    line: usize,
    metadata: &Metadata,
) -> Result<(LockedPackage, Vec<Text<'a>>), SpannedError> {
    let name = p.name.into_inner();
    let written = &p.version.get_ref().0;
    let version = semver::Version::parse(written).map_err(|e| {
        file.error(
            &shifted(&p.version.span(), offset),
            format!("package `{name}` has an invalid version \"{written}\": {e}"),
        )
    })?;
    let checksum = p.checksum.or_else(|| v1_checksum(metadata, &name, written, p.source.as_deref()));
    let package = LockedPackage {
        crates_io: p.source.as_deref().is_some_and(is_crates_io),
        name,
        version,
        source: p.source,
        checksum,
        deps: Vec::new(),
        line,
    };
    Ok((package, p.dependencies))
}

fn shifted(span: &std::ops::Range<usize>, by: usize) -> std::ops::Range<usize> {
    span.start + by..span.end + by
}
