//! Which packages the SBOM lists, and how each is used: reached from the selected members at
//! runtime (normal dependencies), only at build time (build dependencies, proc-macros and all
//! they pull in), or only by tests (dev dependencies, left out unless asked for).

use crate::graph::Graph;
use std::collections::{BTreeMap, VecDeque};

/// How a component is used by the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Linked into what ships (reached through normal dependencies only).
    pub runtime: bool,
    /// Used when building (build scripts, proc-macros and their dependencies).
    pub build: bool,
    /// Used by tests, examples and benches only.
    pub dev: bool,
    /// A direct dependency of a selected member.
    pub direct: bool,
}

impl Usage {
    /// The `cargo-spdf:dependencyKind` value: what the strongest use is.
    pub fn kind(&self) -> &'static str {
        match (self.runtime, self.build) {
            (true, _) => "runtime",
            (false, true) => "build",
            (false, false) => "dev",
        }
    }
}

/// The packages in the SBOM: the selected members (roots) and what they depend on.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Selected members, by graph index.
    pub roots: Vec<usize>,
    /// Every listed package (roots included) and how it is used.
    pub included: BTreeMap<usize, Usage>,
    /// Whether each graph index is one of `roots`.
    is_root: Vec<bool>,
}

impl Scope {
    /// Whether the package is one of the selected members.
    pub fn is_root(&self, i: usize) -> bool {
        self.is_root.get(i).copied().unwrap_or(false)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Context {
    Runtime,
    Build,
    Dev,
}

/// Walks the graph from `roots`. Dev dependencies are followed only when `include_dev` is set
/// (cargo resolves them only for workspace members, so only the roots have them).
pub fn walk(graph: &Graph, roots: &[usize], include_dev: bool) -> Scope {
    let mut included: BTreeMap<usize, Usage> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut is_root = vec![false; graph.packages.len()];
    for &r in roots {
        is_root[r] = true;
    }
    let mut queue: VecDeque<(usize, Context)> = roots.iter().map(|&r| (r, Context::Runtime)).collect();
    for &root in roots {
        for dep in &graph.deps[root] {
            if dep.normal || dep.build || (dep.dev && include_dev) {
                included.entry(dep.to).or_default().direct = true;
            }
        }
    }
    while let Some((node, ctx)) = queue.pop_front() {
        if !seen.insert((node, ctx)) {
            continue;
        }
        let usage = included.entry(node).or_default();
        match ctx {
            Context::Runtime => usage.runtime = true,
            Context::Build => usage.build = true,
            Context::Dev => usage.dev = true,
        }
        for dep in &graph.deps[node] {
            let proc_macro = graph.packages[dep.to].proc_macro;
            if dep.normal {
                let next = if proc_macro && ctx == Context::Runtime { Context::Build } else { ctx };
                queue.push_back((dep.to, next));
            }
            if dep.build {
                queue.push_back((dep.to, if ctx == Context::Dev { Context::Dev } else { Context::Build }));
            }
            if dep.dev && include_dev && is_root[node] {
                queue.push_back((dep.to, Context::Dev));
            }
        }
    }
    Scope { roots: roots.to_vec(), included, is_root }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Dep, Package};

    fn pkg(name: &str, proc_macro: bool, member: bool) -> Package {
        Package { proc_macro, member, ..Package::stub(name, semver::Version::new(1, 0, 0)) }
    }

    fn dep(to: usize, normal: bool, build: bool, dev: bool) -> Dep {
        Dep { to, normal, build, dev }
    }

    /// app -> lib (normal) -> shared (normal); app -> derive (normal, proc-macro) -> syn;
    /// app -> cc (build) -> shared; app -> testlib (dev).
    fn graph() -> Graph {
        let packages = ["app", "lib", "shared", "derive", "syn", "cc", "testlib"]
            .iter()
            .map(|n| pkg(n, *n == "derive", *n == "app"))
            .collect();
        let deps = vec![
            vec![
                dep(1, true, false, false),
                dep(3, true, false, false),
                dep(5, false, true, false),
                dep(6, false, false, true),
            ],
            vec![dep(2, true, false, false)],
            vec![],
            vec![dep(4, true, false, false)],
            vec![],
            vec![dep(2, true, false, false)],
            vec![],
        ];
        Graph { packages, deps, basis: crate::graph::Basis::Metadata }
    }

    #[test]
    fn kinds_follow_the_strongest_use() {
        let scope = walk(&graph(), &[0], false);
        let kind = |i: usize| scope.included.get(&i).map(Usage::kind);
        assert_eq!(kind(1), Some("runtime"));
        assert_eq!(
            kind(2),
            Some("runtime"),
            "shared is used at runtime through lib and at build time through cc"
        );
        assert_eq!(kind(3), Some("build"), "proc-macros run at compile time");
        assert_eq!(kind(4), Some("build"));
        assert_eq!(kind(5), Some("build"));
        assert_eq!(kind(6), None, "dev-only dependencies are left out");
        assert!(scope.included[&1].direct && !scope.included[&2].direct);
    }

    #[test]
    fn dev_dependencies_on_request() {
        let scope = walk(&graph(), &[0], true);
        assert_eq!(scope.included.get(&6).map(Usage::kind), Some("dev"));
    }
}
