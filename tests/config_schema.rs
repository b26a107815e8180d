//! `schemas/vwe-lint.schema.json` (for editors) and the config loader agree
//! on every key: a config using every key passes both, and an unknown key at
//! any level is refused by both.

mod common;

use serde_json::{Value, json};
use vwe_lint::settings::{Overrides, Settings};

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(common::repo().join("schemas/vwe-lint.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// A config that sets every key: the full default standards and a sample of
/// everything else.
fn full_config() -> Value {
    let standards: toml::Table = toml::from_str(vwe_lint::standards::DEFAULT_STANDARDS).unwrap();
    json!({
        "extend": "base.vwe-lint.toml",
        "preview": true,
        "exclude": ["vendor"],
        "extend-exclude": ["legacy/*"],
        "fail-on": "error",
        "rules": { "select": ["C", "D101"], "ignore": ["image-tag"], "severity": { "C503": "error" } },
        "per-file-ignores": [{ "glob": "legacy/**", "codes": ["C101"] }],
        "compose": {
            "projects": [{ "files": ["deploy/base.yml", "deploy/live.yml"], "production": true }],
            "allow-outside": ["deploy"],
        },
        "standards": serde_json::to_value(standards).unwrap(),
    })
}

fn loads(config: &Value) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    // The loader wants the files of declared projects to exist.
    let projects = config["compose"]["projects"].as_array().into_iter().flatten();
    let files = projects.flat_map(|project| project["files"].as_array().into_iter().flatten());
    for file in files.filter_map(Value::as_str) {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "services: {}\n").unwrap();
    }
    // Nor may the config it extends be missing.
    if let Some(extended) = config["extend"].as_str() {
        std::fs::write(dir.path().join(extended), "").unwrap();
    }
    let toml_value: toml::Value = serde_json::from_value(config.clone()).unwrap();
    std::fs::write(dir.path().join(".vwe-lint.toml"), toml::to_string(&toml_value).unwrap()).unwrap();
    Settings::load(dir.path(), &Overrides::default())
        .map(|_| ())
        .map_err(|error| error.to_string())
}

/// Every object in `value`, by its path.
fn objects(value: &Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Value::Object(map) = value {
        out.push(path.clone());
        for (key, child) in map {
            let mut child_path = path.clone();
            child_path.push(key.clone());
            objects(child, child_path, out);
        }
    }
    if let Value::Array(items) = value {
        for (index, item) in items.iter().enumerate() {
            let mut child_path = path.clone();
            child_path.push(index.to_string());
            objects(item, child_path, out);
        }
    }
}

fn at<'a>(value: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(value, |value, key| match value {
        Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
        other => &mut other[key.as_str()],
    })
}

/// The schema's property names, everywhere in it.
fn schema_properties(value: &Value, out: &mut Vec<String>) {
    if let Value::Object(map) = value {
        if let Some(Value::Object(properties)) = map.get("properties") {
            out.extend(properties.keys().cloned());
        }
        map.values().for_each(|child| schema_properties(child, out));
    }
}

#[test]
fn a_config_with_every_key_passes_both() {
    let config = full_config();
    let errors: Vec<String> = schema().iter_errors(&config).map(|error| error.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    loads(&config).unwrap();
    // And it really uses every key the schema knows.
    let mut properties = Vec::new();
    schema_properties(
        &serde_json::from_str(&std::fs::read_to_string(common::repo().join("schemas/vwe-lint.schema.json")).unwrap())
            .unwrap(),
        &mut properties,
    );
    let text = config.to_string();
    for property in properties {
        assert!(
            text.contains(&format!("\"{property}\"")),
            "the schema's `{property}` is not exercised"
        );
    }
}

#[test]
fn an_unknown_key_anywhere_is_refused_by_both() {
    let config = full_config();
    let mut paths = Vec::new();
    objects(&config, Vec::new(), &mut paths);
    let validator = schema();
    let open_maps = [
        &["standards", "ports"][..],
        &["standards", "resources"],
        &["standards", "tools"],
        &["rules", "severity"],
    ];
    for path in paths {
        if open_maps
            .iter()
            .any(|open| path == open.iter().map(|key| key.to_string()).collect::<Vec<_>>())
        {
            continue;
        }
        let mut broken = config.clone();
        at(&mut broken, &path)["not-a-key"] = json!("x");
        assert!(
            !validator.is_valid(&broken),
            "the schema accepts an unknown key at {path:?}"
        );
        let error = loads(&broken).expect_err(&format!("the loader accepts an unknown key at {path:?}"));
        assert!(error.contains("not-a-key"), "{error}");
    }
}

#[test]
fn wrong_types_are_refused_by_both() {
    let validator = schema();
    for (path, value) in [
        (&["standards", "healthcheck", "retries"][..], json!("three")),
        (&["rules", "select"], json!("C503")),
        (&["fail-on"], json!("fatal")),
        (&["standards", "lifecycles", "default"], json!("sometimes")),
        (&["compose", "projects"], json!({ "files": ["deploy/base.yml"] })),
        (&["compose", "projects", "0", "files"], json!([])),
        (&["compose", "projects", "0", "files"], json!("deploy/base.yml")),
        (&["compose", "projects", "0", "production"], json!("yes")),
    ] {
        let mut broken = full_config();
        let path: Vec<String> = path.iter().map(|key| key.to_string()).collect();
        *at(&mut broken, &path) = value;
        assert!(!validator.is_valid(&broken), "schema: {path:?}");
        assert!(loads(&broken).is_err(), "loader: {path:?}");
    }
}

#[test]
fn a_declared_project_needs_files_and_may_leave_out_production() {
    let validator = schema();
    let mut without_files = full_config();
    without_files["compose"]["projects"][0]
        .as_object_mut()
        .unwrap()
        .remove("files");
    assert!(!validator.is_valid(&without_files), "schema");
    assert!(loads(&without_files).is_err(), "loader");

    let mut without_production = full_config();
    without_production["compose"]["projects"][0]
        .as_object_mut()
        .unwrap()
        .remove("production");
    assert!(validator.is_valid(&without_production), "schema");
    loads(&without_production).unwrap();
}
