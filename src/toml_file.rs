//! A TOML file read for a loader: its text, its display name, and spans turned into
//! `file:line:column` so every error and finding can point at the line that causes it.

use crate::finding::Location;
use anyhow::Context as _;
use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A TOML file's text and the names it is shown under.
#[derive(Debug, Clone)]
pub struct TomlFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// The name used in error messages (relative to the current directory where possible).
    pub display: String,
    /// The name used in findings (relative to the workspace root where possible).
    pub report_name: String,
    /// The file's contents.
    pub text: String,
    /// Byte offsets where lines start, computed on first use.
    lines: std::sync::OnceLock<Vec<usize>>,
}

/// An error at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpannedError {
    /// The file, as shown to people.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SpannedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// Several errors in one or more files, reported together.
#[derive(Debug, Clone)]
pub struct SpannedErrors(pub Vec<SpannedError>);

impl fmt::Display for SpannedErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpannedErrors {}

impl TomlFile {
    /// Reads `path`; `root` is the workspace root findings are reported relative to.
    pub fn read(path: &Path, root: &Path) -> anyhow::Result<Self> {
        let limit = if path.file_name().is_some_and(|n| n == "Cargo.lock") {
            crate::fsread::limit::LOCKFILE
        } else {
            crate::fsread::limit::CONFIG
        };
        let text = crate::fsread::read_to_string(path, limit)
            .with_context(|| format!("cannot read {}", crate::paths::display(path)))?;
        Ok(Self::from_text(path, root, text))
    }

    /// Wraps text that was already read.
    pub fn from_text(path: &Path, root: &Path, text: String) -> Self {
        Self {
            path: path.to_path_buf(),
            display: crate::paths::display(path),
            report_name: crate::paths::relative_to(path, root).unwrap_or_else(|| path.display().to_string()),
            text,
            lines: std::sync::OnceLock::new(),
        }
    }

    /// 1-based line and column of a byte offset (a binary search over the line starts, so that
    /// locating every entry of a large file stays linear).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.lines.get_or_init(|| {
            std::iter::once(0).chain(self.text.match_indices('\n').map(|(i, _)| i + 1)).collect()
        });
        let line = starts.partition_point(|&s| s <= offset);
        let line_start = starts.get(line.saturating_sub(1)).copied().unwrap_or(0);
        let column = self.text.get(line_start..offset).map_or(0, |s| s.chars().count());
        (line, column + 1)
    }

    /// The finding location of a span.
    pub fn location(&self, span: &Range<usize>) -> Location {
        Location { file: self.report_name.clone(), line: Some(self.line_col(span.start).0) }
    }

    /// An error at a span.
    pub fn error(&self, span: &Range<usize>, message: impl Into<String>) -> SpannedError {
        let (line, column) = self.line_col(span.start);
        SpannedError { file: self.display.clone(), line, column, message: message.into() }
    }

    /// Deserializes the whole file; a syntax error, an unknown key or a wrong type becomes an
    /// error naming the file, line and column.
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> Result<T, SpannedError> {
        toml::from_str(&self.text).map_err(|e| self.toml_error(&e))
    }

    /// Converts a toml error, keeping its position and its message without the source excerpt.
    pub fn toml_error(&self, e: &toml::de::Error) -> SpannedError {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim_end().to_owned();
        self.error(&span, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let f = TomlFile::from_text(Path::new("/ws/x.toml"), Path::new("/ws"), "a = 1\nbb = 2\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(6), (2, 1));
        assert_eq!(f.line_col(9), (2, 4));
        assert_eq!(f.location(&(7..8)), Location { file: "x.toml".into(), line: Some(2) });
    }

    #[test]
    fn parse_errors_name_file_line_and_column() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[expect(dead_code, reason = "only the error is inspected")]
        struct T {
            a: u32,
        }
        let f = TomlFile::from_text(Path::new("/ws/x.toml"), Path::new("/ws"), "a = 1\nb = 2\n".into());
        let err = f.parse::<T>().unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(err.message.contains("unknown field `b`"), "{}", err.message);
    }
}
