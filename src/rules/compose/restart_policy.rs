//! C503: `restart:` is missing or not the policy of the service's lifecycle.

use crate::compose::edit::insert_entry;
use crate::compose::yaml::{Entry, Node, ScalarStyle};
use crate::compose::{LIFECYCLE_LABEL, LifecycleSource, Service};
use crate::diagnostic::{Diagnostic, Edit};
use crate::rules::context::{Wants, own_entry};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// `restart:` missing or not the lifecycle's policy
    pub struct RestartPolicy {
        code: C503,
        name: "restart-policy",
        severity: Warning,
        fix: Safe,
    }
}

impl Rule for RestartPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        // The policies wanted, in every variant, of each written `restart:`,
        // and of each service mapping that lacks one.
        let wants = Wants::collect(cx, |service| {
            let expected = service
                .lifecycle(cx.standards)
                .lifecycle()
                .map(|lifecycle| cx.standards.restart_policy(lifecycle));
            let site = match service.get("restart") {
                Some(node) => Some(node.span),
                None => (deploy_condition(&service) != expected || expected.is_none()).then(|| service.node().span),
            };
            site.map(|site| (site, expected))
        });
        for service in file.services() {
            if let LifecycleSource::Unknown { value, span } = service.lifecycle(cx.standards) {
                out.push(
                    Diagnostic::new(
                        &META,
                        span,
                        format!(
                            "service `{}` has an unknown lifecycle `{value}` in label `{LIFECYCLE_LABEL}`",
                            service.name
                        ),
                    )
                    .with_label("not a lifecycle")
                    .with_help("use one of `infrastructure`, `service` or `job`"),
                );
                continue;
            }
            // An overlay service keeps the base's `vwe.lifecycle` label.
            let Some(lifecycle) = cx.lifecycle(&service) else {
                continue;
            };
            let expected = cx.standards.restart_policy(lifecycle);
            match service.get("restart") {
                Some(node) => {
                    let Some(actual) = node.as_str() else {
                        continue;
                    };
                    // An unset variable is S004's to report; a set one is judged by its value.
                    if cx.is_unresolved(node) || actual == expected {
                        continue;
                    }
                    let quote = match node.scalar_style() {
                        Some(ScalarStyle::SingleQuoted) => "'",
                        Some(ScalarStyle::DoubleQuoted) => "\"",
                        _ => "",
                    };
                    let mut diagnostic = Diagnostic::new(
                        &META,
                        node.span,
                        format!(
                            "`restart: \"{actual}\"` on service `{}` (lifecycle `{}`): the standard is `{expected}`",
                            service.name,
                            lifecycle.as_str()
                        ),
                    )
                    .with_label(format!("expected `{expected}`"))
                    .with_help(format!("restart: {}", yaml_policy(expected, quote)));
                    let merged = service
                        .get_entry("restart")
                        .is_some_and(|entry| entry.merged_from.is_some());
                    let value = yaml_policy(expected, quote);
                    let edit = if wants.agreed(node.span) && plain_value(node) {
                        // Everything that sees this value wants the same
                        // policy: fix it where it is written.
                        Some(Edit::replace(node.span, value))
                    } else if merged || !wants.agreed(node.span) {
                        // Shared with services or variants that want another
                        // policy: override it in this service's own entry.
                        override_in_own_entry(cx, &service, node.span, &value)
                    } else {
                        // A value written as a variable is fixed where the variable is set, not here.
                        None
                    };
                    if let Some(edit) = edit {
                        diagnostic = diagnostic.with_fix(format!("set `restart: {expected}`"), vec![edit]);
                    }
                    out.push(diagnostic);
                }
                None => {
                    if deploy_condition(&service).is_some_and(|policy| policy == expected) {
                        continue;
                    }
                    let value = yaml_policy(expected, "");
                    let mut diagnostic = Diagnostic::new(
                        &META,
                        service.name_span(),
                        format!(
                            "service `{}` (lifecycle `{}`) sets no `restart:`; the standard is `{expected}`",
                            service.name,
                            lifecycle.as_str()
                        ),
                    )
                    .with_label("no restart policy")
                    .with_help(format!("add `restart: {value}` to the service"));
                    let edit = if wants.agreed(service.node().span) {
                        insert_entry(cx, service.node(), own_image_or_build(&service), "restart", &value)
                    } else {
                        override_in_own_entry(cx, &service, service.node().span, &value)
                    };
                    if let Some(edit) = edit {
                        diagnostic = diagnostic.with_fix(format!("add `restart: {value}`"), vec![edit]);
                    }
                    out.push(diagnostic);
                }
            }
        }
    }
}

/// An edit that adds `restart: value` to the service's entry in the
/// variant's own file, overriding what it shares at `shared`; `None` when
/// that entry is the shared place itself, or already writes `restart`.
fn override_in_own_entry(cx: &ComposeContext, service: &Service, shared: Span, value: &str) -> Option<Edit> {
    let own = own_entry(cx, service.name)?;
    if own.node().span == shared {
        return None;
    }
    insert_entry(cx, own.node(), own_image_or_build(&own), "restart", value)
}

/// Whether `node` is a scalar written as itself, so replacing its text
/// replaces the value: not an alias, not a variable (fixed where it is set),
/// not tagged (`!reset`/`!override` change what the merge does with it).
fn plain_value(node: &Node) -> bool {
    node.alias.is_none() && node.tag.is_none() && node.as_scalar().is_some_and(|scalar| scalar.raw.is_none())
}

/// Where a person adds `restart:`: after the service's own `image:`/`build:`.
fn own_image_or_build<'a>(service: &Service<'a>) -> Option<&'a Entry> {
    ["image", "build"]
        .iter()
        .filter_map(|key| service.get_entry(key))
        .filter(|entry| entry.merged_from.is_none())
        .max_by_key(|entry| entry.key.span.start)
}

/// The policy as YAML text; `no` is always quoted, since YAML 1.1 readers
/// take a bare `no` for `false`.
fn yaml_policy(policy: &str, quote: &str) -> String {
    match (policy, quote) {
        ("no", "") => "\"no\"".to_string(),
        (_, quote) => format!("{quote}{policy}{quote}"),
    }
}

/// The policy a Swarm-style `deploy.restart_policy.condition` amounts to.
fn deploy_condition(service: &Service) -> Option<&'static str> {
    let condition = service
        .get("deploy")?
        .get("restart_policy")?
        .get("condition")?
        .as_str()?;
    match condition {
        "any" => Some("always"),
        "on-failure" => Some("on-failure"),
        "none" => Some("no"),
        _ => None,
    }
}
