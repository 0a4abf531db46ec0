//! Stage 3: the packages the repository's manifests declare, read at the built revision.
//!
//! A package is what its developers name and publish: a crate (`Cargo.toml` with a
//! `[package]`), a Python distribution (`pyproject.toml`, declarative `setup.cfg`, literal
//! `setup.py`), an npm package (`package.json`). From each: its name and description, the folder
//! that holds its code and its root module, and its entry points (binaries, console scripts,
//! `bin`, `main`, `exports`). Nothing is guessed: an entry point is listed only when the file
//! it names is in the snapshot. Manifests inside test fixtures or vendored code are not
//! packages of this repository.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::parse::{join, normalize, parent_dir};
use crate::snapshot::Snapshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Ecosystem {
    Cargo,
    Python,
    Npm,
    Go,
    Maven,
    Gradle,
    CMake,
    DotNet,
    Gem,
    Composer,
}

impl Ecosystem {
    /// How a module path is written in the package's language.
    pub fn separator(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "::",
            Ecosystem::Python => ".",
            Ecosystem::Npm | Ecosystem::Go | Ecosystem::CMake | Ecosystem::Gem => "/",
            Ecosystem::Composer => "\\",
            Ecosystem::Maven | Ecosystem::Gradle | Ecosystem::DotNet => ".",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The binary's, script's or export's name.
    pub name: String,
    /// The file it starts in.
    pub path: String,
    /// "binary", "console script", "command", "package entry".
    pub kind: &'static str,
    /// The function it calls first, where the manifest or the language says (a Rust
    /// binary's `main`, a console script's `module:function`); else the file's top level runs.
    pub function: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// As the manifest names it.
    pub name: String,
    pub ecosystem: Ecosystem,
    /// The folder of the manifest ("" at the repository's root).
    pub root: String,
    pub manifest: String,
    pub description: String,
    /// The folder that holds the package's code, named after the package in the language's
    /// terms (a crate's `src`, a Python package's import folder, an npm package's `src`).
    pub code_root: String,
    /// The name the code root has in the language (`grep_searcher`, `flask`, `ky`).
    pub module: String,
    /// The root module: `lib.rs`, `__init__.py`, the file `main`/`exports` name.
    pub library: Option<String>,
    pub entries: Vec<Entry>,
    pub proc_macro: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Packages {
    /// Sorted by root, then manifest.
    pub packages: Vec<Package>,
    /// The description a workspace root gives (`[workspace.package]`, a root package.json of
    /// a monorepo), when the root is no package of its own.
    pub root_description: String,
    /// The manifest `root_description` comes from.
    pub root_source: String,
    /// Manifests that could not be read: path, why.
    pub unreadable: Vec<(String, String)>,
    /// The name of the Visual Studio solution at the root (`Serilog.sln`), when there is one
    /// and it lists a project the tree has: the product's name when no package is at the root.
    pub solution: String,
}

impl Packages {
    /// The innermost package whose folder holds `path`.
    pub fn owner(&self, path: &str) -> Option<&Package> {
        self.packages
            .iter()
            .filter(|p| within(path, &p.root))
            .max_by_key(|p| p.root.len())
    }

    /// The package at the repository's root, if there is one.
    pub fn at_root(&self) -> Option<&Package> {
        self.packages.iter().find(|p| p.root.is_empty())
    }

    /// What the repository says it is: the root package's description, else the workspace's;
    /// with the manifest that says it.
    pub fn description(&self) -> (&str, &str) {
        match self.at_root() {
            Some(p) if !p.description.is_empty() => (&p.description, &p.manifest),
            _ => (&self.root_description, &self.root_source),
        }
    }
}

/// Whether `path` is `dir` or lies under it ("" holds everything).
pub fn within(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path == dir
        || (path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/')
}

/// Folders whose manifests belong to test data or someone else's code.
const NOT_OURS: &[&str] = &[
    "tests",
    "test",
    "testdata",
    "test_data",
    "fixtures",
    "__tests__",
    "node_modules",
    "vendor",
    "third_party",
    // Example and benchmark crates are the examples and benchmarks of the package around them.
    "examples",
    "example",
    "benches",
    "benchmarks",
];

pub fn read(snapshot: &Snapshot) -> Packages {
    let paths: BTreeSet<&str> = snapshot.files.iter().map(|f| f.path.as_str()).collect();
    let mut out = Packages {
        solution: solution_name(snapshot, &paths),
        ..Packages::default()
    };
    // Descriptions a workspace root lends its members (`description.workspace = true`).
    let mut workspace_description = String::new();
    if let Some(root) = snapshot.files.iter().find(|f| f.path == "Cargo.toml") {
        if let Ok(t) = toml::from_str::<toml::Table>(&root.text) {
            workspace_description = text_at(&t, &["workspace", "package", "description"]);
        }
    }
    for file in &snapshot.files {
        let (dir, name) = file.path.rsplit_once('/').unwrap_or(("", &file.path));
        if dir.split('/').any(|c| NOT_OURS.contains(&c)) {
            continue;
        }
        let read = match name {
            "Cargo.toml" => cargo(dir, &file.path, &file.text, &paths, &workspace_description),
            "pyproject.toml" => pyproject(dir, &file.path, &file.text, &paths),
            "setup.cfg" if !paths.contains(join(dir, "pyproject.toml").as_str()) => {
                setup_cfg(dir, &file.path, &file.text, &paths)
            }
            "setup.py"
                if !paths.contains(join(dir, "pyproject.toml").as_str())
                    && !paths.contains(join(dir, "setup.cfg").as_str()) =>
            {
                Ok(setup_py(dir, &file.path, &file.text, &paths))
            }
            "package.json" => npm(dir, &file.path, &file.text, &paths),
            "composer.json" => composer(dir, &file.path, &file.text, &paths),
            "go.mod" => go_mod(dir, &file.path, &file.text, snapshot),
            "pom.xml" => maven(dir, &file.path, &file.text, snapshot),
            "CMakeLists.txt" => Ok(cmake(dir, &file.path, &file.text, snapshot)),
            n if n.ends_with(".csproj") => csproj(dir, &file.path, &file.text, snapshot),
            n if n.ends_with(".gemspec") => gemspec(dir, &file.path, &file.text, snapshot),
            "build.gradle" | "build.gradle.kts"
                if !paths.contains(join(dir, "pom.xml").as_str()) =>
            {
                Ok(gradle(dir, &file.path, &file.text, snapshot))
            }
            _ => continue,
        };
        match read {
            Ok(Found::Package(p)) => out.packages.push(*p),
            Ok(Found::Workspace(description)) if dir.is_empty() => {
                if out.root_description.is_empty() && !description.is_empty() {
                    out.root_description = description;
                    out.root_source = file.path.clone();
                }
            }
            Ok(_) => {}
            Err(why) => out.unreadable.push((file.path.clone(), why)),
        }
    }
    if out.root_description.is_empty() && !workspace_description.is_empty() {
        out.root_description = workspace_description;
        out.root_source = "Cargo.toml".into();
    }
    // Names and descriptions are the repository's words: control and bidirectional characters
    // are shown, never obeyed (Trojan Source in a package's name).
    for p in &mut out.packages {
        for text in [&mut p.name, &mut p.description, &mut p.module] {
            *text = shown(text);
        }
        for e in &mut p.entries {
            e.name = shown(&e.name);
        }
    }
    out.root_description = shown(&out.root_description);
    // One package per folder: a pyproject.toml that only configures tools beside a
    // package.json does not make a second package.
    out.packages
        .sort_by(|a, b| a.root.cmp(&b.root).then(a.ecosystem.cmp(&b.ecosystem)));
    out.packages.dedup_by(|b, a| a.root == b.root);
    out
}

enum Found {
    Package(Box<Package>),
    /// A manifest that declares no package of its own (a virtual workspace), with its
    /// description.
    Workspace(String),
    Nothing,
}

fn text_at(t: &toml::Table, keys: &[&str]) -> String {
    let mut v: Option<&toml::Value> = t.get(keys[0]);
    for k in &keys[1..] {
        v = v.and_then(|v| v.get(*k));
    }
    v.and_then(|v| v.as_str()).map(clean).unwrap_or_default()
}

/// One line of plain text: manifests wrap descriptions over lines.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One line, with control and bidirectional characters made visible.
fn shown(s: &str) -> String {
    let s = clean(s);
    crate::report::visible_controls(&s, false).map_or(s, |(v, _)| v)
}

fn cargo(
    dir: &str,
    path: &str,
    text: &str,
    paths: &BTreeSet<&str>,
    workspace_description: &str,
) -> Result<Found, String> {
    let t: toml::Table = toml::from_str(text).map_err(|e| first_line(&e.to_string()))?;
    let Some(package) = t.get("package").and_then(|p| p.as_table()) else {
        return Ok(match t.contains_key("workspace") {
            true => Found::Workspace(text_at(&t, &["workspace", "package", "description"])),
            false => Found::Nothing,
        });
    };
    let Some(name) = package.get("name").and_then(|n| n.as_str()) else {
        return Err("[package] has no name".into());
    };
    let description = match package.get("description") {
        Some(toml::Value::String(s)) => clean(s),
        // `description.workspace = true`
        Some(toml::Value::Table(_)) => workspace_description.to_string(),
        _ => String::new(),
    };
    let inside = |rel: &str| normalize(dir, rel).filter(|p| paths.contains(p.as_str()));
    let lib_table = t.get("lib").and_then(|l| l.as_table());
    let lib_path = lib_table
        .and_then(|l| l.get("path"))
        .and_then(|p| p.as_str())
        .unwrap_or("src/lib.rs");
    let library = inside(lib_path);
    let proc_macro = lib_table
        .and_then(|l| l.get("proc-macro").or_else(|| l.get("proc_macro")))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let mut entries = Vec::new();
    let mut push = |name: &str, path: String| {
        if !entries.iter().any(|e: &Entry| e.path == path) {
            entries.push(Entry {
                name: name.to_string(),
                path,
                kind: "binary",
                function: Some("main".into()),
            });
        }
    };
    let declared = t.get("bin").and_then(|b| b.as_array());
    for bin in declared.into_iter().flatten() {
        let bin_name = bin.get("name").and_then(|n| n.as_str()).unwrap_or(name);
        let file = match bin.get("path").and_then(|p| p.as_str()) {
            Some(p) => inside(p),
            None => inside(&format!("src/bin/{bin_name}.rs"))
                .or_else(|| inside(&format!("src/bin/{bin_name}/main.rs")))
                .or_else(|| inside("src/main.rs").filter(|_| bin_name == name)),
        };
        if let Some(file) = file {
            push(bin_name, file);
        }
    }
    // Cargo's own defaults, unless `autobins = false`.
    if package.get("autobins").and_then(|v| v.as_bool()) != Some(false) {
        if let Some(main) = inside("src/main.rs") {
            push(name, main);
        }
        let bin_dir = join(dir, "src/bin/");
        for p in paths.range(bin_dir.as_str()..) {
            let Some(rest) = p.strip_prefix(bin_dir.as_str()) else {
                break;
            };
            let bin_name = match rest.split_once('/') {
                Some((folder, "main.rs")) => folder,
                None => match rest.strip_suffix(".rs") {
                    Some(stem) => stem,
                    None => continue,
                },
                _ => continue,
            };
            push(bin_name, p.to_string());
        }
    }
    // The folder that holds the crate's modules: its root module's.
    let code_root = library
        .as_deref()
        .or(entries.first().map(|e| e.path.as_str()))
        .map(|p| parent_dir(p).to_string())
        .unwrap_or_else(|| join(dir, "src"));
    Ok(Found::Package(Box::new(Package {
        name: name.to_string(),
        ecosystem: Ecosystem::Cargo,
        root: dir.to_string(),
        manifest: path.to_string(),
        description,
        code_root,
        module: name.replace('-', "_"),
        library,
        entries,
        proc_macro,
    })))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

/// The import name of a Python distribution: `Flask-Login` -> `flask_login`.
fn import_name(name: &str) -> String {
    name.to_ascii_lowercase().replace(['-', '.'], "_")
}

/// Where a Python distribution's code lives: `<root>/<name>/`, `<root>/src/<name>/`, a single
/// `<name>.py`, else the one package folder (with `__init__.py`) directly under the root or
/// `src`. Returns the code root, the module name and the root module.
fn python_layout(
    dir: &str,
    name: &str,
    declared: &[String],
    paths: &BTreeSet<&str>,
) -> Option<(String, String, String)> {
    let mut wanted: Vec<String> = declared.to_vec();
    wanted.push(import_name(name));
    for module in &wanted {
        let rel = module.replace('.', "/");
        for base in [dir.to_string(), join(dir, "src")] {
            let folder = join(&base, &rel);
            let init = join(&folder, "__init__.py");
            if paths.contains(init.as_str()) {
                return Some((folder, module.clone(), init));
            }
            let single = format!("{folder}.py");
            if paths.contains(single.as_str()) {
                return Some((base, module.clone(), single));
            }
        }
    }
    // The one package folder under the root or `src`.
    for base in [join(dir, "src"), dir.to_string()] {
        let prefix = if base.is_empty() {
            String::new()
        } else {
            format!("{base}/")
        };
        let found: Vec<&str> = paths
            .range(prefix.as_str()..)
            .take_while(|p| p.starts_with(&prefix))
            .filter_map(|p| {
                let (folder, file) = p[prefix.len()..].split_once('/')?;
                (file == "__init__.py"
                    && !NOT_OURS.contains(&folder)
                    && !matches!(
                        folder,
                        "docs" | "doc" | "examples" | "scripts" | "benchmarks"
                    ))
                .then_some(folder)
            })
            .collect();
        if let [one] = found.as_slice() {
            let folder = join(&base, one);
            let init = join(&folder, "__init__.py");
            return Some((folder, one.to_string(), init));
        }
    }
    None
}

/// `pkg.cli:main` -> the file that defines `pkg.cli`.
fn python_script(
    target: &str,
    code_root: &str,
    module: &str,
    paths: &BTreeSet<&str>,
) -> Option<String> {
    let module_path = target.split(':').next()?.trim();
    let base = match module_path.split('.').next() {
        // The code root is the package's own folder: its parent holds `module`.
        Some(first) if first == module && code_root.ends_with(&module.replace('.', "/")) => {
            parent_dir(code_root).to_string()
        }
        _ => code_root.to_string(),
    };
    let rel = module_path.replace('.', "/");
    [
        format!("{}.py", join(&base, &rel)),
        join(&join(&base, &rel), "__init__.py"),
    ]
    .into_iter()
    .find(|p| paths.contains(p.as_str()))
}

#[allow(clippy::too_many_arguments)]
fn python_package(
    dir: &str,
    path: &str,
    name: &str,
    description: String,
    declared: &[String],
    scripts: Vec<(String, String)>,
    paths: &BTreeSet<&str>,
) -> Found {
    let (code_root, module, library) = match python_layout(dir, name, declared, paths) {
        Some((root, module, lib)) => (root, module, Some(lib)),
        None => (dir.to_string(), import_name(name), None),
    };
    let mut entries = Vec::new();
    for (script, target) in scripts {
        if let Some(file) = python_script(&target, &code_root, &module, paths) {
            let function = target
                .split_once(':')
                .map(|(_, f)| f.trim().to_string())
                .filter(|f| !f.is_empty());
            entries.push(Entry {
                name: script,
                path: file,
                kind: "console script",
                function,
            });
        }
    }
    let main = join(&code_root, "__main__.py");
    if paths.contains(main.as_str()) && !entries.iter().any(|e| e.path == main) {
        entries.push(Entry {
            name: format!("python -m {module}"),
            path: main,
            kind: "command",
            function: None,
        });
    }
    Found::Package(Box::new(Package {
        name: name.to_string(),
        ecosystem: Ecosystem::Python,
        root: dir.to_string(),
        manifest: path.to_string(),
        description,
        code_root,
        module,
        library,
        entries,
        proc_macro: false,
    }))
}

/// A Go module: its path is its name; every folder under it whose Go files say `package main`
/// and define `func main` is a command, named after its folder as `go build` names it.
fn go_mod(dir: &str, path: &str, text: &str, snapshot: &Snapshot) -> Result<Found, String> {
    let Some(module) = crate::parse::go_module_path(text) else {
        return Err("no module line".into());
    };
    // A nested module's commands are its own.
    let nested: Vec<&str> = snapshot
        .files
        .iter()
        .filter(|m| m.path.ends_with("/go.mod") && m.path != path)
        .map(|m| parent_dir(&m.path))
        .filter(|d| within(d, dir) && *d != dir)
        .collect();
    let mut entries = Vec::new();
    let mut root_files = Vec::new();
    for f in &snapshot.files {
        let in_module = within(&f.path, dir) && f.path.ends_with(".go");
        if !in_module || f.path.ends_with("_test.go") {
            continue;
        }
        let folder = parent_dir(&f.path);
        if folder == dir {
            root_files.push(f.path.as_str());
        }
        if nested.iter().any(|d| within(folder, d)) || !declares_main(&f.text) {
            continue;
        }
        let name = match folder.rsplit('/').next() {
            Some(n) if !n.is_empty() && folder != dir => n,
            _ => crate::parse::go_package_name(&module),
        };
        if !entries
            .iter()
            .any(|e: &Entry| parent_dir(&e.path) == folder)
        {
            entries.push(Entry {
                name: name.to_string(),
                path: f.path.clone(),
                kind: "command",
                function: Some("main".into()),
            });
        }
    }
    // The root package's `doc.go` (where Go keeps a package's comment by convention), else
    // its file named after it, else its first file.
    let short = crate::parse::go_package_name(&module);
    let library = [join(dir, "doc.go"), join(dir, &format!("{short}.go"))]
        .into_iter()
        .find(|p| root_files.contains(&p.as_str()))
        .or_else(|| root_files.first().map(|p| p.to_string()));
    Ok(Found::Package(Box::new(Package {
        name: module.clone(),
        ecosystem: Ecosystem::Go,
        root: dir.to_string(),
        manifest: path.to_string(),
        description: String::new(),
        code_root: dir.to_string(),
        module,
        library,
        entries,
        proc_macro: false,
    })))
}

/// A CMake project: `project(name … DESCRIPTION "…")` names and describes it; the programs
/// its `add_executable` calls build (in its own CMake files, not a nested project's) are its
/// commands, each starting in the source that defines `main`. A CMake file without
/// `project()` belongs to the project around it.
fn cmake(dir: &str, path: &str, text: &str, snapshot: &Snapshot) -> Found {
    let Some(args) = cmake_call(text, "project").into_iter().next() else {
        return Found::Nothing;
    };
    let Some(name) = args.first().cloned() else {
        return Found::Nothing;
    };
    let description = args
        .iter()
        .position(|a| a == "DESCRIPTION")
        .and_then(|i| args.get(i + 1))
        .map(|d| clean(d))
        .unwrap_or_default();
    let nested: Vec<&str> = snapshot
        .files
        .iter()
        .filter(|f| f.path.ends_with("CMakeLists.txt") && f.path != path)
        .filter(|f| !cmake_call(&f.text, "project").is_empty())
        .map(|f| parent_dir(&f.path))
        .filter(|d| within(d, dir) && *d != dir)
        .collect();
    let mut entries = Vec::new();
    for f in &snapshot.files {
        let here = parent_dir(&f.path);
        // A program a test, benchmark or example folder builds, or builds from, is no place
        // to start.
        let aside_dir = |dir: &str| {
            dir.split('/').any(|d| {
                matches!(
                    d,
                    "test"
                        | "tests"
                        | "testing"
                        | "bench"
                        | "benches"
                        | "benchmark"
                        | "benchmarks"
                        | "example"
                        | "examples"
                        | "fuzz"
                        | "fuzzing"
                        | "doc"
                        | "docs"
                )
            })
        };
        let aside = aside_dir(here);
        let ours = f.path.ends_with("CMakeLists.txt")
            && within(here, dir)
            && !aside
            && !nested.iter().any(|n| within(here, n));
        if !ours {
            continue;
        }
        for call in cmake_call(&f.text, "add_executable") {
            let Some((program, sources)) = call.split_first() else {
                continue;
            };
            let main = sources
                .iter()
                .filter(|s| !s.contains('$') && !s.chars().all(|c| c.is_ascii_uppercase()))
                .filter_map(|s| normalize(here, s))
                .find(|p| {
                    snapshot
                        .files
                        .iter()
                        .any(|f| &f.path == p && defines_c_main(&f.text))
                });
            if let Some(main) = main.filter(|m| !aside_dir(parent_dir(m))) {
                if !entries.iter().any(|e: &Entry| e.path == main) {
                    entries.push(Entry {
                        name: program.clone(),
                        path: main,
                        kind: "program",
                        function: Some("main".into()),
                    });
                }
            }
        }
    }
    Found::Package(Box::new(Package {
        name: shown(&name),
        ecosystem: Ecosystem::CMake,
        root: dir.to_string(),
        manifest: path.to_string(),
        description,
        code_root: dir.to_string(),
        module: String::new(),
        library: None,
        entries,
        proc_macro: false,
    }))
}

/// The arguments of each call of `command` in a CMake file (quotes taken off; comments and
/// bracket arguments are not read).
fn cmake_call(text: &str, command: &str) -> Vec<Vec<String>> {
    let mut calls = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(command) {
        let start = from + at;
        from = start + command.len();
        let before = lower[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let line_start = lower[..start].rfind('\n').map_or(0, |i| i + 1);
        if lower[line_start..start].contains('#') {
            continue;
        }
        let Some(rest) = text[from..].trim_start().strip_prefix('(') else {
            continue;
        };
        let Some(end) = rest.find(')') else { continue };
        let mut args = Vec::new();
        let mut chars = rest[..end].chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_whitespace() {
                continue;
            }
            let mut word = String::new();
            if c == '"' {
                for d in chars.by_ref() {
                    if d == '"' {
                        break;
                    }
                    word.push(d);
                }
            } else {
                word.push(c);
                while let Some(&d) = chars.peek() {
                    if d.is_whitespace() {
                        break;
                    }
                    word.push(d);
                    chars.next();
                }
            }
            args.push(word);
        }
        calls.push(args);
    }
    calls
}

/// A C or C++ source that defines `main`.
fn defines_c_main(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        (l.starts_with("int main") || l.starts_with("main(") || l.starts_with("auto main"))
            && l.contains('(')
    })
}

/// A Composer package: `name` and `description`; its code under the first PSR-4 folder, whose
/// namespace prefix names its folders (`Acme\\Kv\\Util`); its `bin` scripts are its commands.
fn composer(dir: &str, path: &str, text: &str, paths: &BTreeSet<&str>) -> Result<Found, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| first_line(&e.to_string()))?;
    let Some(name) = json.get("name").and_then(|n| n.as_str()) else {
        return Ok(Found::Nothing);
    };
    let description = json
        .get("description")
        .and_then(|d| d.as_str())
        .map(clean)
        .unwrap_or_default();
    let psr4 = crate::parse::php_psr4(dir, text);
    let (module, code_root) = psr4
        .iter()
        .filter(|(_, d)| paths.iter().any(|p| within(p, d)))
        .min_by_key(|(p, d)| (d.contains("test"), p.len()))
        .map(|(p, d)| (p.trim_end_matches('\\').to_string(), d.clone()))
        .unwrap_or_else(|| (String::new(), dir.to_string()));
    let bins: Vec<String> = match json.get("bin") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|b| b.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let entries = bins
        .iter()
        .filter_map(|b| normalize(dir, b).filter(|p| paths.contains(p.as_str())))
        .map(|p| Entry {
            name: p.rsplit('/').next().unwrap_or(&p).to_string(),
            path: p,
            kind: "command",
            function: None,
        })
        .collect();
    Ok(Found::Package(Box::new(Package {
        name: name.to_string(),
        ecosystem: Ecosystem::Composer,
        root: dir.to_string(),
        manifest: path.to_string(),
        description,
        code_root,
        module,
        library: None,
        entries,
        proc_macro: false,
    })))
}

/// A Ruby gem: `spec.name = "…"` names it, its `summary` (else `description`) describes it,
/// its code is under `lib/`, `lib/<name>.rb` is its root, and its executables (`bin/` or
/// `exe/`, as `bindir` says) are its commands. The gemspec is Ruby; only plain string
/// assignments are read.
fn gemspec(dir: &str, path: &str, text: &str, snapshot: &Snapshot) -> Result<Found, String> {
    let assigned = |key: &str| {
        text.lines().find_map(|l| {
            let l = l.trim();
            let (lhs, rhs) = l.split_once('=')?;
            let field = lhs.trim().rsplit('.').next()?;
            if field != key || lhs.contains(' ') && !lhs.trim().contains('.') {
                return None;
            }
            let v = rhs.trim();
            let quote = v.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let inner = &v[1..];
            Some(clean(&inner[..inner.find(quote)?]))
        })
    };
    let Some(name) = assigned("name").filter(|n| !n.contains("#{")) else {
        return Err("no plain `name = \"…\"`".into());
    };
    let description = assigned("summary")
        .or_else(|| assigned("description"))
        .filter(|d| !d.contains("#{"))
        .unwrap_or_default();
    let bindir = assigned("bindir").unwrap_or_else(|| "exe".into());
    let lib = join(dir, "lib");
    let mut entries = Vec::new();
    for bin in [bindir.as_str(), "bin", "exe"] {
        let folder = join(dir, bin);
        for f in &snapshot.files {
            let in_folder = parent_dir(&f.path) == folder;
            let ruby = f.text.starts_with("#!")
                && f.text.lines().next().is_some_and(|l| l.contains("ruby"));
            if in_folder && ruby && !entries.iter().any(|e: &Entry| e.path == f.path) {
                entries.push(Entry {
                    name: f.path.rsplit('/').next().unwrap_or(&f.path).to_string(),
                    path: f.path.clone(),
                    kind: "executable",
                    function: None,
                });
            }
        }
        if !entries.is_empty() {
            break;
        }
    }
    let root = join(&lib, &format!("{name}.rb"));
    let library = snapshot
        .files
        .iter()
        .any(|f| f.path == root)
        .then_some(root);
    // `lib/<name>/` holds the gem's modules (`lib/kvr/util` is `kvr/util`).
    let own = join(&lib, &name);
    let code_root = [own, lib.clone()]
        .into_iter()
        .find(|d| snapshot.files.iter().any(|f| within(&f.path, d)))
        .unwrap_or_else(|| dir.to_string());
    Ok(Found::Package(Box::new(Package {
        name: name.clone(),
        ecosystem: Ecosystem::Gem,
        root: dir.to_string(),
        manifest: path.to_string(),
        description,
        code_root,
        module: name,
        library,
        entries,
        proc_macro: false,
    })))
}

/// A .NET project: its `<AssemblyName>` (else its file's name) names it, `<Description>`
/// describes it, `<RootNamespace>` is how its folders are named; an `Exe` starts in the file
/// with `static … Main(`, else in its top-level statements (`Program.cs`).
fn csproj(dir: &str, path: &str, text: &str, snapshot: &Snapshot) -> Result<Found, String> {
    let doc = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        },
    )
    .map_err(|e| first_line(&e.to_string()))?;
    let property = |name: &str| {
        doc.descendants()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(clean)
            .unwrap_or_default()
    };
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".csproj")
        .to_string();
    let name = Some(property("AssemblyName"))
        .filter(|n| !n.is_empty() && !n.contains('$'))
        .unwrap_or_else(|| stem.clone());
    let module = Some(property("RootNamespace"))
        .filter(|n| !n.is_empty() && !n.contains('$'))
        .unwrap_or(stem);
    let mut entries = Vec::new();
    if property("OutputType").eq_ignore_ascii_case("exe") {
        let sources = snapshot
            .files
            .iter()
            .filter(|f| f.path.ends_with(".cs") && within(&f.path, dir));
        let main = sources.clone().find(|f| {
            f.text.lines().any(|l| {
                let l = l.trim_start();
                l.contains("static ") && (l.contains(" Main(") || l.contains(" Main ("))
            })
        });
        let program = sources
            .clone()
            .find(|f| f.path.rsplit('/').next() == Some("Program.cs"));
        if let Some(f) = main.or(program) {
            entries.push(Entry {
                name: name.clone(),
                path: f.path.clone(),
                kind: "program",
                function: main.map(|_| "Main".to_string()),
            });
        }
    }
    Ok(Found::Package(Box::new(Package {
        name,
        ecosystem: Ecosystem::DotNet,
        root: dir.to_string(),
        manifest: path.to_string(),
        description: property("Description"),
        code_root: dir.to_string(),
        module,
        library: None,
        entries,
        proc_macro: false,
    })))
}

/// A Maven module: its `artifactId` names it (`<name>` when it has none), its `<description>`
/// describes it, its code is under `src/main/java`; a parent that only lists `<modules>` is no
/// package of its own.
fn maven(dir: &str, path: &str, text: &str, snapshot: &Snapshot) -> Result<Found, String> {
    let doc = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        },
    )
    .map_err(|e| first_line(&e.to_string()))?;
    let project = doc.root_element();
    let child = |name: &str| {
        project
            .children()
            .find(|n| n.has_tag_name(name) || n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(clean)
            .unwrap_or_default()
    };
    let description = child("description");
    let packaging = child("packaging");
    let name = match child("artifactId") {
        a if !a.is_empty() => a,
        _ => child("name"),
    };
    if name.is_empty() {
        return Err("no artifactId".into());
    }
    if packaging == "pom" {
        return Ok(Found::Workspace(description));
    }
    Ok(java_package(
        dir,
        path,
        name,
        description,
        Ecosystem::Maven,
        snapshot,
    ))
}

/// A Gradle project: named as `settings.gradle` names the root project, else by its folder;
/// described by its `description = "…"`.
fn gradle(dir: &str, path: &str, text: &str, snapshot: &Snapshot) -> Found {
    let assigned = |text: &str, key: &str| {
        text.lines().find_map(|l| {
            let rest = l.trim().strip_prefix(key)?.trim_start();
            let value = rest.strip_prefix('=')?.trim();
            let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let inner = &value[1..];
            Some(clean(&inner[..inner.find(quote)?]))
        })
    };
    let settings = ["settings.gradle", "settings.gradle.kts"]
        .iter()
        .find_map(|s| {
            let f = snapshot.files.iter().find(|f| f.path == join(dir, s))?;
            assigned(&f.text, "rootProject.name")
        });
    let folder = dir.rsplit('/').next().filter(|f| !f.is_empty());
    let name = settings
        .or_else(|| folder.map(str::to_string))
        .unwrap_or_else(|| "project".into());
    let description = assigned(text, "description").unwrap_or_default();
    let has_code = snapshot
        .files
        .iter()
        .any(|f| within(&f.path, &join(dir, "src/main")));
    match has_code {
        true => java_package(dir, path, name, description, Ecosystem::Gradle, snapshot),
        false => Found::Workspace(description),
    }
}

/// A Java package of the repository: its code under `src/main/java` (or `src/main/kotlin`),
/// its classes with a `main` method its entry points.
fn java_package(
    dir: &str,
    manifest: &str,
    name: String,
    description: String,
    ecosystem: Ecosystem,
    snapshot: &Snapshot,
) -> Found {
    let code_root = ["src/main/java", "src/main/kotlin"]
        .iter()
        .map(|r| join(dir, r))
        .find(|r| snapshot.files.iter().any(|f| within(&f.path, r)))
        .unwrap_or_else(|| dir.to_string());
    let mut entries = Vec::new();
    for f in &snapshot.files {
        if !f.path.ends_with(".java") || !within(&f.path, &code_root) {
            continue;
        }
        let main = f.text.lines().any(|l| {
            let l = l.trim_start();
            l.contains("static void main(") && !l.starts_with("//") && !l.starts_with('*')
        });
        if main {
            let class = f.path.rsplit('/').next().unwrap_or(&f.path);
            entries.push(Entry {
                name: class.trim_end_matches(".java").to_string(),
                path: f.path.clone(),
                kind: "main class",
                function: Some("main".into()),
            });
        }
    }
    Found::Package(Box::new(Package {
        name,
        ecosystem,
        root: dir.to_string(),
        manifest: manifest.to_string(),
        description,
        code_root,
        module: String::new(),
        library: None,
        entries,
        proc_macro: false,
    }))
}

/// `package main` with a `func main()`, outside comments (a package comment often shows
/// an example program): a command's source file.
fn declares_main(text: &str) -> bool {
    let mut package_main = None;
    let mut in_block = false;
    for line in text.lines() {
        let mut l = line.trim_start();
        if in_block {
            match l.find("*/") {
                Some(end) => {
                    in_block = false;
                    l = l[end + 2..].trim_start();
                }
                None => continue,
            }
        }
        if let Some(rest) = l.strip_prefix("/*") {
            match rest.find("*/") {
                Some(end) => l = rest[end + 2..].trim_start(),
                None => {
                    in_block = true;
                    continue;
                }
            }
        }
        if l.starts_with("//") || l.is_empty() {
            continue;
        }
        match package_main {
            None if l.starts_with("package ") => {
                package_main = Some(l.split_whitespace().nth(1) == Some("main"));
            }
            None => return false,
            Some(false) => return false,
            Some(true) if line.starts_with("func main()") => return true,
            Some(true) => {}
        }
    }
    false
}

fn string_map(v: Option<&toml::Value>) -> Vec<(String, String)> {
    v.and_then(|v| v.as_table())
        .map(|t| {
            t.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn pyproject(dir: &str, path: &str, text: &str, paths: &BTreeSet<&str>) -> Result<Found, String> {
    let t: toml::Table = toml::from_str(text).map_err(|e| first_line(&e.to_string()))?;
    let poetry = t.get("tool").and_then(|t| t.get("poetry"));
    let project = t.get("project").or(poetry);
    let Some(name) = project.and_then(|p| p.get("name")).and_then(|n| n.as_str()) else {
        // Tool settings only (black, ruff, pytest): no package here.
        return Ok(Found::Nothing);
    };
    let description = project
        .and_then(|p| p.get("description"))
        .and_then(|d| d.as_str())
        .map(clean)
        .unwrap_or_default();
    let mut scripts = string_map(project.and_then(|p| p.get("scripts")));
    scripts.extend(string_map(poetry.and_then(|p| p.get("scripts"))));
    // Poetry's `packages = [{ include = "pkg", from = "src" }]`.
    let declared: Vec<String> = poetry
        .and_then(|p| p.get("packages"))
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("include")?.as_str().map(str::to_string))
        .collect();
    Ok(python_package(
        dir,
        path,
        name,
        description,
        &declared,
        scripts,
        paths,
    ))
}

/// The sections of an INI file: section -> key -> value (continuation lines joined by `\n`).
fn ini(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let (mut section, mut key) = (String::new(), String::new());
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = name.trim().to_string();
            key.clear();
        } else if line.starts_with([' ', '\t']) && !key.is_empty() {
            let value = out
                .entry(section.clone())
                .or_default()
                .entry(key.clone())
                .or_default();
            value.push('\n');
            value.push_str(trimmed);
        } else if let Some((k, v)) = trimmed.split_once('=') {
            key = k.trim().to_string();
            out.entry(section.clone())
                .or_default()
                .insert(key.clone(), v.trim().to_string());
        }
    }
    out
}

fn setup_cfg(dir: &str, path: &str, text: &str, paths: &BTreeSet<&str>) -> Result<Found, String> {
    let ini = ini(text);
    let Some(meta) = ini.get("metadata") else {
        return Ok(Found::Nothing);
    };
    let Some(name) = meta
        .get("name")
        .filter(|n| !n.is_empty() && !n.contains(':'))
    else {
        return Ok(Found::Nothing);
    };
    // `description = file: README.md` is not a description.
    let description = meta
        .get("description")
        .filter(|d| !d.starts_with("file:") && !d.starts_with("attr:"))
        .map(|d| clean(d))
        .unwrap_or_default();
    let scripts = ini
        .get("options.entry_points")
        .and_then(|e| e.get("console_scripts"))
        .map(|s| {
            s.lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect()
        })
        .unwrap_or_default();
    Ok(python_package(
        dir,
        path,
        name,
        description,
        &[],
        scripts,
        paths,
    ))
}

/// A `setup.py` read only where it states its name as a literal: `setup(name="x", …)`.
fn setup_py(dir: &str, path: &str, text: &str, paths: &BTreeSet<&str>) -> Found {
    let literal = |key: &str| {
        let re =
            regex::Regex::new(&format!(r#"\b{key}\s*=\s*(?:"([^"\n]*)"|'([^'\n]*)')"#)).ok()?;
        let c = re.captures(text)?;
        c.get(1).or(c.get(2)).map(|m| clean(m.as_str()))
    };
    if !text.contains("setup(") {
        return Found::Nothing;
    }
    match literal("name").filter(|n| !n.is_empty()) {
        Some(name) => python_package(
            dir,
            path,
            &name,
            literal("description").unwrap_or_default(),
            &[],
            Vec::new(),
            paths,
        ),
        None => Found::Nothing,
    }
}

/// The source file an npm entry names: itself when it is in the repository, else the source
/// a build would have made it from (`dist/index.js` -> `source/index.ts`, `src/index.ts`).
fn npm_source(dir: &str, entry: &str, paths: &BTreeSet<&str>) -> Option<String> {
    let entry = entry.trim_start_matches("./");
    if let Some(p) = normalize(dir, entry).filter(|p| paths.contains(p.as_str())) {
        return Some(p);
    }
    let stem = entry
        .rsplit('/')
        .next()?
        .split('.')
        .next()
        .filter(|s| !s.is_empty())?;
    let built = matches!(
        entry.split('/').next(),
        Some("dist" | "distribution" | "build" | "lib" | "out" | "esm" | "cjs")
    );
    if !built {
        return None;
    }
    for folder in ["src", "source", "lib", ""] {
        for ext in ["ts", "tsx", "mts", "js", "mjs", "jsx"] {
            let candidate = join(&join(dir, folder), &format!("{stem}.{ext}"));
            if paths.contains(candidate.as_str()) {
                return Some(candidate);
            }
        }
    }
    None
}

/// The first string an `exports` field gives for the package's own entry (".").
fn export_target(v: &serde_json::Value) -> Option<&str> {
    match v {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Object(m) => {
            if let Some(dot) = m.get(".") {
                return export_target(dot);
            }
            if m.keys().any(|k| k.starts_with('.')) {
                return None;
            }
            ["import", "default", "require", "node", "types"]
                .iter()
                .find_map(|k| m.get(*k).and_then(export_target))
        }
        serde_json::Value::Array(a) => a.iter().find_map(export_target),
        _ => None,
    }
}

fn npm(dir: &str, path: &str, text: &str, paths: &BTreeSet<&str>) -> Result<Found, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(clean);
    let description = field("description").unwrap_or_default();
    let name = field("name").filter(|n| !n.is_empty());
    let entry_field = ["source", "module", "main"]
        .iter()
        .filter_map(|k| v.get(*k).and_then(|x| x.as_str()))
        .chain(v.get("exports").and_then(export_target))
        .find_map(|e| npm_source(dir, e, paths));
    let library = entry_field.or_else(|| {
        ["src/index", "source/index", "index", "lib/index"]
            .iter()
            .flat_map(|stem| {
                ["ts", "tsx", "mts", "js", "mjs"].map(move |ext| format!("{stem}.{ext}"))
            })
            .map(|rel| join(dir, &rel))
            .find(|p| paths.contains(p.as_str()))
    });
    let mut entries = Vec::new();
    match v.get("bin") {
        Some(serde_json::Value::String(s)) => {
            if let Some(file) = npm_source(dir, s, paths) {
                let bin = name.as_deref().unwrap_or("bin");
                let bin = bin.rsplit('/').next().unwrap_or(bin);
                entries.push(Entry {
                    name: bin.to_string(),
                    path: file,
                    kind: "command",
                    function: None,
                });
            }
        }
        Some(serde_json::Value::Object(m)) => {
            for (bin, target) in m {
                if let Some(file) = target.as_str().and_then(|t| npm_source(dir, t, paths)) {
                    entries.push(Entry {
                        name: bin.clone(),
                        path: file,
                        kind: "command",
                        function: None,
                    });
                }
            }
        }
        _ => {}
    }
    // A monorepo's root (npm or yarn `workspaces`, or a private package at the root beside a
    // pnpm-workspace.yaml) publishes nothing of its own; a private package elsewhere is still
    // a package of the monorepo.
    let is_workspace_root = v.get("workspaces").is_some()
        || (dir.is_empty() && v.get("private").and_then(|p| p.as_bool()) == Some(true));
    let Some(name) =
        name.filter(|_| !(is_workspace_root && library.is_none() && entries.is_empty()))
    else {
        return Ok(Found::Workspace(description));
    };
    let code_root = match &library {
        Some(lib) if parent_dir(lib) != dir || dir.is_empty() => parent_dir(lib).to_string(),
        _ => dir.to_string(),
    };
    Ok(Found::Package(Box::new(Package {
        module: name.clone(),
        name,
        ecosystem: Ecosystem::Npm,
        root: dir.to_string(),
        manifest: path.to_string(),
        description,
        code_root,
        library,
        entries,
        proc_macro: false,
    })))
}

/// The one `.sln` at the root, by its file name, when a project it lists
/// (`Project("{…}") = "Serilog", "src\Serilog\Serilog.csproj", "{…}"`) is in the tree; the
/// projects themselves are read from their `.csproj` files.
fn solution_name(snapshot: &Snapshot, paths: &BTreeSet<&str>) -> String {
    let mut solutions = snapshot
        .files
        .iter()
        .filter(|f| !f.path.contains('/') && f.path.to_ascii_lowercase().ends_with(".sln"));
    let (Some(sln), None) = (solutions.next(), solutions.next()) else {
        return String::new();
    };
    let lists_ours = sln.text.lines().any(|line| {
        let Some(rest) = line.trim_start().strip_prefix("Project(") else {
            return false;
        };
        rest.split('"')
            .map(|p| p.replace('\\', "/"))
            .any(|p| p.ends_with("proj") && paths.contains(p.as_str()))
    });
    match lists_ours {
        true => shown(&sln.path[..sln.path.len() - 4]),
        false => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::SourceFile;

    #[test]
    fn a_root_solution_names_the_product_when_it_lists_a_project_of_the_tree() {
        let sln = "Microsoft Visual Studio Solution File, Format Version 12.00\nProject(\"{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}\") = \"Kv\", \"src\\Kv\\Kv.csproj\", \"{1}\"\nEndProject\n";
        let csproj = "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>";
        let p = read(&snapshot(&[
            ("Acme.Kv.sln", sln),
            ("src/Kv/Kv.csproj", csproj),
        ]));
        assert_eq!(p.solution, "Acme.Kv");
        // A solution whose projects are not in the tree names nothing.
        let p = read(&snapshot(&[("Other.sln", sln), ("lib/Kv.csproj", csproj)]));
        assert_eq!(p.solution, "");
    }

    fn snapshot(files: &[(&str, &str)]) -> Snapshot {
        let mut files: Vec<SourceFile> = files
            .iter()
            .map(|(path, text)| SourceFile {
                path: path.to_string(),
                blob: String::new(),
                language: crate::snapshot::Language::detect(path, text),
                text: text.to_string(),
                lines: text.lines().count(),
                lossy: false,
                redacted: false,
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Snapshot {
            files,
            ..Default::default()
        }
    }

    #[test]
    fn a_cargo_workspace_with_binaries_deep_and_a_proc_macro() {
        let s = snapshot(&[
            ("Cargo.toml", "[package]\nname = \"tool\"\ndescription = \"\"\"A tool\n  that searches.\"\"\"\n[[bin]]\nname = \"tl\"\npath = \"crates/core/main.rs\"\n[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\ndescription = \"shared\"\n"),
            ("crates/core/main.rs", "fn main() {}"),
            ("crates/core/flags/mod.rs", ""),
            ("crates/derive/Cargo.toml", "[package]\nname = \"tool-derive\"\ndescription.workspace = true\n[lib]\nproc-macro = true\n"),
            ("crates/derive/src/lib.rs", ""),
            ("crates/lib/Cargo.toml", "[package]\nname = \"tool-lib\"\n"),
            ("crates/lib/src/lib.rs", ""),
            ("crates/lib/src/bin/extra.rs", ""),
            ("crates/lib/src/bin/other/main.rs", ""),
            ("crates/lib/src/main.rs", ""),
            ("crates/lib/tests/data/Cargo.toml", "[package]\nname = \"fixture\"\n"),
            ("crates/bad/Cargo.toml", "[package\n"),
        ]);
        let p = read(&s);
        let names: Vec<&str> = p.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["tool", "tool-derive", "tool-lib"]);
        assert_eq!(p.unreadable.len(), 1);
        let tool = &p.packages[0];
        assert_eq!(tool.description, "A tool that searches.");
        assert_eq!(p.description(), ("A tool that searches.", "Cargo.toml"));
        assert_eq!(tool.code_root, "crates/core");
        assert_eq!(tool.entries[0].path, "crates/core/main.rs");
        assert_eq!(tool.entries[0].name, "tl");
        let derive = &p.packages[1];
        assert!(derive.proc_macro);
        assert_eq!(derive.description, "shared");
        assert_eq!(derive.module, "tool_derive");
        let lib = &p.packages[2];
        assert_eq!(lib.library.as_deref(), Some("crates/lib/src/lib.rs"));
        let bins: Vec<(&str, &str)> = lib
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.path.as_str()))
            .collect();
        assert_eq!(
            bins,
            [
                ("tool-lib", "crates/lib/src/main.rs"),
                ("extra", "crates/lib/src/bin/extra.rs"),
                ("other", "crates/lib/src/bin/other/main.rs")
            ]
        );
        assert_eq!(p.owner("crates/lib/src/x.rs").unwrap().name, "tool-lib");
        assert_eq!(p.owner("crates/core/main.rs").unwrap().name, "tool");
        assert_eq!(p.owner("crates/library/x.rs").unwrap().name, "tool");
    }

    #[test]
    fn control_characters_in_names_are_shown_not_obeyed() {
        let s = snapshot(&[
            (
                "package.json",
                r#"{"name": "evil\u202egnp.js", "description": "a\u001b[31mred", "main": "index.js"}"#,
            ),
            ("index.js", ""),
        ]);
        let p = read(&s);
        let pkg = &p.packages[0];
        assert!(!pkg.name.contains('\u{202e}'), "{:?}", pkg.name);
        assert!(!pkg.description.contains('\u{1b}'), "{:?}", pkg.description);
        assert!(pkg.name.starts_with("evil"));
    }

    #[test]
    fn a_virtual_workspace_lends_its_description() {
        let s = snapshot(&[(
            "Cargo.toml",
            "[workspace]\nmembers = []\n[workspace.package]\ndescription = \"Many crates.\"\n",
        )]);
        let p = read(&s);
        assert!(p.packages.is_empty());
        assert_eq!(p.description(), ("Many crates.", "Cargo.toml"));
    }

    #[test]
    fn python_layouts_and_scripts() {
        let s = snapshot(&[
            ("pyproject.toml", "[project]\nname = \"Click-Extra\"\ndescription = \"Composable commands.\"\n[project.scripts]\nclx = \"click_extra.cli:main\"\n"),
            ("src/click_extra/__init__.py", ""),
            ("src/click_extra/cli.py", ""),
            ("src/click_extra/__main__.py", ""),
            ("tests/test_cli.py", ""),
            ("tools/setup.cfg", "[metadata]\nname = helper\ndescription = file: README.md\n[options.entry_points]\nconsole_scripts =\n    helper = helper:run\n"),
            ("tools/helper.py", ""),
            ("legacy/setup.py", "from setuptools import setup\nsetup(name='old-thing', description=\"Old.\")\n"),
            ("legacy/old_thing/__init__.py", ""),
            ("lint/pyproject.toml", "[tool.black]\nline-length = 99\n"),
        ]);
        let p = read(&s);
        let names: Vec<&str> = p.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Click-Extra", "old-thing", "helper"]);
        let ce = &p.packages[0];
        assert_eq!(ce.code_root, "src/click_extra");
        assert_eq!(ce.module, "click_extra");
        assert_eq!(ce.library.as_deref(), Some("src/click_extra/__init__.py"));
        let entries: Vec<(&str, &str, &str)> = ce
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.path.as_str(), e.kind))
            .collect();
        assert_eq!(
            entries,
            [
                ("clx", "src/click_extra/cli.py", "console script"),
                (
                    "python -m click_extra",
                    "src/click_extra/__main__.py",
                    "command"
                )
            ]
        );
        assert_eq!(p.packages[1].description, "Old.");
        assert_eq!(p.packages[1].code_root, "legacy/old_thing");
        let helper = &p.packages[2];
        assert_eq!(helper.description, "");
        assert_eq!(helper.library.as_deref(), Some("tools/helper.py"));
        assert_eq!(helper.entries[0].path, "tools/helper.py");
    }

    #[test]
    fn npm_packages_find_their_sources() {
        let s = snapshot(&[
            ("package.json", "{\"name\": \"mono\", \"private\": true, \"workspaces\": [\"packages/*\"], \"description\": \"A monorepo.\"}"),
            ("packages/ky/package.json", "{\"name\": \"ky\", \"description\": \"Tiny client\", \"exports\": {\".\": {\"types\": \"./distribution/index.d.ts\", \"default\": \"./distribution/index.js\"}}, \"main\": \"./distribution/index.js\"}"),
            ("packages/ky/source/index.ts", ""),
            ("packages/cli/package.json", "{\"name\": \"@scope/cli\", \"bin\": {\"scli\": \"./bin/run.js\"}, \"main\": \"lib/api.js\"}"),
            ("packages/cli/bin/run.js", ""),
            ("packages/cli/lib/api.js", ""),
            ("packages/cli/node_modules/x/package.json", "{\"name\": \"x\"}"),
            ("packages/bad/package.json", "{"),
        ]);
        let p = read(&s);
        let names: Vec<&str> = p.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["@scope/cli", "ky"]);
        assert_eq!(p.description(), ("A monorepo.", "package.json"));
        assert_eq!(p.unreadable.len(), 1);
        let cli = &p.packages[0];
        assert_eq!(cli.library.as_deref(), Some("packages/cli/lib/api.js"));
        assert_eq!(cli.entries[0].path, "packages/cli/bin/run.js");
        let ky = &p.packages[1];
        assert_eq!(ky.library.as_deref(), Some("packages/ky/source/index.ts"));
        assert_eq!(ky.code_root, "packages/ky/source");
    }
}
