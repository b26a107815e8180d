//! Facts about a service that several rules ask for: whether a key is set,
//! its healthcheck, its environment, and the value formats Compose uses for
//! sizes, CPUs and durations.

use crate::compose::Service;
use crate::compose::build::BuiltDockerfile;
use crate::compose::yaml::{Node, Value};
use crate::dockerfile::parse::{Instruction, Keyword, Stage};
use crate::source::Span;
pub use crate::units::{parse_cpus, parse_duration, parse_size};

/// Where a service gets a key from, in the merged model.
#[derive(Clone, Copy, Debug)]
pub enum Found<'a> {
    Here(&'a Node),
    Absent,
    /// The service still `extends` something the model could not resolve
    /// (a missing file or service): what it inherits is unknown.
    Unknown,
}

impl<'a> Found<'a> {
    pub fn node(self) -> Option<&'a Node> {
        match self {
            Found::Here(node) => Some(node),
            Found::Absent | Found::Unknown => None,
        }
    }
}

/// Whether `service` gets `key` (the merged model has resolved `extends`).
pub fn find_key<'a>(service: Service<'a>, key: &str) -> Found<'a> {
    find_path(service, &[key])
}

/// A nested value (`deploy.resources.limits.memory`) of `service`.
pub fn find_path<'a>(service: Service<'a>, path: &[&str]) -> Found<'a> {
    let found = path.iter().try_fold(service.node(), |node, key| node.get(key));
    match found {
        Some(node) => Found::Here(node),
        None if service.get("extends").is_some() => Found::Unknown,
        None => Found::Absent,
    }
}

/// Whether a value holds a variable (`$VAR`, `${VAR}`); `$$` is a literal dollar.
pub fn has_variable(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'$' {
            match bytes.get(index + 1) {
                Some(b'$') => index += 1,
                Some(b'{') => return true,
                Some(next) if next.is_ascii_alphabetic() || *next == b'_' => return true,
                _ => {}
            }
        }
        index += 1;
    }
    false
}

/// Whether a scalar was written with a variable: rules see values
/// interpolated, but one that depends on the deploying environment is not
/// judged as if it were fixed.
pub fn written_with_variable(node: &Node) -> bool {
    node.as_scalar()
        .is_some_and(|scalar| has_variable(scalar.raw.as_deref().unwrap_or(&scalar.text)))
}

/// One variable of `environment:`, in either form.
#[derive(Clone, Debug)]
pub struct EnvVar<'a> {
    pub name: &'a str,
    /// The name as written: the key, or the name part of a `- NAME=value` item.
    pub name_span: Span,
    /// `None` for `NAME:` with no value or `- NAME` (taken from the shell).
    pub value: Option<&'a str>,
    /// The value's text in the source, quotes included for a mapping value.
    pub value_span: Option<Span>,
    /// The item or the mapping value node.
    pub node: &'a Node,
    /// Whether the variable is written in the `- NAME=value` list form.
    pub listed: bool,
}

/// The variables of an `environment:` node (mapping or list form);
/// `text_of` gives the text of the file a span lies in.
pub fn environment<'a, 't>(text_of: impl Fn(Span) -> &'t str, environment: &'a Node) -> Vec<EnvVar<'a>> {
    match &environment.value {
        Value::Mapping(mapping) => mapping
            .iter()
            .filter_map(|entry| {
                let name = entry.key.as_str()?;
                let value = entry.value.as_str();
                Some(EnvVar {
                    name,
                    name_span: entry.key.span,
                    value,
                    value_span: value.map(|_| entry.value.span),
                    node: &entry.value,
                    listed: false,
                })
            })
            .collect(),
        Value::Sequence(items) => items
            .iter()
            .filter_map(|item| {
                let whole = item.as_str()?;
                let raw = text_of(item.span).get(item.span.start..item.span.end).unwrap_or("");
                let quote = usize::from(raw.starts_with(['"', '\'']));
                let (name, value) = match whole.split_once('=') {
                    Some((name, value)) => (name, Some(value)),
                    None => (whole, None),
                };
                let name_start = item.span.start + quote;
                let value_span = value.and_then(|_| {
                    // The value runs from after the first `=` as written to the
                    // end of the item, before a closing quote.
                    let equals = raw.find('=')?;
                    let end = item.span.end - quote;
                    (item.span.start + equals + 1 < end).then(|| item.span.sub(item.span.start + equals + 1, end))
                });
                Some(EnvVar {
                    name,
                    name_span: item.span.sub(name_start, name_start + name.len()),
                    value,
                    value_span,
                    node: item,
                    listed: true,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// What a compose `healthcheck:` amounts to.
#[derive(Clone, Copy, Debug)]
pub enum ComposeHealthcheck<'a> {
    /// A test of its own.
    Test(&'a Node),
    /// Timing only: the image's HEALTHCHECK test is kept.
    TimingOnly(&'a Node),
    /// `disable: true` or `test: ["NONE"]`, at this node.
    Disabled(&'a Node),
}

/// Reads a `healthcheck:` mapping.
pub fn compose_healthcheck(healthcheck: &Node) -> Option<ComposeHealthcheck<'_>> {
    healthcheck.as_mapping()?;
    if let Some(disable) = healthcheck.get("disable")
        && matches!(disable.resolve(), Some(crate::compose::yaml::Resolved::Bool(true)))
    {
        return Some(ComposeHealthcheck::Disabled(disable));
    }
    let Some(test) = healthcheck.get("test") else {
        return Some(ComposeHealthcheck::TimingOnly(healthcheck));
    };
    let first = match &test.value {
        Value::Sequence(items) => items.first().and_then(Node::as_str),
        Value::Scalar(_) => test.as_str(),
        _ => None,
    };
    if first.is_some_and(|word| word.trim() == "NONE") {
        return Some(ComposeHealthcheck::Disabled(test));
    }
    Some(ComposeHealthcheck::Test(test))
}

/// The stages a service's image is made of, from the one it builds (the
/// `build.target` stage or the last) back through `FROM <stage>`; `None`
/// when the target names no stage.
pub fn built_stages(built: &BuiltDockerfile) -> Option<Vec<&Stage>> {
    let dockerfile = &built.dockerfile;
    let mut stage = match &built.spec.target {
        Some(target) => dockerfile.stage_by_name(target)?,
        None => dockerfile.stages.last()?,
    };
    let mut chain = vec![stage];
    while let Some(parent) = crate::dockerfile::parent_stage(dockerfile, stage) {
        if chain.len() > dockerfile.stages.len() {
            break;
        }
        chain.push(parent);
        stage = parent;
    }
    Some(chain)
}

/// The instruction of `keyword` in effect for the built image: the last one
/// of the built stage, else of the stage it builds on, and so on.
pub fn built_instruction(built: &BuiltDockerfile, keyword: Keyword) -> Option<&Instruction> {
    built_stages(built)?.into_iter().find_map(|stage| {
        built.dockerfile.instructions[stage.instructions.clone()]
            .iter()
            .rev()
            .find(|instruction| instruction.keyword == keyword)
    })
}

/// Whether the built image has a HEALTHCHECK (not `HEALTHCHECK NONE`).
pub fn built_healthcheck(built: &BuiltDockerfile) -> bool {
    built_instruction(built, Keyword::Healthcheck)
        .is_some_and(|instruction| !instruction.args_text().trim().eq_ignore_ascii_case("NONE"))
}

/// Whether `service` has a working healthcheck: its own (or its base's) in
/// compose, or one in the Dockerfile it builds that compose does not turn off.
/// `None` when that cannot be known (a build whose Dockerfile was not read).
pub fn has_healthcheck(service: Service, built: Option<&BuiltDockerfile>) -> Option<bool> {
    let compose = match find_key(service, "healthcheck") {
        Found::Unknown => return None,
        found => found.node().and_then(compose_healthcheck),
    };
    match compose {
        Some(ComposeHealthcheck::Test(_)) => Some(true),
        Some(ComposeHealthcheck::Disabled(_)) => Some(false),
        Some(ComposeHealthcheck::TimingOnly(_)) | None => match built {
            Some(built) => Some(built_healthcheck(built)),
            None if builds(service) => None,
            // The image's own HEALTHCHECK is not known: a timing-only block
            // says the author expects one.
            None => Some(matches!(compose, Some(ComposeHealthcheck::TimingOnly(_)))),
        },
    }
}

/// Whether the service builds its image (or may, through an unresolved `extends`).
pub fn builds(service: Service) -> bool {
    !matches!(find_key(service, "build"), Found::Absent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::yaml;

    #[test]
    fn variables() {
        assert!(has_variable("${DB_PASSWORD}"));
        assert!(has_variable("pre$VAR"));
        assert!(!has_variable("pa$$word"));
        assert!(!has_variable("cost: 5$"));
    }

    #[test]
    fn environment_forms() {
        let text = "environment:\n  A: '1'\n  B:\n---\n- \"C=x=y\"\n- D\n- E=\n";
        let parsed = yaml::parse(text);
        let mapping = parsed.documents[0].get("environment").unwrap();
        let vars = environment(|_| text, mapping);
        assert_eq!(vars[0].name, "A");
        assert_eq!(vars[0].value, Some("1"));
        assert_eq!(
            &text[vars[0].value_span.unwrap().start..vars[0].value_span.unwrap().end],
            "'1'"
        );
        assert_eq!(vars[1].value, None);
        let list = environment(|_| text, &parsed.documents[1]);
        assert_eq!(list[0].name, "C");
        assert_eq!(list[0].value, Some("x=y"));
        assert_eq!(&text[list[0].name_span.start..list[0].name_span.end], "C");
        assert_eq!(
            &text[list[0].value_span.unwrap().start..list[0].value_span.unwrap().end],
            "x=y"
        );
        assert_eq!(list[1].value, None);
        assert_eq!(list[2].value, Some(""));
        assert_eq!(list[2].value_span, None);
    }

    #[test]
    fn keys_and_unresolved_extends() {
        let text = "services:\n  a:\n    user: app\n    logging: {driver: local}\n  c:\n    extends: {file: x.yaml, service: c}\n";
        let parsed = yaml::parse(text);
        let file = crate::compose::ComposeFile::new(&parsed.documents[0]);
        let service = |name: &str| file.unwrap().services().find(|s| s.name == name).unwrap();
        assert!(matches!(find_key(service("a"), "user"), Found::Here(_)));
        assert!(matches!(find_key(service("a"), "healthcheck"), Found::Absent));
        assert!(matches!(find_key(service("c"), "logging"), Found::Unknown));
        assert!(matches!(
            find_path(service("a"), &["logging", "driver"]),
            Found::Here(_)
        ));
        assert!(matches!(
            find_path(service("a"), &["logging", "options"]),
            Found::Absent
        ));
    }

    #[test]
    fn healthcheck_forms() {
        let text = "a: {test: [NONE]}\nb: {disable: true}\nc: {interval: 5s}\nd: {test: curl -f x}\n";
        let parsed = yaml::parse(text);
        let get = |key: &str| compose_healthcheck(parsed.documents[0].get(key).unwrap());
        assert!(matches!(get("a"), Some(ComposeHealthcheck::Disabled(_))));
        assert!(matches!(get("b"), Some(ComposeHealthcheck::Disabled(_))));
        assert!(matches!(get("c"), Some(ComposeHealthcheck::TimingOnly(_))));
        assert!(matches!(get("d"), Some(ComposeHealthcheck::Test(_))));
    }
}
