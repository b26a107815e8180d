//! C504: a `service` has no memory limit, or a standard service's limits
//! and reservations differ from the standard.

use crate::compose::edit::{Block, block_text, indent_step, insert_entries};
use crate::compose::service_facts::{
    Found, find_key, find_path, has_variable, parse_cpus, parse_size, written_with_variable,
};
use crate::compose::yaml::{Node, ScalarStyle};
use crate::compose::{ComposeFile, LifecycleSource, Service};
use crate::diagnostic::{Diagnostic, Edit};
use crate::rules::context::Wants;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::standards::Lifecycle;

declare_rule! {
    /// a `service` has no memory limit, or a standard service's limits differ from the standard
    pub struct ResourceLimitsMissing {
        code: C504,
        name: "resource-limits-missing",
        severity: Warning,
        fix: Unsafe,
    }
}

/// One resource value: where `deploy.resources` keeps it, and its legacy key.
struct Setting {
    group: &'static str,
    key: &'static str,
    legacy: Option<&'static str>,
    cpus: bool,
}

const MEMORY_LIMIT: Setting = Setting {
    group: "limits",
    key: "memory",
    legacy: Some("mem_limit"),
    cpus: false,
};
const MEMORY_RESERVATION: Setting = Setting {
    group: "reservations",
    key: "memory",
    legacy: Some("mem_reservation"),
    cpus: false,
};
const CPUS_LIMIT: Setting = Setting {
    group: "limits",
    key: "cpus",
    legacy: Some("cpus"),
    cpus: true,
};
const CPUS_RESERVATION: Setting = Setting {
    group: "reservations",
    key: "cpus",
    legacy: None,
    cpus: true,
};

impl Setting {
    fn path(&self) -> String {
        format!("deploy.resources.{}.{}", self.group, self.key)
    }

    /// Where the service gets this value: `deploy.resources` first, then the legacy key.
    fn find<'a>(&self, service: Service<'a>) -> Found<'a> {
        match find_path(service, &["deploy", "resources", self.group, self.key]) {
            Found::Absent => match self.legacy {
                Some(legacy) => find_key(service, legacy),
                None => Found::Absent,
            },
            found => found,
        }
    }

    /// Whether two written values are the same amount.
    fn same(&self, written: &str, standard: &str) -> Option<bool> {
        if self.cpus {
            Some((parse_cpus(written)? - parse_cpus(standard)?).abs() < 1e-9)
        } else {
            Some(parse_size(written)? == parse_size(standard)?)
        }
    }

    /// The standard value as YAML: CPU counts quoted, as the standards write them.
    fn yaml(&self, standard: &str) -> String {
        if self.cpus {
            format!("'{standard}'")
        } else {
            standard.to_string()
        }
    }
}

impl Rule for ResourceLimitsMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        // The standard values wanted, in every variant, of each written
        // setting: one shared through `extends` by services whose standards
        // differ is not changed in place.
        let wants = Wants::collect(cx, |service| {
            checked(cx, &service)
                .then(|| standard_settings(cx, service.name))
                .into_iter()
                .flatten()
                .filter_map(move |(setting, value)| Some((setting.find(service).node()?.span, value)))
        });
        for service in file.services().filter(|service| checked(cx, service)) {
            check_service(cx, file, service, &wants, out);
        }
    }
}

/// Whether the rule judges `service`: its lifecycle is `service`.
fn checked(cx: &ComposeContext, service: &Service) -> bool {
    matches!(
        service.lifecycle(cx.standards),
        LifecycleSource::Name(Lifecycle::Service) | LifecycleSource::Label(Lifecycle::Service, _)
    )
}

/// The settings the standards give the service called `name`, with values.
fn standard_settings<'a>(cx: &ComposeContext<'a>, name: &str) -> Vec<(&'static Setting, &'a str)> {
    cx.standards
        .resources
        .get(name)
        .map(|standard| {
            [
                (&MEMORY_LIMIT, &standard.memory_limit),
                (&MEMORY_RESERVATION, &standard.memory_reservation),
                (&CPUS_LIMIT, &standard.cpus_limit),
                (&CPUS_RESERVATION, &standard.cpus_reservation),
            ]
            .into_iter()
            .filter_map(|(setting, value)| Some((setting, value.as_deref()?)))
            .collect()
        })
        .unwrap_or_default()
}

/// Standard values that are set but differ, where this file sets them.
fn report_differing(
    service: Service,
    wanted: &[(&Setting, &str)],
    standard_text: &str,
    wants: &Wants<&str>,
    out: &mut Vec<Diagnostic>,
) {
    let name = service.name;
    for (setting, value) in wanted {
        let Found::Here(node) = setting.find(service) else {
            continue;
        };
        let Some(written) = node.as_str() else { continue };
        if written_with_variable(node) || has_variable(written) || setting.same(written, value) != Some(false) {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            &META,
            node.site(),
            format!("`{}: {written}` on service `{name}`: {standard_text}", setting.path()),
        )
        .with_label(format!("expected `{value}`"))
        .with_help(format!(
            "deploy:\n  resources:\n    {}:\n      {}: {}",
            setting.group,
            setting.key,
            setting.yaml(value)
        ));
        if node.alias.is_none() && wants.agreed(node.span) {
            let quote = match node.scalar_style() {
                Some(ScalarStyle::SingleQuoted) => "'",
                Some(ScalarStyle::DoubleQuoted) => "\"",
                _ => "",
            };
            let text = if quote.is_empty() {
                setting.yaml(value)
            } else {
                format!("{quote}{value}{quote}")
            };
            diagnostic = diagnostic.with_fix(
                format!("set `{}` to `{value}`", setting.path()),
                vec![Edit::replace(node.span, text)],
            );
        }
        out.push(diagnostic);
    }
}

fn check_service(
    cx: &ComposeContext,
    file: ComposeFile,
    service: Service,
    wants: &Wants<&str>,
    out: &mut Vec<Diagnostic>,
) {
    let name = service.name;
    let wanted = standard_settings(cx, name);
    let memory = MEMORY_LIMIT.find(service);
    if matches!(memory, Found::Unknown)
        || wanted
            .iter()
            .any(|(setting, _)| matches!(setting.find(service), Found::Unknown))
    {
        return;
    }
    let standard_text = if wanted.is_empty() {
        "the standard is a memory limit on every `service`".to_string()
    } else {
        format!(
            "the standard for `{name}` is {}",
            wanted
                .iter()
                .map(|(setting, value)| format!("`{}.{}: {value}`", setting.group, setting.key))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    report_differing(service, &wanted, &standard_text, wants, out);
    // Missing values: the memory limit of any service, and the standard ones.
    let mut missing: Vec<(&Setting, Option<&str>)> = wanted
        .iter()
        .filter(|(setting, _)| matches!(setting.find(service), Found::Absent))
        .map(|(setting, value)| (*setting, Some(*value)))
        .collect();
    if matches!(memory, Found::Absent)
        && !missing
            .iter()
            .any(|(setting, _)| setting.key == "memory" && setting.group == "limits")
    {
        missing.insert(0, (&MEMORY_LIMIT, None));
    }
    if missing.is_empty() {
        return;
    }
    let what = format!(
        "no {}",
        missing
            .iter()
            .map(|(setting, _)| match (setting.group, setting.key) {
                ("limits", "memory") => "memory limit".to_string(),
                _ => format!("`{}`", setting.path()),
            })
            .collect::<Vec<_>>()
            .join(", no ")
    );
    let tree = |sized: &dyn Fn(&Setting, Option<&str>) -> String| {
        let mut groups: Vec<(String, Block)> = Vec::new();
        for group in ["limits", "reservations"] {
            let entries: Vec<(String, Block)> = missing
                .iter()
                .filter(|(setting, _)| setting.group == group)
                .map(|(setting, value)| (setting.key.to_string(), Block::scalar(sized(setting, *value))))
                .collect();
            if !entries.is_empty() {
                groups.push((group.to_string(), Block::Mapping(entries)));
            }
        }
        vec![(
            "deploy".to_string(),
            Block::mapping([("resources", Block::Mapping(groups))]),
        )]
    };
    let help_tree = tree(&|setting, value| match value {
        Some(value) => setting.yaml(value),
        None => "512M  # size it to the service".to_string(),
    });
    let mut diagnostic = Diagnostic::new(
        &META,
        service.name_span(),
        format!("service `{name}` (lifecycle `service`) sets {what}; {standard_text}"),
    )
    .with_label(what.clone())
    .with_help(block_text(&help_tree, 2));
    // The fix writes only standard values: a limit for a service the
    // standards do not size would be a guess.
    if missing.iter().all(|(_, value)| value.is_some()) {
        let fix_tree = tree(&|setting, value| setting.yaml(value.unwrap_or_default()));
        let mut edits = Vec::new();
        let span = service.node().span;
        let step = indent_step(cx, file.root, span.file);
        if insert_missing(cx, service.node(), &fix_tree, step, &mut edits) && !edits.is_empty() {
            let edits = merge_inserts(edits);
            diagnostic = diagnostic.with_fix("add the standard resource limits", edits);
        }
    }
    out.push(diagnostic);
}

/// Adds the entries of `tree` that `node` lacks, descending into the
/// mappings it already has. `false` when that cannot be done cleanly (a
/// value is an alias, merged, or not a mapping).
fn insert_missing(
    cx: &ComposeContext,
    node: &Node,
    tree: &[(String, Block)],
    step: usize,
    edits: &mut Vec<Edit>,
) -> bool {
    let Some(mapping) = node.as_mapping() else { return false };
    let mut absent = Vec::new();
    for (key, block) in tree {
        match (mapping.get_entry(key), block) {
            (None, _) => absent.push((key.clone(), block.clone())),
            (Some(entry), Block::Mapping(inner)) => {
                if entry.merged_from.is_some() || entry.value.alias.is_some() {
                    return false;
                }
                if !insert_missing(cx, &entry.value, inner, step, edits) {
                    return false;
                }
            }
            (Some(_), Block::Scalar(_)) => return false,
        }
    }
    if absent.is_empty() {
        return true;
    }
    match insert_entries(cx, node, &absent, step) {
        Some(edit) => {
            edits.push(edit);
            true
        }
        None => false,
    }
}

/// Joins insertions at the same offset into one edit, in the order they were
/// made (a nested mapping's new lines before its parent's), so that the
/// result does not depend on how edits at one offset are ordered.
fn merge_inserts(edits: Vec<Edit>) -> Vec<Edit> {
    let mut merged: Vec<Edit> = Vec::new();
    for edit in edits {
        match merged
            .iter_mut()
            .find(|other| other.span == edit.span && edit.span.is_empty())
        {
            Some(other) => other.content.push_str(&edit.content),
            None => merged.push(edit),
        }
    }
    merged
}
