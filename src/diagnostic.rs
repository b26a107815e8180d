//! The one finding type every stage produces and every report consumes.

use serde::Serialize;

use crate::rules::RuleMeta;
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
        }
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

    pub fn with_fix(mut self, applicability: Applicability, message: impl Into<String>, edits: Vec<Edit>) -> Self {
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
