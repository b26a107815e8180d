//! Multi-file compose projects (and Dockerfiles) built from a seed: a base
//! with overlays and variants, anchors and merge keys, `extends` within and
//! across files, `include`, every style the writer knows, and values that
//! the fixable rules act on.

use fastrand::Rng;

use super::Case;
use super::yaml::{Collection, Entry, Node, document};

/// Text in a file outside the project: no report may ever quote it.
pub const CANARY: &str = "canary-outside-the-project";

/// Codes that suppression comments name: real ones, typos, unknown ones.
const SUPPRESSED: &[&str] = &[
    "C601", "C503", "C502", "C504", "C506", "C204", "S007", "C403", "C4O3", "C99", "C60l", "D9999", "C602",
];

/// Names of the services; the first few are referred to by others.
const NAMES: &[&str] = &["web", "db", "cache", "worker", "proxy", "api"];

/// A project from `seed`: files under `project/`, and sometimes one
/// outside it that the project tries to read.
pub fn project(rng: &mut Rng) -> Case {
    let style = Style {
        step: if rng.bool() { 2 } else { 4 },
        crlf: rng.u8(..8) == 0,
        bom: rng.u8(..10) == 0,
    };
    let mut case = Case::default();
    let count = rng.usize(1..=NAMES.len());
    let names = &NAMES[..count];
    let shared = rng.u8(..3) == 0;
    let outside = rng.u8(..8) == 0;
    if shared {
        let base = Node::map(vec![Entry::new("base", service(rng, names, false))], false);
        let root = Node::map(vec![Entry::new("services", base)], false);
        case.add("project/common/services.yml", style.finish(document(&root, style.step)));
    }
    if outside {
        let secret = format!("services:\n  base:\n    image: {CANARY}\n    labels: [{CANARY}]\n");
        case.add("outside/secret.yml", secret.into_bytes());
        case.add(
            "outside/secret.env",
            format!("{CANARY}=1\nTOKEN={CANARY}\n").into_bytes(),
        );
    }
    case.add(
        "project/compose.yaml",
        style.finish(base(rng, names, shared, outside, style.step)),
    );
    if rng.bool() {
        case.add(
            "project/compose.override.yaml",
            style.finish(overlay(rng, names, style.step)),
        );
    }
    if rng.u8(..3) == 0 {
        case.add(
            "project/docker-compose.prod.yml",
            style.finish(overlay(rng, names, style.step)),
        );
    }
    if rng.bool() {
        let dockerfile = super::dockerfile::generate(rng);
        case.add("project/app/Dockerfile", style.finish(dockerfile));
        case.add("project/app/app.py", b"print('hi')\n".to_vec());
    }
    case
}

struct Style {
    step: usize,
    crlf: bool,
    bom: bool,
}

impl Style {
    fn finish(&self, text: String) -> Vec<u8> {
        let text = if self.crlf { text.replace('\n', "\r\n") } else { text };
        let bom = if self.bom { "\u{feff}" } else { "" };
        format!("{bom}{text}").into_bytes()
    }
}

fn pick<'a>(items: &[&'a str], rng: &mut Rng) -> &'a str {
    items[rng.usize(..items.len())]
}

/// An entry with, now and then, a comment before it or after it, or a
/// suppression comment.
fn entry(key: &str, value: Node, rng: &mut Rng) -> Entry {
    let mut entry = Entry::new(key, value);
    match rng.u8(..12) {
        0 => entry.before.push(format!("about {key}")),
        1 => entry.trailing = Some(format!("{key} # twice")),
        2 => entry.before.push(suppression(rng)),
        3 => entry.trailing = Some(suppression(rng)),
        _ => {}
    }
    entry
}

fn suppression(rng: &mut Rng) -> String {
    let first = pick(SUPPRESSED, rng);
    let codes = if rng.bool() {
        first.to_string()
    } else {
        format!("{first}, {}", pick(SUPPRESSED, rng))
    };
    match rng.u8(..8) {
        0 => format!("vwe-lint: ignore-file[{codes}]"),
        1 => format!("vwe-lint: ignore[{codes}"),
        _ => format!("vwe-lint: ignore[{codes}] reason"),
    }
}

fn scalar(plain: &str, rng: &mut Rng) -> Node {
    match rng.u8(..4) {
        0 => Node::raw(format!("\"{plain}\"")),
        1 => Node::raw(format!("'{plain}'")),
        _ => Node::raw(plain),
    }
}

fn base(rng: &mut Rng, names: &[&str], shared: bool, outside: bool, step: usize) -> String {
    let mut top = Vec::new();
    if rng.u8(..3) == 0 {
        top.push(entry("version", scalar("3.8", rng), rng));
    }
    if rng.bool() {
        let mut defaults = defaults(rng);
        if let Node::Map(map) = &mut defaults {
            map.anchor = Some("d".into());
        }
        top.push(entry("x-defaults", defaults, rng));
    }
    let mut includes = Vec::new();
    if shared && rng.u8(..3) == 0 {
        includes.push(Node::raw("common/services.yml"));
    }
    if outside {
        includes.push(if rng.bool() {
            Node::raw("../outside/secret.yml")
        } else {
            Node::map(vec![Entry::new("path", Node::raw("../outside/secret.yml"))], rng.bool())
        });
    }
    if !includes.is_empty() {
        top.push(entry("include", Node::seq(includes, rng.bool()), rng));
    }
    let anchored = top.iter().any(|entry| entry.key == "x-defaults");
    let mut services = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let mut body = service(rng, names, anchored);
        if let Node::Map(map) = &mut body {
            if index > 0 && rng.u8(..4) == 0 {
                map.items.push(Entry::new("extends", extends(rng, names[0])));
            } else if shared && rng.u8(..3) == 0 {
                let target = Node::map(
                    vec![
                        Entry::new("file", Node::raw("common/services.yml")),
                        Entry::new("service", Node::raw("base")),
                    ],
                    rng.bool(),
                );
                map.items.push(Entry::new("extends", target));
            } else if outside && rng.bool() {
                map.items
                    .push(Entry::new("env_file", Node::raw("../outside/secret.env")));
            }
        }
        services.push(entry(name, body, rng));
    }
    top.push(entry("services", Node::map(services, false), rng));
    if rng.bool() {
        let volume = Node::map(vec![Entry::new("driver", Node::raw("local"))], rng.bool());
        top.push(entry(
            "volumes",
            Node::map(vec![Entry::new("data", volume)], false),
            rng,
        ));
    }
    document(&Node::map(top, false), step)
}

fn extends(rng: &mut Rng, target: &str) -> Node {
    if rng.bool() {
        Node::raw(target)
    } else {
        Node::map(vec![Entry::new("service", Node::raw(target))], rng.bool())
    }
}

/// The `x-defaults` block services merge with `<<: *d`.
fn defaults(rng: &mut Rng) -> Node {
    let mut items = Vec::new();
    if rng.bool() {
        items.push(entry(
            "restart",
            scalar(pick(&["always", "no", "unless-stopped"], rng), rng),
            rng,
        ));
    }
    if rng.bool() {
        items.push(entry("logging", logging(rng), rng));
    }
    if rng.bool() {
        items.push(entry("healthcheck", healthcheck(rng), rng));
    }
    if items.is_empty() {
        items.push(Entry::new("init", Node::raw("true")));
    }
    Node::map(items, rng.u8(..4) == 0)
}

/// A service with a random selection of keys, many of them incomplete or
/// off-standard so that the fixes have work to do.
fn service(rng: &mut Rng, names: &[&str], anchored: bool) -> Node {
    let mut items = Vec::new();
    if anchored && rng.bool() {
        items.push(Entry::new("<<", Node::raw("*d")));
    }
    let image = pick(
        &[
            "nginx:1.25",
            "redis",
            "postgres:latest",
            "${IMAGE:-nginx}:${TAG:-1.0}",
            "python:3.12-slim",
        ],
        rng,
    );
    if rng.u8(..5) == 0 {
        items.push(entry("build", Node::raw("./app"), rng));
    } else {
        items.push(entry("image", scalar(image, rng), rng));
    }
    if rng.bool() {
        let restart = match rng.u8(..6) {
            0 => Node::raw("!reset null"),
            _ => scalar(pick(&["always", "no", "unless-stopped", "on-failure"], rng), rng),
        };
        items.push(entry("restart", restart, rng));
    }
    if rng.bool() {
        items.push(entry("healthcheck", healthcheck(rng), rng));
    }
    if rng.bool() {
        items.push(entry("logging", logging(rng), rng));
    }
    if rng.bool() {
        items.push(entry("deploy", deploy(rng), rng));
    }
    if names.len() > 1 && rng.bool() {
        let others: Vec<&str> = names.iter().copied().filter(|name| *name != names[0]).collect();
        let other = pick(&others, rng);
        let depends = if rng.bool() {
            Node::seq(vec![Node::raw(other)], rng.bool())
        } else {
            let condition = pick(&["service_started", "service_healthy"], rng);
            let body = Node::map(vec![Entry::new("condition", Node::raw(condition))], rng.bool());
            Node::map(vec![Entry::new(other, body)], rng.bool())
        };
        items.push(entry("depends_on", depends, rng));
    }
    if rng.bool() {
        let port = match rng.u8(..4) {
            0 => Node::raw("8080:80"),
            1 => Node::raw("\"127.0.0.1:5432:5432\""),
            2 => Node::raw("22:22"),
            _ => Node::map(
                vec![
                    Entry::new("target", Node::raw("80")),
                    Entry::new("published", Node::raw("\"8081\"")),
                ],
                rng.bool(),
            ),
        };
        items.push(entry("ports", Node::seq(vec![port], rng.bool()), rng));
    }
    if rng.u8(..3) == 0 {
        items.push(entry(
            "volumes",
            Node::seq(vec![Node::raw("data:/data")], rng.bool()),
            rng,
        ));
    }
    if rng.u8(..3) == 0 {
        items.push(entry("labels", labels(rng), rng));
    }
    if rng.u8(..3) == 0 {
        let environment = Node::map(
            vec![
                Entry::new("LEVEL", scalar("${LEVEL:-info}", rng)),
                Entry::new("URL", Node::raw("\"${A:-${B:-x}}\"")),
            ],
            rng.bool(),
        );
        items.push(entry("environment", environment, rng));
    }
    if rng.u8(..6) == 0 {
        items.push(entry("privileged", Node::raw("true"), rng));
    }
    Node::map(items, rng.u8(..10) == 0)
}

fn labels(rng: &mut Rng) -> Node {
    // Now and then a value full of terminal escapes.
    let value = if rng.u8(..4) == 0 {
        "\"\\e]0;owned\\a\\e[2J\\x9b31m\""
    } else {
        "\"team\""
    };
    if rng.bool() {
        Node::seq(vec![Node::raw(format!("\"vwe.owner={}", &value[1..]))], rng.bool())
    } else {
        Node::map(vec![Entry::new("vwe.owner", Node::raw(value))], rng.bool())
    }
}

fn healthcheck(rng: &mut Rng) -> Node {
    let mut items = vec![entry(
        "test",
        Node::seq(
            vec![
                Node::raw("CMD"),
                Node::raw("curl"),
                Node::raw("-f"),
                Node::raw("http://localhost"),
            ],
            true,
        ),
        rng,
    )];
    for (key, value) in [("interval", "30s"), ("timeout", "10s"), ("retries", "3")] {
        if rng.bool() {
            items.push(entry(key, Node::raw(value), rng));
        }
    }
    Node::map(items, rng.u8(..3) == 0)
}

fn logging(rng: &mut Rng) -> Node {
    let mut items = vec![entry(
        "driver",
        scalar(pick(&["json-file", "local", "syslog"], rng), rng),
        rng,
    )];
    if rng.bool() {
        let mut options = vec![Entry::new("max-size", scalar("10m", rng))];
        if rng.bool() {
            options.push(Entry::new("max-file", Node::raw("\"3\"")));
        }
        items.push(entry("options", Node::map(options, rng.bool()), rng));
    }
    Node::map(items, rng.bool())
}

fn deploy(rng: &mut Rng) -> Node {
    let mut limits = Vec::new();
    if rng.bool() {
        limits.push(Entry::new("memory", Node::raw(pick(&["512M", "1g", "256m"], rng))));
    }
    if rng.bool() {
        limits.push(Entry::new("cpus", Node::raw("\"0.5\"")));
    }
    let resources = Node::map(vec![Entry::new("limits", Node::map(limits, rng.bool()))], rng.bool());
    Node::map(vec![entry("resources", resources, rng)], rng.u8(..4) == 0)
}

/// An overlay or variant: some services again, each with a few keys added,
/// replaced, or reset.
fn overlay(rng: &mut Rng, names: &[&str], step: usize) -> String {
    let mut services = Vec::new();
    for name in names {
        if rng.bool() {
            continue;
        }
        let mut items = Vec::new();
        match rng.u8(..7) {
            0 => items.push(entry("logging", logging(rng), rng)),
            1 => {
                let options = Node::map(vec![Entry::new("max-file", Node::raw("\"5\""))], false);
                let logging = Node::map(vec![Entry::new("options", options)], false);
                items.push(entry("logging", logging, rng));
            }
            2 => items.push(entry("restart", Node::raw("!reset null"), rng)),
            3 => items.push(entry("ports", Node::Tagged("!override", Box::new(ports(rng))), rng)),
            4 => items.push(entry("deploy", deploy(rng), rng)),
            5 => items.push(entry("healthcheck", healthcheck(rng), rng)),
            _ => items.push(entry("labels", labels(rng), rng)),
        }
        if rng.u8(..3) == 0 && items.iter().all(|entry| entry.key != "restart") {
            items.push(entry(
                "restart",
                scalar(pick(&["always", "unless-stopped"], rng), rng),
                rng,
            ));
        }
        services.push(entry(name, Node::map(items, rng.u8(..6) == 0), rng));
    }
    if services.is_empty() {
        let image = Node::map(vec![Entry::new("image", Node::raw("busybox"))], false);
        services.push(Entry::new("extra", image));
    }
    document(
        &Node::map(vec![entry("services", Node::map(services, false), rng)], false),
        step,
    )
}

fn ports(rng: &mut Rng) -> Node {
    Node::Seq(Collection {
        items: vec![Node::raw("\"9090:90\"")],
        flow: rng.bool(),
        anchor: None,
    })
}
