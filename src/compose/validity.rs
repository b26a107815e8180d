//! What Docker Compose refuses beyond its schema: the short syntax of
//! `ports:` and `volumes:` entries and the names a variable leaves empty (in
//! each file, after interpolation), and the consistency of the merged
//! project (`depends_on` cycles, a service without `image` or `build`,
//! `network_mode` beside `networks`, `build.platforms` without `platform`).

use std::collections::{HashMap, HashSet};

use crate::compose::schema::{self, Violation};
use crate::compose::site::depends_on_unresolved;
use crate::compose::yaml::{Node, Value};
use crate::compose::{ComposeFile, Service, ports, volumes};
use crate::source::Span;

/// A value of a file that Compose refuses.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    pub violation: Violation,
    /// The value depends on an unset variable: with it set, the value may
    /// be valid (S004 says so, S003 does not judge it).
    pub unset: bool,
    /// The value judged (the span S004's problems lie in).
    pub node: Span,
    /// What the value is, for S004's message: `port`, `volume`, ….
    pub what: &'static str,
}

const PORT_HELP: &str = "write `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]` (`8080:80`, `127.0.0.1:8080:80/udp`, `9000-9001:9000-9001`), or the long syntax with `target:`";
const VOLUME_HELP: &str = "write `SOURCE:TARGET[:MODE]` or `TARGET` (`./data:/var/lib/data:ro`, `cache:/cache`), or the long syntax with `type:` and `target:`";

/// The values of one file (its first document, interpolated) that Compose
/// refuses and its schema does not catch. `unresolved` holds the values
/// that depend on an unset variable.
pub fn file_invalid(root: &Node, unresolved: &HashSet<Span>) -> Vec<Invalid> {
    let mut out = Vec::new();
    let unset = |node: &Node| depends_on_unresolved(node, unresolved);
    // The schema judges a name that is empty as written; one a variable
    // leaves empty is judged here, for S004 to say why.
    if let Some(name) = root.get("name").filter(|name| is_empty_text(name) && unset(name)) {
        out.push(Invalid {
            violation: violation(name.site(), "the project name is empty".to_string(), "empty name", None),
            unset: true,
            node: name.span,
            what: "project name",
        });
    }
    let Some(file) = ComposeFile::new(root) else {
        return out;
    };
    for service in file.services() {
        // An image a variable leaves empty is no image: without a `build:`
        // (or an `extends` or `provider` that may bring one) Compose has
        // nothing to run. An overlay that adds `build:` is not seen here.
        let builds = ["build", "extends", "provider"]
            .iter()
            .any(|key| service.get(key).is_some());
        if let Some(image) = service
            .get("image")
            .filter(|image| is_empty_text(image) && unset(image))
            && !builds
        {
            out.push(Invalid {
                violation: violation(
                    image.site(),
                    format!("service `{}` has neither `image` nor `build`", service.name),
                    "nothing to run",
                    None,
                ),
                unset: true,
                node: image.span,
                what: "image",
            });
        }
        if let Some(name) = service
            .get("container_name")
            .filter(|name| is_empty_text(name) && unset(name))
        {
            out.push(Invalid {
                violation: violation(
                    name.site(),
                    format!("`services.{}.container_name` is empty", service.name),
                    "empty name",
                    None,
                ),
                unset: true,
                node: name.span,
                what: "container name",
            });
        }
        for (index, item) in short_items(&service, "ports") {
            if let Some(reason) = ports::short_syntax_error(item.as_scalar().map_or("", |s| s.text.as_str())) {
                out.push(Invalid {
                    violation: violation(
                        item.site(),
                        format!(
                            "`services.{}.ports[{index}]` is no port mapping Compose accepts: {reason}",
                            service.name
                        ),
                        "invalid port",
                        Some(PORT_HELP),
                    ),
                    unset: unset(item),
                    node: item.span,
                    what: "port",
                });
            }
        }
        for (index, item) in short_items(&service, "volumes") {
            if let Some(reason) = volumes::short_syntax_error(item.as_scalar().map_or("", |s| s.text.as_str())) {
                out.push(Invalid {
                    violation: violation(
                        item.site(),
                        format!(
                            "`services.{}.volumes[{index}]` is no mount Compose accepts: {reason}",
                            service.name
                        ),
                        "invalid volume",
                        Some(VOLUME_HELP),
                    ),
                    unset: unset(item),
                    node: item.span,
                    what: "volume",
                });
            }
        }
    }
    out
}

/// The short-syntax (scalar) items of a service's list `key`, with their
/// index; an item an overlay `!reset`s is gone before Compose reads it.
fn short_items<'a>(service: &Service<'a>, key: &str) -> impl Iterator<Item = (usize, &'a Node)> {
    service
        .get(key)
        .and_then(Node::as_sequence)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|(_, item)| item.as_scalar().is_some() && item.tag.as_deref() != Some("!reset"))
}

fn is_empty_text(node: &Node) -> bool {
    node.as_scalar().is_some_and(|scalar| scalar.text.is_empty())
}

fn violation(span: Span, message: String, label: &str, help: Option<&str>) -> Violation {
    Violation {
        span,
        message,
        label: label.to_string(),
        help: help.map(str::to_string),
        secondary: None,
    }
}

/// What Compose refuses in the merged model of a project (`root`): it
/// checks the services it would run together, not each file.
pub fn project_invalid(root: &Node) -> Vec<Violation> {
    let Some(file) = ComposeFile::new(root) else {
        return Vec::new();
    };
    let services: Vec<Service> = file.services().collect();
    let mut out = Vec::new();
    for service in &services {
        // A service that still `extends` something unresolved inherits unknown keys (S006 reports why).
        if service.get("extends").is_some() {
            continue;
        }
        // A service with a key the schema does not know (a misspelt
        // `image`) is refused for that, before Compose looks further.
        let misspelt = service.node().as_mapping().is_some_and(|mapping| {
            mapping
                .iter()
                .any(|entry| entry.key.as_str().is_some_and(|key| !schema::is_service_key(key)))
        });
        // A `provider:` service is run by a plugin, not from an image.
        let runs = ["image", "build", "provider"]
            .iter()
            .any(|key| service.get(key).is_some());
        if !misspelt && !runs {
            out.push(violation(
                service.name_span(),
                format!("service `{}` has neither `image` nor `build`", service.name),
                "nothing to run",
                Some("give it an `image:` to run, or a `build:` to build one"),
            ));
        }
        if let (Some(mode), Some(networks)) = (service.get_entry("network_mode"), service.get("networks"))
            && !is_empty_collection(networks)
        {
            out.push(violation(
                mode.key.site(),
                format!("service `{}` sets both `network_mode` and `networks`", service.name),
                "excludes `networks`",
                Some("keep one: `network_mode` puts the container in another network stack, `networks` attaches it to the project's networks"),
            ));
        }
        if let Some(platform) = platform_outside_build(service) {
            out.push(violation(
                platform.site(),
                format!(
                    "service `{}` runs on `{}`, which its `build.platforms` does not list",
                    service.name,
                    platform.as_str().unwrap_or_default()
                ),
                "not built for",
                Some("add the platform to `build.platforms`, or change `platform:`"),
            ));
        }
    }
    out.extend(dependency_cycles(&services));
    out
}

fn is_empty_collection(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Sequence(items) => items.is_empty(),
        Value::Mapping(mapping) => mapping.is_empty(),
        Value::Scalar(_) => false,
    }
}

/// The service's `platform:` when its `build.platforms` lists other
/// platforms only (an empty platform or list is no constraint).
fn platform_outside_build<'a>(service: &Service<'a>) -> Option<&'a Node> {
    let platform = service.get("platform")?;
    let wanted = platform.as_str().filter(|text| !text.is_empty())?;
    let listed = service.get("build")?.get("platforms")?.as_sequence()?;
    let written: Vec<&str> = listed.iter().filter_map(Node::as_str).collect();
    (!written.is_empty() && written.len() == listed.len() && !written.contains(&wanted)).then_some(platform)
}

/// One dependency of a service, where it is written: Compose orders the
/// services by `depends_on`, `links`, `network_mode: service:…` and
/// `volumes_from`, and refuses a cycle among them.
struct Dependency<'a> {
    on: &'a str,
    node: &'a Node,
}

fn dependencies<'a>(service: &Service<'a>) -> Vec<Dependency<'a>> {
    let mut out = Vec::new();
    match service.get("depends_on").map(|node| &node.value) {
        Some(Value::Sequence(items)) => out.extend(items.iter().filter_map(|node| {
            Some(Dependency {
                on: node.as_str()?,
                node,
            })
        })),
        Some(Value::Mapping(mapping)) => out.extend(mapping.iter().filter_map(|entry| {
            Some(Dependency {
                on: entry.key.as_str()?,
                node: &entry.key,
            })
        })),
        _ => {}
    }
    let listed = |key: &str| service.get(key).and_then(Node::as_sequence).unwrap_or_default();
    for node in listed("links") {
        if let Some(text) = node.as_str() {
            out.push(Dependency {
                on: text.split(':').next().unwrap_or(text),
                node,
            });
        }
    }
    for node in listed("volumes_from") {
        if let Some(text) = node.as_str().filter(|text| !text.starts_with("container:")) {
            out.push(Dependency {
                on: text.split(':').next().unwrap_or(text),
                node,
            });
        }
    }
    if let Some(node) = service.get("network_mode")
        && let Some(on) = node.as_str().and_then(|mode| mode.strip_prefix("service:"))
    {
        out.push(Dependency { on, node });
    }
    out
}

/// Every cycle of dependencies, once each, at the dependency that closes
/// it. A depth-first walk in file order, without recursion (a chain of
/// thousands of services must not exhaust the stack).
fn dependency_cycles(services: &[Service]) -> Vec<Violation> {
    let index: HashMap<&str, usize> = services
        .iter()
        .enumerate()
        .map(|(at, service)| (service.name, at))
        .collect();
    let edges: Vec<Vec<(usize, &Node)>> = services
        .iter()
        .map(|service| {
            dependencies(service)
                .into_iter()
                .filter_map(|dependency| Some((*index.get(dependency.on)?, dependency.node)))
                .collect()
        })
        .collect();
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let mut state = vec![State::New; services.len()];
    let mut out = Vec::new();
    for start in 0..services.len() {
        if state[start] != State::New {
            continue;
        }
        // The path from `start`, each service with the next edge to follow.
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = State::OnPath;
        while let Some(&mut (at, ref mut next)) = path.last_mut() {
            let Some(&(to, node)) = edges[at].get(*next) else {
                state[at] = State::Done;
                path.pop();
                continue;
            };
            *next += 1;
            match state[to] {
                State::New => {
                    state[to] = State::OnPath;
                    path.push((to, 0));
                }
                State::OnPath => {
                    let from = path.iter().position(|&(on, _)| on == to).unwrap_or(0);
                    let mut names: Vec<&str> = path[from..].iter().map(|&(on, _)| services[on].name).collect();
                    names.push(services[to].name);
                    out.push(violation(
                        node.site(),
                        format!("the services depend on each other in a cycle: {}", names.join(" → ")),
                        "closes the cycle",
                        Some("Compose starts a service after those it depends on: remove one dependency of the cycle"),
                    ));
                }
                State::Done => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::yaml;

    fn project(text: &str) -> Vec<(String, String)> {
        let parsed = yaml::parse(text);
        project_invalid(&parsed.documents[0])
            .into_iter()
            .map(|v| (text[v.span.start..v.span.end].to_string(), v.message))
            .collect()
    }

    fn file(text: &str) -> Vec<(String, String)> {
        let parsed = yaml::parse(text);
        file_invalid(&parsed.documents[0], &HashSet::new())
            .into_iter()
            .map(|invalid| {
                let span = invalid.violation.span;
                (text[span.start..span.end].to_string(), invalid.violation.message)
            })
            .collect()
    }

    #[test]
    fn dependency_cycles_are_found_once_at_the_closing_edge() {
        let found = project(
            "services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: {c: {condition: service_started}}}\n  c: {image: x, links: [\"a:alias\"]}\n  d: {image: x, depends_on: [d]}\n  e: {image: x, depends_on: [a, zz]}\n",
        );
        assert_eq!(
            found,
            [
                (
                    "\"a:alias\"".into(),
                    "the services depend on each other in a cycle: a → b → c → a".into()
                ),
                ("d".into(), "the services depend on each other in a cycle: d → d".into()),
            ]
        );
        let implicit = project(
            "services:\n  a: {image: x, network_mode: \"service:b\"}\n  b: {image: x, volumes_from: [\"a:ro\", \"container:c\"]}\n",
        );
        assert_eq!(implicit.len(), 1, "{implicit:?}");
    }

    #[test]
    fn a_long_chain_is_walked_without_recursion() {
        let mut text = String::from("services:\n  s0: {image: x, depends_on: [s49999]}\n");
        for at in 1..50_000 {
            text.push_str(&format!("  s{at}: {{image: x, depends_on: [s{}]}}\n", at - 1));
        }
        assert_eq!(project(&text).len(), 1);
    }

    #[test]
    fn services_must_run_something_on_one_network_stack_and_platform() {
        let found = project(
            "services:\n  a: {environment: {A: 1}}\n  b: {image: x, network_mode: host, networks: [default]}\n  c: {image: x, network_mode: host, networks: {}}\n  d: {image: x, platform: linux/amd64, build: {context: ., platforms: [linux/arm64]}}\n  e: {image: x, platform: linux/amd64, build: {context: ., platforms: [linux/arm64, linux/amd64]}}\n  f: {extends: {file: gone.yaml, service: f}}\n  g: {imgae: x}\n  h: {provider: {type: model}}\n",
        );
        assert_eq!(
            found,
            [
                ("a".into(), "service `a` has neither `image` nor `build`".into()),
                (
                    "network_mode".into(),
                    "service `b` sets both `network_mode` and `networks`".into()
                ),
                (
                    "linux/amd64".into(),
                    "service `d` runs on `linux/amd64`, which its `build.platforms` does not list".into()
                ),
            ]
        );
    }

    #[test]
    fn short_ports_and_volumes_compose_refuses() {
        let found = file(
            "services:\n  a:\n    ports: [\"127.0.0.1:3001\", \"80:80/xyz\", \"70000:80\", \"80-81:90-92\", \"80-81:90\", 80, \"[::1]:80:80\", \"1.2.3:80:80\", \"80:0\", \"0:80\"]\n    volumes: [\"::/x\", \":/x\", \"/x:\", \"a::ro\", \"C::/x\", \"::\", \"/a:/b:ro:z\", \"/a:/b:ro\"]\n",
        );
        let places: Vec<&str> = found.iter().map(|(place, _)| place.as_str()).collect();
        assert_eq!(
            places,
            [
                "\"127.0.0.1:3001\"",
                "\"80:80/xyz\"",
                "\"70000:80\"",
                "\"80-81:90-92\"",
                "\"1.2.3:80:80\"",
                "\"80:0\"",
                "\"::/x\"",
                "\":/x\"",
                "\"/x:\"",
                "\"/a:/b:ro:z\"",
            ]
        );
        assert_eq!(
            found[0].1,
            "`services.a.ports[0]` is no port mapping Compose accepts: `127.0.0.1` is not a host port or range (0-65535)"
        );
    }

    #[test]
    fn names_a_variable_leaves_empty_are_marked_unset() {
        let text = "name: ${NAME}\nservices:\n  a: {image: x, container_name: \"${CN}\", ports: [\"${PORT}\"]}\n";
        let mut parsed = yaml::parse(text);
        let vars = crate::compose::interpolate::Environment::default();
        let mut interpolation = crate::compose::interpolate::Interpolation::default();
        crate::compose::interpolate::apply(
            text,
            &mut parsed.documents[0],
            &vars.variables(None),
            &mut interpolation,
        );
        let found = file_invalid(&parsed.documents[0], &interpolation.unresolved);
        let whats: Vec<(&str, bool)> = found.iter().map(|invalid| (invalid.what, invalid.unset)).collect();
        assert_eq!(
            whats,
            [("project name", true), ("container name", true), ("port", true)]
        );
    }
}
