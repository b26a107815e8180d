//! The crate's layers (ARCHITECTURE.md): every `crate::`, `super::` and
//! `self::` path in src/, and every path through a child or imported module,
//! points into the same layer or one below, and the import graph of the
//! files has no circle. Code under `#[cfg(test)]` is left out: a unit test
//! may borrow from above (real rule declarations, say) without the product
//! depending on it. No file under src/ is longer than 1,200 lines.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// From the ground up; a module belongs to the layer of its longest listed
/// prefix. Modules of one layer may use each other (without a circle).
const LAYERS: &[(&str, &[&str])] = &[
    (
        "source",
        &["source", "diagnostic", "read", "image_ref", "units", "secret_names"],
    ),
    ("standards", &["standards", "image"]),
    ("syntax", &["compose::yaml", "dockerfile"]),
    // Settings carry the environment Compose interpolates with and the
    // options the project loader reads.
    ("compose", &["compose", "settings"]),
    ("workspace", &["discover", "config_tree"]),
    // The engine's snapshot is compared with a compose project by the live
    // rules, and `vwe-lint env` (a command) drives it.
    ("engine", &["engine"]),
    ("rules", &["rules"]),
    (
        "pipeline",
        &["lint", "suppress", "fix", "bulk_suppressions", "add_ignore"],
    ),
    ("report", &["report"]),
    (
        "commands",
        &[
            "app",
            "cli",
            "command",
            "config_command",
            "engine::command",
            "show_settings",
        ],
    ),
];

/// A module path (`["compose", "yaml"]`), the crate root being `[]`.
type Module = Vec<String>;

fn module_name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

fn layer_of(module: &[String]) -> Option<(usize, &'static str)> {
    let name = module_name(module);
    LAYERS
        .iter()
        .enumerate()
        .flat_map(|(rank, (layer, prefixes))| prefixes.iter().map(move |prefix| (rank, *layer, *prefix)))
        .filter(|(_, _, prefix)| name == *prefix || name.starts_with(&format!("{prefix}::")))
        .max_by_key(|(_, _, prefix)| prefix.len())
        .map(|(rank, layer, _)| (rank, layer))
}

/// The module a file under src/ defines.
fn module_of(relative: &Path) -> Module {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// A path as written, before resolution.
#[derive(Debug, Clone, PartialEq)]
struct Written {
    /// The (possibly inline) module it is written in.
    module: Module,
    segments: Vec<String>,
    /// The name a `use … as name` gives it.
    alias: Option<String>,
    in_use: bool,
    /// In a `pub use`: a re-export, which paths through this module follow.
    public: bool,
}

/// The paths of a file whose head is `crate`, `super`, `self` or one of
/// `heads` (child modules; imported modules are found in a second pass).
fn written_paths(tokens: TokenStream, module: &Module, heads: &BTreeSet<String>, out: &mut Vec<Written>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut index = 0;
    let mut in_use = false;
    let mut public = false;
    while index < tokens.len() {
        match &tokens[index] {
            TokenTree::Punct(punct) if punct.as_char() == '#' && is_cfg_test(tokens.get(index + 1)) => {
                index = end_of_item(&tokens, index + 2);
                continue;
            }
            TokenTree::Punct(punct) if punct.as_char() == ';' => {
                in_use = false;
                public = false;
            }
            TokenTree::Ident(ident) if ident == "use" => {
                in_use = true;
                public = is_public(&tokens[..index]);
            }
            TokenTree::Ident(ident) if ident == "mod" => {
                if let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(body))) =
                    (tokens.get(index + 1), tokens.get(index + 2))
                {
                    let mut inner = module.clone();
                    inner.push(name.to_string());
                    written_paths(body.stream(), &inner, &BTreeSet::new(), out);
                    index += 3;
                    continue;
                }
            }
            TokenTree::Ident(ident) if starts_path(&tokens, index, heads) => {
                let mut trees = Vec::new();
                let next = use_tree(&tokens, index, vec![ident.to_string()], &mut trees);
                for (segments, alias) in trees {
                    out.push(Written {
                        module: module.clone(),
                        segments,
                        alias,
                        in_use,
                        public,
                    });
                }
                index = next;
                continue;
            }
            TokenTree::Group(group) => written_paths(group.stream(), module, heads, out),
            _ => {}
        }
        index += 1;
    }
}

/// Whether the item whose keyword ends `before` is `pub` or `pub(…)`.
fn is_public(before: &[TokenTree]) -> bool {
    match before {
        [.., TokenTree::Ident(word)] => word == "pub",
        [.., TokenTree::Ident(word), TokenTree::Group(group)] => {
            word == "pub" && group.delimiter() == Delimiter::Parenthesis
        }
        _ => false,
    }
}

fn is_cfg_test(tree: Option<&TokenTree>) -> bool {
    matches!(tree, Some(TokenTree::Group(group))
        if group.delimiter() == Delimiter::Bracket
            && group.stream().to_string().replace(' ', "") == "cfg(test)")
}

/// The index after the item starting at `index`: past its body or its `;`.
fn end_of_item(tokens: &[TokenTree], mut index: usize) -> usize {
    while index < tokens.len() {
        match &tokens[index] {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => return index + 1,
            TokenTree::Punct(punct) if punct.as_char() == ';' => return index + 1,
            _ => index += 1,
        }
    }
    index
}

fn is_path_separator(tokens: &[TokenTree], index: usize) -> bool {
    matches!((tokens.get(index), tokens.get(index + 1)),
        (Some(TokenTree::Punct(first)), Some(TokenTree::Punct(second)))
            if first.as_char() == ':' && second.as_char() == ':')
}

fn starts_path(tokens: &[TokenTree], index: usize, heads: &BTreeSet<String>) -> bool {
    let TokenTree::Ident(ident) = &tokens[index] else {
        return false;
    };
    let name = ident.to_string();
    // Not the tail of a longer path, nor a method (`.parse::<T>()`).
    let after_separator = index >= 2 && is_path_separator(tokens, index - 2);
    let after_dot = index >= 1 && matches!(&tokens[index - 1], TokenTree::Punct(dot) if dot.as_char() == '.');
    (name == "crate" || name == "super" || name == "self" || heads.contains(&name))
        && !after_separator
        && !after_dot
        && is_path_separator(tokens, index + 1)
}

/// Reads a path (or a use tree) whose first segments are `prefix` and
/// whose next token is at `index + 1`; returns the index after it.
fn use_tree(
    tokens: &[TokenTree],
    mut index: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) -> usize {
    index += 1;
    while is_path_separator(tokens, index) {
        match tokens.get(index + 2) {
            Some(TokenTree::Ident(ident)) => {
                prefix.push(ident.to_string());
                index += 3;
            }
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                let mut start = 0;
                while start < inner.len() {
                    match &inner[start] {
                        TokenTree::Ident(ident) if ident == "self" => {
                            out.push((prefix.clone(), alias_at(&inner, start + 1)));
                            start += 1;
                        }
                        TokenTree::Ident(ident) => {
                            let mut nested = prefix.clone();
                            nested.push(ident.to_string());
                            start = use_tree(&inner, start, nested, out);
                        }
                        _ => start += 1,
                    }
                }
                return index + 3;
            }
            _ => break,
        }
    }
    out.push((prefix, alias_at(tokens, index)));
    index
}

fn alias_at(tokens: &[TokenTree], index: usize) -> Option<String> {
    match (tokens.get(index), tokens.get(index + 1)) {
        (Some(TokenTree::Ident(word)), Some(TokenTree::Ident(alias))) if word == "as" => Some(alias.to_string()),
        _ => None,
    }
}

/// The absolute form of a written path, or `None` for a path that does not
/// start at a module of this crate.
fn absolute(written: &Written, heads: &HashMap<String, Module>) -> Option<Module> {
    let mut segments = written.segments.iter().peekable();
    let mut base = match segments.peek().map(|segment| segment.as_str()) {
        Some("crate") => {
            segments.next();
            Vec::new()
        }
        Some("self" | "super") => written.module.clone(),
        Some(head) => {
            let child: Module = written.module.iter().cloned().chain([head.to_string()]).collect();
            segments.next();
            heads.get(head).cloned().unwrap_or(child)
        }
        None => return None,
    };
    while let Some(segment) = segments.peek() {
        match segment.as_str() {
            "self" => {}
            "super" => {
                base.pop()?;
            }
            _ => break,
        }
        segments.next();
    }
    base.extend(segments.cloned());
    Some(base)
}

/// The file module `path` lies in: its longest prefix that is a file.
fn file_module(path: &[String], files: &BTreeSet<Module>) -> Option<Module> {
    (0..=path.len())
        .rev()
        .map(|length| path[..length].to_vec())
        .find(|prefix| files.contains(prefix))
}

/// A file's paths made absolute, and the names it re-exports.
#[derive(Default)]
struct FilePaths {
    paths: Vec<Module>,
    reexports: HashMap<String, Module>,
}

fn paths_of(module: &Module, tokens: TokenStream, files: &BTreeSet<Module>) -> FilePaths {
    let children: BTreeSet<String> = files
        .iter()
        .filter(|file| file.len() == module.len() + 1 && file.starts_with(module))
        .map(|file| file[module.len()].clone())
        .collect();
    // First the `use` lines, to learn which names stand for modules.
    let mut written = Vec::new();
    written_paths(tokens.clone(), module, &children, &mut written);
    let mut heads: HashMap<String, Module> = HashMap::new();
    for path in written.iter().filter(|path| path.in_use) {
        if let Some(target) = absolute(path, &HashMap::new())
            && files.contains(&target)
        {
            let name = path
                .alias
                .clone()
                .unwrap_or_else(|| target.last().cloned().unwrap_or_default());
            heads.insert(name, target);
        }
    }
    let mut all_heads = children;
    all_heads.extend(heads.keys().cloned());
    let mut written = Vec::new();
    written_paths(tokens, module, &all_heads, &mut written);
    let mut found = FilePaths::default();
    for path in &written {
        let Some(target) = absolute(path, &heads) else {
            continue;
        };
        if path.public && path.module == *module {
            let name = path.alias.clone().or_else(|| target.last().cloned());
            found.reexports.extend(name.map(|name| (name, target.clone())));
        }
        found.paths.push(target);
    }
    found
}

/// The file that defines what `path` names: its longest prefix that is a
/// file, following that file's re-exports.
fn defining_file(
    mut path: Module,
    files: &BTreeSet<Module>,
    reexports: &BTreeMap<Module, HashMap<String, Module>>,
) -> Option<Module> {
    // A bound, should two modules re-export a name from each other.
    for _ in 0..16 {
        let file = file_module(&path, files)?;
        let Some(target) = path.get(file.len()).and_then(|name| reexports.get(&file)?.get(name)) else {
            return Some(file);
        };
        path = target.iter().chain(&path[file.len() + 1..]).cloned().collect();
    }
    None
}

/// The edges of the files: the file modules their paths lead to, each with
/// one of the paths.
fn edges(paths: &BTreeMap<Module, FilePaths>, files: &BTreeSet<Module>) -> BTreeMap<Module, BTreeMap<Module, String>> {
    let reexports: BTreeMap<Module, HashMap<String, Module>> = paths
        .iter()
        .map(|(module, found)| (module.clone(), found.reexports.clone()))
        .collect();
    paths
        .iter()
        .map(|(module, found)| {
            let mut edges = BTreeMap::new();
            for path in &found.paths {
                if let Some(file) = defining_file(path.clone(), files, &reexports)
                    && file != *module
                    && !file.is_empty()
                {
                    edges.entry(file).or_insert_with(|| module_name(path));
                }
            }
            (module.clone(), edges)
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            out.push(path);
        }
    }
}

/// The graph of the library's files: module → (module it uses → a path that shows it).
fn crate_graph() -> BTreeMap<Module, BTreeMap<Module, String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    // main.rs is the binary, a crate of its own.
    paths.retain(|path| path.file_name().is_some_and(|name| name != "main.rs"));
    let modules: BTreeMap<Module, PathBuf> = paths
        .into_iter()
        .map(|path| (module_of(path.strip_prefix(&src).unwrap()), path))
        .collect();
    let files: BTreeSet<Module> = modules.keys().cloned().collect();
    let paths = modules
        .iter()
        .map(|(module, path)| {
            let text = std::fs::read_to_string(path).unwrap();
            let tokens = TokenStream::from_str(&text).unwrap_or_else(|error| panic!("{}: {error:?}", path.display()));
            (module.clone(), paths_of(module, tokens, &files))
        })
        .collect();
    edges(&paths, &files)
}

/// The strongly connected components with more than one member (Tarjan).
fn circles(graph: &BTreeMap<Module, BTreeMap<Module, String>>) -> Vec<Vec<Module>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<Module, BTreeMap<Module, String>>,
        index: HashMap<&'a Module, usize>,
        low: HashMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<Module>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a Module) {
            let number = self.index.len();
            self.index.insert(node, number);
            self.low.insert(node, number);
            self.stack.push(node);
            self.on_stack.insert(node);
            for next in self.graph.get(node).into_iter().flat_map(BTreeMap::keys) {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    self.low.insert(node, self.low[node].min(self.low[next]));
                } else if self.on_stack.contains(next) {
                    self.low.insert(node, self.low[node].min(self.index[next]));
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    component.push(member.clone());
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found
}

/// Longest a file under src/ may be: a longer one holds several jobs.
const MAX_FILE_LINES: usize = 1_200;

#[test]
fn no_source_file_is_over_the_line_limit() {
    let mut paths = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut paths);
    let long: Vec<String> = paths
        .iter()
        .map(|path| (path, std::fs::read_to_string(path).unwrap().lines().count()))
        .filter(|(_, lines)| *lines > MAX_FILE_LINES)
        .map(|(path, lines)| format!("{}: {lines} lines", path.display()))
        .collect();
    assert!(long.is_empty(), "files over {MAX_FILE_LINES} lines: {long:?}");
}

#[test]
fn every_file_has_a_layer() {
    let unplaced: Vec<String> = crate_graph()
        .keys()
        .filter(|module| !module.is_empty() && layer_of(module).is_none())
        .map(|module| module_name(module))
        .collect();
    assert!(unplaced.is_empty(), "modules in no layer of LAYERS: {unplaced:?}");
}

#[test]
fn imports_only_point_down() {
    let mut upward = Vec::new();
    for (module, edges) in crate_graph() {
        let Some((rank, layer)) = layer_of(&module) else {
            continue;
        };
        for (target, path) in edges {
            if let Some((target_rank, target_layer)) = layer_of(&target)
                && target_rank > rank
            {
                upward.push(format!(
                    "{} ({layer}) uses {path} ({target_layer})",
                    module_name(&module)
                ));
            }
        }
    }
    assert!(upward.is_empty(), "imports from a layer above:\n{}", upward.join("\n"));
}

#[test]
fn no_import_circles() {
    let graph = crate_graph();
    // Each circle with the imports inside it, to show where to cut.
    let found: Vec<String> = circles(&graph)
        .iter()
        .map(|circle| {
            circle
                .iter()
                .flat_map(|module| {
                    graph[module]
                        .iter()
                        .filter(|(target, _)| circle.contains(target))
                        .map(move |(_, path)| format!("  {} uses {path}", module_name(module)))
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n\n"));
}

/// The edges of the files `texts` (module, text) among `files`.
fn edges_of_texts(texts: &[(&[&str], &str)], files: &[&[&str]]) -> Vec<(String, String)> {
    let module = |parts: &[&str]| -> Module { parts.iter().map(|part| part.to_string()).collect() };
    let files: BTreeSet<Module> = files.iter().map(|file| module(file)).collect();
    let paths = texts
        .iter()
        .map(|(name, text)| {
            (
                module(name),
                paths_of(&module(name), TokenStream::from_str(text).unwrap(), &files),
            )
        })
        .collect();
    edges(&paths, &files)
        .iter()
        .flat_map(|(from, to)| to.keys().map(|target| (module_name(from), module_name(target))))
        .collect()
}

#[test]
fn reads_use_trees_child_and_imported_modules() {
    let files: &[&[&str]] = &[&["a"], &["a", "b"], &["c"], &["c", "d"], &["e"], &["f"], &["g"]];
    let text = "
        use crate::c::{self as see, d::{Thing, Other}};
        use super::e;
        fn f() { b::run(); see::go(); e::go(); x.g::<u8>(); format!(\"{}\", crate::f::NAME); }
        #[cfg(test)]
        mod tests { use crate::g::Helper; }
    ";
    let edges: Vec<String> = edges_of_texts(&[(&["a"], text)], files)
        .into_iter()
        .map(|(_, to)| to)
        .collect();
    assert_eq!(edges, ["a::b", "c", "c::d", "e", "f"]);
}

#[test]
fn follows_re_exports_to_the_defining_file() {
    let files: &[&[&str]] = &[&["a"], &["a", "b"], &["c"]];
    let texts: &[(&[&str], &str)] = &[
        (&["a"], "pub use b::Thing; pub(crate) use crate::c::Other as Renamed;"),
        (&["c"], "use crate::a::{Thing, Renamed};"),
    ];
    assert_eq!(
        edges_of_texts(texts, files),
        [("a", "a::b"), ("a", "c"), ("c", "a::b")].map(|(from, to)| (from.to_string(), to.to_string()))
    );
}

#[test]
fn finds_a_circle_through_three_files() {
    let module = |name: &str| vec![name.to_string()];
    let edge = |to: &str| (module(to), String::new());
    let graph = BTreeMap::from([
        (module("a"), BTreeMap::from([edge("b")])),
        (module("b"), BTreeMap::from([edge("c")])),
        (module("c"), BTreeMap::from([edge("a")])),
        (module("d"), BTreeMap::from([edge("a")])),
    ]);
    assert_eq!(circles(&graph), [vec![module("a"), module("b"), module("c")]]);
}
