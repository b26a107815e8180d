//! The rule trait, the registry of every implemented rule, and (from
//! `diagnostic`, where settings can reach it) rule lookup by code, kebab
//! name or code prefix.

use crate::diagnostic::Diagnostic;

pub mod catalog;
pub mod compose;
pub mod context;
pub mod cross;
pub mod dockerfile;
pub mod live;
pub mod syntax;

use crate::diagnostic::catalog_position;
pub use crate::diagnostic::{FixKind, RuleMeta, all_metas, find, find_all, resolve_selector};
pub use context::{ComposeContext, DockerfileContext};

/// Declares a rule: its unit struct, its `META` (the one place a rule's code,
/// name, severity, fix and summary are written; the doc page's header is
/// made from them, the body is `rules/<CODE>.md`), and its entry in the
/// registry. The module's `impl Rule` then supplies the checks.
///
/// ```ignore
/// declare_rule! {
///     /// `restart:` missing or not the lifecycle's policy
///     pub struct RestartPolicy {
///         code: C503,
///         name: "restart-policy",
///         severity: Warning,
///         fix: Safe,
///     }
/// }
/// ```
///
/// A new rule adds `preview: true` after `fix:` for its first release.
macro_rules! declare_rule {
    (
        #[doc = $summary:literal]
        $vis:vis struct $rule:ident {
            code: $code:ident,
            name: $name:literal,
            severity: $severity:ident,
            fix: $fix:ident
            $(, preview: $preview:tt)? $(,)?
        }
    ) => {
        #[doc = $summary]
        $vis struct $rule;

        pub static META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            code: stringify!($code),
            name: $name,
            severity: $crate::diagnostic::Severity::$severity,
            fix: $crate::rules::FixKind::$fix,
            summary: $crate::rules::doc_line($summary),
            preview: $crate::rules::declare_rule!(@preview $($preview)?),
            doc: concat!(
                "# ", stringify!($code), " ", $name, "\n\nSeverity: ",
                $crate::rules::declare_rule!(@word $severity), " · Fix: ", $crate::rules::declare_rule!(@word $fix),
                $crate::rules::declare_rule!(@preview_note $($preview)?),
                "\n\n",
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", stringify!($code), ".md")),
            ),
        };

        #[linkme::distributed_slice($crate::rules::REGISTRY)]
        static REGISTERED: &dyn $crate::rules::Rule = &$rule;

        #[linkme::distributed_slice($crate::diagnostic::RULE_METAS)]
        static DECLARED: &$crate::rules::RuleMeta = &META;
    };
    // The lowercase words of severities and fix kinds, for the doc header
    // (as `Severity::as_str` and `FixKind::as_str` spell them).
    (@word Error) => { "error" };
    (@word Warning) => { "warning" };
    (@word Info) => { "info" };
    (@word None) => { "none" };
    (@word Safe) => { "safe" };
    (@word Unsafe) => { "unsafe" };
    (@preview) => { false };
    (@preview $preview:tt) => { $preview };
    (@preview_note) => { "" };
    (@preview_note true) => { " · Preview (runs with `--preview`)" };
    (@preview_note false) => { "" };
}
pub(crate) use declare_rule;

/// A one-line doc comment's text: `/// text` reaches a macro as `" text"`.
pub const fn doc_line(doc: &'static str) -> &'static str {
    match doc.as_bytes() {
        [b' ', rest @ ..] => match std::str::from_utf8(rest) {
            Ok(text) => text,
            Err(_) => panic!("a doc comment is UTF-8"),
        },
        _ => doc,
    }
}

/// What a compose rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Each file as written, alone (syntax, schema, interpolation).
    File,
    /// The merged model of each variant of the project.
    Project,
}

/// A check: pure, it reads a context and appends diagnostics.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Whether the compose check reads each file alone or the merged project.
    fn scope(&self) -> Scope {
        Scope::Project
    }

    fn check_compose(&self, _cx: &ComposeContext, _out: &mut Vec<Diagnostic>) {}

    /// A file-scope rule's check of each variant's merged model, for what
    /// Compose validates on the project rather than on each file.
    fn check_merged(&self, _cx: &ComposeContext, _out: &mut Vec<Diagnostic>) {}

    fn check_dockerfile(&self, _cx: &DockerfileContext, _out: &mut Vec<Diagnostic>) {}

    /// The E rules: the compose file against a snapshot of the engine (`vwe-lint env`).
    fn check_live(&self, _cx: &live::LiveContext, _out: &mut Vec<Diagnostic>) {}
}

/// Every rule, as `declare_rule!` registers it (in link order).
#[linkme::distributed_slice]
pub static REGISTRY: [&'static dyn Rule];

/// Every implemented rule, in catalog order (as [`all_metas`] lists their declarations).
pub static RULES: std::sync::LazyLock<Vec<&'static dyn Rule>> = std::sync::LazyLock::new(|| {
    let mut rules = REGISTRY.to_vec();
    rules.sort_by_key(|rule| catalog_position(rule.meta().code));
    rules
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let metas: Vec<_> = all_metas().collect();
        for (index, meta) in metas.iter().enumerate() {
            for other in &metas[index + 1..] {
                assert_ne!(other.code, meta.code);
                // A name is shared only by a compose rule and its Dockerfile twin.
                if other.name == meta.name {
                    let kinds = (meta.code.as_bytes()[0], other.code.as_bytes()[0]);
                    assert!(
                        matches!(kinds, (b'C', b'D') | (b'D', b'C')),
                        "{} and {} share a name",
                        meta.code,
                        other.code
                    );
                }
            }
            // The page's header is made from the declaration; the body,
            // `rules/<CODE>.md`, starts at its first section.
            let header = format!(
                "# {} {}\n\nSeverity: {} · Fix: {}{}\n\n## ",
                meta.code,
                meta.name,
                meta.severity.as_str(),
                meta.fix.as_str(),
                if meta.preview {
                    " · Preview (runs with `--preview`)"
                } else {
                    ""
                }
            );
            assert!(meta.doc.starts_with(&header), "{} doc header", meta.code);
        }
    }

    #[test]
    fn every_declared_rule_is_registered_once_in_catalog_order() {
        let mut declared = 0;
        for group in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules")).unwrap() {
            let group = group.unwrap().path();
            if !group.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(group).unwrap() {
                let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
                declared += text.matches("\ndeclare_rule! {").count();
            }
        }
        assert_eq!(RULES.len(), declared);
        let positions: Vec<_> = RULES.iter().map(|rule| catalog_position(rule.meta().code)).collect();
        assert!(
            positions.iter().all(|(family, _)| *family < 5),
            "a code of no known family"
        );
        assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{positions:?}");
        assert_eq!(RULES.first().unwrap().meta().code, "S001");
        assert_eq!(RULES.last().unwrap().meta().code, "E404");
    }

    #[test]
    fn the_declarations_are_the_rules_metas_in_the_same_order() {
        let metas: Vec<&RuleMeta> = all_metas().collect();
        assert_eq!(metas.len(), RULES.len());
        for (meta, rule) in metas.iter().zip(RULES.iter()) {
            assert!(
                std::ptr::eq(*meta, rule.meta()),
                "{} against {}",
                meta.code,
                rule.meta().code
            );
        }
    }

    #[test]
    fn doc_line_drops_the_space_after_the_slashes() {
        assert_eq!(doc_line(" `restart:` missing"), "`restart:` missing");
        assert_eq!(doc_line("as written"), "as written");
    }

    #[test]
    fn selectors() {
        assert_eq!(resolve_selector("restart-policy").unwrap()[0].code, "C503");
        assert_eq!(resolve_selector("c503").unwrap()[0].code, "C503");
        assert!(
            resolve_selector("D")
                .unwrap()
                .iter()
                .all(|meta| meta.code.starts_with('D'))
        );
        assert!(resolve_selector("Z9").is_none());
        assert!(resolve_selector("Z999").is_none());
    }
}
