//! Compose files: the spanned YAML tree and a typed view over it.

pub mod build;
pub mod edit;
pub mod emit;
pub mod interpolate;
pub mod merge;
pub mod model;
pub mod ports;
pub mod referenced;
pub mod schema;
pub mod service_facts;
pub mod site;
pub mod validity;
pub mod volumes;
pub mod yaml;

use crate::source::Span;
use crate::standards::{Lifecycle, Standards};
use yaml::{Entry, Node, Value};

/// The label that overrides a service's lifecycle.
pub const LIFECYCLE_LABEL: &str = "vwe.lifecycle";

/// A view of a compose document whose root is a mapping.
#[derive(Clone, Copy)]
pub struct ComposeFile<'a> {
    pub root: &'a Node,
}

impl<'a> ComposeFile<'a> {
    pub fn new(root: &'a Node) -> Option<Self> {
        root.as_mapping().map(|_| Self { root })
    }

    /// A top-level entry (`version`, `services`, `volumes`, ...).
    pub fn entry(&self, key: &str) -> Option<&'a Entry> {
        self.root.as_mapping()?.get_entry(key)
    }

    /// The services, in file order; entries whose value is not a mapping are
    /// the schema's business and are skipped here.
    pub fn services(&self) -> impl Iterator<Item = Service<'a>> + 'a {
        let services = self.root.get("services").and_then(Node::as_mapping);
        services
            .into_iter()
            .flat_map(|mapping| mapping.iter())
            .filter_map(|entry| {
                let name = entry.key.as_str()?;
                entry.value.as_mapping()?;
                Some(Service { name, entry })
            })
    }
}

/// One service: its name key and its mapping.
#[derive(Clone, Copy)]
pub struct Service<'a> {
    pub name: &'a str,
    pub entry: &'a Entry,
}

/// A service's lifecycle and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub enum LifecycleSource {
    /// Decided by the service's name (or the default).
    Name(Lifecycle),
    /// Set by the `vwe.lifecycle` label at this span.
    Label(Lifecycle, Span),
    /// The label holds a value that is no lifecycle.
    Unknown { value: String, span: Span },
}

impl LifecycleSource {
    pub fn lifecycle(&self) -> Option<Lifecycle> {
        match self {
            LifecycleSource::Name(lifecycle) | LifecycleSource::Label(lifecycle, _) => Some(*lifecycle),
            LifecycleSource::Unknown { .. } => None,
        }
    }
}

impl<'a> Service<'a> {
    pub fn node(&self) -> &'a Node {
        &self.entry.value
    }

    pub fn name_span(&self) -> Span {
        self.entry.key.span
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.entry.value.get(key)
    }

    pub fn get_entry(&self, key: &str) -> Option<&'a Entry> {
        self.entry.value.as_mapping()?.get_entry(key)
    }

    /// The value and span of a label, from the mapping or the list form of `labels:`.
    pub fn label(&self, name: &str) -> Option<(&'a str, Span)> {
        let labels = self.get("labels")?;
        match &labels.value {
            Value::Mapping(mapping) => {
                let value = mapping.get(name)?;
                Some((value.as_str().unwrap_or(""), value.span))
            }
            Value::Sequence(items) => items.iter().find_map(|item| {
                let text = item.as_str()?;
                let (key, value) = text.split_once('=').unwrap_or((text, ""));
                (key.trim() == name).then_some((value.trim(), item.span))
            }),
            _ => None,
        }
    }

    /// The profiles the service is under; none means it runs by default.
    pub fn profiles(&self) -> Vec<&'a str> {
        self.get("profiles")
            .and_then(Node::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(Node::as_str)
            .collect()
    }

    /// Whether `docker compose up` without `--profile` starts the service.
    pub fn runs_by_default(&self) -> bool {
        self.get("profiles")
            .is_none_or(|profiles| profiles.is_null() || profiles.as_sequence().is_some_and(<[_]>::is_empty))
    }

    pub fn lifecycle(&self, standards: &Standards) -> LifecycleSource {
        match self.label(LIFECYCLE_LABEL) {
            Some((value, span)) => match Lifecycle::parse(value.trim()) {
                Some(lifecycle) => LifecycleSource::Label(lifecycle, span),
                None => LifecycleSource::Unknown {
                    value: value.to_string(),
                    span,
                },
            },
            None => LifecycleSource::Name(standards.lifecycle_by_name(self.name)),
        }
    }
}
