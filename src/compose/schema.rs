//! Validation of a compose document against our Compose schema
//! (`schemas/compose-spec.schema.json`), with every violation turned into
//! user terms at the span of the offending key or value.

use std::collections::HashSet;
use std::sync::LazyLock;

use jsonschema::Validator;
use jsonschema::error::{TypeKind, ValidationError, ValidationErrorKind};
use jsonschema::paths::{Location, LocationSegment};
use serde_json::{Map, Number, Value as Json};

use crate::compose::yaml::{Node, Resolved, Value};
use crate::source::Span;

/// The schema as shipped; editors can use the same file.
pub const SCHEMA_TEXT: &str = include_str!("../../schemas/compose-spec.schema.json");

struct Schema {
    document: Json,
    validator: Validator,
}

/// Parsed and compiled once per process, on first use.
static SCHEMA: LazyLock<Schema> = LazyLock::new(|| {
    let document: Json = serde_json::from_str(SCHEMA_TEXT).expect("the embedded schema is JSON");
    let validator = jsonschema::draft7::options()
        .build(&document)
        .expect("the embedded schema compiles");
    Schema { document, validator }
});

/// The top-level keys of a compose file.
const TOP_LEVEL_KEYS: &[&str] = &[
    "version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models",
];

/// Whether the schema knows `key` in a service (or it is an `x-` extension).
pub fn is_service_key(key: &str) -> bool {
    key.starts_with("x-")
        || SCHEMA
            .document
            .pointer("/definitions/service/properties")
            .and_then(Json::as_object)
            .is_some_and(|properties| properties.contains_key(key))
}

/// One schema violation, in user terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub span: Span,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    /// Another place that explains the violation (the first of two equal items).
    pub secondary: Option<(Span, String)>,
}

/// The document as JSON, the way Compose sees it: scalars resolved by the
/// YAML 1.2 core schema, except that interpolated values stay strings
/// (Compose converts them only where the schema types a field). What an
/// overlay tags `!reset` is removed before Compose validates the file.
pub fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Scalar(scalar) if scalar.raw.is_some() => Json::String(scalar.text.clone()),
        Value::Scalar(scalar) => match scalar.resolve() {
            Resolved::Null => Json::Null,
            Resolved::Bool(value) => Json::Bool(value),
            Resolved::Int(value) => Json::Number(value.into()),
            Resolved::Float(value) => {
                Number::from_f64(value).map_or_else(|| Json::String(scalar.text.clone()), Json::Number)
            }
            Resolved::Str(text) => Json::String(text.to_string()),
        },
        Value::Sequence(items) => Json::Array(items.iter().filter(|item| !is_reset(item)).map(to_json).collect()),
        Value::Mapping(mapping) => {
            let mut object = Map::with_capacity(mapping.len());
            for entry in mapping.iter().filter(|entry| !is_reset(&entry.value)) {
                object
                    .entry(key_text(&entry.key))
                    .or_insert_with(|| to_json(&entry.value));
            }
            Json::Object(object)
        }
    }
}

fn is_reset(node: &Node) -> bool {
    node.tag.as_deref() == Some("!reset")
}

/// A mapping key as a JSON property name.
fn key_text(key: &Node) -> String {
    match &key.value {
        Value::Scalar(scalar) => scalar.text.clone(),
        Value::Null => String::new(),
        Value::Sequence(_) | Value::Mapping(_) => to_json(key).to_string(),
    }
}

/// For a file in the old version 1 format (services at the top level, no
/// `services:`), the keys of the service definitions.
pub fn v1_services(root: &Node) -> Vec<Span> {
    let Some(mapping) = root.as_mapping() else {
        return Vec::new();
    };
    if mapping.get("services").is_some() {
        return Vec::new();
    }
    mapping
        .iter()
        .filter(|entry| {
            let key = entry.key.as_str().unwrap_or("");
            !TOP_LEVEL_KEYS.contains(&key)
                && !key.starts_with("x-")
                && entry
                    .value
                    .as_mapping()
                    .is_some_and(|service| ["image", "build"].iter().any(|k| service.get(k).is_some()))
        })
        .map(|entry| entry.key.span)
        .collect()
}

/// Every violation of the schema in the document `root`. Values in
/// `unresolved` (they depend on an unset variable) are not judged.
pub fn validate(root: &Node, unresolved: &HashSet<Span>) -> Vec<Violation> {
    let instance = to_json(root);
    let schema = &*SCHEMA;
    let mut translator = Translator {
        root,
        document: &schema.document,
        unresolved,
        out: Vec::new(),
    };
    for error in schema.validator.iter_errors(&instance) {
        translator.error(&error);
    }
    let mut out = translator.out;
    // A value shared through an anchor or `<<` is reached once per use; it
    // is one mistake in the text, reported once.
    out.sort_by_key(|violation| (violation.span.start, violation.span.end));
    out.dedup_by(|later, first| later.span == first.span);
    out
}

struct Translator<'a> {
    root: &'a Node,
    document: &'a Json,
    unresolved: &'a HashSet<Span>,
    out: Vec<Violation>,
}

/// Where an instance path leads in the YAML tree: the node, and the key of
/// the entry holding it (none for the root and list items).
struct Place<'a> {
    node: &'a Node,
    key: Option<&'a Node>,
    path: String,
}

impl<'a> Translator<'a> {
    fn locate(&self, location: &Location) -> Option<Place<'a>> {
        let mut place = Place {
            node: self.root,
            key: None,
            path: String::new(),
        };
        for segment in location.iter() {
            match segment {
                LocationSegment::Property(name) => {
                    let entry = place
                        .node
                        .as_mapping()?
                        .iter()
                        .find(|entry| !is_reset(&entry.value) && key_text(&entry.key) == name)?;
                    if !place.path.is_empty() {
                        place.path.push('.');
                    }
                    place.path.push_str(&name);
                    place.node = &entry.value;
                    place.key = Some(&entry.key);
                }
                LocationSegment::Index(index) => {
                    place.node = place
                        .node
                        .as_sequence()?
                        .iter()
                        .filter(|item| !is_reset(item))
                        .nth(index)?;
                    place.key = None;
                    place.path.push_str(&format!("[{index}]"));
                }
            }
        }
        Some(place)
    }

    /// Whether `node` or a value inside it depends on an unset variable.
    fn depends_on_unset(&self, node: &Node) -> bool {
        if self.unresolved.is_empty() {
            return false;
        }
        match &node.value {
            Value::Null => false,
            Value::Scalar(_) => self.unresolved.contains(&node.span),
            Value::Sequence(items) => items.iter().any(|item| self.depends_on_unset(item)),
            Value::Mapping(mapping) => mapping.iter().any(|entry| self.depends_on_unset(&entry.value)),
        }
    }

    /// The schema object at a JSON pointer into our schema document.
    fn schema_at(&self, pointer: &str) -> Option<&'a Json> {
        self.document.pointer(pointer)
    }

    /// The nearest `title` at or above the schema keyword at `schema_path`.
    fn title(&self, schema_path: &Location) -> Option<&'a str> {
        let mut pointer = schema_path.as_str();
        loop {
            pointer = &pointer[..pointer.rfind('/')?];
            if let Some(title) = self.schema_at(pointer).and_then(|schema| schema.get("title")?.as_str()) {
                return Some(title);
            }
        }
    }

    fn push(&mut self, span: Span, message: String, label: &str, help: Option<String>) {
        self.out.push(Violation {
            span,
            message,
            label: label.to_string(),
            help,
            secondary: None,
        });
    }

    /// Keys the schema does not know, each with the closest known one.
    fn unknown_keys(&mut self, place: &Place, error: &ValidationError, unexpected: &[String]) {
        let object = self.schema_at(parent(error.schema_path().as_str()));
        let known: Vec<&str> = object
            .and_then(|schema| schema.get("properties")?.as_object())
            .map(|properties| properties.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for name in unexpected {
            let Some(entry) = place
                .node
                .as_mapping()
                .and_then(|mapping| mapping.iter().find(|entry| &key_text(&entry.key) == name))
            else {
                continue;
            };
            let full = if place.path.is_empty() {
                name.clone()
            } else {
                format!("{}.{name}", place.path)
            };
            let (message, help) = match closest(name, &known) {
                Some(best) => (
                    format!("unknown key `{full}`: did you mean \"{best}\"?"),
                    Some(format!("rename it to `{best}`")),
                ),
                None => (
                    format!("unknown key `{full}`"),
                    Some(valid_keys_help(&place.path, &known)),
                ),
            };
            self.push(entry.key.site(), message, "unknown key", help);
        }
    }

    /// The first item a sequence that must hold each value once repeats.
    fn repeated_item(&mut self, place: &Place, path: &str) {
        let Some(items) = place.node.as_sequence() else {
            return;
        };
        let values: Vec<Json> = items.iter().map(to_json).collect();
        // Two values that each lack an unset variable are not known to be equal.
        let known = |index: usize| !self.depends_on_unset(&items[index]);
        let repeated = (1..values.len()).filter(|later| known(*later)).find_map(|later| {
            let first = (0..later).find(|earlier| known(*earlier) && values[*earlier] == values[later])?;
            Some((first, later))
        });
        let Some((first, later)) = repeated else {
            return;
        };
        self.out.push(Violation {
            span: items[later].site(),
            message: format!("{path} lists {} twice", describe(&values[later])),
            label: "repeated".to_string(),
            help: Some("remove one of the two entries".to_string()),
            secondary: Some((items[first].site(), "first listed here".to_string())),
        });
    }

    /// A value no branch of an `anyOf`/`oneOf` accepts.
    fn no_branch_fits(
        &mut self,
        error: &ValidationError,
        context: &[Vec<ValidationError>],
        path: &str,
        value_span: Span,
    ) {
        // A branch whose type fits the value explains the problem
        // best; when none fits, one message says what is expected.
        let here = error.instance_path().as_str();
        let fitting = context.iter().find(|branch| {
            !branch.is_empty()
                && branch
                    .iter()
                    .all(|inner| !(inner.instance_path().as_str() == here && is_type_mismatch(inner)))
        });
        match fitting {
            Some(branch) => {
                for inner in branch {
                    self.error(inner);
                }
            }
            None => {
                let expected = self.title(&child(error.schema_path(), "x")).unwrap_or("another value");
                let found = describe(error.instance());
                self.push(
                    value_span,
                    format!("{path} must be {expected}, found {found}"),
                    "wrong type",
                    None,
                );
            }
        }
    }

    fn error(&mut self, error: &ValidationError) {
        let Some(place) = self.locate(error.instance_path()) else {
            return;
        };
        if self.unresolved.contains(&place.node.span) {
            return;
        }
        let value_span = place.node.site();
        let path = if place.path.is_empty() {
            "the file".to_string()
        } else {
            format!("`{}`", place.path)
        };
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => self.unknown_keys(&place, error, unexpected),
            ValidationErrorKind::PropertyNames { error: inner } => {
                let name = inner.instance().as_str().unwrap_or_default().to_string();
                let Some(entry) = place
                    .node
                    .as_mapping()
                    .and_then(|mapping| mapping.iter().find(|entry| key_text(&entry.key) == name))
                else {
                    return;
                };
                let what = self.title(&child(inner.schema_path(), "x")).unwrap_or("a valid name");
                self.push(
                    entry.key.site(),
                    format!("`{name}` in {path} is not a valid name: use {what}"),
                    "invalid name",
                    None,
                );
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context }
            | ValidationErrorKind::OneOfMultipleValid { context } => {
                self.no_branch_fits(error, context, &path, value_span)
            }
            ValidationErrorKind::Type { kind } => {
                let expected = match self.schema_at(parent(error.schema_path().as_str())) {
                    Some(schema) if schema.get("title").is_some() => {
                        schema["title"].as_str().unwrap_or_default().to_string()
                    }
                    _ => type_names(kind),
                };
                let found = describe(error.instance());
                self.push(
                    value_span,
                    format!("{path} must be {expected}, found {found}"),
                    "wrong type",
                    None,
                );
            }
            ValidationErrorKind::Enum { options } => {
                let allowed: Vec<&str> = options
                    .as_array()
                    .map(|items| items.iter().filter_map(Json::as_str).collect())
                    .unwrap_or_default();
                let list = allowed
                    .iter()
                    .map(|item| format!("`{item}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let found = describe(error.instance());
                let help = error
                    .instance()
                    .as_str()
                    .and_then(|text| closest(text, &allowed))
                    .map(|best| format!("did you mean `{best}`?"));
                self.push(
                    value_span,
                    format!("{path} must be one of {list}, found {found}"),
                    "not an allowed value",
                    help,
                );
            }
            ValidationErrorKind::Pattern { .. } => {
                let expected = self.title(error.schema_path()).unwrap_or("a valid value");
                let found = describe(error.instance());
                self.push(
                    value_span,
                    format!("{path} must be {expected}, found {found}"),
                    "invalid value",
                    None,
                );
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let span = place.key.map_or(value_span, Node::site);
                self.push(
                    span,
                    format!("{path} is missing the required key `{name}`"),
                    "incomplete",
                    Some(format!("add `{name}:`")),
                );
            }
            ValidationErrorKind::UniqueItems => self.repeated_item(&place, &path),
            ValidationErrorKind::Minimum { limit } | ValidationErrorKind::ExclusiveMinimum { limit } => {
                let found = describe(error.instance());
                self.push(
                    value_span,
                    format!("{path} must be at least {limit}, found {found}"),
                    "too small",
                    None,
                );
            }
            ValidationErrorKind::Maximum { limit } | ValidationErrorKind::ExclusiveMaximum { limit } => {
                let found = describe(error.instance());
                self.push(
                    value_span,
                    format!("{path} must be at most {limit}, found {found}"),
                    "too large",
                    None,
                );
            }
            _ => self.push(value_span, format!("{path}: {error}"), "invalid", None),
        }
    }
}

/// Whether an error says the value is of another kind than the branch
/// wants (as opposed to a problem inside a value of the right kind).
fn is_type_mismatch(error: &ValidationError) -> bool {
    match error.kind() {
        ValidationErrorKind::Type { .. } => true,
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context.iter().all(|branch| {
                branch
                    .iter()
                    .any(|inner| inner.instance_path() == error.instance_path() && is_type_mismatch(inner))
            })
        }
        _ => false,
    }
}

fn parent(pointer: &str) -> &str {
    pointer.rfind('/').map_or("", |at| &pointer[..at])
}

/// A pointer one level below `location`, so that [`Translator::title`]
/// starts its search at `location` itself.
fn child(location: &Location, segment: &str) -> Location {
    location.join(segment)
}

fn type_names(kind: &TypeKind) -> String {
    let name = |json_type: &jsonschema::JsonType| match json_type.to_string().as_str() {
        "object" => "a mapping".to_string(),
        "array" => "a list".to_string(),
        "string" => "a string".to_string(),
        "integer" => "an integer".to_string(),
        "number" => "a number".to_string(),
        "boolean" => "a boolean".to_string(),
        "null" => "empty".to_string(),
        other => other.to_string(),
    };
    match kind {
        TypeKind::Single(json_type) => name(json_type),
        TypeKind::Multiple(set) => set
            .iter()
            .map(|json_type| name(&json_type))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// A value as a user reads it in a message.
fn describe(value: &Json) -> String {
    match value {
        Json::Null => "an empty value".to_string(),
        Json::Bool(value) => format!("the boolean `{value}`"),
        Json::Number(value) => format!("the number `{value}`"),
        Json::String(text) if text.chars().count() > 60 => {
            format!("`{}…`", text.chars().take(57).collect::<String>())
        }
        Json::String(text) => format!("`{text}`"),
        Json::Array(_) => "a list".to_string(),
        Json::Object(_) => "a mapping".to_string(),
    }
}

/// The candidate closest to `name`, if it is close enough to be a typo.
fn closest<'c>(name: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .iter()
        .map(|candidate| (strsim::damerau_levenshtein(&lower, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(name.len()) / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

fn valid_keys_help(path: &str, known: &[&str]) -> String {
    let place = if path.is_empty() {
        "the top level".to_string()
    } else {
        format!("`{path}`")
    };
    if known.is_empty() {
        return format!("{place} takes no other keys; custom keys must start with `x-`");
    }
    if known.len() > 12 {
        return format!("see the Compose Specification for the keys of {place}; custom keys must start with `x-`");
    }
    let list = known
        .iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("valid keys in {place}: {list}; custom keys must start with `x-`")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::yaml;

    fn violations(text: &str) -> Vec<(String, String)> {
        let parsed = yaml::parse(text);
        validate(&parsed.documents[0], &HashSet::new())
            .into_iter()
            .map(|v| (text[v.span.start..v.span.end].to_string(), v.message))
            .collect()
    }

    #[test]
    fn the_embedded_schema_compiles() {
        assert!(SCHEMA.document.is_object());
    }

    #[test]
    fn unknown_keys_get_a_suggestion_at_the_key() {
        let found = violations("services:\n  backend:\n    image: x\n    prots: [\"80:80\"]\nnetwork: {}\n");
        assert_eq!(
            found,
            [
                (
                    "prots".into(),
                    "unknown key `services.backend.prots`: did you mean \"ports\"?".into()
                ),
                (
                    "network".into(),
                    "unknown key `network`: did you mean \"networks\"?".into()
                ),
            ]
        );
    }

    #[test]
    fn wrong_types_and_values_point_at_the_value() {
        let text = "services:\n  web:\n    privileged: maybe\n    restart: sometimes\n    ports: {a: 1}\n    depends_on:\n      db: {condition: service_hapy}\n    volumes: [a:/b, a:/b]\n";
        let found = violations(text);
        assert_eq!(
            found,
            [
                (
                    "maybe".into(),
                    "`services.web.privileged` must be a boolean (`true` or `false`), found `maybe`".into()
                ),
                (
                    "sometimes".into(),
                    "`services.web.restart` must be a restart policy: `\"no\"`, `always`, `on-failure[:N]` or `unless-stopped`, found `sometimes`".into()
                ),
                ("{a: 1}".into(), "`services.web.ports` must be a list, found a mapping".into()),
                (
                    "service_hapy".into(),
                    "`services.web.depends_on.db.condition` must be one of `service_started`, `service_healthy`, `service_completed_successfully`, found `service_hapy`".into()
                ),
                ("a:/b".into(), "`services.web.volumes` lists `a:/b` twice".into()),
            ]
        );
    }

    #[test]
    fn long_forms_report_inside_the_mapping() {
        let text = "services:\n  web:\n    ports:\n      - target: http\n        publishd: 80\n    volumes:\n      - source: x\n";
        let found = violations(text);
        assert_eq!(
            found,
            [
                (
                    "http".into(),
                    "`services.web.ports[0].target` must be an integer, found `http`".into()
                ),
                (
                    "publishd".into(),
                    "unknown key `services.web.ports[0].publishd`: did you mean \"published\"?".into()
                ),
                (
                    "source: x".into(),
                    "`services.web.volumes[0]` is missing the required key `type`".into()
                ),
            ]
        );
    }

    #[test]
    fn valid_files_pass() {
        let text = "version: \"3.9\"\nname: demo\nx-common: &c {restart: always}\nservices:\n  web:\n    <<: *c\n    build: .\n    ports: [\"80:80\", 443, {target: 8080, published: \"8080\"}]\n    privileged: \"true\"\n    pre_start: [{command: [echo]}]\n    deploy: {resources: {limits: {cpus: \"0.5\", memory: 512M}}}\n    healthcheck: {interval: 1m30s, retries: 3}\n    x-anything: 1\nnetworks: {default: }\nvolumes: {data: }\n";
        assert_eq!(violations(text), []);
    }

    #[test]
    fn what_an_overlay_resets_is_gone_before_validation() {
        let text = "services:\n  web:\n    restart: !reset null\n    user: !reset null\n    ports: [!reset 1, {target: http}]\n";
        assert_eq!(
            violations(text),
            [(
                "http".into(),
                "`services.web.ports[0].target` must be an integer, found `http`".into()
            )]
        );
    }

    #[test]
    fn unresolved_values_are_not_judged() {
        let text = "services:\n  web:\n    privileged: ${UNSET}\n";
        let parsed = yaml::parse(text);
        let root = &parsed.documents[0];
        let node = root
            .get("services")
            .unwrap()
            .get("web")
            .unwrap()
            .get("privileged")
            .unwrap();
        assert_eq!(validate(root, &HashSet::new()).len(), 1);
        assert!(validate(root, &HashSet::from([node.span])).is_empty());
    }

    #[test]
    fn version_1_files_are_recognised() {
        let parsed = yaml::parse("web:\n  image: nginx\ndb:\n  build: .\nx-a: {image: y}\n");
        assert_eq!(v1_services(&parsed.documents[0]).len(), 2);
        let parsed = yaml::parse("services:\n  web:\n    image: nginx\n");
        assert!(v1_services(&parsed.documents[0]).is_empty());
    }
}
