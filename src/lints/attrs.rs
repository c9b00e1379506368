//! Finds every lint-level attribute in one Rust source file.
//!
//! A lint that Cargo.toml's `[lints]` requires (say `unsafe_code` or `clippy::unwrap_used`) is
//! silently lowered by attributes in the source. [`scan`] parses a file with `syn`, walks the whole
//! syntax tree, and reports each `allow`, `expect`, `warn`, `deny` and `forbid` attribute, with the
//! lints it names, its `reason`, the `cfg_attr` predicates it sits under, and where it sits
//! ([`AttrScope`]). It also reports the `cfg` and `cfg_attr` attributes that hide code from clippy or
//! weaken lints only under clippy ([`ClippyCfg`]).
//!
//! # Scope
//!
//! - Inner attributes (`#![...]`) at the top of the file are [`AttrScope::CrateRoot`] when the caller
//!   says the file is a crate root, and [`AttrScope::Module`] otherwise.
//! - Inner attributes at the top of an inline `mod x { #![...] }` are [`AttrScope::Module`].
//! - Every other attribute that syn parses is [`AttrScope::Item`]: outer attributes on items, impl
//!   and trait items, foreign items, statements, expressions, fields, variants, match arms,
//!   parameters and generic parameters, and also the inner attributes of function bodies, blocks,
//!   loop bodies and `impl`, `trait` and `extern` blocks (`fn f() { #![allow(x)] }`), since those
//!   reach no further than the construct that holds them, just like an outer attribute on it.
//! - Syntax that syn keeps only as tokens (an item syn does not model, such as a bodiless
//!   `fn f();` at module level) is scanned as tokens; what is found there is [`AttrScope::Item`].
//! - Attributes in the tokens of a `macro_rules!` definition or of any macro invocation (item,
//!   statement, expression, pattern or type position, nested or not) are [`AttrScope::MacroTokens`].
//!
//! # Token scan
//!
//! syn does not parse macro bodies, so their token trees are walked recursively: a `#` (optionally
//! followed by `!`) and then a bracket group holding exactly `allow`, `expect`, `warn`, `deny`,
//! `forbid`, `cfg_attr` or `cfg` and one parenthesized group is treated as an attribute. Each
//! attribute is reported once, keyed by the position of its `#`.
//!
//! # Clippy
//!
//! A `cfg` whose predicate names `clippy` under a `not` (`cfg(not(clippy))`,
//! `cfg(any(not(clippy), test))`) hides code from clippy; a `cfg_attr` whose predicate names `clippy`
//! outside a `not` (`cfg_attr(clippy, allow(x))`) applies something only under clippy; a `cfg_attr`
//! whose predicate names `clippy` under a `not` and that carries `warn`, `deny` or `forbid`
//! (`cfg_attr(not(clippy), deny(x))`) is weaker under clippy. These are [`ClippyCfg`]s. A plain
//! `cfg(clippy)` (code seen only by clippy) is not. `feature = "cargo-clippy"`, the cfg clippy set
//! before `clippy` existed, counts as `clippy`. Any `cfg_attr(clippy, ...)` is reported, whatever it
//! carries (`allow`, `cfg`, `clippy::msrv = ...`, ...); `cfg!(...)` macro conditions are not scanned.
//!
//! # Limits
//!
//! Only the text of this file is seen: attributes that proc macros or build scripts generate, files
//! pulled in with `include!` or `#[path]`, and levels set by flags are the caller's business. A lint
//! named by a macro metavariable (`#[allow($lint)]`) is skipped; a `#[allow(x)]` in a
//! `macro_rules!` matcher is reported although it only matches input. A malformed lint attribute
//! (`#[allow]`, `#[allow = "x"]`, `#[allow(x = 1)]`) gives nothing, as does one that names no lint.
//!
//! # Line numbers
//!
//! Lines come from proc-macro2's `span-locations` feature. It keeps each parsed source on a
//! thread-local map for as long as the thread lives, so a thread that scans a very large tree may
//! call `proc_macro2::extra::invalidate_current_thread_spans` between files if it holds no other
//! spans; [`scan`] itself returns no spans.

use std::collections::{BTreeMap, HashSet};

use super::fragments::{self, FragmentKind, FragmentMacro, name, split_commas};
use super::modules::{ModDecl, ModFinder};
use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use syn::visit::Visit;
use syn::{
    AttrStyle, Attribute, File, ImplItem, Item, ItemMacro, ItemMod, Macro, MacroDelimiter, Meta, TraitItem,
};

/// The deepest nesting of brackets, braces and parentheses a file may have; deeper input is
/// refused rather than parsed (the parser recurses once per level).
pub const MAX_NESTING: usize = 256;

/// The longest run of punctuation a file may have (`!!!!x`, `&&&&T` recurse in the parser too).
pub const MAX_PUNCT_RUN: usize = 1024;

/// The level an attribute sets, ordered from weakest to strongest.
///
/// [`AttrLevel::Expect`] suppresses the lint just as [`AttrLevel::Allow`] does (and warns when the
/// lint does not fire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttrLevel {
    /// `allow(...)`.
    Allow,
    /// `expect(...)`.
    Expect,
    /// `warn(...)`.
    Warn,
    /// `deny(...)`.
    Deny,
    /// `forbid(...)`.
    Forbid,
}

impl AttrLevel {
    /// The level an attribute name sets: `"allow"` is [`AttrLevel::Allow`] and so on.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "allow" => Some(Self::Allow),
            "expect" => Some(Self::Expect),
            "warn" => Some(Self::Warn),
            "deny" => Some(Self::Deny),
            "forbid" => Some(Self::Forbid),
            _ => None,
        }
    }

    /// The attribute name: `"allow"`, `"expect"`, `"warn"`, `"deny"` or `"forbid"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Expect => "expect",
            Self::Warn => "warn",
            Self::Deny => "deny",
            Self::Forbid => "forbid",
        }
    }

    /// Whether the level silences the lint (`allow` and `expect`).
    #[must_use]
    pub fn suppresses(self) -> bool {
        matches!(self, Self::Allow | Self::Expect)
    }
}

/// Where the attribute sits. See the [module docs](self#scope) for which constructs give which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrScope {
    /// An inner attribute (`#![...]`) at the top of a file that the caller says is a crate root.
    CrateRoot,
    /// An inner attribute in any other file, or inside an inline `mod x { #![...] }`.
    Module,
    /// An outer attribute on an item, impl item, trait item, statement, expression, field, variant,
    /// match arm, parameter, etc., or an inner attribute of a function body or other block.
    Item,
    /// Found by token scan inside a `macro_rules!` body or a macro invocation.
    MacroTokens,
}

/// One lint-level attribute. A `cfg_attr` carrying several lint attributes gives one each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintAttr {
    /// 1-based line of the attribute's `#`.
    pub line: usize,
    /// The level it sets.
    pub level: AttrLevel,
    /// The lints it names, dashes turned to underscores; tool lints keep their prefix
    /// (`clippy::unwrap_used`, `rustdoc::broken_intra_doc_links`), rustc lints and groups
    /// (`unsafe_code`, `warnings`, `unused`) are bare.
    pub lints: Vec<String>,
    /// The `reason = "..."` text, if present.
    pub reason: Option<String>,
    /// For an attribute inside `cfg_attr`: the predicate as source text, e.g. `not(test)`, with
    /// nested `cfg_attr` predicates joined by ` && `, outermost first. `None` if unconditional.
    /// The text is printed from the tokens, so comments are dropped and spacing is normalized
    /// (one space after a comma and around `=`): `all(unix, feature = "x")`.
    pub condition: Option<String>,
    /// Where it sits.
    pub scope: AttrScope,
    /// Whether it applies only when `cfg(test)` holds: under a `cfg_attr` whose predicate requires
    /// `test`, or inside an item (or a file) under such a `cfg`. It then lowers the test harness
    /// only, never the shipped crate.
    pub test_only: bool,
}

/// A `cfg` or `cfg_attr` that hides code from clippy or weakens lints only under clippy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClippyCfg {
    /// 1-based line of the attribute's `#`.
    pub line: usize,
    /// The attribute as written, e.g. `#[cfg(not(clippy))]`, printed from its tokens like
    /// [`LintAttr::condition`].
    pub text: String,
    /// Whether it sits in code compiled only under `cfg(test)`.
    pub test_only: bool,
}

/// Everything found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileScan {
    /// The lint-level attributes, in source order.
    pub attrs: Vec<LintAttr>,
    /// The attributes that hide code from clippy or weaken lints under it, in source order.
    pub clippy_cfgs: Vec<ClippyCfg>,
    /// The `mod name;` declarations, for following the module tree.
    pub mods: Vec<ModDecl>,
    /// The local `macro_rules!` macros that build lint attributes from their input.
    pub fragment_macros: Vec<FragmentMacro>,
}

/// Scans one file's text.
///
/// `crate_root` says whether the file is a crate root (lib.rs, main.rs, a bin, build.rs), which
/// decides [`AttrScope::CrateRoot`] or [`AttrScope::Module`] for its top-level inner attributes.
///
/// # Errors
///
/// A file syn cannot parse gives a message that starts with the 1-based line and column of the
/// error, e.g. `line 3, column 9: expected ...`; so does a file nested deeper than
/// [`MAX_NESTING`]. The parser recurses, so call this on a thread with a large stack.
pub fn scan(source: &str, crate_root: bool) -> Result<FileScan, String> {
    scan_with(source, crate_root, &BTreeMap::new())
}

/// [`scan`], also expanding the invocations of the given fragment macros (see
/// [`FileScan::fragment_macros`]; the caller gathers them from every file of the crate).
///
/// # Errors
///
/// As [`scan`].
pub fn scan_with(
    source: &str,
    crate_root: bool,
    fragments: &BTreeMap<String, Vec<FragmentKind>>,
) -> Result<FileScan, String> {
    let tokens = lex(source)?;
    let file: File = syn::parse2(tokens).map_err(|e| parse_error(&e, source))?;
    let mut scanner = Scanner {
        crate_root,
        seen: HashSet::new(),
        attrs: Vec::new(),
        clippy_cfgs: Vec::new(),
        test_depth: 0,
        mods: ModFinder::default(),
        fragment_macros: Vec::new(),
        fragments,
    };
    scanner.visit_file(&file);
    Ok(scanner.finish())
}

/// Lexes a file (keeping line numbers: a shebang line is blanked, a byte-order mark dropped) and
/// refuses nesting deeper than [`MAX_NESTING`] and punctuation runs longer than [`MAX_PUNCT_RUN`].
fn lex(source: &str) -> Result<TokenStream, String> {
    let mut text = source.strip_prefix('\u{feff}').unwrap_or(source);
    if let Some(rest) = text.strip_prefix("#!")
        && !rest.trim_start().starts_with('[')
    {
        text = text.find('\n').map_or("", |i| &text[i..]);
    }
    let tokens: TokenStream = text.parse().map_err(|e: proc_macro2::LexError| {
        let at = e.span().start();
        format!("line {}, column {}: {e}", at.line, at.column + 1)
    })?;
    check_depth(&tokens)?;
    Ok(tokens)
}

/// Walks the token tree without recursion, refusing too deep or too long runs.
fn check_depth(tokens: &TokenStream) -> Result<(), String> {
    let mut stack = vec![tokens.clone().into_iter()];
    let mut run = 0;
    while let Some(top) = stack.last_mut() {
        let Some(tree) = top.next() else {
            stack.pop();
            continue;
        };
        let too_long = match &tree {
            TokenTree::Punct(_) => {
                run += 1;
                run > MAX_PUNCT_RUN
            }
            _ => {
                run = 0;
                false
            }
        };
        let at = tree.span().start();
        if too_long {
            return Err(format!(
                "line {}: more than {MAX_PUNCT_RUN} punctuation tokens in a row; the file is not checked",
                at.line
            ));
        }
        if let TokenTree::Group(group) = tree {
            if stack.len() >= MAX_NESTING {
                return Err(format!(
                    "line {}: brackets nested deeper than {MAX_NESTING} levels; the file is not checked",
                    at.line
                ));
            }
            stack.push(group.stream().into_iter());
        }
    }
    Ok(())
}

/// Formats a parse error with its position. syn gives "unexpected end of input" a span outside the
/// file (the call site, which has no source text), so such an error is put at the file's last line.
fn parse_error(err: &syn::Error, source: &str) -> String {
    let span = err.span();
    if span.source_text().is_none() {
        return format!("line {}, end of file: {err}", source.lines().count().max(1));
    }
    let at = span.start();
    format!("line {}, column {}: {err}", at.line, at.column + 1)
}

/// Position of an attribute's `#`: line (1-based) and column (0-based, in characters).
type Pos = (usize, usize);

/// The syntax-tree walker; collects findings keyed by position, then sorts them.
struct Scanner<'f> {
    crate_root: bool,
    seen: HashSet<Pos>,
    attrs: Vec<(Pos, LintAttr)>,
    clippy_cfgs: Vec<(Pos, ClippyCfg)>,
    /// How deep the walk is inside items under a `cfg` that requires `test`.
    test_depth: usize,
    mods: ModFinder,
    fragment_macros: Vec<FragmentMacro>,
    /// The crate's fragment macros, whose invocations are expanded.
    fragments: &'f BTreeMap<String, Vec<FragmentKind>>,
}

/// An attribute reduced to what the scanner needs, whether syn parsed it or the token scan found it.
struct RawAttr<'a> {
    /// The `#`.
    pound: Span,
    /// `#![...]` rather than `#[...]`.
    inner: bool,
    /// `allow`, `cfg_attr`, ...
    name: &'a Ident,
    /// What is inside the parentheses after the name.
    args: &'a TokenStream,
}

impl<'ast> Visit<'ast> for Scanner<'_> {
    fn visit_file(&mut self, file: &'ast File) {
        let scope = if self.crate_root { AttrScope::CrateRoot } else { AttrScope::Module };
        // `#![cfg(test)]` at the top makes the whole file test code.
        let test_file = usize::from(has_test_cfg(&file.attrs));
        self.test_depth += test_file;
        for attr in &file.attrs {
            self.attribute(attr, scope);
        }
        for item in &file.items {
            self.visit_item(item);
        }
        self.test_depth -= test_file;
    }

    fn visit_item(&mut self, node: &'ast Item) {
        let test = usize::from(item_attrs(node).is_some_and(has_test_cfg));
        self.test_depth += test;
        syn::visit::visit_item(self, node);
        self.test_depth -= test;
    }

    fn visit_impl_item(&mut self, node: &'ast ImplItem) {
        let test = usize::from(match node {
            ImplItem::Const(i) => has_test_cfg(&i.attrs),
            ImplItem::Fn(i) => has_test_cfg(&i.attrs),
            ImplItem::Type(i) => has_test_cfg(&i.attrs),
            ImplItem::Macro(i) => has_test_cfg(&i.attrs),
            _ => false,
        });
        self.test_depth += test;
        syn::visit::visit_impl_item(self, node);
        self.test_depth -= test;
    }

    fn visit_trait_item(&mut self, node: &'ast TraitItem) {
        let test = usize::from(match node {
            TraitItem::Const(i) => has_test_cfg(&i.attrs),
            TraitItem::Fn(i) => has_test_cfg(&i.attrs),
            TraitItem::Type(i) => has_test_cfg(&i.attrs),
            TraitItem::Macro(i) => has_test_cfg(&i.attrs),
            _ => false,
        });
        self.test_depth += test;
        syn::visit::visit_trait_item(self, node);
        self.test_depth -= test;
    }

    fn visit_item_mod(&mut self, node: &'ast ItemMod) {
        for attr in &node.attrs {
            let scope = match attr.style {
                AttrStyle::Outer => AttrScope::Item,
                AttrStyle::Inner(_) => AttrScope::Module,
            };
            self.attribute(attr, scope);
        }
        let path = super::modules::path_attr(&node.attrs);
        let line = node.mod_token.span.start().line;
        match &node.content {
            None => self.mods.declare(name(&node.ident), path, self.test_depth > 0, line),
            Some((_, items)) => {
                self.mods.enter(name(&node.ident), path);
                for item in items {
                    self.visit_item(item);
                }
                self.mods.leave();
            }
        }
    }

    fn visit_item_macro(&mut self, node: &'ast ItemMacro) {
        for attr in &node.attrs {
            self.attribute(attr, AttrScope::Item);
        }
        let defines = node.mac.path.get_ident().is_some_and(|i| name(i) == "macro_rules");
        match (&node.ident, defines) {
            // An exported macro expands in the crates that call it, not in this one.
            (Some(_), true) if node.attrs.iter().any(|a| a.path().is_ident("macro_export")) => {}
            (Some(ident), true) => {
                for kind in fragments::fragment_kinds(&node.mac.tokens) {
                    self.fragment_macros.push(FragmentMacro { name: name(ident), kind });
                }
                self.tokens(&node.mac.tokens, AttrScope::MacroTokens);
            }
            _ => self.visit_macro(&node.mac),
        }
    }

    fn visit_attribute(&mut self, attr: &'ast Attribute) {
        // Not recursing: an attribute's own tokens hold no further attributes.
        self.attribute(attr, AttrScope::Item);
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        let Some(last) = mac.path.segments.last() else { return };
        self.invocation(&last.ident, &mac.tokens);
    }

    fn visit_token_stream(&mut self, tokens: &'ast TokenStream) {
        // Reached only for syntax syn keeps verbatim (macros and attributes are handled above).
        self.tokens(tokens, AttrScope::Item);
    }
}

/// The attributes of an item.
fn item_attrs(item: &Item) -> Option<&[Attribute]> {
    Some(match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => return None,
    })
}

/// Whether the attributes hold a `cfg` that requires `test`.
fn has_test_cfg(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| match &a.meta {
        Meta::List(list) if list.path.get_ident().is_some_and(|i| name(i) == "cfg") => {
            let predicate: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
            fragments::requires_test(&predicate)
        }
        _ => false,
    })
}

impl Scanner<'_> {
    /// Records an attribute that syn parsed, if it has the `name(...)` form.
    fn attribute(&mut self, attr: &Attribute, scope: AttrScope) {
        let Meta::List(list) = &attr.meta else { return };
        let (Some(name), MacroDelimiter::Paren(_)) = (list.path.get_ident(), &list.delimiter) else {
            return;
        };
        let raw = RawAttr {
            pound: attr.pound_token.spans[0],
            inner: matches!(attr.style, AttrStyle::Inner(_)),
            name,
            args: &list.tokens,
        };
        self.record(&raw, scope);
    }

    /// A macro invocation: nothing for macros whose tokens are another crate's code; the
    /// attributes a fragment macro builds; then the attributes and modules in its tokens.
    fn invocation(&mut self, callee: &Ident, tokens: &TokenStream) {
        if fragments::is_foreign_code_macro(callee) {
            return;
        }
        if let Some(kinds) = self.fragments.get(&name(callee)) {
            for kind in kinds.clone() {
                self.expand_fragment(callee.span(), kind, tokens);
            }
        }
        self.mods.scan_tokens(tokens, self.test_depth > 0);
        self.tokens(tokens, AttrScope::MacroTokens);
    }

    /// The lint attributes a fragment macro builds from an invocation's tokens.
    fn expand_fragment(&mut self, at: Span, kind: FragmentKind, tokens: &TokenStream) {
        let lists = match kind {
            FragmentKind::Level(level) => {
                let mut lints = Vec::new();
                fragments::lint_paths(tokens, &mut lints);
                vec![(level, lints)]
            }
            FragmentKind::Meta => {
                let mut found = Vec::new();
                fragments::level_lists(tokens, &mut found);
                found.into_iter().map(|(level, list)| (level, lint_list(&list).0)).collect()
            }
        };
        let start = at.start();
        for (level, lints) in lists.into_iter().filter(|(_, l)| !l.is_empty()) {
            let attr = LintAttr {
                line: start.line,
                level,
                lints,
                reason: None,
                condition: None,
                scope: AttrScope::MacroTokens,
                test_only: self.test_depth > 0,
            };
            self.attrs.push(((start.line, start.column), attr));
        }
    }

    /// Walks a token stream recursively, recording each `#[name(...)]` or `#![name(...)]` in it,
    /// and following nested macro invocations (`name! (...)`).
    fn tokens(&mut self, tokens: &TokenStream, scope: AttrScope) {
        let mut pound: Option<Span> = None;
        let mut bang = false;
        let mut last_ident: Option<Ident> = None;
        let mut callee: Option<Ident> = None;
        for tree in tokens.clone() {
            match &tree {
                TokenTree::Punct(p) if p.as_char() == '#' => {
                    (pound, bang, callee, last_ident) = (Some(p.span()), false, None, None);
                    continue;
                }
                TokenTree::Punct(p) if p.as_char() == '!' && pound.is_some() && !bang => {
                    bang = true;
                    continue;
                }
                TokenTree::Punct(p) if p.as_char() == '!' => {
                    (callee, pound) = (last_ident.take(), None);
                    continue;
                }
                TokenTree::Group(group) => {
                    let taken = match pound {
                        Some(at) if group.delimiter() == Delimiter::Bracket => {
                            self.token_attr(at, bang, group, scope)
                        }
                        _ => false,
                    };
                    match callee.take() {
                        Some(mac) => self.nested_invocation(&mac, &group.stream(), scope),
                        None if !taken => self.tokens(&group.stream(), scope),
                        None => {}
                    }
                }
                _ => {}
            }
            last_ident = match &tree {
                TokenTree::Ident(ident) => Some(ident.clone()),
                _ => None,
            };
            (pound, callee) = (None, None);
        }
    }

    /// A macro invoked inside macro tokens: skipped when it holds another crate's code, expanded
    /// when it is a fragment macro, and walked.
    fn nested_invocation(&mut self, callee: &Ident, tokens: &TokenStream, scope: AttrScope) {
        if fragments::is_foreign_code_macro(callee) {
            return;
        }
        if let Some(kinds) = self.fragments.get(&name(callee)) {
            for kind in kinds.clone() {
                self.expand_fragment(callee.span(), kind, tokens);
            }
        }
        self.tokens(tokens, scope);
    }

    /// Records the bracket group after a `#` if it is a lint, `cfg` or `cfg_attr` attribute.
    fn token_attr(&mut self, pound: Span, inner: bool, bracket: &Group, scope: AttrScope) -> bool {
        let mut content = bracket.stream().into_iter();
        let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(args)), None) =
            (content.next(), content.next(), content.next())
        else {
            return false;
        };
        if args.delimiter() != Delimiter::Parenthesis || !is_scanned_name(&name) {
            return false;
        }
        let raw = RawAttr { pound, inner, name: &name, args: &args.stream() };
        self.record(&raw, scope);
        true
    }

    /// Expands one attribute and stores what it gives, unless its `#` was already seen.
    fn record(&mut self, raw: &RawAttr<'_>, scope: AttrScope) {
        let start = raw.pound.start();
        let pos = (start.line, start.column);
        if !is_scanned_name(raw.name) || !self.seen.insert(pos) {
            return;
        }
        let mut found = Expansion::default();
        expand(raw.name, raw.args, &mut Context::default(), &mut found);
        let in_test = self.test_depth > 0;
        for lints in found.lints {
            let attr = LintAttr {
                line: start.line,
                level: lints.level,
                lints: lints.lints,
                reason: lints.reason,
                condition: lints.condition,
                scope,
                test_only: in_test || lints.test_only,
            };
            self.attrs.push((pos, attr));
        }
        if found.clippy {
            let mut text = String::from(if raw.inner { "#![" } else { "#[" });
            text.push_str(&name(raw.name));
            text.push('(');
            write_tokens(raw.args.clone(), &mut text);
            text.push_str(")]");
            self.clippy_cfgs.push((pos, ClippyCfg { line: start.line, text, test_only: in_test }));
        }
    }

    /// Sorts the findings into source order.
    fn finish(mut self) -> FileScan {
        // Stable: the attributes of one `cfg_attr` keep their written order.
        self.attrs.sort_by_key(|(pos, _)| *pos);
        self.clippy_cfgs.sort_by_key(|(pos, _)| *pos);
        FileScan {
            attrs: self.attrs.into_iter().map(|(_, a)| a).collect(),
            clippy_cfgs: self.clippy_cfgs.into_iter().map(|(_, c)| c).collect(),
            mods: self.mods.found,
            fragment_macros: self.fragment_macros,
        }
    }
}

/// Whether an attribute name is one the scanner looks into.
fn is_scanned_name(ident: &Ident) -> bool {
    let text = name(ident);
    ["allow", "expect", "warn", "deny", "forbid", "cfg_attr", "cfg"].contains(&text.as_str())
}

/// The lint attributes one attribute expands to, and whether it is a [`ClippyCfg`].
#[derive(Default)]
struct Expansion {
    lints: Vec<LintList>,
    clippy: bool,
}

/// One `allow(...)`-like list.
struct LintList {
    level: AttrLevel,
    lints: Vec<String>,
    reason: Option<String>,
    condition: Option<String>,
    test_only: bool,
}

/// The enclosing `cfg_attr` predicates while expanding.
#[derive(Default)]
struct Context {
    conditions: Vec<String>,
    /// Some enclosing predicate names `clippy` under a `not`.
    not_clippy: bool,
    /// Some enclosing predicate requires `test`.
    requires_test: bool,
}

/// Expands `name(args)`: a lint list, a `cfg`, or a `cfg_attr` holding further attributes.
fn expand(ident: &Ident, args: &TokenStream, cx: &mut Context, out: &mut Expansion) {
    let attr = name(ident);
    if attr == "cfg_attr" {
        expand_cfg_attr(args, cx, out);
    } else if attr == "cfg" {
        let args: Vec<TokenTree> = args.clone().into_iter().collect();
        out.clippy |= clippy_polarity(&args).negative;
    } else if let Some(level) = AttrLevel::from_name(&attr) {
        let (lints, reason) = lint_list(args);
        if lints.is_empty() {
            return;
        }
        out.clippy |= cx.not_clippy && !level.suppresses();
        let condition = (!cx.conditions.is_empty()).then(|| cx.conditions.join(" && "));
        out.lints.push(LintList { level, lints, reason, condition, test_only: cx.requires_test });
    }
}

/// Expands `cfg_attr(predicate, attr, ...)`, each attribute under the predicate.
fn expand_cfg_attr(args: &TokenStream, cx: &mut Context, out: &mut Expansion) {
    let mut parts = split_commas(args).into_iter();
    let Some(predicate) = parts.next() else { return };
    let polarity = clippy_polarity(&predicate);
    out.clippy |= polarity.positive;
    let (outer_not_clippy, outer_test) = (cx.not_clippy, cx.requires_test);
    cx.not_clippy |= polarity.negative;
    cx.requires_test |= fragments::requires_test(&predicate);
    let mut condition = String::new();
    write_tokens(predicate.iter().cloned(), &mut condition);
    cx.conditions.push(condition);
    for part in parts {
        if let [TokenTree::Ident(name), TokenTree::Group(group)] = part.as_slice()
            && group.delimiter() == Delimiter::Parenthesis
        {
            expand(name, &group.stream(), cx, out);
        }
    }
    cx.conditions.pop();
    (cx.not_clippy, cx.requires_test) = (outer_not_clippy, outer_test);
}

/// Where `clippy` occurs in a cfg predicate: outside any `not`, or under an odd number of them.
#[derive(Default)]
struct Polarity {
    positive: bool,
    negative: bool,
}

/// Finds where `clippy` occurs in a cfg predicate.
fn clippy_polarity(predicate: &[TokenTree]) -> Polarity {
    let mut polarity = Polarity::default();
    walk_predicate(predicate, false, &mut polarity);
    polarity
}

/// Walks a predicate's tokens, flipping `negated` inside each `not(...)`.
fn walk_predicate(tokens: &[TokenTree], negated: bool, out: &mut Polarity) {
    for (i, tree) in tokens.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident) if name(ident) == "clippy" || is_cargo_clippy_feature(&tokens[i..]) => {
                if negated {
                    out.negative = true;
                } else {
                    out.positive = true;
                }
            }
            TokenTree::Group(group) => {
                let is_not = matches!(i.checked_sub(1).map(|j| &tokens[j]), Some(TokenTree::Ident(id)) if name(id) == "not");
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                walk_predicate(&inner, negated ^ is_not, out);
            }
            _ => {}
        }
    }
}

/// Whether tokens start with `feature = "cargo-clippy"`, the cfg that clippy set before `clippy`.
fn is_cargo_clippy_feature(tokens: &[TokenTree]) -> bool {
    match tokens {
        [TokenTree::Ident(key), TokenTree::Punct(eq), TokenTree::Literal(lit), ..] => {
            key == "feature" && eq.as_char() == '=' && lit.to_string() == "\"cargo-clippy\""
        }
        _ => false,
    }
}

/// Reads `lint, tool::lint, lint-with-dashes, reason = "..."`; entries of any other shape are skipped.
fn lint_list(args: &TokenStream) -> (Vec<String>, Option<String>) {
    let mut lints = Vec::new();
    let mut reason = None;
    for part in split_commas(args) {
        if let Some(text) = reason_value(&part) {
            reason = Some(text);
        } else if let Some(lint) = lint_name(&part) {
            lints.push(lint);
        }
    }
    (lints, reason)
}

/// The string of `reason = "..."`.
fn reason_value(part: &[TokenTree]) -> Option<String> {
    let [TokenTree::Ident(key), TokenTree::Punct(eq), TokenTree::Literal(lit)] = part else { return None };
    if name(key) != "reason" || eq.as_char() != '=' {
        return None;
    }
    match syn::Lit::new(lit.clone()) {
        syn::Lit::Str(s) => Some(s.value()),
        _ => None,
    }
}

/// A lint path such as `unsafe_code`, `clippy::unwrap-used` or `unsafe-code`, normalized to
/// underscores; `None` for anything else (a `$var` in a macro body, a literal, ...).
fn lint_name(part: &[TokenTree]) -> Option<String> {
    /// What may come next.
    #[derive(PartialEq)]
    enum Next {
        Ident,
        Separator,
        SecondColon,
    }
    let mut name = String::new();
    let mut next = Next::Ident;
    for tree in part {
        next = match (tree, next) {
            (TokenTree::Ident(ident), Next::Ident) => {
                let text = ident.to_string();
                name.push_str(text.strip_prefix("r#").unwrap_or(&text));
                Next::Separator
            }
            (TokenTree::Punct(p), Next::Separator) if p.as_char() == '-' => {
                name.push('_');
                Next::Ident
            }
            (TokenTree::Punct(p), Next::Separator) if p.as_char() == ':' => Next::SecondColon,
            (TokenTree::Punct(p), Next::SecondColon) if p.as_char() == ':' => {
                name.push_str("::");
                Next::Ident
            }
            _ => return None,
        };
    }
    (next == Next::Separator).then_some(name)
}

/// Prints tokens compactly, as they are usually written in attributes: no comments, no trailing
/// comma, one space after each comma and around `=`, one between two words, none elsewhere.
fn write_tokens(tokens: impl IntoIterator<Item = TokenTree>, out: &mut String) {
    let mut after_word = false;
    for tree in tokens {
        match &tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                write_tokens(group.stream(), out);
                out.push_str(close);
            }
            TokenTree::Punct(p) => match p.as_char() {
                ',' => out.push_str(", "),
                '=' => out.push_str(" = "),
                c => out.push(c),
            },
            TokenTree::Ident(_) | TokenTree::Literal(_) => {
                if after_word {
                    out.push(' ');
                }
                out.push_str(&tree.to_string());
            }
        }
        after_word = matches!(tree, TokenTree::Ident(_) | TokenTree::Literal(_));
    }
    if out.ends_with(", ") {
        out.truncate(out.len() - 2); // a trailing comma
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttrLevel::{Allow, Deny, Expect, Forbid, Warn};
    use AttrScope::{CrateRoot, Item, MacroTokens, Module};

    /// Scans a file that is not a crate root; panics on a parse error.
    fn scan_ok(source: &str) -> FileScan {
        scan(source, false).expect("parses")
    }

    /// `(line, level, lints, scope)` of each attribute, for compact assertions.
    fn summary(scan: &FileScan) -> Vec<(usize, AttrLevel, Vec<&str>, AttrScope)> {
        scan.attrs
            .iter()
            .map(|a| (a.line, a.level, a.lints.iter().map(String::as_str).collect(), a.scope))
            .collect()
    }

    /// `(line, text)` of each clippy cfg.
    fn cfgs(scan: &FileScan) -> Vec<(usize, &str)> {
        scan.clippy_cfgs.iter().map(|c| (c.line, c.text.as_str())).collect()
    }

    #[test]
    fn empty_and_attribute_free_files_give_nothing() {
        assert_eq!(scan_ok(""), FileScan::default());
        let src = "//! Docs.\n#![doc = \"x\"]\nuse std::fmt;\n\n/// A thing.\n#[derive(Debug, Clone)]\n\
                   pub struct S { #[doc(hidden)] pub a: u8 }\n#[cfg(test)]\nmod t { #[test] fn f() {} }\n\
                   fn g() { let v = vec![1, 2]; println!(\"{v:?}\"); }\n";
        assert_eq!(scan_ok(src), FileScan::default());
    }

    #[test]
    fn crate_root_inner_attributes_depend_on_the_flag() {
        let src =
            "//! Crate.\n#![allow(unsafe_code)]\n#![warn(missing_docs)]\n#![expect(dead_code)]\nfn f() {}\n";
        let root = scan(src, true).expect("parses");
        assert_eq!(
            summary(&root),
            vec![
                (2, Allow, vec!["unsafe_code"], CrateRoot),
                (3, Warn, vec!["missing_docs"], CrateRoot),
                (4, Expect, vec!["dead_code"], CrateRoot),
            ]
        );
        let module = scan(src, false).expect("parses");
        assert!(module.attrs.iter().all(|a| a.scope == Module));
        assert_eq!(module.attrs.len(), 3);
    }

    #[test]
    fn inline_modules_give_module_scope_and_their_outer_attributes_item_scope() {
        let src = "#[allow(dead_code)]\nmod a {\n    #![allow(clippy::unwrap_used)]\n    mod b {\n        \
                   #![forbid(unsafe_code)]\n        #[deny(unused)]\n        fn f() {}\n    }\n}\n\
                   #[allow(missing_docs)]\nmod file_module;\n";
        assert_eq!(
            summary(&scan(src, true).expect("parses")),
            vec![
                (1, Allow, vec!["dead_code"], Item),
                (3, Allow, vec!["clippy::unwrap_used"], Module),
                (5, Forbid, vec!["unsafe_code"], Module),
                (6, Deny, vec!["unused"], Item),
                (10, Allow, vec!["missing_docs"], Item),
            ]
        );
    }

    /// Outer attributes on every kind of construct, and a function-body inner attribute.
    const ITEM_LEVEL_SRC: &str = r#"#[allow(a1)]
struct S {
    #[allow(field)]
    x: u8,
}
enum E {
    #[allow(variant)]
    V,
}
trait T {
    #[allow(trait_item)]
    fn t(&self);
}
impl S {
    #[allow(impl_method)]
    fn m(&self, #[allow(param)] y: u8) -> u8 {
        #![allow(fn_inner)]
        #[allow(stmt)]
        let z = y;
        let c = #[allow(closure)] |q: u8| q;
        match z {
            #[allow(arm)]
            0 => c(#[allow(expr)] 1),
            _ => 2,
        }
    }
}
extern "C" {
    #[allow(foreign)]
    fn ext();
}
fn g<#[allow(generic)] T>() {}
"#;

    #[test]
    fn item_level_attributes_everywhere_with_lines() {
        let src = ITEM_LEVEL_SRC;
        let scan = scan_ok(src);
        let lines: Vec<(usize, &str)> = scan.attrs.iter().map(|a| (a.line, a.lints[0].as_str())).collect();
        assert_eq!(
            lines,
            vec![
                (1, "a1"),
                (3, "field"),
                (7, "variant"),
                (11, "trait_item"),
                (15, "impl_method"),
                (16, "param"),
                (17, "fn_inner"),
                (18, "stmt"),
                (20, "closure"),
                (22, "arm"),
                (23, "expr"),
                (29, "foreign"),
                (32, "generic"),
            ]
        );
        assert!(scan.attrs.iter().all(|a| a.scope == Item && a.level == Allow));
    }

    #[test]
    fn function_body_inner_attribute_is_item_scope() {
        let src = "fn f() {\n    #![allow(clippy::unwrap_used)]\n    let _ = Some(1).unwrap();\n}\n";
        assert_eq!(
            summary(&scan(src, true).expect("parses")),
            vec![(2, Allow, vec!["clippy::unwrap_used"], Item)]
        );
    }

    #[test]
    fn attribute_in_an_impl_method_body() {
        let src = "struct S;\nimpl S {\n    fn m(&self) {\n        #[allow(clippy::unwrap_used)]\n        \
                   let _ = Some(1).unwrap();\n        { #[expect(unsafe_code, reason = \"ffi\")] unsafe { f() } }\n    \
                   }\n}\n";
        let scan = scan_ok(src);
        assert_eq!(
            summary(&scan),
            vec![(4, Allow, vec!["clippy::unwrap_used"], Item), (6, Expect, vec!["unsafe_code"], Item)]
        );
        assert_eq!(scan.attrs[1].reason.as_deref(), Some("ffi"));
    }

    #[test]
    fn dashes_become_underscores_and_tool_prefixes_stay() {
        let src =
            "#![allow(unsafe-code, clippy::unwrap-used, rustdoc::broken-intra-doc-links, clippy :: all)]\n";
        let scan = scan(src, true).expect("parses");
        assert_eq!(
            scan.attrs[0].lints,
            vec!["unsafe_code", "clippy::unwrap_used", "rustdoc::broken_intra_doc_links", "clippy::all"]
        );
    }

    #[test]
    fn reasons_are_read() {
        let src = "#[allow(clippy::unwrap_used, reason = \"checked above\")]\nfn a() {}\n\
                   #[expect(unsafe_code, reason = r#\"raw \"quoted\" text\"#)]\nfn b() {}\n\
                   #[deny(reason = \"with \\\"escapes\\\"\", unused)]\nfn c() {}\n#[warn(dead_code)]\nfn d() {}\n";
        let scan = scan_ok(src);
        let reasons: Vec<(usize, Option<&str>)> =
            scan.attrs.iter().map(|a| (a.line, a.reason.as_deref())).collect();
        assert_eq!(
            reasons,
            vec![
                (1, Some("checked above")),
                (3, Some("raw \"quoted\" text")),
                (5, Some("with \"escapes\"")),
                (7, None)
            ]
        );
        assert_eq!(scan.attrs[2].lints, vec!["unused"]);
    }

    #[test]
    fn all_five_levels_are_reported_and_ordered() {
        let src = "#[allow(a)]\n#[expect(b)]\n#[warn(c)]\n#[deny(d)]\n#[forbid(e)]\nfn f() {}\n";
        let levels: Vec<AttrLevel> = scan_ok(src).attrs.iter().map(|a| a.level).collect();
        assert_eq!(levels, vec![Allow, Expect, Warn, Deny, Forbid]);
        assert!(Allow < Expect && Expect < Warn && Warn < Deny && Deny < Forbid);
        assert!(Allow.suppresses() && Expect.suppresses() && !Warn.suppresses());
        assert_eq!(AttrLevel::from_name(Forbid.name()), Some(Forbid));
    }

    #[test]
    fn cfg_attr_simple_nested_and_multiple() {
        let src = "#![cfg_attr(not(test), allow(dead_code))]\n\
                   #[cfg_attr(feature = \"a\", cfg_attr(all(unix,  target_os = \"linux\"), allow(unsafe_code)))]\n\
                   fn f() {}\n\
                   #[cfg_attr(a, allow(x), deny(y), doc = \"z\", warn(w),)]\nfn g() {}\n";
        let scan = scan(src, true).expect("parses");
        let got: Vec<(usize, AttrLevel, &str, Option<&str>)> = scan
            .attrs
            .iter()
            .map(|a| (a.line, a.level, a.lints[0].as_str(), a.condition.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, Allow, "dead_code", Some("not(test)")),
                (2, Allow, "unsafe_code", Some("feature = \"a\" && all(unix, target_os = \"linux\")")),
                (4, Allow, "x", Some("a")),
                (4, Deny, "y", Some("a")),
                (4, Warn, "w", Some("a")),
            ]
        );
        assert_eq!(scan.attrs[0].scope, CrateRoot);
        assert!(scan.clippy_cfgs.is_empty());
    }

    #[test]
    fn group_and_warnings_allows() {
        let src = "#![allow(warnings)]\n#![allow(clippy::all, clippy::restriction)]\n#![allow(unused, nonstandard_style)]\n";
        assert_eq!(
            summary(&scan(src, true).expect("parses")),
            vec![
                (1, Allow, vec!["warnings"], CrateRoot),
                (2, Allow, vec!["clippy::all", "clippy::restriction"], CrateRoot),
                (3, Allow, vec!["unused", "nonstandard_style"], CrateRoot),
            ]
        );
    }

    #[test]
    fn macro_rules_body_and_invocations_are_token_scanned() {
        let src = r"macro_rules! make {
    ($name:ident) => {
        #[allow(clippy::unwrap_used)]
        fn $name() {
            #![allow(unsafe_code)]
        }
    };
}
my_macro! { #[allow(unused)] fn f() {} }
fn g() {
    let v = vec![#[deny(x)] 1];
    inner! { outer! { #[cfg_attr(test, forbid(y))] struct S; } }
    quote::quote! { #[allow(dead_code)] fn h() {} };
    other!(#[allow($lint)] #[derive(Debug)] struct T;);
}
";
        let scan = scan_ok(src);
        assert_eq!(
            summary(&scan),
            vec![
                (3, Allow, vec!["clippy::unwrap_used"], MacroTokens),
                (5, Allow, vec!["unsafe_code"], MacroTokens),
                (9, Allow, vec!["unused"], MacroTokens),
                (11, Deny, vec!["x"], MacroTokens),
                (12, Forbid, vec!["y"], MacroTokens),
            ]
        );
        assert_eq!(scan.attrs[4].condition.as_deref(), Some("test"));
        assert!(scan.attrs[4].test_only && !scan.attrs[3].test_only);
    }

    #[test]
    fn code_for_other_crates_is_not_this_crates() {
        let src = r#"#[macro_export]
macro_rules! exported { () => { #[allow(unsafe_code)] fn e() {} } }
macro_rules! local { () => { #[allow(clippy::unwrap_used)] fn l() {} } }
fn gen() {
    let _ = quote::quote! { #[allow(dead_code)] fn h() {} };
    let _ = syn::parse_quote!(#[allow(unused)] struct S;);
    wrap! { quote_spanned! {span=> #[allow(x)] fn i() {}} #[allow(y)] fn j() {} }
}
"#;
        assert_eq!(
            summary(&scan_ok(src)),
            vec![(3, Allow, vec!["clippy::unwrap_used"], MacroTokens), (7, Allow, vec!["y"], MacroTokens)]
        );
    }

    #[test]
    fn raw_identifiers_are_attributes_too() {
        let src =
            "#![r#allow(unsafe_code)]\n#[r#cfg_attr(unix, r#expect(clippy::r#unwrap_used))]\nfn f() {}\n";
        let scan = scan(src, true).expect("parses");
        assert_eq!(
            summary(&scan),
            vec![(1, Allow, vec!["unsafe_code"], CrateRoot), (2, Expect, vec!["clippy::unwrap_used"], Item)]
        );
    }

    #[test]
    fn test_code_is_marked() {
        let src = "#[cfg(test)]\nmod tests {\n    #[allow(a)]\n    fn t() {}\n}\n\
                   #[cfg_attr(test, allow(b))]\nfn f() {}\n#[cfg(all(test, unix))]\nimpl S { #[allow(c)] fn g() {} }\n\
                   #[cfg(any(test, feature = \"x\"))]\nfn h() { #[allow(d)] let _ = 1; }\n#[cfg(test)]\nmod more;\nmod shipped;\n";
        let scan = scan_ok(src);
        let got: Vec<(&str, bool)> = scan.attrs.iter().map(|a| (a.lints[0].as_str(), a.test_only)).collect();
        assert_eq!(got, [("a", true), ("b", true), ("c", true), ("d", false)]);
        let mods: Vec<(&str, bool)> = scan.mods.iter().map(|m| (m.name.as_str(), m.test_only)).collect();
        assert_eq!(mods, [("more", true), ("shipped", false)]);
        let file = scan_ok("#![cfg(test)]\n#[allow(x)]\nfn f() {}\n");
        assert!(file.attrs[0].test_only);
    }

    #[test]
    fn fragment_macros_are_expanded_at_their_invocations() {
        let def = "macro_rules! quiet { ($l:path) => { #[allow($l)] fn q() {} } }\n\
                   macro_rules! with { ($m:meta) => { #[$m] fn w() {} } }\n";
        let found = scan_ok(def).fragment_macros;
        assert_eq!(found.len(), 2);
        let fragments: BTreeMap<String, Vec<FragmentKind>> =
            found.into_iter().map(|m| (m.name, vec![m.kind])).collect();
        let user = "quiet!(clippy::unwrap_used);\nfn f() {\n    with!(expect(unsafe_code));\n}\n";
        let scan = scan_with(user, false, &fragments).expect("parses");
        assert_eq!(
            summary(&scan),
            vec![
                (1, Allow, vec!["clippy::unwrap_used"], MacroTokens),
                (3, Expect, vec!["unsafe_code"], MacroTokens)
            ]
        );
    }

    #[test]
    fn module_declarations_with_paths_inline_modules_and_macros() {
        let src = "mod a;\n#[path = \".hidden/b.rs\"]\nmod b;\nmod i { mod c; }\ncfg_if::cfg_if! { if #[cfg(unix)] { mod d; } }\n";
        let scan = scan(src, true).expect("parses");
        let got: Vec<(&str, Option<&str>, usize)> =
            scan.mods.iter().map(|m| (m.name.as_str(), m.path.as_deref(), m.inline.len())).collect();
        assert_eq!(got, [("a", None, 0), ("b", Some(".hidden/b.rs"), 0), ("c", None, 1), ("d", None, 0)]);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("fn f() {{ let x = {}1{}; }}\n", "(".repeat(5000), ")".repeat(5000));
        let err = scan(&deep, false).expect_err("too deep");
        assert!(err.contains("nested deeper than 256"), "{err}");
        let bangs = format!("fn f() -> bool {{ {}true }}\n", "!".repeat(5000));
        assert!(scan(&bangs, false).expect_err("too long").contains("punctuation"));
        let ok = format!("fn f() {{ let x = {}1{}; }}\n", "(".repeat(100), ")".repeat(100));
        assert!(scan(&ok, false).is_ok());
    }

    #[test]
    fn attributes_on_macro_invocations_are_item_scope_and_not_repeated() {
        let src = "#[allow(unused_macros)]\nmacro_rules! m { () => {} }\nfn f() {\n    \
                   #[allow(unused)]\n    m!();\n}\n";
        assert_eq!(
            summary(&scan_ok(src)),
            vec![(1, Allow, vec!["unused_macros"], Item), (4, Allow, vec!["unused"], Item)]
        );
    }

    #[test]
    fn items_syn_keeps_verbatim_are_scanned_once() {
        // A bodiless fn at module level is an Item::Verbatim that includes its attributes.
        let src = "#[allow(dead_code)]\nfn f();\n#[cfg(not(clippy))]\nfn g();\n";
        let scan = scan_ok(src);
        assert_eq!(summary(&scan), vec![(1, Allow, vec!["dead_code"], Item)]);
        assert_eq!(cfgs(&scan), vec![(3, "#[cfg(not(clippy))]")]);
    }

    #[test]
    fn cfg_not_clippy_on_items_and_statements() {
        let src = "#[cfg(not(clippy))]\nfn hidden() {}\nfn f() {\n    #[cfg(not(clippy))]\n    \
                   let x = 1;\n    #[cfg(any(not(clippy), test))] g();\n    #[cfg(clippy)]\n    h();\n    \
                   #[cfg(all(clippy, not(test)))]\n    i();\n    #[cfg(not(all(clippy, unix)))]\n    j();\n}\n";
        let scan = scan_ok(src);
        assert_eq!(
            cfgs(&scan),
            vec![
                (1, "#[cfg(not(clippy))]"),
                (4, "#[cfg(not(clippy))]"),
                (6, "#[cfg(any(not(clippy), test))]"),
                (11, "#[cfg(not(all(clippy, unix)))]"),
            ]
        );
        assert!(scan.attrs.is_empty());
    }

    #[test]
    fn cfg_attr_clippy_is_both_an_attribute_and_a_clippy_cfg() {
        let src = "#![cfg_attr(clippy, allow(clippy::unwrap_used))]\n\
                   #[cfg_attr(not(clippy), deny(clippy::unwrap_used))]\nfn a() {}\n\
                   #[cfg_attr(not(clippy), allow(dead_code))]\nfn b() {}\n\
                   #[cfg_attr(test, cfg_attr(clippy, allow(x)))]\nfn c() {}\n\
                   #[cfg_attr(clippy, cfg(any()))]\nfn d() {}\n\
                   #[cfg_attr(test, cfg(not(clippy)))]\nfn e() {}\n\
                   mac! { #[cfg(not(clippy))] fn f() {} }\n";
        let scan = scan(src, true).expect("parses");
        let got: Vec<(usize, AttrLevel, Option<&str>)> =
            scan.attrs.iter().map(|a| (a.line, a.level, a.condition.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                (1, Allow, Some("clippy")),
                (2, Deny, Some("not(clippy)")),
                (4, Allow, Some("not(clippy)")),
                (6, Allow, Some("test && clippy")),
            ]
        );
        assert_eq!(
            cfgs(&scan),
            vec![
                (1, "#![cfg_attr(clippy, allow(clippy::unwrap_used))]"),
                (2, "#[cfg_attr(not(clippy), deny(clippy::unwrap_used))]"),
                (6, "#[cfg_attr(test, cfg_attr(clippy, allow(x)))]"),
                (8, "#[cfg_attr(clippy, cfg(any()))]"),
                (10, "#[cfg_attr(test, cfg(not(clippy)))]"),
                (12, "#[cfg(not(clippy))]"),
            ]
        );
    }

    #[test]
    fn conditions_and_texts_are_printed_from_tokens() {
        let src = "#[cfg_attr(\n    any(\n        all(loom, not(test)), // covered by loom\n        \
                   target_os=\"emscripten\",\n    ),\n    allow(dead_code)\n)]\nfn f() {}\n\
                   #[cfg_attr( clippy ,allow( x ) )]\nfn g() {}\n";
        let scan = scan_ok(src);
        assert_eq!(
            scan.attrs[0].condition.as_deref(),
            Some("any(all(loom, not(test)), target_os = \"emscripten\")")
        );
        assert_eq!(scan.attrs[0].line, 1);
        assert_eq!(cfgs(&scan), vec![(9, "#[cfg_attr(clippy, allow(x))]")]);
    }

    #[test]
    fn the_old_cargo_clippy_feature_counts_as_clippy() {
        let src = "#![cfg_attr(feature = \"cargo-clippy\", allow(clippy::pedantic))]\n\
                   #[cfg(not(feature = \"cargo-clippy\"))]\nfn f() {}\n#[cfg(feature = \"cargo\")]\nfn g() {}\n";
        let scan = scan(src, true).expect("parses");
        assert_eq!(
            cfgs(&scan),
            vec![
                (1, "#![cfg_attr(feature = \"cargo-clippy\", allow(clippy::pedantic))]"),
                (2, "#[cfg(not(feature = \"cargo-clippy\"))]"),
            ]
        );
        assert_eq!(summary(&scan), vec![(1, Allow, vec!["clippy::pedantic"], CrateRoot)]);
    }

    #[test]
    fn inner_attributes_of_blocks_are_item_scope_and_of_modules_module_scope() {
        let src = r"struct S;
impl S {
    #![allow(impl_inner)]
}
trait T {
    #![allow(trait_inner)]
}
fn f() {
    let _ = {
        #![allow(block_inner)]
        1
    };
    loop {
        #![allow(loop_inner)]
        break;
    }
    mod local {
        #![allow(local_mod_inner)]
    }
}
";
        assert_eq!(
            summary(&scan(src, true).expect("parses")),
            vec![
                (3, Allow, vec!["impl_inner"], Item),
                (6, Allow, vec!["trait_inner"], Item),
                (10, Allow, vec!["block_inner"], Item),
                (14, Allow, vec!["loop_inner"], Item),
                (18, Allow, vec!["local_mod_inner"], Module),
            ]
        );
    }

    #[test]
    fn macros_in_type_pattern_and_expression_position_and_inner_forms() {
        let src = "type T = ty_mac!(#[allow(in_type)] u8);\nfn f() {\n    match 1 {\n        \
                   pat_mac!(#[allow(in_pat)] x) => {}\n    }\n    let _ = expr_mac!(1, #[deny(in_expr)] 2);\n}\n\
                   m! { #![cfg(not(clippy))] #![warn(inner_in_macro)] }\n";
        let scan = scan_ok(src);
        assert_eq!(
            summary(&scan),
            vec![
                (1, Allow, vec!["in_type"], MacroTokens),
                (4, Allow, vec!["in_pat"], MacroTokens),
                (6, Deny, vec!["in_expr"], MacroTokens),
                (8, Warn, vec!["inner_in_macro"], MacroTokens),
            ]
        );
        assert_eq!(cfgs(&scan), vec![(8, "#![cfg(not(clippy))]")]);
    }

    #[test]
    fn malformed_and_unrelated_attributes_are_skipped() {
        let src = "#[allow]\n#[allow = \"x\"]\n#[allow()]\n#[allow(reason = \"r\")]\n#[allow[x]]\n\
                   #[rustfmt::skip]\n#[clippy::allow(x)]\n#[doc(alias = \"allow\")]\n#[derive(Debug)]\n\
                   #[allow(\"x\", 3, ok)]\nstruct S;\n";
        assert_eq!(summary(&scan_ok(src)), vec![(10, Allow, vec!["ok"], Item)]);
    }

    #[test]
    fn multi_line_attribute_reports_the_line_of_its_pound() {
        let src = "fn f() {}\n\n#[allow(\n    clippy::unwrap_used,\n    reason = \"x\",\n)]\nfn g() {}\n";
        assert_eq!(summary(&scan_ok(src)), vec![(3, Allow, vec!["clippy::unwrap_used"], Item)]);
    }

    #[test]
    fn shebang_keeps_line_numbers() {
        let src = "#!/usr/bin/env run-cargo-script\n#![allow(unsafe_code)]\nfn main() {}\n";
        assert_eq!(
            summary(&scan(src, true).expect("parses")),
            vec![(2, Allow, vec!["unsafe_code"], CrateRoot)]
        );
    }

    #[test]
    fn unparsable_file_names_the_line() {
        let err = scan("fn ok() {}\n\nfn bad( {\n}\n", false).expect_err("does not parse");
        assert!(err.starts_with("line 3, column "), "{err}");
        let err = scan("fn f() {}\nstruct S {\n  a: u8,\n  b u8,\n}\n", false).expect_err("does not parse");
        assert!(err.starts_with("line 4, column 5: "), "{err}");
        let err = scan("fn f() {\n  let s = \"open;\n}\n", false).expect_err("does not parse");
        assert!(err.starts_with("line 2, column 11: "), "{err}");
        let err = scan("fn f() {\n", false).expect_err("does not parse");
        assert!(err.starts_with("line 1, column 8: "), "{err}");
        let err = scan("fn f() {}\n\nstruct", false).expect_err("does not parse");
        assert!(err.starts_with("line 3, end of file: unexpected end of input"), "{err}");
    }

    #[test]
    fn a_large_file_scans_quickly() {
        let mut src = String::new();
        for i in 0..1000 {
            src.push_str("/// Doc.\n#[allow(clippy::unwrap_used)]\nfn f");
            src.push_str(&i.to_string());
            src.push_str("(x: Option<u8>) -> u8 {\n    let v = vec![x.unwrap(), 2];\n    v[0]\n}\n");
        }
        let scan = scan_ok(&src);
        assert_eq!(scan.attrs.len(), 1000);
        assert_eq!(scan.attrs[999].line, 999 * 6 + 2);
    }
}
