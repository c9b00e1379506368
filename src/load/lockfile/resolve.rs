//! The dependency strings of `Cargo.lock` resolved to entries: `name`, `name version` or
//! `name version (source)`, each looked up once in an index built once, so that resolving every
//! edge is linear in their number.

use super::{Dangling, Lock, LockedPackage, raw::Text};
use std::collections::HashMap;

impl Lock {
    /// Each package's dependency strings, resolved to entries in parallel (each lookup reads the
    /// index alone); what names no entry is kept as dangling, in the file's order.
    pub(super) fn resolve_edges(&mut self, specs: Vec<Vec<Text<'_>>>) {
        use rayon::prelude::*;
        let labels = Labels::of(&self.packages);
        let index = Index::new(&labels);
        let this = &*self;
        let resolved: Vec<(Vec<usize>, Vec<Dangling>)> = specs
            .into_par_iter()
            .enumerate()
            .map(|(from, list)| {
                let mut deps = Vec::with_capacity(list.len());
                let mut dangling = Vec::new();
                for Text(spec) in list {
                    match this.resolve(&spec, &index) {
                        Some(to) => deps.push(to),
                        None => dangling.push(Dangling { from, spec: spec.into_owned() }),
                    }
                }
                deps.sort_unstable();
                deps.dedup();
                (deps, dangling)
            })
            .collect();
        for (from, (deps, dangling)) in resolved.into_iter().enumerate() {
            self.dangling.extend(dangling);
            if let Some(p) = self.packages.get_mut(from) {
                p.deps = deps;
            }
        }
    }

    /// The entry a dependency string names.
    fn resolve(&self, spec: &str, index: &Index<'_>) -> Option<usize> {
        let mut parts = spec.splitn(3, ' ');
        let name = parts.next()?;
        let version = parts.next();
        let source = parts.next().map(|s| s.trim_start_matches('(').trim_end_matches(')'));
        let candidates = match version {
            Some(v) => index.labelled(spec.get(..name.len() + 1 + v.len())?),
            None => index.named(name),
        };
        let mut matching = candidates.iter().copied().filter(|&i| {
            source.is_none_or(|s| self.packages.get(i).and_then(|p| p.source.as_deref()) == Some(s))
        });
        let first = matching.next()?;
        let Some(second) = matching.next() else { return Some(first) };
        // Cargo writes the source only to tell a registry package from another; without one, of
        // a path package and a registry package of the same name and version (a member
        // published under the same version), the dependency is the path package.
        if source.is_some() {
            return None;
        }
        let mut local =
            [first, second].into_iter().chain(matching).filter(|&i| self.packages[i].source.is_none());
        match (local.next(), local.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        }
    }
}

/// Every entry's `name version`, as a dependency string begins, one after the other in one
/// buffer, with where each starts, where its name ends and where it ends.
struct Labels {
    text: String,
    spans: Vec<(usize, usize, usize)>,
}

impl Labels {
    fn of(packages: &[LockedPackage]) -> Self {
        use std::fmt::Write as _;
        let mut text = String::with_capacity(packages.len() * 24);
        let spans = packages
            .iter()
            .map(|p| {
                let start = text.len();
                text.push_str(&p.name);
                let name_end = text.len();
                let _ = write!(text, " {}", p.version);
                (start, name_end, text.len())
            })
            .collect();
        Labels { text, spans }
    }

    fn name(&self, i: usize) -> &str {
        let (start, name_end, _) = self.spans[i];
        &self.text[start..name_end]
    }

    fn label(&self, i: usize) -> &str {
        let (start, _, end) = self.spans[i];
        &self.text[start..end]
    }
}

/// The entries by name and by `name version`. The keys are slices of one buffer and the entries
/// of a key a range of one list, in file order: the 1.4 million lookups of a 20,000 x 70
/// lockfile then read a few compact arrays, where maps of separately allocated strings and lists
/// took twice the time, most of it waiting on memory.
struct Index<'a> {
    by_name: HashMap<&'a str, (usize, usize)>,
    by_label: HashMap<&'a str, (usize, usize)>,
    order: Vec<usize>,
}

impl<'a> Index<'a> {
    fn new(labels: &'a Labels) -> Self {
        let mut order: Vec<usize> = (0..labels.spans.len()).collect();
        // Stable: the entries of one key stay in file order.
        order.sort_by(|&a, &b| (labels.name(a), labels.label(a)).cmp(&(labels.name(b), labels.label(b))));
        let by_name = ranges(&order, |i| labels.name(i));
        let by_label = ranges(&order, |i| labels.label(i));
        Index { by_name, by_label, order }
    }

    fn named(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], |&(start, end)| &self.order[start..end])
    }

    fn labelled(&self, label: &str) -> &[usize] {
        self.by_label.get(label).map_or(&[], |&(start, end)| &self.order[start..end])
    }
}

/// The ranges of `order` over which `key` is the same (sorted, equal keys are next to each
/// other).
fn ranges<'a>(order: &[usize], key: impl Fn(usize) -> &'a str) -> HashMap<&'a str, (usize, usize)> {
    let mut map = HashMap::with_capacity(order.len());
    let mut start = 0;
    for end in 1..=order.len() {
        if end == order.len() || key(order[end]) != key(order[start]) {
            map.insert(key(order[start]), (start, end));
            start = end;
        }
    }
    map
}
