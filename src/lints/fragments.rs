//! Token-level helpers of the attribute scanner: `cfg` predicates that require `test`, macros
//! whose tokens are code for another crate, and `macro_rules!` macros that build a lint
//! attribute from their input (`#[allow($lint)]`, `#[$level(...)]`), so that each invocation of
//! such a macro is an attribute written at the invocation.

use super::attrs::AttrLevel;
use proc_macro2::{Delimiter, Ident, TokenStream, TokenTree};
use syn::ext::IdentExt as _;

/// How a `macro_rules!` macro builds a lint attribute from its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FragmentKind {
    /// `#[allow($lint)]`: the level is fixed, the lints come from the input.
    Level(AttrLevel),
    /// `#[$attr]` or `#[$level(...)]`: the whole attribute comes from the input.
    Meta,
}

/// A `macro_rules!` macro (not `#[macro_export]`ed) that builds lint attributes from its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FragmentMacro {
    /// The macro's name.
    pub name: String,
    /// How it builds them.
    pub kind: FragmentKind,
}

/// Macros whose tokens are code for another crate or mere text (`quote!` builds a proc-macro's
/// output, `stringify!` a string): attributes inside them do not apply to this crate.
const FOREIGN_CODE_MACROS: [&str; 6] =
    ["quote", "quote_spanned", "parse_quote", "parse_quote_spanned", "stringify", "concat"];

/// An identifier's name without the `r#` of a raw identifier.
pub fn name(ident: &Ident) -> String {
    ident.unraw().to_string()
}

/// Whether a macro of this name holds code for another crate.
pub fn is_foreign_code_macro(ident: &Ident) -> bool {
    FOREIGN_CODE_MACROS.contains(&name(ident).as_str())
}

/// Whether a `cfg` predicate can only hold when `test` is set: `test`, `all(.., test, ..)`, or
/// `any(..)` of such predicates.
pub fn requires_test(predicate: &[TokenTree]) -> bool {
    match predicate {
        [TokenTree::Ident(id)] => name(id) == "test",
        [TokenTree::Ident(id), TokenTree::Group(args)] if args.delimiter() == Delimiter::Parenthesis => {
            let parts = split_commas(&args.stream());
            match name(id).as_str() {
                "all" => parts.iter().any(|p| requires_test(p)),
                "any" => !parts.is_empty() && parts.iter().all(|p| requires_test(p)),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Splits a list at its top-level commas, dropping empty entries (a trailing comma).
pub fn split_commas(tokens: &TokenStream) -> Vec<Vec<TokenTree>> {
    let mut parts = Vec::new();
    let mut part = Vec::new();
    for tree in tokens.clone() {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => parts.push(std::mem::take(&mut part)),
            _ => part.push(tree),
        }
    }
    parts.push(part);
    parts.retain(|part| !part.is_empty());
    parts
}

/// The ways a `macro_rules!` body builds lint attributes from metavariables.
pub fn fragment_kinds(body: &TokenStream) -> Vec<FragmentKind> {
    let mut out = Vec::new();
    let trees: Vec<TokenTree> = body.clone().into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        let TokenTree::Group(group) = tree else { continue };
        let after_pound = i
            .checked_sub(1)
            .and_then(|j| trees.get(j))
            .is_some_and(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == '#' || p.as_char() == '!'));
        if group.delimiter() == Delimiter::Bracket && after_pound && has_metavariable(&group.stream()) {
            out.extend(attribute_kind(&group.stream()));
        } else {
            out.extend(fragment_kinds(&group.stream()));
        }
    }
    out.dedup();
    out
}

/// What an attribute written with a metavariable builds.
fn attribute_kind(content: &TokenStream) -> Option<FragmentKind> {
    let mut trees = content.clone().into_iter();
    match trees.next()? {
        TokenTree::Punct(p) if p.as_char() == '$' => Some(FragmentKind::Meta),
        TokenTree::Ident(id) if name(&id) == "cfg_attr" => match trees.next()? {
            TokenTree::Group(args) => split_commas(&args.stream()).iter().skip(1).find_map(|part| match part
                .first()
            {
                Some(TokenTree::Ident(level)) => AttrLevel::from_name(&name(level)).map(FragmentKind::Level),
                Some(TokenTree::Punct(p)) if p.as_char() == '$' => Some(FragmentKind::Meta),
                _ => None,
            }),
            _ => None,
        },
        TokenTree::Ident(id) => AttrLevel::from_name(&name(&id)).map(FragmentKind::Level),
        _ => None,
    }
}

/// Whether tokens hold a `$` (a metavariable) at any depth.
fn has_metavariable(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        TokenTree::Punct(p) => p.as_char() == '$',
        TokenTree::Group(g) => has_metavariable(&g.stream()),
        _ => false,
    })
}

/// The lint-shaped paths (`unsafe_code`, `clippy::unwrap_used`) in an invocation's tokens.
pub fn lint_paths(tokens: &TokenStream, out: &mut Vec<String>) {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Group(g) => lint_paths(&g.stream(), out),
            TokenTree::Ident(id) if is_lint_word(&name(id)) => {
                let mut path = name(id);
                while let (
                    Some(TokenTree::Punct(a)),
                    Some(TokenTree::Punct(b)),
                    Some(TokenTree::Ident(next)),
                ) = (trees.get(i + 1), trees.get(i + 2), trees.get(i + 3))
                {
                    if a.as_char() != ':' || b.as_char() != ':' {
                        break;
                    }
                    path.push_str("::");
                    path.push_str(&name(next));
                    i += 3;
                }
                if !out.contains(&path) {
                    out.push(path);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Lint names are lower-case words with underscores.
fn is_lint_word(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The `level(...)` lists in an invocation's tokens, at any depth, as (level, list tokens).
pub fn level_lists(tokens: &TokenStream, out: &mut Vec<(AttrLevel, TokenStream)>) {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        let TokenTree::Group(group) = tree else { continue };
        let level = i.checked_sub(1).and_then(|j| match &trees[j] {
            TokenTree::Ident(id) => AttrLevel::from_name(&name(id)),
            _ => None,
        });
        match level {
            Some(level) if group.delimiter() == Delimiter::Parenthesis => out.push((level, group.stream())),
            _ => level_lists(&group.stream(), out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> TokenStream {
        text.parse().expect("lexes")
    }

    fn trees(text: &str) -> Vec<TokenTree> {
        tokens(text).into_iter().collect()
    }

    #[test]
    fn predicates_that_require_test() {
        assert!(requires_test(&trees("test")));
        assert!(requires_test(&trees("all(unix, test)")));
        assert!(requires_test(&trees("any(test, all(test, miri))")));
        assert!(!requires_test(&trees("any(test, feature = \"x\")")));
        assert!(!requires_test(&trees("not(test)")));
        assert!(!requires_test(&trees("feature = \"test\"")));
    }

    #[test]
    fn fragment_kinds_of_macro_bodies() {
        let level = tokens("($l:ident) => { #[allow($l)] fn f() {} }");
        assert_eq!(fragment_kinds(&level), [FragmentKind::Level(AttrLevel::Allow)]);
        let meta = tokens("($m:meta) => { #[$m] fn f() {} }; ($a:ident) => { #![$a(x)] }");
        assert_eq!(fragment_kinds(&meta), [FragmentKind::Meta]);
        let cfg = tokens("($l:path) => { #[cfg_attr(unix, expect($l))] struct S; }");
        assert_eq!(fragment_kinds(&cfg), [FragmentKind::Level(AttrLevel::Expect)]);
        assert!(fragment_kinds(&tokens("() => { #[allow(dead_code)] fn f() {} }")).is_empty());
    }

    #[test]
    fn invocation_tokens() {
        let mut paths = Vec::new();
        lint_paths(&tokens("unsafe_code, clippy::unwrap_used, Foo, \"s\""), &mut paths);
        assert_eq!(paths, ["unsafe_code", "clippy::unwrap_used"]);
        let mut lists = Vec::new();
        level_lists(&tokens("allow(clippy::eq_op), struct S { r#warn(x) }"), &mut lists);
        let got: Vec<(AttrLevel, String)> = lists.into_iter().map(|(l, t)| (l, t.to_string())).collect();
        assert_eq!(
            got,
            [(AttrLevel::Allow, "clippy :: eq_op".to_owned()), (AttrLevel::Warn, "x".to_owned())]
        );
    }
}
