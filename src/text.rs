//! Escaping: the one place that makes a string from any input (advisory text, Cargo.lock,
//! manifests, source attributes, the policy, the KEV catalog) safe in each output.
//!
//! Outputs for people (the human report, GitHub annotations, JUnit, `report.md`) write every
//! character that could move the cursor, recolour the terminal, start a line or reorder the
//! text as `\u{…}`, its code point in hex, as Rust writes it: ESC becomes `\u{1b}`, a line feed
//! `\u{a}`. These are the control characters (C0, DEL, C1), the bidirectional formatting
//! characters (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069), the line and
//! paragraph separators (U+2028, U+2029) and the noncharacters (U+FDD0 to U+FDEF, and U+FFFE and
//! U+FFFF in every plane). A renderer escapes each input string on its own, then lays out its
//! own lines, so only the renderer starts a line. A backslash is left as it is: `\u{1b}` in the
//! output is either an escaped ESC or those six characters in the input, never a control
//! sequence.
//!
//! XML documents that carry data (the SBOM) keep tab, line feed and carriage return, and escape
//! only what XML 1.0 cannot carry at all ([`xml`]). JSON outputs need none of this: the JSON
//! writer escapes every control character and the strings round-trip exactly.

use std::borrow::Cow;

/// Whether `c` is written as `\u{…}` in output for people; see the module docs.
pub fn is_unsafe_for_display(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}')
        || is_noncharacter(c)
}

/// U+FDD0 to U+FDEF, and the last two code points of every plane.
fn is_noncharacter(c: char) -> bool {
    let n = u32::from(c);
    (0xfdd0..=0xfdef).contains(&n) || (n & 0xfffe) == 0xfffe
}

/// Whether XML 1.0 can carry `c` (its `Char` production): tab, line feed, carriage return,
/// and everything from U+0020 up except U+FFFE and U+FFFF (surrogates are not `char`s).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{fffe}' | '\u{ffff}'))
}

/// One line of text for people, from any input: see the module docs.
pub fn inline(s: &str) -> Cow<'_, str> {
    escape_where(s, is_unsafe_for_display)
}

/// Each line of a multi-line input (cargo's error output, say), escaped as [`inline`]; a
/// renderer indents or prefixes them itself.
pub fn lines(s: &str) -> impl Iterator<Item = Cow<'_, str>> {
    s.trim_end_matches(['\n', '\r']).split('\n').map(|l| inline(l.strip_suffix('\r').unwrap_or(l)))
}

/// Text for an XML document: the characters XML 1.0 cannot carry, escaped as `\u{…}`; tab, line
/// feed and carriage return are kept.
pub fn xml(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| !is_xml_char(c))
}

/// `s` with every character `escape` picks written as `\u{…}`; borrowed when there is none.
fn escape_where(s: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(inline("a\u{1b}[31mred\u{1b}[0m"), "a\\u{1b}[31mred\\u{1b}[0m");
        assert_eq!(inline("one\ntwo\r\tthree"), "one\\u{a}two\\u{d}\\u{9}three");
        assert_eq!(inline("del\u{7f} csi\u{9b} nel\u{85}"), "del\\u{7f} csi\\u{9b} nel\\u{85}");
        assert_eq!(inline("bidi \u{202e}txt\u{2066}"), "bidi \\u{202e}txt\\u{2066}");
        assert_eq!(
            inline("sep\u{2028}\u{fffe}\u{1ffff}\u{fdd0}"),
            "sep\\u{2028}\\u{fffe}\\u{1ffff}\\u{fdd0}"
        );
        assert!(matches!(inline("plain text, caf\u{e9} \u{1f600} C:\\dir"), Cow::Borrowed(_)));
    }

    #[test]
    fn lines_are_split_and_each_escaped() {
        let got: Vec<_> = lines("error: a\r\n  b\u{1b}c\n\n").collect();
        assert_eq!(got, ["error: a", "  b\\u{1b}c"]);
        assert_eq!(lines("").count(), 1);
    }

    #[test]
    fn xml_keeps_what_xml_can_carry() {
        assert_eq!(xml("a\tb\nc\rd"), "a\tb\nc\rd");
        assert_eq!(xml("nul\u{0} esc\u{1b} \u{fffe}\u{ffff}"), "nul\\u{0} esc\\u{1b} \\u{fffe}\\u{ffff}");
        // C1 controls and other noncharacters are allowed by XML 1.0 (if discouraged).
        assert_eq!(xml("\u{85}\u{1fffe}"), "\u{85}\u{1fffe}");
        assert!(!is_xml_char('\u{1f}') && is_xml_char(' ') && is_xml_char('\u{10ffff}'));
    }
}
