//! C204: a `ports:` entry with `:` is an unquoted YAML scalar.

use std::collections::HashSet;

use crate::compose::ports;
use crate::compose::yaml::{Node, ScalarStyle, Value};
use crate::diagnostic::{Diagnostic, Edit};
use crate::rules::{ComposeContext, Rule, RuleMeta, Scope, declare_rule};

declare_rule! {
    /// a `ports:` entry with `:` is not quoted
    pub struct PortUnquoted {
        code: C204,
        name: "port-unquoted",
        severity: Warning,
        fix: Safe,
    }
}

impl Rule for PortUnquoted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn scope(&self) -> Scope {
        Scope::File
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let mut seen = HashSet::new();
        let mut quote = None;
        for service in file.services() {
            for item in ports::resolved_items(&service, "ports", &cx.interpolation.unresolved) {
                let Some(scalar) = item.node.as_scalar() else { continue };
                // Quoting is about the text as written, before interpolation.
                let text = scalar.raw.as_deref().unwrap_or(&scalar.text);
                if scalar.style != ScalarStyle::Plain || !text.contains(':') {
                    continue;
                }
                // A list shared through an anchor is written, and fixed, once.
                if !seen.insert(item.node.span) {
                    continue;
                }
                let quote = *quote.get_or_insert_with(|| file_quote(file.root));
                let quoted = quoted(text, quote);
                out.push(
                    Diagnostic::new(
                        &META,
                        item.node.span,
                        format!(
                            "port `{}` of service `{}` is not quoted; ports with `:` are quoted, since YAML 1.1 parsers read some unquoted ones as base-60 numbers (`22:22` is 1342)",
                            text, service.name
                        ),
                    )
                    .with_label("unquoted")
                    .with_help(format!("- {quoted}"))
                    .with_fix(
format!("quote the port: {quoted}"),
                        vec![Edit::replace(item.node.span, quoted)],
                    ),
                );
            }
        }
    }
}

fn quoted(text: &str, quote: char) -> String {
    if quote == '\'' {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The quote the file uses: the more common of `'` and `"` among its quoted
/// `ports:` entries, else among all its quoted scalars; `"` when it uses none.
fn file_quote(root: &Node) -> char {
    let mut in_ports = [0usize; 2];
    let mut anywhere = [0usize; 2];
    count_quotes(root, false, &mut in_ports, &mut anywhere, 0);
    let counts = if in_ports.iter().sum::<usize>() > 0 {
        in_ports
    } else {
        anywhere
    };
    if counts[0] > counts[1] { '\'' } else { '"' }
}

/// Counts single- (index 0) and double-quoted (index 1) scalars.
fn count_quotes(node: &Node, under_ports: bool, in_ports: &mut [usize; 2], anywhere: &mut [usize; 2], depth: usize) {
    // Alias copies repeat text counted where it is written.
    if node.alias.is_some() || depth > crate::compose::yaml::MAX_DEPTH {
        return;
    }
    match &node.value {
        Value::Scalar(scalar) => {
            let index = match scalar.style {
                ScalarStyle::SingleQuoted => 0,
                ScalarStyle::DoubleQuoted => 1,
                _ => return,
            };
            anywhere[index] += 1;
            if under_ports {
                in_ports[index] += 1;
            }
        }
        Value::Sequence(items) => {
            for item in items {
                count_quotes(item, under_ports, in_ports, anywhere, depth + 1);
            }
        }
        Value::Mapping(mapping) => {
            for entry in mapping.iter().filter(|entry| entry.merged_from.is_none()) {
                let ports = under_ports || entry.key.as_str() == Some("ports");
                count_quotes(&entry.value, ports, in_ports, anywhere, depth + 1);
            }
        }
        Value::Null => {}
    }
}
