//! Every `rules/<CODE>.md` has a failing example that raises its code and a
//! passing example that does not.

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
}

fn examples(doc: &str) -> Vec<Example> {
    let mut examples = Vec::new();
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
        let mut text = String::new();
        for body in lines.by_ref() {
            if body.starts_with("```") {
                break;
            }
            text.push_str(body);
            text.push('\n');
        }
        examples.push(Example {
            kind,
            fails,
            live,
            name,
            text,
        });
    }
    examples
}

#[test]
fn every_doc_example_behaves_as_documented() {
    let settings = common::default_settings();
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
            let checked = common::lint_text(name, example.kind, &example.text, &settings);
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
