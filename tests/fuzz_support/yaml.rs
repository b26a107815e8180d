//! A small YAML writer for generated compose files: block or flow style per
//! collection, anchors, aliases, tags, comments before and after entries.

/// A generated YAML value.
pub enum Node {
    /// A scalar (or an alias, or a tagged scalar) written as given.
    Raw(String),
    Map(Collection<Entry>),
    Seq(Collection<Node>),
    /// `!reset`/`!override` (or any tag) before a collection.
    Tagged(&'static str, Box<Node>),
}

pub struct Collection<T> {
    pub items: Vec<T>,
    pub flow: bool,
    pub anchor: Option<String>,
}

pub struct Entry {
    pub key: String,
    pub value: Node,
    /// Full-line comments written before the key.
    pub before: Vec<String>,
    /// A comment at the end of the key's line (block style only).
    pub trailing: Option<String>,
}

impl Node {
    pub fn raw(text: impl Into<String>) -> Node {
        Node::Raw(text.into())
    }

    pub fn map(items: Vec<Entry>, flow: bool) -> Node {
        Node::Map(Collection {
            items,
            flow,
            anchor: None,
        })
    }

    pub fn seq(items: Vec<Node>, flow: bool) -> Node {
        Node::Seq(Collection {
            items,
            flow,
            anchor: None,
        })
    }

    /// Whether it is written on the key's line.
    fn inline(&self) -> bool {
        match self {
            Node::Raw(_) => true,
            Node::Map(map) => map.flow || map.items.is_empty(),
            Node::Seq(seq) => seq.flow || seq.items.is_empty(),
            Node::Tagged(_, inner) => inner.inline(),
        }
    }
}

impl Entry {
    pub fn new(key: impl Into<String>, value: Node) -> Entry {
        Entry {
            key: key.into(),
            value,
            before: Vec::new(),
            trailing: None,
        }
    }
}

/// Writes `node` (a block mapping) as a document with `step`-space indents.
pub fn document(node: &Node, step: usize) -> String {
    let mut out = String::new();
    block(node, 0, step, &mut out);
    out
}

fn anchor_prefix(anchor: &Option<String>) -> String {
    anchor.as_ref().map(|name| format!("&{name} ")).unwrap_or_default()
}

fn flow(node: &Node) -> String {
    match node {
        // A plain scalar with a flow indicator (`${A:-x}`) is quoted in flow style.
        Node::Raw(text) if !text.starts_with(['"', '\'', '*', '!']) && text.contains(['{', '}', '[', ']', ',']) => {
            format!("\"{text}\"")
        }
        Node::Raw(text) => text.clone(),
        Node::Map(map) => {
            let items: Vec<String> = map
                .items
                .iter()
                .map(|entry| format!("{}: {}", entry.key, flow(&entry.value)))
                .collect();
            format!("{}{{{}}}", anchor_prefix(&map.anchor), items.join(", "))
        }
        Node::Seq(seq) => {
            let items: Vec<String> = seq.items.iter().map(flow).collect();
            format!("{}[{}]", anchor_prefix(&seq.anchor), items.join(", "))
        }
        Node::Tagged(tag, inner) => format!("{tag} {}", flow(inner)),
    }
}

/// Writes a block collection's lines at `indent`.
fn block(node: &Node, indent: usize, step: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Map(map) => {
            for entry in &map.items {
                for comment in &entry.before {
                    out.push_str(&format!("{pad}# {comment}\n"));
                }
                out.push_str(&format!("{pad}{}:", entry.key));
                let trailing = entry
                    .trailing
                    .as_ref()
                    .map(|comment| format!(" # {comment}"))
                    .unwrap_or_default();
                if entry.value.inline() {
                    out.push_str(&format!(" {}{trailing}\n", flow(&entry.value)));
                } else {
                    out.push_str(&format!("{}{trailing}\n", header(&entry.value)));
                    block(&entry.value, indent + step, step, out);
                }
            }
        }
        Node::Seq(seq) => {
            for item in &seq.items {
                if item.inline() {
                    out.push_str(&format!("{pad}- {}\n", flow(item)));
                } else {
                    let mut nested = String::new();
                    block(item, indent + 2, step, &mut nested);
                    let header = header(item);
                    if header.is_empty() {
                        // Compact: the first line of the collection follows the dash.
                        out.push_str(&format!("{pad}- {}", &nested[indent + 2..]));
                    } else {
                        out.push_str(&format!("{pad}-{header}\n{nested}"));
                    }
                }
            }
        }
        Node::Tagged(_, inner) => block(inner, indent, step, out),
        Node::Raw(text) => out.push_str(&format!("{pad}{text}\n")),
    }
}

/// What follows a key whose value is a block collection: its tag and anchor.
fn header(node: &Node) -> String {
    match node {
        Node::Map(map) => map.anchor.as_ref().map(|name| format!(" &{name}")).unwrap_or_default(),
        Node::Seq(seq) => seq.anchor.as_ref().map(|name| format!(" &{name}")).unwrap_or_default(),
        Node::Tagged(tag, inner) => format!(" {tag}{}", header(inner)),
        Node::Raw(_) => String::new(),
    }
}
