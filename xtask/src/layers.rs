//! The SMS crate's module graph: which module uses which, and the two rules it must keep.
//!
//! - No module uses, directly or through others, a module that uses it back.
//! - The vendor-neutral core uses nothing of a vendor's and nothing of the generated code.
//!
//! A module is a source file (`src/csoft/client.rs` is `csoft::client`) or a module written
//! inline (`mod tests { … }`, a module of its own: a file's tests may use what the file's
//! parent offers without the file doing so). A module uses another when one of its
//! paths starting with `crate`, `super` or `self` (in a `use` or anywhere in the code) names
//! that module or something in it. Declaring a child (`mod client;`) is not a use. Paths
//! inside macro invocations are not read (the vendor list in `lib.rs` is one).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use syn::visit::Visit;

/// The crate whose graph is checked, relative to the workspace root.
const CRATE_SRC: &str = "generated-client/src";

/// Modules the core must not use, directly or through others.
const NOT_FOR_THE_CORE: &[&str] = &["csoft", "clickatell", "generated"];

/// Reads the crate's sources and fails, naming a cycle or the path from the core to a vendor,
/// if a rule is broken.
pub fn check(root: &Path) -> Result<()> {
    let graph = Graph::read(&root.join(CRATE_SRC))?;
    let mut problems = Vec::new();
    for cycle in graph.cycles() {
        problems.push(format!(
            "modules use each other in a circle: {}",
            cycle.join(" -> ")
        ));
    }
    for module in graph.uses.keys().filter(|m| in_module(m, "core")) {
        for banned in NOT_FOR_THE_CORE {
            if let Some(path) = graph.path_to(module, |m| in_module(m, banned)) {
                problems.push(format!("the core uses `{banned}`: {}", path.join(" -> ")));
            }
        }
    }
    if problems.is_empty() {
        let edges: usize = graph.uses.values().map(BTreeSet::len).sum();
        println!(
            "{CRATE_SRC}: {} modules, {edges} uses, no cycle; the core uses no vendor and no generated code",
            graph.uses.len()
        );
        return Ok(());
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    bail!("the module graph of {CRATE_SRC} breaks its rules")
}

/// Whether `module` (`csoft::client`) is `top` or inside it.
fn in_module(module: &str, top: &str) -> bool {
    module == top
        || module
            .strip_prefix(top)
            .is_some_and(|rest| rest.starts_with("::"))
}

/// Each file module and the file modules it uses (`""` is the crate root).
struct Graph {
    uses: BTreeMap<String, BTreeSet<String>>,
    /// For each use, the first path written that makes it (`crate::csoft::Credentials`).
    because: BTreeMap<(String, String), String>,
}

impl Graph {
    fn read(src: &Path) -> Result<Self> {
        let mut files = Vec::new();
        collect_files(src, &mut files)?;
        let mut modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
        let mut found = Vec::new();
        for file in &files {
            let module = module_of(src, file);
            // Generated modules use only the runtime and themselves; reading them is slow.
            if in_module(&module, "generated") {
                continue;
            }
            let text =
                fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            let syntax =
                syn::parse_file(&text).with_context(|| format!("parsing {}", file.display()))?;
            let mut paths = PathCollector {
                here: split(&module),
                found: Vec::new(),
                inline: Vec::new(),
            };
            paths.visit_file(&syntax);
            modules.extend(paths.inline);
            found.extend(paths.found);
        }
        let mut uses: BTreeMap<String, BTreeSet<String>> = modules
            .iter()
            .map(|m| (m.clone(), BTreeSet::new()))
            .collect();
        let mut because = BTreeMap::new();
        for (module, path) in &found {
            let Some(target) = file_module(&modules, path).filter(|t| t != module) else {
                continue;
            };
            because
                .entry((module.clone(), target.clone()))
                .or_insert_with(|| format!("crate::{}", path.join("::")));
            uses.entry(module.clone()).or_default().insert(target);
        }
        Ok(Self { uses, because })
    }

    /// Every cycle, one per strongly connected group of modules, each as a closed path.
    fn cycles(&self) -> Vec<Vec<String>> {
        let mut cycles = Vec::new();
        let mut reported: BTreeSet<String> = BTreeSet::new();
        for start in self.uses.keys() {
            if reported.contains(start) {
                continue;
            }
            // A path from one of its uses back to itself closes a cycle through it.
            let back = self.uses[start]
                .iter()
                .find_map(|next| self.path_to(next, |m| m == start));
            if let Some(mut path) = back {
                reported.extend(path.iter().cloned());
                path.insert(0, start.clone());
                cycles.push(self.explain(&path));
            }
        }
        cycles
    }

    /// `path` as `a -> b (crate::b::X) -> …`, each step with the path that makes it.
    fn explain(&self, path: &[String]) -> Vec<String> {
        let mut out = vec![display(&path[0])];
        for step in path.windows(2) {
            let why = self.because.get(&(step[0].clone(), step[1].clone()));
            out.push(match why {
                Some(why) => format!("{} ({why})", display(&step[1])),
                None => display(&step[1]),
            });
        }
        out
    }

    /// The shortest chain of uses from `from` to a module `target` accepts (both included).
    fn path_to(&self, from: &str, target: impl Fn(&str) -> bool) -> Option<Vec<String>> {
        let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        let mut seen = BTreeSet::from([from]);
        while let Some(module) = queue.pop_front() {
            if target(module) {
                let mut path = vec![module.to_owned()];
                let mut at = module;
                while let Some(previous) = came_from.get(at) {
                    path.push((*previous).to_owned());
                    at = previous;
                }
                path.reverse();
                return Some(path);
            }
            for next in self.uses.get(module).into_iter().flatten() {
                if seen.insert(next) {
                    came_from.insert(next, module);
                    queue.push_back(next);
                }
            }
        }
        None
    }
}

fn display(module: &str) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.to_owned()
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(())
}

/// `src/csoft/client.rs` → `csoft::client`; `src/csoft/mod.rs` → `csoft`; `src/lib.rs` → ``.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("::")
}

fn split(module: &str) -> Vec<String> {
    module
        .split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The file module that an absolute path (segments after `crate`) names or lies in: the
/// longest prefix that is a module.
fn file_module(modules: &BTreeSet<String>, path: &[String]) -> Option<String> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|prefix| modules.contains(prefix))
}

/// Collects the absolute form of every `crate`/`super`/`self` path in a file, each with the
/// module (the file's or an inline one) it is written in.
struct PathCollector {
    /// The module being read, inline modules included.
    here: Vec<String>,
    /// (where it is written, the path made absolute).
    found: Vec<(String, Vec<String>)>,
    /// The inline modules met.
    inline: Vec<String>,
}

impl PathCollector {
    /// Makes `segments` absolute, or `None` for a path that is not the crate's (`std::…`,
    /// a local name).
    fn absolute<'a>(&self, segments: impl IntoIterator<Item = &'a str>) -> Option<Vec<String>> {
        let mut segments = segments.into_iter().peekable();
        let mut base = match *segments.peek()? {
            "crate" => Vec::new(),
            "self" | "super" => self.here.clone(),
            _ => return None,
        };
        if segments.peek() == Some(&"crate") {
            segments.next();
        }
        while let Some(&first) = segments.peek() {
            match first {
                "self" => {}
                "super" => {
                    base.pop();
                }
                _ => break,
            }
            segments.next();
        }
        base.extend(segments.map(str::to_owned));
        Some(base)
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => self.use_path(prefix, Some(name.ident.to_string())),
            syn::UseTree::Rename(rename) => self.use_path(prefix, Some(rename.ident.to_string())),
            syn::UseTree::Glob(_) => self.use_path(prefix, None),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }

    fn use_path(&mut self, prefix: &[String], last: Option<String>) {
        // `use crate::core::{self, …}` names `crate::core`.
        let last = last.filter(|name| name != "self");
        let segments = prefix.iter().cloned().chain(last).collect::<Vec<_>>();
        if let Some(path) = self.absolute(segments.iter().map(String::as_str)) {
            self.found.push((self.here.join("::"), path));
        }
    }
}

impl<'ast> Visit<'ast> for PathCollector {
    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        self.here.push(module.ident.to_string());
        if module.content.is_some() {
            self.inline.push(self.here.join("::"));
        }
        syn::visit::visit_item_mod(self, module);
        self.here.pop();
    }

    /// `pub(super)` names who may see an item, not something it uses.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let idents: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(absolute) = self.absolute(idents.iter().map(String::as_str)) {
            self.found.push((self.here.join("::"), absolute));
        }
        syn::visit::visit_path(self, path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> Graph {
        Graph {
            uses: edges
                .iter()
                .map(|(m, to)| {
                    (
                        (*m).to_owned(),
                        to.iter().map(|t| (*t).to_owned()).collect(),
                    )
                })
                .collect(),
            because: BTreeMap::new(),
        }
    }

    #[test]
    fn a_cycle_through_three_modules_is_found_once() {
        let g = graph(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &["a"])]);
        assert_eq!(g.cycles(), [["a", "b", "c", "a"]]);
        assert!(graph(&[("a", &["b"]), ("b", &[]), ("c", &["a", "b"])])
            .cycles()
            .is_empty());
    }

    #[test]
    fn paths_are_made_absolute_from_where_they_are_written() {
        let collector = PathCollector {
            here: split("csoft::client::tests"),
            found: Vec::new(),
            inline: Vec::new(),
        };
        let abs = |p: &str| collector.absolute(p.split("::")).map(|v| v.join("::"));
        assert_eq!(
            abs("super::super::codes::ReportCode").as_deref(),
            Some("csoft::codes::ReportCode")
        );
        assert_eq!(
            abs("crate::core::Message").as_deref(),
            Some("core::Message")
        );
        assert_eq!(abs("self::x").as_deref(), Some("csoft::client::tests::x"));
        assert_eq!(abs("std::fmt"), None);
        let modules: BTreeSet<String> = ["", "csoft", "csoft::codes"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(
            file_module(&modules, &split("csoft::codes::ReportCode::Queued")).as_deref(),
            Some("csoft::codes")
        );
        assert_eq!(
            file_module(&modules, &split("registry::Vendor")).as_deref(),
            Some("")
        );
    }

    #[test]
    fn uses_are_read_from_use_items_and_code() {
        let file: syn::File = syn::parse_quote! {
            use super::{codes::ReportCode, lists::*};
            use crate::core::{self, Message as M};
            fn f() -> crate::generated::sendsms5::X { super::message::build() }
            mod tests { use super::*; }
            pub(super) fn g() {}
        };
        let mut collector = PathCollector {
            here: split("csoft::client"),
            found: Vec::new(),
            inline: Vec::new(),
        };
        collector.visit_file(&file);
        assert_eq!(collector.inline, ["csoft::client::tests"]);
        let found: BTreeSet<String> = collector.found.iter().map(|(_, p)| p.join("::")).collect();
        let from_tests: Vec<&str> = collector
            .found
            .iter()
            .filter(|(at, _)| at == "csoft::client::tests")
            .map(|(_, p)| p.last().map_or("", String::as_str))
            .collect();
        assert_eq!(
            from_tests,
            ["client"],
            "`use super::*` in the tests names the file's module"
        );
        for expected in [
            "csoft::codes::ReportCode",
            "csoft::lists",
            "core",
            "core::Message",
            "generated::sendsms5::X",
            "csoft::message::build",
            "csoft::client",
        ] {
            assert!(found.contains(expected), "{expected} in {found:?}");
        }
        assert!(
            !found.contains("csoft"),
            "a visibility is not a use: {found:?}"
        );
    }
}
