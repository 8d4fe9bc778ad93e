//! The crate's layers point one way, and no files import each other in a circle.
//!
//! Every `.rs` file under `src/` is read (std only, so this runs on a fresh clone) and each
//! `crate::…` and `super::…` path in its code (not comments or strings, not `#[cfg(test)]`
//! items: a unit test may check its module against a later layer) is resolved to the file
//! that defines the module it names. Two rules are checked:
//!
//! - a top-level module imports only itself and the modules of earlier layers in [`LAYERS`];
//! - the file graph has no cycle (a set of files that import each other, directly or round a
//!   loop), which would make the files one unit in all but name.
//!
//! A parent's `mod child;` and `pub use child::…` are structure, not dependencies, and are not
//! counted; a child's `super::Item` counts against the parent's file even when the parent only
//! re-exports the item.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules in dependency order (DESIGN: model → pipeline → engine → scenario →
/// analysis → report → api (the facade) → cli): a module may import its own layer and earlier ones only.
const LAYERS: &[&[&str]] = &[
    &["model"],
    &["pipeline"],
    &["engine"],
    &["scenario"],
    &["analysis"],
    &["report"],
    &["api"],
    &["cli"],
];

/// `synth`, the synthetic index generator, is a side branch beside `model`, not a layer of the
/// audit's data flow: it writes index files for benchmarks and analyses none. Today it uses
/// nothing of the crate but `report::output`'s atomic file writer (std only), so that, and
/// `model`, are all it may use; and only `cli` may use `synth`.
const SIDE_MODULE: &str = "synth";
const SIDE_MAY_USE: &[&[&str]] = &[&["model"], &["report", "output"]];
const SIDE_USED_BY: &[&str] = &["cli"];

/// One `crate::`/`super::` path in a file: the line it starts on and the module path it names
/// (from the crate root, as far as it was written).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Reference {
    line: usize,
    path: Vec<String>,
}

/// A source file: its path relative to `src/`, its module path and its references.
struct SourceFile {
    rel: String,
    module: Vec<String>,
    references: Vec<Reference>,
}

#[test]
fn layers_point_one_way_and_files_form_no_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = check(&src);
    assert!(
        problems.is_empty(),
        "{} layering problem(s) in src/:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every layering problem of the crate under `src`, one message each.
fn check(src: &Path) -> Vec<String> {
    let files = read_sources(src);
    let known: BTreeSet<Vec<String>> = files.iter().map(|f| f.module.clone()).collect();
    let mut problems = Vec::new();
    // File-level edges (from, to, line of the first reference).
    let mut edges: Vec<(usize, usize, usize)> = Vec::new();
    for (from, file) in files.iter().enumerate() {
        for reference in &file.references {
            let Some(target) = defining_module(&reference.path, &known) else {
                continue;
            };
            // One message per line and module, however many items the line imports from it.
            if let Some(problem) = layer_problem(file, reference, &target)
                && !problems.contains(&problem)
            {
                problems.push(problem);
            }
            let to = files
                .iter()
                .position(|f| f.module == target)
                .expect("a known module has a file");
            if to != from && !edges.iter().any(|&(a, b, _)| a == from && b == to) {
                edges.push((from, to, reference.line));
            }
        }
    }
    for component in cycles(files.len(), &edges) {
        let names: Vec<&str> = component.iter().map(|&f| files[f].rel.as_str()).collect();
        let mut message = format!(
            "src/: files {} import each other in a cycle:",
            names.join(", ")
        );
        for &(a, b, line) in &edges {
            if component.contains(&a) && component.contains(&b) {
                message += &format!("\n    src/{}:{line} -> src/{}", files[a].rel, files[b].rel);
            }
        }
        message +=
            "\n  fix: move what the files share into a file that both use and that uses neither";
        problems.push(message);
    }
    problems
}

/// Why `reference` in `file` breaks the layer order, if it does.
fn layer_problem(file: &SourceFile, reference: &Reference, target: &[String]) -> Option<String> {
    let (Some(from), Some(to)) = (file.module.first(), target.first()) else {
        return None; // lib.rs and main.rs sit above every layer
    };
    if from == to {
        return None;
    }
    let at = format!("src/{}:{}", file.rel, reference.line);
    let named = format!("crate::{}", target.join("::"));
    if from == SIDE_MODULE {
        let allowed = SIDE_MAY_USE
            .iter()
            .any(|prefix| target.len() >= prefix.len() && target[..prefix.len()] == **prefix);
        return (!allowed).then(|| {
            format!(
                "{at}: `{SIDE_MODULE}` uses `{named}`, but it may use only `model` and \
                 `report::output`\n  fix: keep the generator independent of the audit's layers, \
                 or move it into the layer it needs"
            )
        });
    }
    if to == SIDE_MODULE {
        return (!SIDE_USED_BY.contains(&from.as_str())).then(|| {
            format!(
                "{at}: `{from}` uses `{named}`, but only `cli` may use `{SIDE_MODULE}`\n  fix: \
                 call the generator from the CLI"
            )
        });
    }
    let layer_of = |name: &str| LAYERS.iter().position(|layer| layer.contains(&name));
    let order = LAYERS
        .iter()
        .map(|layer| layer.join("|"))
        .collect::<Vec<_>>()
        .join(" → ");
    match (layer_of(from), layer_of(to)) {
        (Some(a), Some(b)) if b > a => Some(format!(
            "{at}: `{from}` (layer {}) imports `{named}` from the later layer `{to}` (layer {}); \
             the order is {order}\n  fix: move the item down into `{from}` or an earlier layer, \
             or move the caller up",
            a + 1,
            b + 1
        )),
        (Some(_), Some(_)) => None,
        (None, _) | (_, None) => {
            let unknown = if layer_of(from).is_none() { from } else { to };
            Some(format!(
                "{at}: the top-level module `{unknown}` has no place in the layer order \
                 {order}\n  fix: add it to LAYERS in tests/layers.rs where it belongs"
            ))
        }
    }
}

/// The longest prefix of `path` that is a module with its own file.
fn defining_module(path: &[String], known: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| known.contains(prefix))
}

/// Every `.rs` file under `src`, sorted, with its references.
fn read_sources(src: &Path) -> Vec<SourceFile> {
    let mut paths = Vec::new();
    collect_rs(src, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(src)
                .expect("found under src")
                .to_string_lossy()
                .replace('\\', "/");
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let module = module_path(&rel);
            let code = without_test_items(&code_only(&text));
            let references = references(&code, &module);
            SourceFile {
                rel,
                module,
                references,
            }
        })
        .collect()
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `analysis/sobol/mod.rs` → `[analysis, sobol]`; `lib.rs` and `main.rs` → the crate root.
fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts
}

/// `text` with comments and the contents of string and character literals blanked out, line
/// breaks kept, so that only code is searched and line numbers stay right.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(&chars, i) {
            // r"…", r#"…"#, br"…": no escapes; ends at a quote followed by the same hashes.
            let open = chars[i..]
                .iter()
                .position(|&c| c == '"')
                .expect("raw string quote");
            for _ in 0..=open {
                out.push(' ');
            }
            i += open + 1;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal ('x', '\n', '\u{…}'), not a lifetime ('a).
            out.push(' ');
            i += 1;
            if chars.get(i) == Some(&'\\') {
                out.push(' ');
                i += 1;
            }
            while i < chars.len() && chars[i] != '\'' {
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The number of `#` of a raw string literal starting at `i`, if one does.
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    (chars.get(j + hashes) == Some(&'"')).then_some(hashes)
}

/// `code` with every `#[cfg(test)]` item (up to its `;` or its balanced `{…}`) blanked out.
fn without_test_items(code: &str) -> String {
    let mut out: Vec<char> = code.chars().collect();
    let attribute: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut i = 0;
    while i + attribute.len() <= out.len() {
        if out[i..i + attribute.len()] != attribute[..] {
            i += 1;
            continue;
        }
        let mut j = i + attribute.len();
        let mut depth = 0;
        while j < out.len() {
            match out[j] {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                ';' if depth == 0 => break,
                _ => {}
            }
            j += 1;
        }
        let end = (j + 1).min(out.len());
        for c in &mut out[i..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        i = end;
    }
    out.into_iter().collect()
}

/// Tokens that matter for paths: identifiers, `::`, `{`, `}`, `,`, `*`; with their lines.
fn tokens(code: &str) -> Vec<(String, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push((chars[start..i].iter().collect(), line));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push(("::".into(), line));
            i += 2;
        } else {
            if !c.is_whitespace() {
                tokens.push((c.to_string(), line));
            }
            i += 1;
        }
    }
    tokens
}

/// Every module path that `crate::` and `super::` paths in `code` name, seen from `module`.
/// Use groups are expanded (`crate::{model::Index, pipeline::{Config, score}}`).
fn references(code: &str, module: &[String]) -> Vec<Reference> {
    let tokens = tokens(code);
    let mut found = BTreeSet::new();
    let mut i = 0;
    while i < tokens.len() {
        let (word, line) = (&tokens[i].0, tokens[i].1);
        let starts_path = (word == "crate" || word == "super")
            && tokens.get(i + 1).is_some_and(|t| t.0 == "::")
            && (i == 0 || tokens[i - 1].0 != "::");
        if !starts_path {
            i += 1;
            continue;
        }
        let mut base: Vec<String> = module.to_vec();
        if word == "crate" {
            base.clear();
        }
        let mut j = i;
        // `super::super::…` climbs one module per `super`.
        while tokens.get(j).is_some_and(|t| t.0 == "super")
            && tokens.get(j + 1).is_some_and(|t| t.0 == "::")
        {
            base.pop();
            j += 2;
        }
        if word == "crate" {
            j += 2;
        }
        let mut paths = Vec::new();
        let end = use_tree(&tokens, j, base, &mut paths);
        for path in paths {
            found.insert(Reference { line, path });
        }
        i = end.max(i + 1);
    }
    found.into_iter().collect()
}

/// Parses the path (or use tree) at `tokens[i]` under `prefix` into `out`; returns the index
/// after it.
fn use_tree(
    tokens: &[(String, usize)],
    mut i: usize,
    prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    let mut path = prefix;
    loop {
        match tokens.get(i).map(|t| t.0.as_str()) {
            Some("{") => {
                i += 1;
                while let Some(token) = tokens.get(i) {
                    match token.0.as_str() {
                        "}" => {
                            i += 1;
                            break;
                        }
                        "," => i += 1,
                        "self" | "*" => {
                            out.push(path.clone());
                            i += 1;
                        }
                        // Always move on, whatever stray token (`as`, a rename) comes next.
                        _ => i = use_tree(tokens, i, path.clone(), out).max(i + 1),
                    }
                }
                return i;
            }
            Some(word) if is_identifier(word) => {
                path.push(word.to_string());
                i += 1;
                if tokens.get(i).is_some_and(|t| t.0 == "::") {
                    i += 1;
                    continue;
                }
                out.push(path);
                return i;
            }
            // `crate::*`, `super::*` or a path cut short: the modules named so far.
            _ => {
                out.push(path);
                return i;
            }
        }
    }
}

fn is_identifier(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Strongly connected components of more than one file (Tarjan), each sorted.
fn cycles(n: usize, edges: &[(usize, usize, usize)]) -> Vec<Vec<usize>> {
    struct Tarjan<'a> {
        next: Vec<Vec<usize>>,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        stack: Vec<usize>,
        on_stack: Vec<bool>,
        counter: usize,
        found: &'a mut Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.counter);
            self.low[v] = self.counter;
            self.counter += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for k in 0..self.next[v].len() {
                let w = self.next[v][k];
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut component = Vec::new();
                loop {
                    let w = self.stack.pop().expect("v is on the stack");
                    self.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort_unstable();
                    self.found.push(component);
                }
            }
        }
    }
    let mut next = vec![Vec::new(); n];
    for &(a, b, _) in edges {
        next[a].push(b);
    }
    let mut found = Vec::new();
    let mut tarjan = Tarjan {
        next,
        index: vec![None; n],
        low: vec![0; n],
        stack: Vec::new(),
        on_stack: vec![false; n],
        counter: 0,
        found: &mut found,
    };
    for v in 0..n {
        if tarjan.index[v].is_none() {
            tarjan.visit(v);
        }
    }
    found.sort();
    found
}

// The checker on small crates written to a temporary directory: what it must catch and what
// it must not mistake for an import.

/// Writes `files` (path under src/, text) to a fresh directory and returns its src/.
fn crate_with(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = std::env::temp_dir().join(format!("ranksense-layers-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    for (path, text) in files {
        let path = root.join("src").join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    root.join("src")
}

fn check_crate(name: &str, files: &[(&str, &str)]) -> Vec<String> {
    let src = crate_with(name, files);
    let problems = check(&src);
    fs::remove_dir_all(src.parent().unwrap()).unwrap();
    problems
}

#[test]
fn a_backward_import_is_named_with_file_and_line() {
    let problems = check_crate(
        "backward",
        &[
            ("lib.rs", "pub mod model;\npub mod report;\n"),
            ("model/mod.rs", "pub mod load;\n"),
            (
                "model/load.rs",
                "use std::fs;\n\nuse crate::{model::Index, report::table::Table};\n",
            ),
            ("report/mod.rs", "pub mod table;\n"),
            ("report/table.rs", "use crate::model::Index;\n"),
        ],
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "src/model/load.rs:3: `model` (layer 1) imports `crate::report::table` from the \
             later layer `report` (layer 6)"
        ),
        "{}",
        problems[0]
    );
    assert!(problems[0].contains("fix: "));
}

#[test]
fn paths_in_expressions_and_through_super_count() {
    let problems = check_crate(
        "super",
        &[
            ("engine/mod.rs", "pub mod shard;\n"),
            (
                "engine/shard.rs",
                "fn f() {\n    let x = super::super::analysis::uncertainty::hex();\n}\n",
            ),
            ("analysis/mod.rs", "pub mod uncertainty;\n"),
            ("analysis/uncertainty.rs", "pub fn hex() {}\n"),
            (
                "pipeline/score.rs",
                "fn g() -> u8 {\n    crate::cli::run()\n}\n",
            ),
            ("cli/mod.rs", "pub fn run() -> u8 { 0 }\n"),
        ],
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with(
        "src/engine/shard.rs:2: `engine` (layer 3) imports `crate::analysis::uncertainty`"
    ));
    assert!(
        problems[1]
            .starts_with("src/pipeline/score.rs:2: `pipeline` (layer 2) imports `crate::cli`")
    );
}

#[test]
fn comments_strings_and_unit_tests_are_not_imports() {
    let problems = check_crate(
        "quiet",
        &[
            (
                "model/mod.rs",
                "//! See [`crate::report::table`].\n\
                 /* crate::cli::run /* nested */ crate::cli */\n\
                 const A: &str = \"crate::cli::x\";\n\
                 const B: &str = r#\"crate::cli \" still raw\"#;\n\
                 const C: char = '\"';\n\
                 fn f<'a>(x: &'a str) -> &'a str { x }\n\
                 #[cfg(test)]\n\
                 mod tests {\n    use crate::report::table::Table;\n}\n",
            ),
            ("report/table.rs", "use crate::model::Index;\n"),
            ("cli/mod.rs", "pub fn run() {}\n"),
        ],
    );
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn a_cycle_of_files_is_named_with_its_imports() {
    let problems = check_crate(
        "cycle",
        &[
            (
                "report/mod.rs",
                "pub mod markdown;\npub mod summary;\npub mod table;\n",
            ),
            (
                "report/markdown.rs",
                "use super::summary::Summary;\nuse super::table::Table;\n",
            ),
            (
                "report/summary.rs",
                "\nuse crate::report::markdown::{self, Report};\n",
            ),
            ("report/table.rs", "pub struct Table;\n"),
        ],
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "src/: files report/markdown.rs, report/summary.rs import each other in a cycle:\n    \
             src/report/markdown.rs:1 -> src/report/summary.rs\n    \
             src/report/summary.rs:2 -> src/report/markdown.rs\n"
        ),
        "{}",
        problems[0]
    );
}

#[test]
fn synth_may_use_model_and_the_file_writer_only_and_only_cli_may_use_it() {
    let allowed = check_crate(
        "synth-ok",
        &[
            (
                "synth.rs",
                "use crate::model::Index;\nuse crate::report::output::write_atomic;\n",
            ),
            ("cli/synth.rs", "use crate::synth::generate;\n"),
            ("model/mod.rs", ""),
            ("report/output.rs", ""),
        ],
    );
    assert_eq!(allowed, Vec::<String>::new());
    let refused = check_crate(
        "synth-bad",
        &[
            ("synth.rs", "use crate::report::table::Table;\n"),
            ("analysis/mod.rs", "use crate::synth::generate;\n"),
            ("report/table.rs", ""),
        ],
    );
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].starts_with("src/analysis/mod.rs:1: `analysis` uses `crate::synth`"));
    assert!(refused[1].starts_with("src/synth.rs:1: `synth` uses `crate::report::table`"));
}

#[test]
fn a_new_top_level_module_must_be_placed() {
    let problems = check_crate(
        "unknown",
        &[
            ("plugins/mod.rs", "use crate::model::Index;\n"),
            ("model/mod.rs", ""),
        ],
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("the top-level module `plugins` has no place"));
}
