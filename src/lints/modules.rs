//! The `mod name;` declarations of a file, with their `#[path]` and the inline modules around
//! them, found by the attribute scanner (in the syntax tree, and in macro tokens such as a
//! `cfg_if!` body), and where each one's file is, by rustc's rules.

use super::fragments::name;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::path::{Path, PathBuf};

/// An inline `mod name { ... }` around a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineMod {
    /// Its name.
    pub name: String,
    /// Its `#[path = "..."]`, if any (a directory for the modules inside).
    pub path: Option<String>,
}

/// One `mod name;` declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModDecl {
    /// The module's name.
    pub name: String,
    /// Its `#[path = "..."]`, if any.
    pub path: Option<String>,
    /// The inline modules it sits in, outermost first.
    pub inline: Vec<InlineMod>,
    /// Whether it is compiled only under `cfg(test)`.
    pub test_only: bool,
    /// 1-based line.
    pub line: usize,
}

impl ModDecl {
    /// The files the module may be in, in rustc's order. `file` is the declaring file; `mod_rs`
    /// says whether it owns its directory (a crate root, a `mod.rs`, or a file reached through
    /// `#[path]`), else its modules live in a directory named after it.
    pub fn candidates(&self, file: &Path, mod_rs: bool) -> Vec<PathBuf> {
        let dir = file.parent().unwrap_or(Path::new("."));
        if let (Some(path), true) = (&self.path, self.inline.is_empty()) {
            return vec![dir.join(path)];
        }
        let mut base = dir.to_path_buf();
        if !mod_rs {
            base.push(file.file_stem().unwrap_or_default());
        }
        for inline in &self.inline {
            base.push(inline.path.as_deref().unwrap_or(&inline.name));
        }
        match &self.path {
            Some(path) => vec![base.join(path)],
            None => vec![base.join(format!("{}.rs", self.name)), base.join(&self.name).join("mod.rs")],
        }
    }
}

/// Collects declarations while the scanner walks a file.
#[derive(Debug, Default)]
pub struct ModFinder {
    inline: Vec<InlineMod>,
    /// What was found.
    pub found: Vec<ModDecl>,
}

impl ModFinder {
    /// Enters an inline module.
    pub fn enter(&mut self, name: String, path: Option<String>) {
        self.inline.push(InlineMod { name, path });
    }

    /// Leaves the innermost inline module.
    pub fn leave(&mut self) {
        self.inline.pop();
    }

    /// Records `mod name;`.
    pub fn declare(&mut self, name: String, path: Option<String>, test_only: bool, line: usize) {
        self.found.push(ModDecl { name, path, inline: self.inline.clone(), test_only, line });
    }

    /// Records the `[#[path = "..."]] mod name;` declarations in macro tokens, at any depth.
    pub fn scan_tokens(&mut self, tokens: &TokenStream, test_only: bool) {
        let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
        let mut pending_path = None;
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket => {
                    if let Some(path) = path_value(&g.stream()) {
                        pending_path = Some(path);
                    }
                }
                TokenTree::Group(g) => {
                    self.scan_tokens(&g.stream(), test_only);
                    pending_path = None;
                }
                TokenTree::Ident(m) if name(m) == "mod" => {
                    if let (Some(TokenTree::Ident(module)), Some(TokenTree::Punct(semi))) =
                        (trees.get(i + 1), trees.get(i + 2))
                        && semi.as_char() == ';'
                    {
                        let line = m.span().start().line;
                        self.declare(name(module), pending_path.take(), test_only, line);
                    }
                }
                TokenTree::Punct(p) if p.as_char() == ';' => pending_path = None,
                _ => {}
            }
        }
    }
}

/// The string of `path = "..."` (an attribute's content).
pub fn path_value(content: &TokenStream) -> Option<String> {
    let trees: Vec<TokenTree> = content.clone().into_iter().collect();
    let [TokenTree::Ident(key), TokenTree::Punct(eq), TokenTree::Literal(lit)] = trees.as_slice() else {
        return None;
    };
    if name(key) != "path" || eq.as_char() != '=' {
        return None;
    }
    match syn::Lit::new(lit.clone()) {
        syn::Lit::Str(s) => Some(s.value()),
        _ => None,
    }
}

/// The `#[path = "..."]` among an item's attributes.
pub fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.get_ident().is_some_and(|i| name(i) == "path") => match &nv.value
        {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(name: &str, path: Option<&str>, inline: &[(&str, Option<&str>)]) -> ModDecl {
        ModDecl {
            name: name.into(),
            path: path.map(Into::into),
            inline: inline
                .iter()
                .map(|(n, p)| InlineMod { name: (*n).into(), path: p.map(Into::into) })
                .collect(),
            test_only: false,
            line: 1,
        }
    }

    #[test]
    fn module_files_follow_rustc() {
        let lib = Path::new("/m/src/lib.rs");
        let foo = Path::new("/m/src/foo.rs");
        assert_eq!(
            decl("a", None, &[]).candidates(lib, true),
            [Path::new("/m/src/a.rs"), Path::new("/m/src/a/mod.rs")]
        );
        assert_eq!(decl("a", None, &[]).candidates(foo, false)[0], Path::new("/m/src/foo/a.rs"));
        assert_eq!(
            decl("a", Some(".hidden/x.rs"), &[]).candidates(foo, false),
            [Path::new("/m/src/.hidden/x.rs")]
        );
        assert_eq!(decl("b", None, &[("i", None)]).candidates(lib, true)[0], Path::new("/m/src/i/b.rs"));
        assert_eq!(
            decl("b", Some("p.rs"), &[("i", None)]).candidates(foo, false),
            [Path::new("/m/src/foo/i/p.rs")]
        );
    }

    #[test]
    fn declarations_in_macro_tokens() {
        let mut finder = ModFinder::default();
        let tokens: TokenStream =
            "if #[cfg(unix)] { mod unix; } else { #[path = \"other/imp.rs\"] mod imp; pub(crate) mod x { } }"
                .parse()
                .unwrap();
        finder.scan_tokens(&tokens, false);
        let found: Vec<(&str, Option<&str>)> =
            finder.found.iter().map(|d| (d.name.as_str(), d.path.as_deref())).collect();
        assert_eq!(found, [("unix", None), ("imp", Some("other/imp.rs"))]);
    }
}
