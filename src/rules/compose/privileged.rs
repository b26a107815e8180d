//! C403: `privileged: true`, `cap_add` with `ALL` or `SYS_ADMIN`, or a
//! `security_opt` that turns a confinement off (`unconfined`).

use crate::compose::yaml::{Node, Resolved};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `privileged`, `cap_add: [ALL]`/`SYS_ADMIN`, or an unconfined `security_opt`
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
                let capability = text.trim().to_ascii_uppercase();
                let capability = capability.strip_prefix("CAP_").unwrap_or(&capability);
                if capability == "ALL" || capability == "SYS_ADMIN" {
                    out.push(
                        Diagnostic::new(
                            &META,
                            item.site(),
                            format!(
                                "service `{name}` adds the capability `{}`, which is as good as root on the host; the standard adds only the capabilities a service needs",
                                text.trim()
                            ),
                        )
                        .with_label("near-root capability")
                        .with_help(CAP_HELP),
                    );
                }
            }
            for item in items(service.get("security_opt")) {
                let Some(text) = item.as_str() else { continue };
                let Some((kind, value)) = text.split_once([':', '=']) else {
                    continue;
                };
                if value.trim() == "unconfined" {
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
                        .with_label("unconfined")
                        .with_help("security_opt:\n  - no-new-privileges:true"),
                    );
                }
            }
        }
    }
}

fn items(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_sequence).unwrap_or_default()
}
