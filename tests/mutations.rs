//! Mutation tests: valid base files are broken one place at a time (a
//! typo'd key, a wrong type, a value outside its set, a broken
//! interpolation, a reference renamed to a name the project does not
//! define), and each broken file must get the expected diagnostic at the
//! line of the mutation, and no other finding of the family's rules anywhere else.

mod common;

use std::collections::BTreeSet;

use vwe_lint::compose::schema::SCHEMA_TEXT;
use vwe_lint::compose::volumes::parse_short;
use vwe_lint::compose::yaml::{self, Node, ScalarStyle, Value};
use vwe_lint::settings::{Overrides, Settings};
use vwe_lint::source::FileKind;

const BASES: &[&str] = &[
    r#"services:
  backend:
    build:
      context: ./backend
      dockerfile: Dockerfile
      target: runtime
    image: vwe/backend:1.0
    container_name: backend
    ports:
      - "8000:8000"
    volumes:
      - data:/app/data
    environment:
      LOG_LEVEL: info
      WORKERS: 4
    depends_on:
      redis:
        condition: service_healthy
    networks:
      - vwe-internal
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
      interval: 30s
      timeout: 10s
      retries: 3
      start_period: 5s
    deploy:
      replicas: 2
      resources:
        limits:
          cpus: "1.0"
          memory: 512M
        reservations:
          memory: 256M
      restart_policy:
        condition: on-failure
        max_attempts: 3
    logging:
      driver: json-file
      options:
        max-size: 10m
        max-file: "3"
    restart: unless-stopped
    user: app
    read_only: true
    init: true
    stop_grace_period: 30s
  redis:
    image: redis:7-alpine
    command: redis-server --appendonly yes
    restart: always
    privileged: false
    volumes:
      - redis_data:/data
    networks:
      - vwe-internal
networks:
  vwe-internal:
    internal: true
    driver: bridge
volumes:
  data:
    driver: local
  redis_data:
    name: redis_data
"#,
    r#"name: forms
services:
  api:
    image: vwe/api:2.1
    pull_policy: missing
    ports:
      - target: 8080
        published: "8080"
        protocol: tcp
        mode: host
    volumes:
      - type: bind
        source: ./config
        target: /config
        read_only: true
      - type: volume
        source: cache
        target: /cache
        volume:
          nocopy: true
    secrets:
      - source: api_token
        target: /run/secrets/api_token
    configs:
      - source: api_config
        target: /etc/api.toml
    extends:
      file: common.yaml
      service: base
    develop:
      watch:
        - path: ./src
          action: sync
          target: /app/src
    post_start:
      - command: echo started
        user: root
    tty: false
    stdin_open: false
    cgroup: private
    scale: 1
secrets:
  api_token:
    file: ./secrets/token.txt
configs:
  api_config:
    file: ./config/api.toml
volumes:
  cache:
    external: true
"#,
    r#"x-common: &common
  restart: on-failure:3
  logging:
    driver: local
services:
  worker:
    <<: *common
    image: vwe/worker:1.0
    command: ["python", "-m", "worker"]
    entrypoint: /entrypoint.sh
    working_dir: /app
    hostname: worker
    labels:
      vwe.lifecycle: service
    env_file:
      - path: ./worker.env
        required: false
    healthcheck:
      test: ["CMD", "true"]
      interval: 1m
      timeout: 5s
      retries: 5
    ulimits:
      nofile:
        soft: 1024
        hard: 2048
  job:
    image: vwe/worldgen-runner:1.0
    profiles:
      - jobs
    restart: "no"
    shm_size: 64m
    mem_limit: 1g
    cpus: 0.5
    oom_score_adj: 100
"#,
];

struct Mutation {
    name: String,
    text: String,
    /// 1-based line the diagnostic must be on.
    line: usize,
    code: &'static str,
    /// A piece of the expected message.
    says: &'static str,
}

/// Every property name the schema defines: a typo must not land on one.
fn known_keys() -> BTreeSet<String> {
    fn collect(value: &serde_json::Value, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(object) => {
                if let Some(serde_json::Value::Object(properties)) = object.get("properties") {
                    out.extend(properties.keys().cloned());
                }
                object.values().for_each(|inner| collect(inner, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|inner| collect(inner, out)),
            _ => {}
        }
    }
    let schema: serde_json::Value = serde_json::from_str(SCHEMA_TEXT).unwrap();
    let mut keys = BTreeSet::new();
    collect(&schema, &mut keys);
    keys
}

/// A line `  key: value` (or `- key: value`) split into indent+prefix, key and the rest.
fn split_key(line: &str) -> Option<(&str, &str, &str)> {
    let body = line.trim_start();
    let body = body.strip_prefix("- ").unwrap_or(body);
    let prefix_len = line.len() - body.len();
    let colon = body.find(':')?;
    let key = &body[..colon];
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    Some((&line[..prefix_len], key, &body[colon..]))
}

fn typos(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut out = vec![
        chars[..chars.len() - 1].iter().collect::<String>(),
        format!("{key}s"),
        format!("{}{key}", chars[0]),
    ];
    if chars.len() > 2 {
        let mut swapped = chars.clone();
        swapped.swap(1, 2);
        out.push(swapped.into_iter().collect());
        let mut replaced = chars.clone();
        replaced[chars.len() / 2] = 'q';
        out.push(replaced.into_iter().collect());
    }
    out.sort();
    out.dedup();
    out
}

/// A bad value for a key the schema types narrowly, with what the message says.
fn bad_value(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "privileged" | "read_only" | "init" | "tty" | "stdin_open" | "internal" | "nocopy" | "required" => {
            ("maybe", "must be a boolean")
        }
        "retries" | "replicas" | "scale" | "max_attempts" | "oom_score_adj" => ("many", "must be an integer"),
        "interval" | "timeout" | "start_period" | "stop_grace_period" => ("soon", "must be a duration"),
        "restart" => ("sometimes", "must be a restart policy"),
        "condition" => ("whenever", "must be one of"),
        "pull_policy" => ("sometimes", "must be a pull policy"),
        "type" => ("folder", "must be one of"),
        "action" => ("reload", "must be one of"),
        "cgroup" => ("shared", "must be one of"),
        "cpus" => ("lots", "must be a number"),
        "mem_limit" | "shm_size" | "memory" => ("huge", "must be a size"),
        "image" | "container_name" | "user" | "hostname" | "working_dir" | "driver" => ("[a, b]", "must be"),
        _ => return None,
    })
}

const BROKEN_INTERPOLATIONS: &[(&str, &str)] = &[
    ("${}", "malformed interpolation"),
    ("x ${A B} y", "malformed interpolation"),
    ("${VWE_MUTATION_UNCLOSED:-x", "malformed interpolation"),
    ("${1VWE_MUTATION}", "malformed interpolation"),
    ("${VWE_MUTATION:x}", "malformed interpolation"),
    ("${VWE_MUTATION_REQUIRED:?must be set}", "required variable"),
    ("$VWE_MUTATION_UNSET", "is not set"),
];

fn mutations() -> Vec<Mutation> {
    let known = known_keys();
    let mut out = Vec::new();
    for (base_index, base) in BASES.iter().enumerate() {
        let lines: Vec<&str> = base.lines().collect();
        let with_line = |index: usize, replacement: String| {
            let mut text: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
            text[index] = replacement;
            text.join("\n") + "\n"
        };
        for (index, line) in lines.iter().enumerate() {
            let Some((prefix, key, rest)) = split_key(line) else {
                continue;
            };
            if !known.contains(key) {
                continue;
            }
            for typo in typos(key).into_iter().filter(|typo| !known.contains(typo)) {
                out.push(Mutation {
                    name: format!("base {base_index} line {}: key `{key}` → `{typo}`", index + 1),
                    text: with_line(index, format!("{prefix}{typo}{rest}")),
                    line: index + 1,
                    code: "S003",
                    says: "unknown key",
                });
            }
            let value = rest[1..].trim();
            let scalar = !value.is_empty() && !value.starts_with(['[', '{', '&', '*', '|', '>']);
            if let (true, Some((bad, says))) = (scalar, bad_value(key)) {
                out.push(Mutation {
                    name: format!("base {base_index} line {}: `{key}: {bad}`", index + 1),
                    text: with_line(index, format!("{prefix}{key}: {bad}")),
                    line: index + 1,
                    code: "S003",
                    says,
                });
            }
            if scalar {
                for (broken, says) in BROKEN_INTERPOLATIONS {
                    out.push(Mutation {
                        name: format!("base {base_index} line {}: `{key}: {broken}`", index + 1),
                        text: with_line(index, format!("{prefix}{key}: {broken}")),
                        line: index + 1,
                        code: "S004",
                        says,
                    });
                }
            }
        }
    }
    out
}

fn settings() -> Settings {
    let empty = tempfile::tempdir().unwrap();
    let overrides = Overrides {
        select: Some(vec!["S003".to_string(), "S004".to_string()]),
        ..Overrides::default()
    };
    Settings::load(empty.path(), &overrides).unwrap()
}

#[test]
fn the_bases_are_valid() {
    let settings = settings();
    for base in BASES {
        let checked = common::lint_text("compose.yaml", FileKind::Compose, base, &settings);
        assert!(checked.diagnostics.is_empty(), "{base}\n{:#?}", common::codes(&checked));
    }
}

#[test]
fn every_mutation_is_reported_at_its_line() {
    let settings = settings();
    let mutations = mutations();
    let mut counts = std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    for mutation in &mutations {
        *counts.entry((mutation.code, mutation.says)).or_insert(0) += 1;
        let checked = common::lint_text("compose.yaml", FileKind::Compose, &mutation.text, &settings);
        let found: Vec<(usize, &str, &str)> = checked
            .diagnostics
            .iter()
            .map(|diagnostic| {
                let line = checked.source.line_col(diagnostic.span.start).line;
                (line, diagnostic.rule.code, diagnostic.message.as_str())
            })
            .collect();
        let hit = found.iter().any(|(line, code, message)| {
            *line == mutation.line && *code == mutation.code && message.contains(mutation.says)
        });
        // A typo'd required key also leaves its mapping without that key.
        let elsewhere = found.iter().any(|(line, _, message)| {
            *line != mutation.line
                && !(mutation.says == "unknown key" && message.contains("is missing the required key"))
        });
        if !hit || elsewhere {
            failures.push(format!(
                "{}: expected {} at line {}, found {found:?}",
                mutation.name, mutation.code, mutation.line
            ));
        }
    }
    println!("{} mutations: {counts:#?}", mutations.len());
    assert!(mutations.len() >= 500, "only {} mutations", mutations.len());
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        mutations.len(),
        failures.join("\n")
    );
}

// --- S006: references renamed to names the project does not define ----------

/// What the renamed name is given, so it cannot be defined anywhere.
const UNDEFINED_SUFFIX: &str = "-s006-undefined";

/// One reference a service makes, by name, at bytes `start..end` of the text.
struct NamedReference {
    start: usize,
    end: usize,
    what: &'static str,
}

/// Whether any node is an alias copy or was merged in with `<<`: a renamed
/// reference is then reported where the service gets it, not where it is written.
fn has_alias_or_merge(node: &Node) -> bool {
    node.alias.is_some()
        || match &node.value {
            Value::Sequence(items) => items.iter().any(has_alias_or_merge),
            Value::Mapping(mapping) => mapping.iter().any(|entry| {
                entry.merged_from.is_some() || has_alias_or_merge(&entry.key) || has_alias_or_merge(&entry.value)
            }),
            _ => false,
        }
}

/// A plain scalar written exactly as its text, without variables (a value
/// that depends on an unset one is S004's, not judged by S006).
fn plain<'t>(text: &'t str, node: &Node) -> Option<&'t str> {
    let scalar = node.as_scalar()?;
    let written = text.get(node.span.start..node.span.end)?;
    (scalar.style == ScalarStyle::Plain && written == scalar.text && !written.contains('$')).then_some(written)
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name != "default"
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// The plain, literally written references of a compose text's services.
fn named_references(text: &str) -> Vec<NamedReference> {
    let parsed = yaml::parse(text);
    let Some(root) = parsed.documents.first() else {
        return Vec::new();
    };
    if !parsed.errors.is_empty() || !parsed.duplicate_keys.is_empty() || has_alias_or_merge(root) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut push = |node: &Node, name_len: Option<usize>, what: &'static str| {
        let Some(written) = plain(text, node) else { return };
        let len = name_len.unwrap_or(written.len());
        if is_name(&written[..len]) {
            out.push(NamedReference {
                start: node.span.start,
                end: node.span.start + len,
                what,
            });
        }
    };
    let services = root.get("services").and_then(Node::as_mapping);
    for service in services.into_iter().flat_map(|services| services.iter()) {
        let lists: &[(&str, &'static str)] = if service.value.get("network_mode").is_some() {
            &[("depends_on", "depends_on")]
        } else {
            &[("depends_on", "depends_on"), ("networks", "networks")]
        };
        for (key, what) in lists {
            match service.value.get(key).map(|node| &node.value) {
                Some(Value::Sequence(items)) => items.iter().for_each(|item| push(item, None, what)),
                Some(Value::Mapping(mapping)) => mapping.iter().for_each(|entry| push(&entry.key, None, what)),
                _ => {}
            }
        }
        for (key, what) in [("secrets", "secrets"), ("configs", "configs"), ("links", "links")] {
            for item in service.value.get(key).and_then(Node::as_sequence).unwrap_or_default() {
                let len = item.as_str().and_then(|text| text.find(':'));
                push(item, len, what);
            }
        }
        for item in service
            .value
            .get("volumes")
            .and_then(Node::as_sequence)
            .unwrap_or_default()
        {
            let named = item
                .as_str()
                .and_then(parse_short)
                .and_then(|mount| Some(mount.volume_name()?.len()));
            if let Some(len) = named {
                push(item, Some(len), "named volume");
            }
        }
    }
    out
}

fn s006_settings() -> Settings {
    let empty = tempfile::tempdir().unwrap();
    let overrides = Overrides {
        select: Some(vec!["S006".to_string()]),
        ..Overrides::default()
    };
    Settings::load(empty.path(), &overrides).unwrap()
}

/// The S006 findings of `text` linted as `path`: (line, message).
fn s006_findings(path: &str, text: &str, settings: &Settings) -> Vec<(usize, String)> {
    let checked = common::lint_text(path, FileKind::Compose, text, settings);
    checked
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.rule.code == "S006")
        .map(|diagnostic| {
            (
                checked.source.line_col(diagnostic.span.start).line,
                diagnostic.message.clone(),
            )
        })
        .collect()
}

/// Compose texts to mutate: the bases, and every compose file of the corpus
/// when it is present, each with the path it is linted as (its directory
/// holds what it includes or extends).
fn reference_sources() -> Vec<(String, String)> {
    let mut sources: Vec<(String, String)> = BASES
        .iter()
        .map(|base| ("compose.yaml".to_string(), base.to_string()))
        .collect();
    if let Some(corpus) = common::corpus() {
        let mut paths = Vec::new();
        common::files(&corpus.join("compose"), &mut paths);
        paths.sort();
        for path in paths {
            let is_yaml = path
                .extension()
                .is_some_and(|extension| extension == "yml" || extension == "yaml");
            if let (true, Ok(text)) = (is_yaml, std::fs::read_to_string(&path)) {
                sources.push((path.to_string_lossy().into_owned(), text));
            }
        }
    }
    sources
}

#[test]
fn every_undefined_reference_is_reported_at_its_line() {
    let settings = s006_settings();
    let mut counts = std::collections::BTreeMap::new();
    let mut total = 0;
    let mut failures = Vec::new();
    for (path, text) in reference_sources() {
        let references = named_references(&text);
        // A file with findings of its own (an overlay alone, a broken
        // include) does not tell the mutation's finding apart.
        if references.is_empty() || !s006_findings(&path, &text, &settings).is_empty() {
            continue;
        }
        for reference in references {
            let name = &text[reference.start..reference.end];
            let undefined = format!("{name}{UNDEFINED_SUFFIX}");
            let mutated = format!("{}{undefined}{}", &text[..reference.start], &text[reference.end..]);
            let line = text[..reference.start].matches('\n').count() + 1;
            total += 1;
            *counts.entry(reference.what).or_insert(0) += 1;
            let found = s006_findings(&path, &mutated, &settings);
            let named = format!("`{undefined}`");
            let hit = found
                .iter()
                .any(|(at, message)| *at == line && message.contains(&named));
            let elsewhere = found.iter().any(|(at, _)| *at != line);
            if !hit || elsewhere {
                failures.push(format!(
                    "{path}: {} `{name}` → `{undefined}` at line {line}, found {found:?}",
                    reference.what
                ));
            }
        }
    }
    println!("{total} undefined-reference mutations: {counts:#?}");
    if common::corpus().is_some() {
        assert!(total >= 100, "only {total} undefined-reference mutations");
    }
    assert!(total > 0, "the bases have references to rename");
    assert!(
        failures.is_empty(),
        "{} of {total} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
