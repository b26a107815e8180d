//! Every `rules/<CODE>.md` has a failing example that raises its code and a
//! passing example that does not. A block marked only with a file name
//! (```dockerfile file=app/Dockerfile) is a file the example before it needs
//! on disk (the Dockerfile a compose service builds): the example is then
//! linted in a temporary directory holding it.

mod common;

use vwe_lint::rules;
use vwe_lint::source::FileKind;

struct Example {
    kind: FileKind,
    fails: bool,
    /// Marked `live` (```yaml live fail): it needs a Docker engine, so
    /// tests/live.rs runs it instead.
    live: bool,
    /// The file name to lint it as (`yaml fail file=docker-compose.prod.yml`).
    name: Option<String>,
    text: String,
    /// Companion files: (path relative to the example, text).
    files: Vec<(String, String)>,
}

/// The lines of a fenced block, up to its closing fence.
fn body<'a>(lines: &mut impl Iterator<Item = &'a str>) -> String {
    let mut text = String::new();
    for line in lines.by_ref() {
        if line.starts_with("```") {
            break;
        }
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn examples(doc: &str) -> Vec<Example> {
    let mut examples: Vec<Example> = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut words = info.split_whitespace();
        let kind = match words.next() {
            Some("yaml") => FileKind::Compose,
            Some("dockerfile") => FileKind::Dockerfile,
            _ => continue,
        };
        let mut word = words.next();
        if let Some(path) = word.and_then(|word| word.strip_prefix("file=")) {
            let text = body(&mut lines);
            let example = examples.last_mut().expect("a companion file follows an example");
            example.files.push((path.to_string(), text));
            continue;
        }
        let live = word == Some("live");
        if live {
            word = words.next();
        }
        let fails = match word {
            Some("fail") => true,
            Some("pass") => false,
            _ => continue,
        };
        let name = words
            .next()
            .and_then(|word| word.strip_prefix("file="))
            .map(str::to_string);
        let text = body(&mut lines);
        examples.push(Example {
            kind,
            fails,
            live,
            name,
            text,
            files: Vec::new(),
        });
    }
    examples
}

#[test]
fn every_doc_example_behaves_as_documented() {
    let settings = common::settings_with_preview();
    for meta in rules::all_metas() {
        let examples = examples(meta.doc);
        assert!(
            examples.iter().any(|example| example.fails),
            "{} has no failing example",
            meta.code
        );
        assert!(
            examples.iter().any(|example| !example.fails),
            "{} has no passing example",
            meta.code
        );
        for example in examples.into_iter().filter(|example| !example.live) {
            let name = example.name.as_deref().unwrap_or(match example.kind {
                FileKind::Compose => "compose.yaml",
                FileKind::Dockerfile => "Dockerfile",
            });
            let dir = tempfile::tempdir().unwrap();
            let path = if example.files.is_empty() {
                std::path::PathBuf::from(name)
            } else {
                for (file, text) in &example.files {
                    let path = dir.path().join(file);
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(path, text).unwrap();
                }
                dir.path().join(name)
            };
            let checked = common::lint_text(path.to_str().unwrap(), example.kind, &example.text, &settings);
            let raised = common::codes(&checked).contains(&meta.code);
            assert_eq!(
                raised,
                example.fails,
                "{} example ({}):\n{}\nfound: {:?}",
                meta.code,
                if example.fails { "fail" } else { "pass" },
                example.text,
                common::codes(&checked)
            );
        }
    }
}

#[test]
fn every_doc_file_belongs_to_a_rule() {
    for entry in std::fs::read_dir(common::repo().join("rules")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(code) = name.strip_suffix(".md") {
            assert!(
                rules::find(code).is_some(),
                "rules/{name} documents no implemented rule"
            );
        }
    }
}

#[test]
fn docs_rules_md_is_generated_from_the_declarations() {
    let written = std::fs::read_to_string(common::repo().join("docs/rules.md")).unwrap_or_default();
    assert!(
        written == rules::catalog::markdown(),
        "docs/rules.md is stale: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn readme_links_the_catalog_and_copies_none_of_it() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    assert!(readme.contains("(docs/rules.md)"), "the README links docs/rules.md");
    for meta in rules::all_metas() {
        assert!(
            !readme.contains(&format!("| {} |", meta.code)),
            "the README repeats the catalog row of {}",
            meta.code
        );
    }
}

#[test]
fn doc_files_leave_the_header_to_the_declaration() {
    for meta in rules::all_metas() {
        let path = common::repo().join(format!("rules/{}.md", meta.code));
        let body = std::fs::read_to_string(&path).unwrap();
        assert!(
            body.starts_with("## "),
            "rules/{}.md starts with its first section: the title and the severity line come from `declare_rule!`",
            meta.code
        );
    }
}

#[test]
fn rules_json_lists_every_rule_as_declared() {
    let output = common::run(&["rules", "--format", "json"]);
    assert!(output.status.success());
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let declared: Vec<_> = rules::all_metas().collect();
    assert_eq!(listed.len(), declared.len());
    for (entry, meta) in listed.iter().zip(declared) {
        assert_eq!(entry["code"], meta.code);
        assert_eq!(entry["name"], meta.name);
        assert_eq!(entry["severity"], meta.severity.as_str());
        assert_eq!(entry["fix"], meta.fix.as_str());
        assert_eq!(entry["summary"], meta.summary);
    }
}
