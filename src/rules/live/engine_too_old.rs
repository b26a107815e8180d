//! E002: the engine's API is older than a feature the file uses needs.

use crate::compose::Service;
use crate::compose::yaml::Node;
use crate::diagnostic::Diagnostic;
use crate::rules::live::LiveContext;
use crate::rules::{Rule, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// the engine's API is older than a feature in the files needs
    pub struct EngineTooOld {
        code: E002,
        name: "engine-too-old",
        severity: Warning,
        fix: None,
    }
}

/// A feature the file uses, where, and the API version that brought it.
struct Needed {
    feature: &'static str,
    api: (u32, u32),
    span: Span,
}

impl Rule for EngineTooOld {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        let Some(snapshot) = cx.snapshot() else { return };
        let Some(engine) = snapshot.api() else { return };
        for service in cx.file.services() {
            for needed in needs(&service) {
                if needed.api <= engine {
                    continue;
                }
                let (major, minor) = needed.api;
                out.push(
                    Diagnostic::new(
                        &META,
                        needed.span,
                        format!(
                            "service `{}` uses {}, which needs Docker API {major}.{minor}; the engine (Docker {}) speaks {}",
                            service.name, needed.feature, snapshot.engine_version, snapshot.api_version
                        ),
                    )
                    .with_label(format!("needs API {major}.{minor}"))
                    .with_help(format!(
                        "upgrade the engine to one with API {major}.{minor} or later, or do without {}",
                        needed.feature
                    )),
                );
            }
        }
    }
}

/// The versioned features one service uses.
fn needs(service: &Service) -> Vec<Needed> {
    let mut found = Vec::new();
    let mut need = |feature, api, node: Option<&Node>| {
        if let Some(node) = node {
            found.push(Needed {
                feature,
                api,
                span: node.site(),
            });
        }
    };
    let healthcheck = service.get("healthcheck");
    need(
        "`healthcheck.start_interval`",
        (1, 44),
        healthcheck.and_then(|node| node.get("start_interval")),
    );
    need("`cgroup`", (1, 41), service.get("cgroup"));
    if let Some(networks) = service.get("networks").and_then(Node::as_mapping) {
        for entry in networks.iter() {
            need("a per-network `mac_address`", (1, 44), entry.value.get("mac_address"));
            need("`gw_priority`", (1, 48), entry.value.get("gw_priority"));
        }
    }
    for volume in service.get("volumes").and_then(Node::as_sequence).unwrap_or_default() {
        need(
            "a volume `subpath`",
            (1, 45),
            volume.get("volume").and_then(|options| options.get("subpath")),
        );
        let image_mount = volume.get("type").filter(|kind| kind.as_str() == Some("image"));
        need("an `image` mount", (1, 48), image_mount);
    }
    found
}
