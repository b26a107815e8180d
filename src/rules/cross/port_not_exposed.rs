//! X102: compose publishes a container port the Dockerfile it builds does
//! not EXPOSE.

use std::collections::HashMap;

use crate::compose::Service;
use crate::compose::build::BuiltDockerfile;
use crate::compose::ports::{self, PortRange};
use crate::diagnostic::Diagnostic;
use crate::dockerfile::is_windows_stage;
use crate::dockerfile::parse::{self, Keyword, Stage};
use crate::rules::cross::{Root, build_args, chain, location, root_image, written_path};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// compose publishes a container port its Dockerfile does not EXPOSE
    pub struct PortNotExposed {
        code: X102,
        name: "port-not-exposed",
        severity: Info,
        fix: None,
    }
}

/// One EXPOSEd range and its protocol (lowercase).
struct Exposed {
    range: PortRange,
    protocol: String,
}

impl Rule for PortNotExposed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            check_service(cx, service, out);
        }
    }
}

fn check_service(cx: &ComposeContext, service: Service, out: &mut Vec<Diagnostic>) {
    let Some(built) = cx.built.get(service.name) else {
        return;
    };
    let Some(stages) = chain(built) else { return };
    let root = stages.first().expect("a chain has a stage");
    if is_windows_stage(&built.dockerfile, stages.last().expect("a chain has a stage")) {
        return;
    }
    // A registry base may EXPOSE ports of its own, which the Dockerfile does
    // not show: only bases known to expose nothing are judged.
    match root_image(cx, &service, built, root) {
        Root::Image(image) if cx.standards.exposes_nothing(&image) => {}
        Root::Scratch => {}
        Root::Image(_) | Root::Unknown => return,
    }
    let Some(exposed) = exposed(cx, &service, built, &stages) else {
        return;
    };
    let name = service.name;
    let path = written_path(built);
    let listed = if exposed.is_empty() {
        "it EXPOSEs no port".to_string()
    } else {
        format!(
            "it EXPOSEs {}",
            exposed
                .iter()
                .map(|port| format!("`{}/{}`", port.range, port.protocol))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let last = stages.last().expect("a chain has a stage");
    let after = built.dockerfile.instructions[last.instructions.clone()]
        .last()
        .map(|instruction| location(built, instruction.span))
        .unwrap_or_else(|| path.clone());
    for item in ports::resolved_items(&service, "ports", &cx.interpolation.unresolved) {
        let Some(mapping) = item.mapping else { continue };
        let (Some(target), Some(protocol)) = (mapping.target, mapping.protocol) else {
            continue;
        };
        let covered = target.ports().all(|port| {
            exposed
                .iter()
                .any(|open| open.protocol == protocol && open.range.ports().any(|exposed| exposed == port))
        });
        if covered {
            continue;
        }
        let expose = if protocol == "tcp" {
            format!("EXPOSE {target}")
        } else {
            format!("EXPOSE {target}/{protocol}")
        };
        out.push(
            Diagnostic::new(
                &META,
                item.node.span,
                format!(
                    "service `{name}` publishes container port `{target}/{protocol}`, which its Dockerfile `{path}` does not EXPOSE ({listed}); the standard is an image that EXPOSEs every port the service serves"
                ),
            )
            .with_label("not EXPOSEd in the Dockerfile")
            .concerning(&built.path)
            .with_help(format!("add `{expose}` to the built stage of `{path}` (it ends at {after})")),
        );
    }
}

/// The ports the image EXPOSEs (EXPOSE is inherited along the chain);
/// `None` when an EXPOSE uses a variable with no known value.
fn exposed(cx: &ComposeContext, service: &Service, built: &BuiltDockerfile, stages: &[&Stage]) -> Option<Vec<Exposed>> {
    let dockerfile = &built.dockerfile;
    let args: HashMap<&str, Option<&str>> = build_args(cx, service)
        .into_iter()
        .map(|arg| (arg.name, arg.value))
        .collect();
    let globals: HashMap<String, Option<String>> = dockerfile
        .global_args()
        .iter()
        .map(|global| {
            let value = match args.get(global.name.as_str()) {
                Some(passed) => passed.map(str::to_string),
                None => global.value.clone(),
            };
            (global.name.clone(), value)
        })
        .collect();
    let mut out = Vec::new();
    // ENV is image config, inherited by a stage built on another; ARG is not.
    let mut env: HashMap<String, Option<String>> = HashMap::new();
    for stage in stages {
        let mut scope = env.clone();
        for instruction in &dockerfile.instructions[stage.instructions.clone()] {
            let expand = |text: &str, scope: &HashMap<String, Option<String>>| {
                let result =
                    parse::substitute_with_escape(text, dockerfile.escape, |name| scope.get(name).cloned().flatten());
                result.missing.is_empty().then_some(result.text)
            };
            match instruction.keyword {
                Keyword::Arg => {
                    for pair in &instruction.key_values {
                        let name = pair.key.text.clone();
                        let value = match args.get(name.as_str()) {
                            Some(passed) => passed.map(str::to_string),
                            None => match &pair.value {
                                Some(default) => expand(&default.text, &scope),
                                None => globals.get(&name).cloned().flatten(),
                            },
                        };
                        scope.insert(name, value);
                    }
                }
                Keyword::Env => {
                    for pair in &instruction.key_values {
                        let value = pair.value.as_ref().and_then(|value| expand(&value.text, &scope));
                        env.insert(pair.key.text.clone(), value.clone());
                        scope.insert(pair.key.text.clone(), value);
                    }
                }
                Keyword::Expose => {
                    for word in instruction.args_text().split_whitespace() {
                        let word = expand(word, &scope)?;
                        let (port, protocol) = word.split_once('/').unwrap_or((&word, "tcp"));
                        let range = PortRange::parse(port)?;
                        out.push(Exposed {
                            range,
                            protocol: protocol.to_ascii_lowercase(),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    Some(out)
}
