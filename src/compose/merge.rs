//! The Compose merge rules: how an overlay (`docker-compose.override.yml`,
//! `-f docker-compose.prod.yml`), a service it `extends`, or an included
//! project combines with what it amends.
//!
//! Mappings merge key by key; most sequences append; `command`,
//! `entrypoint` and `healthcheck.test` replace; `volumes` stay unique by
//! container path, `secrets` and `configs` by target (the source's default
//! target when none is written), `ports` by host IP,
//! published port, target port and protocol; `environment`,
//! `labels` and the other name=value lists merge by name in either form;
//! `!reset` removes what the base set and `!override` replaces it whole.
//! Every node keeps its span, so each merged value still points at the file
//! and line that set it.

use std::collections::{HashMap, HashSet};

use super::yaml::{Entry, Mapping, Node, Scalar, ScalarStyle, Value};
use super::{ports, volumes};

/// Top-level sections whose entries are named resources merged by name.
const RESOURCE_SECTIONS: [&str; 6] = ["services", "networks", "volumes", "secrets", "configs", "models"];

/// How a service's sequence merges, by its path below the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SequenceRule {
    /// The overlay's list replaces the base's.
    Replace,
    /// Items with the same key replace each other; others are appended.
    Keyed(KeyOf),
    /// Appended, without repeating an equal scalar.
    Append,
}

/// What identifies an item of a keyed list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyOf {
    /// `NAME=value` or `NAME` (environment, labels, args, sysctls).
    Assignment,
    /// `host:ip` or `host=ip` (extra_hosts).
    Host,
    /// The item is the name (depends_on, networks).
    Name,
    /// Host IP, published port, container port and protocol: the whole binding.
    PortBinding,
    /// The path in the container.
    MountTarget,
    /// Where a secret or config is mounted: its `target`, else the default
    /// target of its source in this directory (`/run/secrets/<source>`).
    FileTarget(&'static str),
}

fn sequence_rule(path: &[&str]) -> SequenceRule {
    use KeyOf::*;
    match path {
        ["command" | "entrypoint"] | ["healthcheck", "test"] => SequenceRule::Replace,
        ["environment" | "labels" | "sysctls" | "annotations"]
        | ["build", "args" | "labels"]
        | ["deploy", "labels"] => SequenceRule::Keyed(Assignment),
        ["extra_hosts"] | ["build", "extra_hosts"] => SequenceRule::Keyed(Host),
        ["depends_on" | "networks"] => SequenceRule::Keyed(Name),
        ["ports"] => SequenceRule::Keyed(PortBinding),
        ["volumes"] => SequenceRule::Keyed(MountTarget),
        ["secrets"] => SequenceRule::Keyed(FileTarget("/run/secrets/")),
        ["configs"] => SequenceRule::Keyed(FileTarget("/")),
        _ => SequenceRule::Append,
    }
}

fn tag_is(node: &Node, tag: &str) -> bool {
    node.tag.as_deref() == Some(tag)
}

/// Merges an overlay document into a base document (both compose roots).
pub fn merge_documents(base: &mut Node, overlay: &Node) {
    let (Value::Mapping(base_mapping), Value::Mapping(overlay_mapping)) = (&mut base.value, &overlay.value) else {
        if !overlay.is_null() {
            *base = overlay.clone();
        }
        return;
    };
    for entry in overlay_mapping.iter() {
        let Some(key) = entry.key.as_str() else { continue };
        if RESOURCE_SECTIONS.contains(&key) {
            merge_section(base_mapping, entry, key == "services");
        } else {
            merge_entry(base_mapping, entry, &[key], false);
        }
    }
}

/// Merges one top-level section (`services:`) item by item.
fn merge_section(base: &mut Mapping, section: &Entry, services: bool) {
    if tag_is(&section.value, "!reset") {
        base.entries.retain(|entry| entry.key.as_str() != section.key.as_str());
        return;
    }
    let Some(items) = section.value.as_mapping() else {
        merge_entry(base, section, &[], false);
        return;
    };
    let name = section.key.as_str().unwrap_or_default();
    let position = match base.entries.iter().position(|entry| entry.key.as_str() == Some(name)) {
        Some(position) if base.entries[position].value.as_mapping().is_some() => position,
        Some(position) => {
            base.entries[position] = section.clone();
            return;
        }
        None => {
            base.entries.push(section.clone());
            return;
        }
    };
    let Value::Mapping(target) = &mut base.entries[position].value.value else {
        return;
    };
    // Items found by name in a map, not by a scan per item: a section of
    // many services merges in linear time. Resets are removed at the end,
    // so positions stay valid meanwhile.
    let mut positions: HashMap<&str, usize> = HashMap::with_capacity(target.entries.len());
    for (at, entry) in target.entries.iter().enumerate() {
        if let Some(name) = entry.key.as_str() {
            positions.entry(name).or_insert(at);
        }
    }
    let mut found: Vec<(Option<usize>, &Entry)> = Vec::with_capacity(items.len());
    for item in items.iter() {
        let Some(item_name) = item.key.as_str() else { continue };
        found.push((positions.get(item_name).copied(), item));
    }
    let mut reset = vec![false; target.entries.len()];
    for (position, item) in found {
        let Some(item_name) = item.key.as_str() else { continue };
        match position {
            Some(at) if tag_is(&item.value, "!reset") => reset[at] = true,
            Some(at) if services => merge_service_entry(&mut target.entries[at], item),
            Some(at) => merge_entry_at(target, Some(at), item, &[item_name], false),
            None if tag_is(&item.value, "!reset") => {}
            None => target.entries.push(item.clone()),
        }
    }
    if reset.contains(&true) {
        let mut at = 0;
        target.entries.retain(|_| {
            at += 1;
            !reset.get(at - 1).copied().unwrap_or(false)
        });
    }
}

/// Merges an overlay's service into the base's service of the same name.
fn merge_service_entry(existing: &mut Entry, item: &Entry) {
    if existing.value.as_mapping().is_some() && !tag_is(&item.value, "!override") {
        merge_service(&mut existing.value, &item.value);
    } else {
        *existing = item.clone();
    }
}

/// Merges an overlay's service definition into the base's.
pub fn merge_service(base: &mut Node, overlay: &Node) {
    let Some(overlay_mapping) = overlay.as_mapping() else {
        return;
    };
    let Value::Mapping(base_mapping) = &mut base.value else {
        *base = overlay.clone();
        return;
    };
    for entry in overlay_mapping.iter() {
        let Some(key) = entry.key.as_str() else { continue };
        merge_entry(base_mapping, entry, &[key], true);
    }
}

/// Merges one overlay entry at `path` (below the service when `in_service`)
/// into `base`.
fn merge_entry(base: &mut Mapping, entry: &Entry, path: &[&str], in_service: bool) {
    let key = entry.key.as_str();
    let position = base.entries.iter().position(|existing| existing.key.as_str() == key);
    merge_entry_at(base, position, entry, path, in_service);
}

/// [`merge_entry`], with the position of the base's entry of that key known.
fn merge_entry_at(base: &mut Mapping, position: Option<usize>, entry: &Entry, path: &[&str], in_service: bool) {
    if tag_is(&entry.value, "!reset") {
        if let Some(position) = position {
            base.entries.remove(position);
        }
        return;
    }
    let Some(position) = position else {
        base.entries.push(entry.clone());
        return;
    };
    if tag_is(&entry.value, "!override") {
        base.entries[position] = entry.clone();
        return;
    }
    let merged = merge_value(&base.entries[position].value, &entry.value, path, in_service);
    if merged.span == entry.value.span {
        // Replaced whole (a scalar, `command`, a list against a scalar):
        // nothing of the base's entry is left, so the entry is the
        // overlay's, key and `<<` origin too, and a finding about it points
        // where the overlay set it.
        base.entries[position] = Entry {
            value: merged,
            ..entry.clone()
        };
    } else {
        base.entries[position].value = merged;
    }
}

fn merge_value(base: &Node, overlay: &Node, path: &[&str], in_service: bool) -> Node {
    let rule = if in_service {
        sequence_rule(path)
    } else {
        SequenceRule::Append
    };
    match (&base.value, &overlay.value) {
        (Value::Mapping(base_mapping), Value::Mapping(overlay_mapping)) => {
            let mut merged = base.clone();
            let mut mapping = base_mapping.clone();
            for entry in overlay_mapping.iter() {
                let Some(key) = entry.key.as_str() else { continue };
                let mut deeper = path.to_vec();
                deeper.push(key);
                merge_entry(&mut mapping, entry, &deeper, in_service);
            }
            merged.value = Value::Mapping(mapping);
            merged
        }
        (Value::Sequence(base_items), Value::Sequence(overlay_items)) => match rule {
            SequenceRule::Replace => overlay.clone(),
            SequenceRule::Append => {
                let mut merged = base.clone();
                let mut items = base_items.clone();
                for item in overlay_items {
                    let repeated = item
                        .as_str()
                        .is_some_and(|text| items.iter().any(|old| old.as_str() == Some(text)));
                    if !repeated {
                        items.push(item.clone());
                    }
                }
                merged.value = Value::Sequence(items);
                merged
            }
            SequenceRule::Keyed(key_of) => {
                let mut merged = base.clone();
                let mut items = base_items.clone();
                for item in overlay_items {
                    let key = item_key(item, key_of);
                    match key.and_then(|key| items.iter().position(|old| item_key(old, key_of) == Some(key.clone()))) {
                        Some(position) => items[position] = item.clone(),
                        None => items.push(item.clone()),
                    }
                }
                merged.value = Value::Sequence(items);
                merged
            }
        },
        // A list and a mapping of the same names (`environment`, `depends_on`,
        // `build.args`): both become the mapping form, then merge.
        (Value::Sequence(_), Value::Mapping(_)) | (Value::Mapping(_), Value::Sequence(_)) => {
            match (as_mapping_form(base, rule), as_mapping_form(overlay, rule)) {
                (Some(base), Some(overlay)) => merge_value(&base, &overlay, path, in_service),
                _ => overlay.clone(),
            }
        }
        // `build: .` amended by `build: {dockerfile: …}`.
        (Value::Scalar(_), Value::Mapping(_)) | (Value::Mapping(_), Value::Scalar(_)) if path == ["build"] => {
            match (build_mapping(base), build_mapping(overlay)) {
                (Some(base), Some(overlay)) => merge_value(&base, &overlay, path, in_service),
                _ => overlay.clone(),
            }
        }
        _ => overlay.clone(),
    }
}

/// The key of a list item under a keyed rule.
fn item_key(item: &Node, key_of: KeyOf) -> Option<String> {
    match key_of {
        KeyOf::Assignment => Some(item.as_str()?.split('=').next()?.trim().to_string()),
        KeyOf::Host => {
            let text = item.as_str()?;
            let end = text.find(['=', ':']).unwrap_or(text.len());
            Some(text[..end].trim().to_string())
        }
        KeyOf::Name => Some(item.as_str()?.to_string()),
        KeyOf::PortBinding => {
            let mapping = ports::parse_item(item)?;
            Some(format!(
                "{:?} {:?} {:?} {:?}",
                mapping.host_ip, mapping.published, mapping.target?, mapping.protocol?
            ))
        }
        KeyOf::MountTarget => Some(volumes::parse_item(item)?.target),
        KeyOf::FileTarget(default_dir) => match &item.value {
            Value::Scalar(scalar) => Some(format!("{default_dir}{}", scalar.text)),
            Value::Mapping(_) => match item.get("target").and_then(Node::as_str) {
                Some(target) => Some(target.to_string()),
                None => Some(format!("{default_dir}{}", item.get("source")?.as_str()?)),
            },
            _ => None,
        },
    }
}

/// A list of `NAME=value` items (or names) as a mapping node; the keys and
/// values point at their parts of the item's text.
fn as_mapping_form(node: &Node, rule: SequenceRule) -> Option<Node> {
    let items = match &node.value {
        Value::Mapping(_) => return Some(node.clone()),
        Value::Sequence(items) => items,
        _ => return None,
    };
    let separator = match rule {
        SequenceRule::Keyed(KeyOf::Assignment) => Some('='),
        SequenceRule::Keyed(KeyOf::Host) => Some(':'),
        SequenceRule::Keyed(KeyOf::Name) => None,
        _ => return None,
    };
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(items.len());
    for item in items {
        let scalar = item.as_scalar()?;
        let quote = usize::from(matches!(
            scalar.style,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
        ));
        let text = scalar.text.as_str();
        let (name, value) = match separator.and_then(|separator| text.split_once(separator)) {
            Some((name, value)) => (name, Some(value)),
            None => (text, None),
        };
        let start = item.span.start + quote;
        let key_span = item.span.sub(start, (start + name.len()).min(item.span.end));
        let key = Node {
            span: key_span,
            value: Value::Scalar(Scalar {
                text: name.trim().to_string(),
                style: ScalarStyle::Plain,
                tagged_str: false,
                raw: None,
            }),
            tag: None,
            anchor: None,
            alias: item.alias,
        };
        let value = match value {
            Some(value) => Node {
                span: item.span.sub(
                    (key_span.end + 1).min(item.span.end),
                    item.span.end - quote.min(item.span.len()),
                ),
                value: Value::Scalar(Scalar {
                    text: value.to_string(),
                    style: ScalarStyle::Plain,
                    tagged_str: true,
                    raw: None,
                }),
                tag: None,
                anchor: None,
                alias: item.alias,
            },
            None => Node {
                span: item.span.sub(item.span.end, item.span.end),
                value: Value::Null,
                tag: None,
                anchor: None,
                alias: item.alias,
            },
        };
        if seen.insert(name.trim().to_string()) {
            entries.push(Entry {
                key,
                value,
                merged_from: None,
            });
        }
    }
    let mut mapping = node.clone();
    mapping.value = Value::Mapping(Mapping { entries });
    Some(mapping)
}

/// `build: ./dir` as `build: {context: ./dir}`.
fn build_mapping(node: &Node) -> Option<Node> {
    match &node.value {
        Value::Mapping(_) => Some(node.clone()),
        Value::Scalar(_) => {
            let key = Node {
                span: node.span.sub(node.span.start, node.span.start),
                value: Value::Scalar(Scalar {
                    text: "context".to_string(),
                    style: ScalarStyle::Plain,
                    tagged_str: false,
                    raw: None,
                }),
                tag: None,
                anchor: None,
                alias: node.alias,
            };
            let mut mapping = node.clone();
            mapping.value = Value::Mapping(Mapping {
                entries: vec![Entry {
                    key,
                    value: node.clone(),
                    merged_from: None,
                }],
            });
            Some(mapping)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::yaml::parse_in;
    use crate::source::Span;

    fn merged(base: &str, overlay: &str) -> Node {
        let mut root = parse_in(base, 0).documents.remove(0);
        let overlay = parse_in(overlay, 1).documents.remove(0);
        merge_documents(&mut root, &overlay);
        root
    }

    fn service<'a>(root: &'a Node, name: &str) -> &'a Node {
        root.get("services").unwrap().get(name).unwrap()
    }

    fn texts(node: &Node) -> Vec<&str> {
        node.as_sequence().unwrap().iter().filter_map(Node::as_str).collect()
    }

    #[test]
    fn scalars_replace_and_mappings_merge_keeping_origins() {
        let root = merged(
            "services:\n  api:\n    image: a:1\n    restart: always\n",
            "services:\n  api:\n    image: a:2\n  db:\n    image: d\n",
        );
        let api = service(&root, "api");
        assert_eq!(api.get("image").unwrap().as_str(), Some("a:2"));
        assert_eq!(api.get("image").unwrap().span.file, 1);
        assert_eq!(api.get("restart").unwrap().span.file, 0);
        assert_eq!(service(&root, "db").span.file, 1);
    }

    #[test]
    fn commands_replace_and_ports_are_unique_by_binding() {
        let root = merged(
            "services:\n  api:\n    command: [a, b]\n    ports: ['8000:80', '9000:90']\n    cap_add: [NET_ADMIN]\n",
            "services:\n  api:\n    command: [c]\n    ports: ['8001:80', {target: 90, published: '9000'}]\n    cap_add: [NET_ADMIN, SYS_TIME]\n",
        );
        let api = service(&root, "api");
        assert_eq!(texts(api.get("command").unwrap()), ["c"]);
        // Another published port is another binding; the same binding in the long form replaces.
        let ports = api.get("ports").unwrap().as_sequence().unwrap();
        assert_eq!(ports.len(), 3);
        assert_eq!(ports[1].span.file, 1);
        assert_eq!(texts(api.get("ports").unwrap()), ["8000:80", "8001:80"]);
        assert_eq!(texts(api.get("cap_add").unwrap()), ["NET_ADMIN", "SYS_TIME"]);
    }

    #[test]
    fn secrets_and_configs_are_unique_by_target() {
        let root = merged(
            "services:\n  api:\n    secrets: [db_password, {source: s1, target: t}, {source: api_key, target: /run/a}]\n    configs: [c1, {source: c2, target: /etc/c}]\n",
            "services:\n  api:\n    secrets: [{source: db_password, mode: 0400}, {source: s2, target: t}, {source: api_key, target: /run/b}]\n    configs: [{source: c3, target: /c1}, c2]\n",
        );
        let sources = |key: &str| -> Vec<(String, u32)> {
            let items = service(&root, "api").get(key).unwrap().as_sequence().unwrap();
            items
                .iter()
                .map(|item| {
                    let source = item.get("source").unwrap_or(item).as_str().unwrap().to_string();
                    (source, item.span.file)
                })
                .collect()
        };
        // The default target of `db_password` is `/run/secrets/db_password`;
        // `s2` takes `t` over from `s1`; `api_key` at another target is another mount.
        assert_eq!(
            sources("secrets"),
            [
                ("db_password".into(), 1),
                ("s2".into(), 1),
                ("api_key".into(), 0),
                ("api_key".into(), 1)
            ]
        );
        // A config's default target is `/<source>`.
        assert_eq!(
            sources("configs"),
            [("c3".into(), 1), ("c2".into(), 0), ("c2".into(), 1)]
        );
    }

    #[test]
    fn a_large_overlay_merges_in_linear_time() {
        // 200,000 services each amended by the overlay, some reset: a scan
        // per service compares names 2e10 times, which takes many minutes.
        const SERVICES: usize = 200_000;
        fn node(value: Value) -> Node {
            Node {
                span: Span::default(),
                value,
                tag: None,
                anchor: None,
                alias: None,
            }
        }
        fn scalar(text: &str) -> Node {
            node(Value::Scalar(Scalar {
                text: text.to_string(),
                style: ScalarStyle::Plain,
                tagged_str: false,
                raw: None,
            }))
        }
        fn mapping(entries: Vec<(Node, Node)>) -> Node {
            node(Value::Mapping(Mapping {
                entries: entries
                    .into_iter()
                    .map(|(key, value)| Entry {
                        key,
                        value,
                        merged_from: None,
                    })
                    .collect(),
            }))
        }
        let document = |services: Vec<(Node, Node)>| mapping(vec![(scalar("services"), mapping(services))]);
        let mut base = document(
            (0..SERVICES)
                .map(|at| (scalar(&format!("s{at}")), mapping(vec![(scalar("image"), scalar("a"))])))
                .collect(),
        );
        let mut amended: Vec<(Node, Node)> = (0..SERVICES)
            .map(|at| {
                let value = if at % 1000 == 0 {
                    Node {
                        tag: Some("!reset".to_string()),
                        ..node(Value::Null)
                    }
                } else {
                    mapping(vec![(scalar("restart"), scalar("always"))])
                };
                (scalar(&format!("s{at}")), value)
            })
            .collect();
        amended.push((scalar("added"), mapping(vec![(scalar("image"), scalar("b"))])));
        merge_documents(&mut base, &document(amended));
        let services = base.get("services").unwrap().as_mapping().unwrap();
        assert_eq!(services.len(), SERVICES - SERVICES / 1000 + 1);
        assert!(services.get("s0").is_none());
        let kept = services.get("s1").unwrap();
        assert_eq!(kept.get("image").unwrap().as_str(), Some("a"));
        assert_eq!(kept.get("restart").unwrap().as_str(), Some("always"));
        assert!(services.get("added").is_some());
    }

    #[test]
    fn volumes_are_unique_by_container_path() {
        let root = merged(
            "services:\n  api:\n    volumes: ['./data:/app/data', 'logs:/logs']\n",
            "services:\n  api:\n    volumes: ['data:/app/data']\n",
        );
        assert_eq!(
            texts(service(&root, "api").get("volumes").unwrap()),
            ["data:/app/data", "logs:/logs"]
        );
    }

    #[test]
    fn environment_merges_by_name_across_forms() {
        let root = merged(
            "services:\n  api:\n    environment: [A=1, B=2]\n",
            "services:\n  api:\n    environment:\n      B: '3'\n      C: '4'\n",
        );
        let environment = service(&root, "api").get("environment").unwrap();
        let pairs: Vec<(&str, &str)> = environment
            .as_mapping()
            .unwrap()
            .iter()
            .map(|entry| (entry.key.as_str().unwrap(), entry.value.as_str().unwrap()))
            .collect();
        assert_eq!(pairs, [("A", "1"), ("B", "3"), ("C", "4")]);
        let a = environment.as_mapping().unwrap().get_entry("A").unwrap();
        assert_eq!((a.key.span.start, a.value.span.start), (35, 37));
    }

    #[test]
    fn reset_and_override_tags() {
        let root = merged(
            "services:\n  api:\n    ports: ['80:80']\n    labels: {a: b}\n  old:\n    image: x\n",
            "services:\n  api:\n    ports: !reset []\n    labels: !override {c: d}\n  old: !reset\n",
        );
        let api = service(&root, "api");
        assert!(api.get("ports").is_none());
        let labels = api.get("labels").unwrap().as_mapping().unwrap();
        assert_eq!(labels.len(), 1);
        assert!(labels.get("c").is_some());
        assert!(root.get("services").unwrap().get("old").is_none());
    }

    #[test]
    fn a_replaced_entry_is_the_overlays_key_and_all() {
        let root = merged(
            "x-svc: &svc\n  network_mode: bridge\nservices:\n  api:\n    <<: *svc\n    restart: always\n    environment: [TOKEN=x, A=1]\n    ports: ['80:80']\n",
            "services:\n  api:\n    network_mode: host\n    restart: unless-stopped\n    environment:\n      TOKEN: secret\n    ports: ['81:81']\n",
        );
        let api = service(&root, "api").as_mapping().unwrap();
        for key in ["network_mode", "restart"] {
            let entry = api.get_entry(key).unwrap();
            assert_eq!((entry.key.span.file, entry.value.span.file), (1, 1), "{key}");
            assert_eq!(entry.merged_from, None, "{key}");
        }
        let token = api
            .get("environment")
            .unwrap()
            .as_mapping()
            .unwrap()
            .get_entry("TOKEN")
            .unwrap();
        assert_eq!((token.key.span.file, token.value.span.file), (1, 1));
        // A merged list keeps the base's key: both files wrote part of it.
        assert_eq!(api.get_entry("ports").unwrap().key.span.file, 0);
    }

    #[test]
    fn an_overridden_service_is_the_overlays() {
        let root = merged(
            "services:\n  api:\n    image: a:1\n",
            "services:\n  api: !override\n    image: a:2\n",
        );
        let services = root.get("services").unwrap().as_mapping().unwrap();
        assert_eq!(services.get_entry("api").unwrap().key.span.file, 1);
    }

    #[test]
    fn healthcheck_test_replaces_and_build_string_becomes_a_mapping() {
        let root = merged(
            "services:\n  api:\n    build: ./api\n    healthcheck: {test: [CMD, a], interval: 5s}\n",
            "services:\n  api:\n    build: {target: prod}\n    healthcheck: {test: [CMD, b]}\n",
        );
        let api = service(&root, "api");
        let healthcheck = api.get("healthcheck").unwrap();
        assert_eq!(texts(healthcheck.get("test").unwrap()), ["CMD", "b"]);
        assert_eq!(healthcheck.get("interval").unwrap().as_str(), Some("5s"));
        let build = api.get("build").unwrap();
        assert_eq!(build.get("context").unwrap().as_str(), Some("./api"));
        assert_eq!(build.get("target").unwrap().as_str(), Some("prod"));
    }
}
