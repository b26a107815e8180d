//! The one finding type every stage produces and every report consumes.

use serde::Serialize;
use std::path::PathBuf;

use crate::source::Span;

/// How serious a finding is; ordered so that `Error > Warning > Info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!("unknown severity `{other}`: expected error, warning or info")),
        }
    }
}

/// What `--fix` can do for a rule's findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixKind {
    None,
    Safe,
    Unsafe,
}

impl FixKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::None => "none",
            FixKind::Safe => "safe",
            FixKind::Unsafe => "unsafe",
        }
    }
}

/// The public identity of a rule: code and name never change once shipped.
/// Declared once per rule, with `crate::rules::declare_rule!`.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub fix: FixKind,
    pub summary: &'static str,
    /// A new rule, run only with `--preview` (or `preview = true`) until
    /// the next release, so that upgrading never breaks a gate.
    pub preview: bool,
    /// The rule's page: a header made from the fields above, then its
    /// `rules/<CODE>.md`, embedded.
    pub doc: &'static str,
}

/// Every rule's declaration, as `declare_rule!` registers it (in link
/// order): here, below the rules, so that settings and suppression
/// comments can name rules.
#[linkme::distributed_slice]
pub static RULE_METAS: [&'static RuleMeta];

/// A code's place in the catalog: by family (S, C, D, X, E), then by code.
pub(crate) fn catalog_position(code: &str) -> (usize, &str) {
    let family = "SCDXE".find(&code[..1]).unwrap_or(usize::MAX);
    (family, code)
}

/// Every rule's declaration, in catalog order: syntax and schema (S),
/// compose (C), Dockerfile (D), cross-file (X), live engine (E); by code
/// within each.
pub fn all_metas() -> impl Iterator<Item = &'static RuleMeta> {
    static SORTED: std::sync::LazyLock<Vec<&'static RuleMeta>> = std::sync::LazyLock::new(|| {
        let mut metas = RULE_METAS.to_vec();
        metas.sort_by_key(|meta| catalog_position(meta.code));
        metas
    });
    SORTED.iter().copied()
}

/// The rule with this exact code or kebab name (case-insensitive code).
pub fn find(selector: &str) -> Option<&'static RuleMeta> {
    all_metas().find(|meta| meta.code.eq_ignore_ascii_case(selector) || meta.name == selector)
}

/// Every rule with this code or kebab name. The catalog gives a compose rule
/// and its Dockerfile twin the same name (`root-user` is C401 and D201), so a
/// name can stand for both.
pub fn find_all(selector: &str) -> Vec<&'static RuleMeta> {
    all_metas()
        .filter(|meta| meta.code.eq_ignore_ascii_case(selector) || meta.name == selector)
        .collect()
}

/// The rules a selector names: `ALL`, a code, a name, or a code prefix
/// (`C5`, `D`). `None` when it names no rule at all.
pub fn resolve_selector(selector: &str) -> Option<Vec<&'static RuleMeta>> {
    if selector.eq_ignore_ascii_case("ALL") {
        return Some(all_metas().collect());
    }
    let named = find_all(selector);
    if !named.is_empty() {
        return Some(named);
    }
    let prefix = selector.to_ascii_uppercase();
    let matched: Vec<_> = all_metas().filter(|meta| meta.code.starts_with(&prefix)).collect();
    (!matched.is_empty() && prefix.len() < 4).then_some(matched)
}

/// Whether `--fix` may apply a fix on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the meaning of the file; applied by `--fix`.
    Safe,
    /// May change behaviour; applied only with `--unsafe-fixes`.
    Unsafe,
}

/// Replace the bytes of `span` with `content` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn insert(offset: usize, content: impl Into<String>) -> Self {
        Self {
            span: Span::point(offset),
            content: content.into(),
        }
    }

    pub fn replace(span: Span, content: impl Into<String>) -> Self {
        Self {
            span,
            content: content.into(),
        }
    }

    /// The same edit, made in `file` of a compose project.
    pub fn in_file(mut self, file: crate::source::FileId) -> Self {
        self.span = self.span.in_file(file);
        self
    }

    pub fn delete(span: Span) -> Self {
        Self {
            span,
            content: String::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

/// A secondary place in the same file that explains the finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// What the primary span's label says (defaults to a short form of the message).
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// Source bytes no report may show (a secret's value): snippets print
    /// them as `*`.
    pub masked: Vec<Span>,
    /// The stable part of the message for fingerprints, when the message
    /// holds what changes from run to run (counts, durations, container names).
    pub identity: Option<String>,
    /// Another file the finding is about (the Dockerfile a cross rule
    /// read): `--with-projects` reports the finding when that file is named.
    pub concerns: Option<PathBuf>,
}

impl Diagnostic {
    pub fn new(rule: &'static RuleMeta, span: Span, message: impl Into<String>) -> Self {
        Self {
            rule,
            severity: rule.severity,
            message: message.into(),
            span,
            label: None,
            labels: Vec::new(),
            help: None,
            fix: None,
            masked: Vec::new(),
            identity: None,
            concerns: None,
        }
    }

    pub fn concerning(mut self, path: impl Into<PathBuf>) -> Self {
        self.concerns = Some(path.into());
        self
    }

    pub fn with_identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(identity.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_masked(mut self, span: Span) -> Self {
        self.masked.push(span);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches a fix, as safe or unsafe as the rule declares its fixes.
    pub fn with_fix(mut self, message: impl Into<String>, edits: Vec<Edit>) -> Self {
        debug_assert_ne!(
            self.rule.fix,
            FixKind::None,
            "{} offers a fix but is declared `fix: None`",
            self.rule.code
        );
        // Should a rule declared without fixes offer one, it is never applied unasked.
        let applicability = match self.rule.fix {
            FixKind::Safe => Applicability::Safe,
            FixKind::Unsafe | FixKind::None => Applicability::Unsafe,
        };
        self.fix = Some(Fix {
            applicability,
            message: message.into(),
            edits,
        });
        self
    }

    pub fn code(&self) -> &'static str {
        self.rule.code
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;

    fn fixed(code: &str) -> Applicability {
        let meta = rules::find(code).unwrap();
        let diagnostic = Diagnostic::new(meta, Span::point(0), "m").with_fix("fix", vec![Edit::insert(0, "x")]);
        diagnostic.fix.unwrap().applicability
    }

    #[test]
    fn a_fix_is_as_safe_as_its_rule_declares() {
        assert_eq!(rules::find("C503").unwrap().fix, FixKind::Safe);
        assert_eq!(fixed("C503"), Applicability::Safe);
        assert_eq!(rules::find("C504").unwrap().fix, FixKind::Unsafe);
        assert_eq!(fixed("C504"), Applicability::Unsafe);
    }
}
