//! E101: a service's image is not on the engine. An image of the project's
//! own namespace with no `build:` is an error: no registry has it to pull.

use crate::diagnostic::{Diagnostic, Severity};
use crate::image::{Approval, ImageRef};
use crate::rules::live::LiveContext;
use crate::rules::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a service's image is not present on the engine
    pub struct ImageNotPresent {
        code: E101,
        name: "image-not-present",
        severity: Warning,
        fix: None,
    }
}

impl Rule for ImageNotPresent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        let Some(snapshot) = cx.snapshot() else { return };
        for service in cx.file.services() {
            let Some(node) = service.get("image") else { continue };
            let Some(image) = node.as_str().and_then(ImageRef::parse) else {
                continue;
            };
            if snapshot.image(&image).is_some() {
                continue;
            }
            let written = node.as_str().unwrap_or_default();
            let builds = service.get("build").is_some();
            let custom = cx.standards.approval(&image) == Approval::Custom;
            let mut diagnostic = Diagnostic::new(
                &META,
                node.site(),
                format!(
                    "image `{written}` of service `{}` is not present on the engine",
                    service.name
                ),
            )
            .with_label("not on the engine");
            diagnostic = if builds {
                diagnostic.with_help(format!("`docker compose build {}` builds it", service.name))
            } else if custom {
                diagnostic.severity = Severity::Error;
                diagnostic.with_help(format!(
                    "no registry has `{written}` to pull: build it (`docker build -t {written} …`) or load it (`docker load`), or give the service a `build:`"
                ))
            } else {
                diagnostic.with_help(format!("`docker compose pull {}` fetches it before `up`", service.name))
            };
            out.push(diagnostic);
        }
    }
}
