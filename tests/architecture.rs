//! The module graph: no import circle between the files of `src/`, and the layers of
//! `STYLE.md` §1 kept (which top-level module may import which, and which one alone may name
//! polars, ratatui, crossterm, axum or plotters).
//!
//! Each file is a node; a file depends on another when it names it in a `use` or a path
//! (`crate::a::b`, `super::x`, `self::y`, or a child module `child::item`). A child using its
//! own parent or ancestor (`super::Item` from `tabs/drift.rs` to `tabs/mod.rs`) is not counted:
//! that is how a module shares its private helpers with its parts. Everything else must run
//! one way, so that a module can be read, changed and tested with what is below it only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module path: `["tui", "tabs", "drift"]`; the crate root is empty.
type ModulePath = Vec<String>;

fn module_files(root: &Path) -> BTreeMap<ModulePath, String> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                let relative = path.strip_prefix(root).unwrap().with_extension("");
                let mut module: ModulePath =
                    relative.components().map(|part| part.as_os_str().to_string_lossy().into_owned()).collect();
                if matches!(module.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                    module.pop();
                }
                files.insert(module, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    files
}

/// The code of a file without its comments and its `#[cfg(test)] mod tests`.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
    text.lines().map(|line| line.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// `a::{b, c::{d, e}}` spelled out: `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else { return vec![tree] };
    let mut depth = 0;
    let mut close = tree.len();
    for (index, character) in tree.char_indices().skip(open) {
        match character {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = index;
                    break;
                }
            }
            _ => {}
        }
    }
    let (prefix, inner, suffix) = (&tree[..open], &tree[open + 1..close], &tree[(close + 1).min(tree.len())..]);
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut part = String::new();
    for character in inner.chars() {
        match character {
            ',' if depth == 0 => parts.push(std::mem::take(&mut part)),
            '{' => {
                depth += 1;
                part.push(character);
            }
            '}' => {
                depth -= 1;
                part.push(character);
            }
            _ => part.push(character),
        }
    }
    parts.push(part);
    parts
        .into_iter()
        .filter(|part| !part.is_empty())
        .flat_map(|part| expand(&format!("{prefix}{part}{suffix}")))
        .collect()
}

/// The paths a file names: its `use` trees spelled out, and every `crate::`, `super::`,
/// `self::` or `child::` path in its code.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(end) = rest.find(';') {
            paths.extend(expand(&rest[..end]));
        }
    }
    let bytes: Vec<char> = code.chars().collect();
    let mut index = 0;
    while index < bytes.len() {
        let starts_word = index == 0 || !(bytes[index - 1].is_alphanumeric() || matches!(bytes[index - 1], '_' | ':'));
        if starts_word && (bytes[index].is_ascii_lowercase() || bytes[index] == '_') {
            let start = index;
            while index < bytes.len() && (bytes[index].is_alphanumeric() || matches!(bytes[index], '_' | ':')) {
                index += 1;
            }
            let word: String = bytes[start..index].iter().collect();
            if word.contains("::") {
                paths.push(word);
            }
        } else {
            index += 1;
        }
    }
    paths
}

/// The file a path leads to, from the file of `module`: the longest prefix that is a file.
fn resolve(module: &ModulePath, path: &str, files: &BTreeMap<ModulePath, String>) -> Option<ModulePath> {
    let segments: Vec<&str> = path.split("::").filter(|segment| !segment.is_empty()).collect();
    let (mut base, rest): (ModulePath, &[&str]) = match segments.first() {
        Some(&"crate") => (Vec::new(), &segments[1..]),
        Some(&"super" | &"self") => (module.clone(), &segments[..]),
        // `child::item` in a file with that child module.
        Some(first) if files.contains_key(&[module.clone(), vec![first.to_string()]].concat()) => {
            (module.clone(), &segments[..])
        }
        _ => return None,
    };
    let mut rest = rest;
    while let Some((&first, others)) = rest.split_first() {
        match first {
            "super" => {
                base.pop();
            }
            "self" => {}
            _ => break,
        }
        rest = others;
    }
    base.extend(rest.iter().map(|segment| segment.split(" as ").next().unwrap_or(segment).to_string()));
    (0..=base.len()).rev().map(|length| base[..length].to_vec()).find(|candidate| files.contains_key(candidate))
}

fn edges(files: &BTreeMap<ModulePath, String>) -> BTreeMap<ModulePath, BTreeSet<ModulePath>> {
    let mut edges = BTreeMap::new();
    for (module, text) in files {
        let mut targets = BTreeSet::new();
        for path in named_paths(&code(text)) {
            if let Some(target) = resolve(module, &path, files)
                && &target != module
                && !module.starts_with(&target)
            {
                targets.insert(target);
            }
        }
        edges.insert(module.clone(), targets);
    }
    edges
}

/// The circles: every strongly connected set of more than one file (Tarjan).
fn circles(edges: &BTreeMap<ModulePath, BTreeSet<ModulePath>>) -> Vec<Vec<String>> {
    struct Search<'a> {
        edges: &'a BTreeMap<ModulePath, BTreeSet<ModulePath>>,
        index: BTreeMap<&'a ModulePath, usize>,
        low: BTreeMap<&'a ModulePath, usize>,
        stack: Vec<&'a ModulePath>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(search: &mut Search<'a>, node: &'a ModulePath) {
        let number = search.index.len();
        search.index.insert(node, number);
        search.low.insert(node, number);
        search.stack.push(node);
        for next in &search.edges[node] {
            if !search.index.contains_key(next) {
                visit(search, next);
                let low = search.low[node].min(search.low[next]);
                search.low.insert(node, low);
            } else if search.stack.contains(&next) {
                let low = search.low[node].min(search.index[next]);
                search.low.insert(node, low);
            }
        }
        if search.low[node] == search.index[node] {
            let mut circle = Vec::new();
            while let Some(member) = search.stack.pop() {
                circle.push(if member.is_empty() { "lib".to_string() } else { member.join("/") });
                if member == node {
                    break;
                }
            }
            if circle.len() > 1 {
                circle.sort();
                search.found.push(circle);
            }
        }
    }
    let mut search =
        Search { edges, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for node in edges.keys() {
        if !search.index.contains_key(node) {
            visit(&mut search, node);
        }
    }
    search.found
}

/// The top-level modules each top-level module may import (`STYLE.md` §1, bottom up): plain
/// types and leaves; tables and the model; explanations; one subject each over them; the
/// clients of the server; the front ends, which never import each other (`commands` starts
/// them). A module missing from this table may import nothing.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("files", &[]),
    // The configuration layer's errors, which carry the tables' errors.
    ("error", &["domain", "data"]),
    ("data", &["domain", "files"]),
    ("model", &["domain"]),
    // The journal's flags take their defaults from the journal (its URL, retention, validity).
    ("cli", &["domain", "journal"]),
    ("explain", &["model", "domain"]),
    ("evaluation", &["domain", "data", "model", "explain"]),
    // A scorer also reports the drift and fairness of its population: those two sit below it.
    ("scoring", &["model", "explain", "data", "domain", "evaluation", "drift", "fairness"]),
    ("charts", &["domain", "data", "model", "explain", "scoring", "files"]),
    ("journal", &["domain", "data", "model", "explain", "scoring", "files"]),
    ("registry", &["domain", "data", "model", "explain", "scoring", "files"]),
    ("drift", &["domain", "data", "model", "explain", "charts"]),
    ("fairness", &["domain", "data", "model", "explain", "evaluation", "charts"]),
    ("export", &["domain", "data", "model", "explain", "scoring", "charts", "files"]),
    ("train", &["domain", "data", "model", "explain", "scoring", "evaluation", "registry", "files"]),
    // Checked settings name the library's checked types (history files, journal URL).
    ("config", &["cli", "domain", "error", "files", "data", "journal"]),
    ("remote", &["domain", "data", "model", "explain", "scoring", "drift", "fairness"]),
    ("remote_journal", &["domain", "data", "model", "explain", "scoring", "journal", "remote"]),
    (
        "api",
        &[
            "domain",
            "data",
            "model",
            "explain",
            "scoring",
            "evaluation",
            "journal",
            "registry",
            "drift",
            "fairness",
            "export",
            "charts",
            "files",
            "config",
            "error",
        ],
    ),
    (
        "tui",
        &[
            "domain",
            "data",
            "model",
            "explain",
            "scoring",
            "evaluation",
            "journal",
            "registry",
            "drift",
            "fairness",
            "export",
            "charts",
            "files",
            "config",
            "error",
            "remote",
            "remote_journal",
        ],
    ),
    (
        "commands",
        &[
            "domain",
            "data",
            "model",
            "explain",
            "scoring",
            "evaluation",
            "journal",
            "registry",
            "drift",
            "fairness",
            "export",
            "charts",
            "files",
            "config",
            "error",
            "cli",
            "train",
            "remote",
            "remote_journal",
            "api",
            "tui",
        ],
    ),
];

/// The crates only one top-level module may name.
const CRATE_OWNERS: &[(&str, &str)] =
    &[("polars", "data"), ("ratatui", "tui"), ("crossterm", "tui"), ("axum", "api"), ("plotters", "charts")];

/// The edges the table forbids that stay for now, each with the reason: the remote scorer and
/// recorder read the server's request and response types from `api::dto` until `wire/` exists
/// (item 2 of issue 41), when they move beside their local twins and import `wire` instead;
/// the local scorer reads its sources through `config`. An exception no file needs any more
/// fails the test, so that this list only shrinks.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("remote", "api", "the API's DTOs and model-version header, until `wire/` exists"),
    ("remote_journal", "api", "the API's DTOs, until `wire/` exists"),
    // The local scorer's sources (`LocalSources`), the card's reading and the threshold's
    // resolution live in `config`, with their error in `error`: they belong to `scoring`, and
    // `config` would then import it.
    ("scoring", "config", "LocalSources, read_card and resolve_threshold live in config"),
    ("scoring", "error", "ConfigError, the error of the local scorer's sources"),
];

/// Every use the layers forbid, as `file -> module` or `file names crate`, one per file and
/// target, exceptions left out.
fn layer_breaches(files: &BTreeMap<ModulePath, String>) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut breaches = BTreeSet::new();
    for (module, targets) in edges(files) {
        let Some(from) = module.first() else { continue };
        for target in targets {
            let Some(to) = target.first() else { continue };
            let permitted = from == to
                || allowed.get(from.as_str()).is_some_and(|uses| uses.contains(&to.as_str()))
                || EXCEPTIONS.iter().any(|(a, b, _)| a == from && b == to);
            if !permitted {
                breaches.insert(format!("{} -> {to} ({from} may not import {to})", module.join("/")));
            }
        }
    }
    for (module, text) in files {
        let Some(from) = module.first() else { continue };
        for path in named_paths(&code(text)) {
            let first = path.trim_start_matches("::").split("::").next().unwrap_or("");
            if let Some((name, owner)) = CRATE_OWNERS.iter().find(|(name, _)| *name == first)
                && owner != from
            {
                breaches.insert(format!("{} names {name} (only {owner} may)", module.join("/")));
            }
        }
    }
    breaches.into_iter().collect()
}

/// The exceptions no file needs any more (to be removed from [`EXCEPTIONS`]).
fn stale_exceptions(files: &BTreeMap<ModulePath, String>) -> Vec<String> {
    let edges = edges(files);
    EXCEPTIONS
        .iter()
        .filter(|(from, to, _)| {
            !edges.iter().any(|(module, targets)| {
                module.first().is_some_and(|first| first == from)
                    && targets.iter().any(|target| target.first().is_some_and(|first| first == to))
            })
        })
        .map(|(from, to, _)| format!("{from} -> {to}"))
        .collect()
}

#[test]
fn every_import_between_top_level_modules_is_allowed_by_the_layers() {
    let files = module_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert_eq!(layer_breaches(&files), Vec::<String>::new());
    assert_eq!(stale_exceptions(&files), Vec::<String>::new());
}

#[test]
fn a_forbidden_edge_is_named_when_there_is_one() {
    let files: BTreeMap<ModulePath, String> = [
        (vec![], "mod domain;\nmod data;\nmod tui;\nmod api;\nmod remote;\n".to_string()),
        (vec!["domain".to_string()], "use crate::data::Table;\n".to_string()),
        (vec!["data".to_string()], "use polars::prelude::DataFrame;\nuse crate::domain::Decision;\n".to_string()),
        (vec!["tui".to_string()], "pub fn f() { crate::api::router(); let _ = polars::df!(); }\n".to_string()),
        (vec!["api".to_string()], "use axum::Router;\n// use crate::tui::App;\n".to_string()),
        (vec!["remote".to_string()], "use crate::api::dto::ScoreRequest;\n".to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        layer_breaches(&files),
        vec![
            "domain -> data (domain may not import data)".to_string(),
            "tui -> api (tui may not import api)".to_string(),
            "tui names polars (only data may)".to_string(),
        ]
    );
}

#[test]
fn no_file_of_the_crate_is_in_an_import_circle() {
    let files = module_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let edges = edges(&files);
    // The graph is really read: the dashboard's app uses its tabs, a tab its shared state.
    let path = |text: &str| text.split('/').map(String::from).collect::<ModulePath>();
    assert!(edges[&path("tui/app")].contains(&path("tui/tabs")), "{:?}", edges[&path("tui/app")]);
    assert!(edges[&path("tui/tabs/drift")].contains(&path("tui/state")));
    assert_eq!(circles(&edges), Vec::<Vec<String>>::new());
}

#[test]
fn a_circle_is_found_when_there_is_one() {
    let files: BTreeMap<ModulePath, String> = [
        (vec![], "mod a;\nmod b;\n".to_string()),
        (vec!["a".to_string()], "use crate::b::{Thing, other::More};\n".to_string()),
        (vec!["b".to_string()], "pub fn f() { crate::a::g() }\n".to_string()),
        (vec!["b".to_string(), "other".to_string()], "use super::super::a;\n".to_string()),
    ]
    .into_iter()
    .collect();
    let edges = edges(&files);
    assert_eq!(circles(&edges), vec![vec!["a".to_string(), "b".to_string(), "b/other".to_string()]]);
}
