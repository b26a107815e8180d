//! X104: `build.args` passes an ARG the Dockerfile never declares.

use crate::compose::service_facts::has_variable;
use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::Keyword;
use crate::rules::cross::{build_args, written_path};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `build.args` passes an ARG the Dockerfile never declares
    pub struct BuildArgUndeclared {
        code: X104,
        name: "build-arg-undeclared",
        severity: Warning,
        fix: None,
    }
}

/// Args BuildKit knows without a declaration: the proxy variables (in any
/// case), `SOURCE_DATE_EPOCH`, and its own `BUILDKIT_*` settings.
fn predefined(name: &str) -> bool {
    const PROXIES: [&str; 5] = ["HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY"];
    PROXIES.iter().any(|proxy| proxy.eq_ignore_ascii_case(name))
        || name == "SOURCE_DATE_EPOCH"
        || name.starts_with("BUILDKIT_")
}

impl Rule for BuildArgUndeclared {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            let Some(built) = cx.built.get(service.name) else {
                continue;
            };
            let declared: Vec<&str> = built
                .dockerfile
                .instructions
                .iter()
                .filter(|instruction| instruction.keyword == Keyword::Arg)
                .flat_map(|instruction| instruction.key_values.iter().map(|pair| pair.key.text.as_str()))
                .collect();
            let path = written_path(built);
            for arg in build_args(cx, &service) {
                if declared.contains(&arg.name) || predefined(arg.name) || has_variable(arg.name) {
                    continue;
                }
                if arg.name.is_empty() {
                    continue;
                }
                let name = arg.name;
                out.push(
                    Diagnostic::new(
                        &META,
                        arg.name_span,
                        format!(
                            "service `{}` passes build arg `{name}`, but `{path}` never declares `ARG {name}`, so the build ignores it; the standard is a `build.args` entry for every ARG the Dockerfile declares, and no other",
                            service.name
                        ),
                    )
                    .with_label("no such ARG")
                    .concerning(&built.path)
                    .with_help(format!(
                        "declare it in `{path}` where it is used (`ARG {name}` in the stage, or before the first FROM to use it in a FROM), or remove it from `build.args`"
                    )),
                );
            }
        }
    }
}
