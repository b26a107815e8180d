//! C501: a `service` or `infrastructure` has no healthcheck (none in
//! compose, none in the Dockerfile it builds), or turns it off.

use crate::compose::LifecycleSource;
use crate::compose::service_facts::{
    self, ComposeHealthcheck, Found, built_instruction, compose_healthcheck, find_key,
};
use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::Keyword;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::standards::{Lifecycle, Standards};

declare_rule! {
    /// a `service` or `infrastructure` has no healthcheck
    pub struct HealthcheckMissing {
        code: C501,
        name: "healthcheck-missing",
        severity: Warning,
        fix: None,
    }
}

/// The standard healthcheck as YAML, with a test to adapt.
pub fn standard_block(standards: &Standards) -> String {
    let timing = &standards.healthcheck;
    format!(
        "healthcheck:\n  test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000/health\"]\n  interval: {}\n  timeout: {}\n  retries: {}",
        timing.interval, timing.timeout, timing.retries
    )
}

impl Rule for HealthcheckMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let timing = &cx.standards.healthcheck;
        let standard = format!(
            "the standard is a healthcheck with `interval: {}`, `timeout: {}`, `retries: {}`",
            timing.interval, timing.timeout, timing.retries
        );
        for service in file.services() {
            let lifecycle = match service.lifecycle(cx.standards) {
                LifecycleSource::Name(lifecycle) | LifecycleSource::Label(lifecycle, _) => lifecycle,
                LifecycleSource::Unknown { .. } => continue,
            };
            if lifecycle == Lifecycle::Job {
                continue;
            }
            let name = service.name;
            let found = find_key(service, "healthcheck");
            if let Found::Here(node) = found
                && let Some(ComposeHealthcheck::Disabled(off)) = compose_healthcheck(node)
            {
                if off.alias.is_none() {
                    out.push(
                        Diagnostic::new(
                            &META,
                            off.span,
                            format!(
                                "service `{name}` (lifecycle `{}`) turns its healthcheck off; {standard}",
                                lifecycle.as_str()
                            ),
                        )
                        .with_label("healthcheck off")
                        .with_help(standard_block(cx.standards)),
                    );
                }
                continue;
            }
            let built = cx.built.get(name);
            if service_facts::has_healthcheck(service, built) != Some(false) {
                continue;
            }
            let timing_only = matches!(
                found.node().and_then(compose_healthcheck),
                Some(ComposeHealthcheck::TimingOnly(_))
            );
            let what = if timing_only {
                "has a `healthcheck:` without `test:`"
            } else {
                "has no healthcheck"
            };
            let dockerfile_off = built
                .and_then(|built| built_instruction(built, Keyword::Healthcheck))
                .is_some();
            let place = match built {
                Some(_) if dockerfile_off => ", and its Dockerfile turns it off (`HEALTHCHECK NONE`)",
                Some(_) => ", and its Dockerfile has no `HEALTHCHECK`",
                None => "",
            };
            out.push(
                Diagnostic::new(
                    &META,
                    service.name_span(),
                    format!(
                        "service `{name}` (lifecycle `{}`) {what}{place}; {standard}",
                        lifecycle.as_str()
                    ),
                )
                .with_label("no healthcheck")
                .with_help(standard_block(cx.standards)),
            );
        }
    }
}
