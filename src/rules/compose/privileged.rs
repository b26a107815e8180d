//! C403: `privileged: true`, a dangerous `cap_add` (graded by the
//! standards: near-root ones are errors, widening ones warnings), or a
//! `security_opt` that turns a confinement off (`unconfined`, `label=disable`).

use crate::compose::yaml::{Node, Resolved};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::standards::CapabilityRisk;

declare_rule! {
    /// `privileged`, a dangerous `cap_add`, or a `security_opt` that turns confinement off
    pub struct Privileged {
        code: C403,
        name: "privileged",
        severity: Error,
        fix: None,
    }
}

const CAP_HELP: &str = "cap_add:\n  - NET_BIND_SERVICE  # only the capabilities the service needs";

impl Rule for Privileged {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            let name = service.name;
            if let Some(node) = service.get("privileged")
                && matches!(node.resolve(), Some(Resolved::Bool(true)))
            {
                out.push(
                    Diagnostic::new(
                        &META,
                        node.site(),
                        format!(
                            "service `{name}` is `privileged: true`: it gets every capability and the host's devices; the standard is an unprivileged container with only the capabilities it needs"
                        ),
                    )
                    .with_label("privileged")
                    .with_help(format!("privileged: false\n{CAP_HELP}")),
                );
            }
            for item in items(service.get("cap_add")) {
                let Some(text) = item.as_str() else { continue };
                let Some(risk) = cx.standards.host_access.capability_risk(text) else {
                    continue;
                };
                let (what, label) = match risk {
                    CapabilityRisk::NearRoot => ("which is as good as root on the host", "near-root capability"),
                    CapabilityRisk::Widening => (
                        "which widens what a compromised service can do to the host and its network",
                        "dangerous capability",
                    ),
                };
                let mut diagnostic = Diagnostic::new(
                    &META,
                    item.site(),
                    format!(
                        "service `{name}` adds the capability `{}`, {what}; the standard adds only the capabilities a service needs",
                        text.trim()
                    ),
                )
                .with_label(label)
                .with_help(CAP_HELP);
                if risk == CapabilityRisk::Widening {
                    diagnostic.severity = Severity::Warning;
                }
                out.push(diagnostic);
            }
            for item in items(service.get("security_opt")) {
                let Some(text) = item.as_str() else { continue };
                let Some((kind, value)) = text.split_once([':', '=']) else {
                    continue;
                };
                // `label=disable` turns SELinux labeling off; the others name a profile.
                let label = match value.trim() {
                    "unconfined" => "unconfined",
                    "disable" if kind.trim() == "label" => "SELinux labels off",
                    _ => continue,
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        item.site(),
                        format!(
                            "service `{name}` turns off its `{}` confinement (`{}`); the standard keeps the default security profiles",
                            kind.trim(),
                            text.trim()
                        ),
                    )
                    .with_label(label)
                    .with_help("security_opt:\n  - no-new-privileges:true"),
                );
            }
        }
    }
}

fn items(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_sequence).unwrap_or_default()
}
