//! C701: a `job` service has no `profiles:`, so `docker compose up` starts it.

use crate::compose::LifecycleSource;
use crate::compose::service_facts::{Found, find_key};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::standards::Lifecycle;

declare_rule! {
    /// a `job` service has no `profiles:`
    pub struct JobWithoutProfile {
        code: C701,
        name: "job-without-profile",
        severity: Warning,
        fix: None,
    }
}

impl Rule for JobWithoutProfile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            let source = service.lifecycle(cx.standards);
            if !matches!(
                source,
                LifecycleSource::Name(Lifecycle::Job) | LifecycleSource::Label(Lifecycle::Job, _)
            ) {
                continue;
            }
            // Profiles inherited through an unresolved `extends` are not known.
            if matches!(find_key(service, "profiles"), Found::Unknown) || !service.runs_by_default() {
                continue;
            }
            let why = match source {
                LifecycleSource::Label(..) => "its `vwe.lifecycle` label",
                _ => "its name",
            };
            out.push(
                Diagnostic::new(
                    &META,
                    service.name_span(),
                    format!(
                        "service `{}` is a `job` (by {why}) with no `profiles:`, so `docker compose up` starts it with the long-running services; the standard runs jobs on demand under a profile",
                        service.name
                    ),
                )
                .with_label("job without a profile")
                .with_help(format!("profiles:\n  - {}", service.name)),
            );
        }
    }
}
