//! A spanned YAML tree built from saphyr-parser's event stream.
//!
//! saphyr reports positions in characters, and several of its event spans are
//! loose (a quoted scalar runs on over trailing blanks and comments, a block
//! scalar starts at its first content line, node properties are included, an
//! indentless sequence starts at its first item). Every node span here is
//! recomputed as an exact byte range into the original text.

mod build;
mod tree;

pub use build::{MAX_ALIAS_NODES, parse, parse_in};
pub use tree::{
    DuplicateKey, Entry, MAX_DEPTH, Mapping, Node, Resolved, Scalar, ScalarStyle, Value, YamlError, YamlOutput,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;
    include!("../../../tests/common/corpus.rs");

    fn doc(text: &str) -> Node {
        let out = parse(text);
        assert!(out.errors.is_empty(), "unexpected errors: {:?}", out.errors);
        assert_eq!(out.documents.len(), 1);
        out.documents.into_iter().next().unwrap()
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    /// The span of the value under `path` (mapping keys or sequence indices).
    fn span_of(root: &Node, path: &[&str]) -> Span {
        let mut node = root;
        for step in path {
            node = match step.parse::<usize>() {
                Ok(index) => &node.as_sequence().unwrap()[index],
                Err(_) => node.get(step).unwrap_or_else(|| panic!("no key {step}")),
            };
        }
        node.span
    }

    #[test]
    fn key_and_value_spans_are_exact() {
        let text = "a: b\nkey:   \"quoted\"   # comment\ns: 'it''s'  \nplain: some text  # c\nq: \"a \\\" b\"\n";
        let root = doc(text);
        let map = root.as_mapping().unwrap();
        let keys: Vec<&str> = map.iter().map(|e| at(text, e.key.span)).collect();
        assert_eq!(keys, ["a", "key", "s", "plain", "q"]);
        assert_eq!(at(text, span_of(&root, &["a"])), "b");
        assert_eq!(at(text, span_of(&root, &["key"])), "\"quoted\"");
        assert_eq!(at(text, span_of(&root, &["s"])), "'it''s'");
        assert_eq!(root.get("s").unwrap().as_str(), Some("it's"));
        assert_eq!(at(text, span_of(&root, &["plain"])), "some text");
        assert_eq!(at(text, span_of(&root, &["q"])), "\"a \\\" b\"");
        assert_eq!(root.span, Span::new(0, text.len() - 1));
    }

    #[test]
    fn multi_line_scalars_span_all_their_lines() {
        let text = "a: \"multi\n  line\"  # c\nb: plain\n  continued\n";
        let root = doc(text);
        assert_eq!(at(text, span_of(&root, &["a"])), "\"multi\n  line\"");
        assert_eq!(root.get("a").unwrap().as_str(), Some("multi line"));
        assert_eq!(at(text, span_of(&root, &["b"])), "plain\n  continued");
    }

    #[test]
    fn block_scalars_start_at_the_indicator() {
        let text = "lit: |\n  one\n  two\n\nfold: >- # a | comment\n  x\n  y\ntagged: &t !!str |+\n  keep\n\nseq:\n  - |\n    item\n  - !x >\n    f\nlast: |\n";
        let root = doc(text);
        assert_eq!(at(text, span_of(&root, &["lit"])), "|\n  one\n  two");
        assert_eq!(at(text, span_of(&root, &["fold"])), ">- # a | comment\n  x\n  y");
        assert_eq!(at(text, span_of(&root, &["tagged"])), "|+\n  keep");
        assert_eq!(root.get("tagged").unwrap().tag.as_deref(), Some("!!str"));
        assert_eq!(at(text, span_of(&root, &["seq", "0"])), "|\n    item");
        assert_eq!(at(text, span_of(&root, &["seq", "1"])), ">\n    f");
        assert_eq!(at(text, span_of(&root, &["last"])), "|");
        assert_eq!(root.get("lit").unwrap().as_str(), Some("one\ntwo\n"));

        let root_text = "# c\n|\n  root\n";
        let root = doc(root_text);
        assert_eq!(at(root_text, root.span), "|\n  root");
        let explicit = "--- >\n  folded\n";
        assert_eq!(at(explicit, doc(explicit).span), ">\n  folded");
    }

    #[test]
    fn collection_spans() {
        let text = "flow: [1, {x: y}, \"z\"]  # c\nfm: &m !!map {a: 1, b}\nblock:\n  k: v\n  l:\n    - a\n    - b\nindentless:\n- p\n-   q\nprops: &s\n  # comment\n  - r\npairs: [a: b]\n";
        let root = doc(text);
        assert_eq!(at(text, span_of(&root, &["flow"])), "[1, {x: y}, \"z\"]");
        assert_eq!(at(text, span_of(&root, &["flow", "1"])), "{x: y}");
        assert_eq!(at(text, span_of(&root, &["fm"])), "{a: 1, b}");
        assert_eq!(root.get("fm").unwrap().tag.as_deref(), Some("!!map"));
        assert_eq!(at(text, span_of(&root, &["block"])), "k: v\n  l:\n    - a\n    - b");
        assert_eq!(at(text, span_of(&root, &["block", "l"])), "- a\n    - b");
        assert_eq!(at(text, span_of(&root, &["indentless"])), "- p\n-   q");
        assert_eq!(at(text, span_of(&root, &["props"])), "- r");
        assert_eq!(at(text, span_of(&root, &["pairs", "0"])), "a: b");
    }

    #[test]
    fn key_without_value_is_null_after_the_colon() {
        let text = "a:\nb:   # c\nflow: {k, l: }\n? q\nr: !reset\n";
        let root = doc(text);
        let a = root.get("a").unwrap();
        assert!(matches!(a.value, Value::Null));
        assert!(a.is_null());
        assert_eq!(a.span, Span::point(2));
        assert_eq!(root.get("b").unwrap().span, Span::point(text.find("b:").unwrap() + 2));
        let flow = root.get("flow").unwrap();
        assert_eq!(flow.get("k").unwrap().span, Span::point(text.find("k,").unwrap() + 1));
        assert_eq!(flow.get("l").unwrap().span, Span::point(text.find("l:").unwrap() + 2));
        assert_eq!(root.get("q").unwrap().span, Span::point(text.find("q\n").unwrap() + 1));
        let reset = root.get("r").unwrap();
        assert!(reset.is_null());
        assert_eq!(reset.tag.as_deref(), Some("!reset"));
        assert_eq!(at(text, reset.span), "!reset");
    }

    #[test]
    fn crlf_spans_exclude_carriage_returns() {
        let text = "a: b\r\nc: \"q\"  \r\nd:\r\n  - x\r\n  - |\r\n    lit\r\n    more\r\ne: plain  \r\nf:\r\n";
        let root = doc(text);
        assert_eq!(at(text, span_of(&root, &["a"])), "b");
        assert_eq!(at(text, span_of(&root, &["c"])), "\"q\"");
        assert_eq!(at(text, span_of(&root, &["d"])), "- x\r\n  - |\r\n    lit\r\n    more");
        assert_eq!(at(text, span_of(&root, &["d", "1"])), "|\r\n    lit\r\n    more");
        assert_eq!(
            root.get("d").unwrap().as_sequence().unwrap()[1].as_str(),
            Some("lit\nmore\n")
        );
        assert_eq!(at(text, span_of(&root, &["e"])), "plain");
        assert_eq!(root.get("f").unwrap().span, Span::point(text.len() - 2));
    }

    #[test]
    fn bom_offsets_point_into_the_original_text() {
        let text = "\u{feff}a: b\nc: [d]\n";
        let root = doc(text);
        let first = &root.as_mapping().unwrap().entries[0];
        assert_eq!(first.key.span, Span::new(3, 4));
        assert_eq!(at(text, first.value.span), "b");
        assert_eq!(at(text, span_of(&root, &["c"])), "[d]");

        let error = parse("\u{feff}a: 'x\n");
        assert_eq!(error.errors[0].span, Span::new(6, 7));
    }

    #[test]
    fn non_ascii_text_before_nodes() {
        let text = "# héllo wörld ✓\nnäme: \"ünï\" # ✓✓\nemoji: 🐳 whale\nlist: [é, \"ß\"]\nlit: |\n  ≈≈\n";
        let root = doc(text);
        let key = &root.as_mapping().unwrap().entries[0].key;
        assert_eq!(at(text, key.span), "näme");
        assert_eq!(at(text, span_of(&root, &["näme"])), "\"ünï\"");
        assert_eq!(at(text, span_of(&root, &["emoji"])), "🐳 whale");
        assert_eq!(at(text, span_of(&root, &["list"])), "[é, \"ß\"]");
        assert_eq!(at(text, span_of(&root, &["list", "1"])), "\"ß\"");
        assert_eq!(at(text, span_of(&root, &["lit"])), "|\n  ≈≈");
    }

    #[test]
    fn under_indented_flow_content_is_accepted() {
        // The spec wants flow lines indented past the enclosing block; compose does not.
        let text = "\u{feff}x: é\nservices:\n  web:\n    command: [\n      \"run\",\n    ]\n    entrypoint: [\n\"ä\",\n  # c\n]\n    image: nginx\n";
        let root = doc(text);
        let web = root.get("services").unwrap().get("web").unwrap();
        let command = web.get("command").unwrap();
        assert_eq!(at(text, command.span), "[\n      \"run\",\n    ]");
        let entrypoint = web.get("entrypoint").unwrap();
        assert_eq!(at(text, entrypoint.span), "[\n\"ä\",\n  # c\n]");
        assert_eq!(at(text, entrypoint.as_sequence().unwrap()[0].span), "\"ä\"");
        assert_eq!(at(text, web.get("image").unwrap().span), "nginx");

        let broken = "a: [\n]\nb: [\n'x\n";
        let out = parse(broken);
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.errors[0].span.start, broken.find('\'').unwrap());
    }

    #[test]
    fn merge_key_with_one_source() {
        let text = "base: &b\n  image: x\n  restart: always\nsvc:\n  image: y\n  <<: *b\n  ports: []\n";
        let root = doc(text);
        let svc = root.get("svc").unwrap().as_mapping().unwrap();
        let keys: Vec<&str> = svc.iter().map(|e| e.key.as_str().unwrap()).collect();
        // Explicit keys stay in order, merged ones go where the `<<` was.
        assert_eq!(keys, ["image", "restart", "ports"]);
        assert_eq!(svc.get("image").unwrap().as_str(), Some("y"));
        assert_eq!(svc.get_entry("image").unwrap().merged_from, None);
        let restart = svc.get_entry("restart").unwrap();
        let merge_key = text.find("<<").unwrap();
        assert_eq!(restart.merged_from, Some(Span::new(merge_key, merge_key + 2)));
        // A merged entry keeps the spans where it was written.
        assert_eq!(at(text, restart.value.span), "always");
        assert_eq!(restart.value.span.start, text.find("always").unwrap());
        assert!(svc.get("<<").is_none());
        assert!(parse(text).duplicate_keys.is_empty());
    }

    #[test]
    fn merge_key_with_a_list_prefers_earlier_sources() {
        let text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 0\n";
        let root = doc(text);
        let c = root.get("c").unwrap().as_mapping().unwrap();
        let pairs: Vec<(&str, &str)> = c
            .iter()
            .map(|e| (e.key.as_str().unwrap(), e.value.as_str().unwrap()))
            .collect();
        assert_eq!(pairs, [("y", "1"), ("z", "2"), ("x", "0")]);
        assert!(c.iter().take(2).all(|e| e.merged_from.is_some()));
        assert_eq!(c.get_entry("x").unwrap().merged_from, None);
    }

    #[test]
    fn aliases_copy_the_anchored_node() {
        let text = "x-env: &env\n  A: 1\nsvc:\n  environment: *env\n  other: &o plain\n  again: *o\n";
        let root = doc(text);
        let original = root.get("x-env").unwrap();
        assert!(original.anchor.is_some());
        assert_eq!(original.alias, None);
        let env = root.get("svc").unwrap().get("environment").unwrap();
        let star = text.find("*env").unwrap();
        assert_eq!(env.alias, Some(Span::new(star, star + 4)));
        assert_eq!(env.span, original.span);
        assert_eq!(env.anchor, None);
        assert_eq!(env.get("A").unwrap().span, original.get("A").unwrap().span);
        let again = root.get("svc").unwrap().get("again").unwrap();
        assert_eq!(again.as_str(), Some("plain"));
        assert_eq!(at(text, again.span), "plain");
        assert_eq!(at(text, again.site()), "*o");
    }

    #[test]
    fn duplicate_keys_report_both_spans_and_keep_the_first() {
        let text = "a: 1\nb: 2\na: 3\n\"a\": 4\n";
        let out = parse(text);
        assert_eq!(out.duplicate_keys.len(), 2);
        let dup = &out.duplicate_keys[0];
        assert_eq!(dup.key, "a");
        assert_eq!(dup.first, Span::new(0, 1));
        assert_eq!(dup.second, Span::new(10, 11));
        assert_eq!(out.duplicate_keys[1].first, Span::new(0, 1));
        assert_eq!(at(text, out.duplicate_keys[1].second), "\"a\"");
        let root = &out.documents[0];
        assert_eq!(root.as_mapping().unwrap().len(), 2);
        assert_eq!(root.get("a").unwrap().as_str(), Some("1"));
    }

    #[test]
    fn duplicate_keys_in_large_mappings() {
        let mut text: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k42: again\n<<: {k1: m, new: m}\n<<: {other: m}\n");
        let out = parse(&text);
        let dups: Vec<&str> = out.duplicate_keys.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(dups, ["k42", "<<"]);
        let root = &out.documents[0];
        assert_eq!(root.get("k42").unwrap().as_str(), Some("42"));
        assert_eq!(root.get("k1").unwrap().as_str(), Some("1"));
        assert_eq!(root.get("new").unwrap().as_str(), Some("m"));
        assert!(root.get("other").is_none());
    }

    #[test]
    fn yaml_1_2_core_schema_resolution() {
        let text = "yes: yes\nno: no\non: off\nt: true\nT: True\nf: FALSE\nn: ~\nnull: null\nempty:\nint: 42\nneg: -7\noct: 0o17\nhex: 0x1F\nfloat: 1.5\nexp: 6.02e23\ninf: -.inf\nnan: .NaN\nquoted: \"42\"\nstr: !!str 42\nbang: ! true\nbig: 99999999999999999999\nunderscore: 1_000\nversion: 3.8.1\n";
        let root = doc(text);
        let resolve = |key: &str| root.get(key).unwrap().resolve().unwrap();
        assert_eq!(resolve("yes"), Resolved::Str("yes"));
        assert_eq!(resolve("no"), Resolved::Str("no"));
        assert_eq!(resolve("on"), Resolved::Str("off"));
        assert_eq!(resolve("t"), Resolved::Bool(true));
        assert_eq!(resolve("T"), Resolved::Bool(true));
        assert_eq!(resolve("f"), Resolved::Bool(false));
        assert_eq!(resolve("n"), Resolved::Null);
        assert_eq!(resolve("null"), Resolved::Null);
        assert_eq!(resolve("empty"), Resolved::Null);
        assert_eq!(resolve("int"), Resolved::Int(42));
        assert_eq!(resolve("neg"), Resolved::Int(-7));
        assert_eq!(resolve("oct"), Resolved::Int(15));
        assert_eq!(resolve("hex"), Resolved::Int(31));
        assert_eq!(resolve("float"), Resolved::Float(1.5));
        assert_eq!(resolve("exp"), Resolved::Float(6.02e23));
        assert_eq!(resolve("inf"), Resolved::Float(f64::NEG_INFINITY));
        assert!(matches!(resolve("nan"), Resolved::Float(x) if x.is_nan()));
        assert_eq!(resolve("quoted"), Resolved::Str("42"));
        assert_eq!(resolve("str"), Resolved::Str("42"));
        assert_eq!(resolve("bang"), Resolved::Str("true"));
        assert_eq!(resolve("big"), Resolved::Float(1e20));
        assert_eq!(resolve("underscore"), Resolved::Str("1_000"));
        assert_eq!(resolve("version"), Resolved::Str("3.8.1"));
        assert!(root.get("n").unwrap().is_null());
        assert!(!root.get("quoted").unwrap().is_null());
    }

    #[test]
    fn tags_are_written_back_as_in_the_source() {
        let text = "a: !!str x\nb: !reset []\nc: !override {}\nd: !<tag:yaml.org,2002:str> 5\ne: !custom 5\n";
        let root = doc(text);
        let tag = |key: &str| root.get(key).unwrap().tag.clone().unwrap();
        assert_eq!(tag("a"), "!!str");
        assert_eq!(tag("b"), "!reset");
        assert_eq!(tag("c"), "!override");
        assert_eq!(tag("d"), "!<tag:yaml.org,2002:str>");
        assert_eq!(root.get("d").unwrap().resolve(), Some(Resolved::Str("5")));
        assert_eq!(root.get("e").unwrap().resolve(), Some(Resolved::Int(5)));
        assert_eq!(at(text, span_of(&root, &["a"])), "x");
        assert_eq!(at(text, span_of(&root, &["b"])), "[]");
        assert_eq!(at(text, span_of(&root, &["d"])), "5");
    }

    #[test]
    fn billion_laughs_is_stopped() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..9 {
            let prev = format!("*a{}", level - 1);
            let items = [prev.as_str(); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        // Expanded, the aliases are 9^9 (387 million) items: without the
        // limit this test would run out of memory instead of finishing.
        let out = parse(&text);
        let error = &out.errors[0];
        assert!(error.message.contains("alias expansion exceeds"), "{}", error.message);
        assert_eq!(at(&text, error.span).chars().next(), Some('*'));
        assert!(out.documents.is_empty());
    }

    #[test]
    fn deep_flow_nesting_is_an_error_not_a_stack_overflow() {
        for open in ["[", "{"] {
            let text = open.repeat(100_000);
            let out = parse(&text);
            assert_eq!(out.errors.len(), 1);
            assert!(
                out.errors[0].message.contains("nesting depth exceeds"),
                "{:?}",
                out.errors
            );
            assert_eq!(out.errors[0].span, Span::new(255, 256));
        }
        let fine = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&fine).errors.is_empty());
        // Block levels count too, so flow nesting inside them hits our limit.
        let block: String = (0..100)
            .map(|depth| format!("{}k{depth}:\n", " ".repeat(depth)))
            .collect();
        let mixed = format!("{block}{}{}", " ".repeat(100), "[".repeat(200));
        let out = parse(&mixed);
        assert_eq!(
            out.errors[0].message,
            format!("nesting depth exceeds {MAX_DEPTH} levels")
        );
        assert_eq!(&mixed[out.errors[0].span.start..out.errors[0].span.end], "[");
    }

    #[test]
    fn deep_block_nesting_is_an_error() {
        let text: String = (0..1000)
            .map(|depth| format!("{}k{depth}:\n", " ".repeat(depth)))
            .collect();
        let out = parse(&text);
        assert!(
            out.errors[0].message.contains("nesting depth exceeds"),
            "{:?}",
            out.errors
        );
    }

    #[test]
    fn aliases_cannot_nest_past_the_depth_limit() {
        let deep = format!("{}x{}", "[".repeat(200), "]".repeat(200));
        let text = format!("a: &a {deep}\nb: {}*a{}\n", "[".repeat(100), "]".repeat(100));
        let out = parse(&text);
        assert!(out.errors[0].message.contains("nests deeper"), "{:?}", out.errors);
    }

    #[test]
    fn recursive_alias_is_an_error() {
        let text = "a: &a [1, *a]\n";
        let out = parse(text);
        assert_eq!(out.errors[0].span, Span::new(10, 12));
    }

    #[test]
    fn unterminated_quote_reports_its_offset() {
        let text = "services:\n  web:\n    image: \"nginx\n";
        let out = parse(text);
        let error = &out.errors[0];
        let quote = text.find('"').unwrap();
        assert_eq!(error.span, Span::new(quote, quote + 1));
        assert!(!error.message.contains(" at byte "), "{}", error.message);
        assert!(error.message.contains("quoted scalar"), "{}", error.message);
    }

    #[test]
    fn documents_before_an_error_are_kept() {
        let out = parse("a: 1\n---\nb: [\n");
        assert_eq!(out.documents.len(), 1);
        assert_eq!(out.errors.len(), 1);
    }

    #[test]
    fn multiple_documents() {
        let text = "a: 1\n---\nb: 2\n...\n--- text\n---\n";
        let out = parse(text);
        assert!(out.errors.is_empty());
        assert_eq!(out.documents.len(), 4);
        assert_eq!(out.documents[1].get("b").unwrap().as_str(), Some("2"));
        assert_eq!(at(text, out.documents[2].span), "text");
        assert!(out.documents[3].is_null());
        assert!(parse("").documents.is_empty());
        assert!(parse("# only a comment\n").documents.is_empty());
    }

    #[test]
    fn no_input_prefix_panics() {
        let text = "\u{feff}a: &x {b: \"é\\u00e9\", c: [1, 'ü']}\n<<: *x\nd: |-\n  ∂\ne: !t ~\nf: *x\n? g\n";
        let mut ends: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        ends.push(text.len());
        for end in ends {
            let prefix = &text[..end];
            let out = parse(prefix);
            for error in &out.errors {
                assert!(prefix.get(error.span.start..error.span.end).is_some(), "{prefix:?}");
            }
        }
    }

    /// Collects spans that do not match their node's text.
    fn check_spans(text: &str, node: &Node, bad: &mut Vec<String>) {
        if node.alias.is_some() {
            return;
        }
        let Some(slice) = text.get(node.span.start..node.span.end) else {
            bad.push(format!("{:?} is not a char range", node.span));
            return;
        };
        let ok = match &node.value {
            Value::Null => true,
            Value::Scalar(scalar) => match scalar.style {
                ScalarStyle::Plain => slice == scalar.text || slice.contains('\n'),
                ScalarStyle::SingleQuoted => slice.starts_with('\'') && slice.ends_with('\''),
                ScalarStyle::DoubleQuoted => slice.starts_with('"') && slice.ends_with('"'),
                ScalarStyle::Literal => slice.starts_with('|'),
                ScalarStyle::Folded => slice.starts_with('>'),
            },
            Value::Sequence(items) => {
                items.iter().for_each(|item| check_spans(text, item, bad));
                items.iter().all(|item| node.span.contains(item.site()))
            }
            Value::Mapping(mapping) => {
                for entry in mapping {
                    check_spans(text, &entry.key, bad);
                    check_spans(text, &entry.value, bad);
                }
                mapping
                    .iter()
                    .filter(|e| e.merged_from.is_none())
                    .all(|e| node.span.contains(e.key.site()))
            }
        };
        if !ok {
            bad.push(format!("{:?} {slice:?}", node.span));
        }
    }

    #[test]
    fn parses_the_compose_corpus() {
        let Some(corpus) = corpus() else { return };
        let mut files = Vec::new();
        let mut dirs = vec![corpus.join("compose")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        let texts: Vec<(std::path::PathBuf, String)> = files
            .into_iter()
            .filter_map(|path| Some((path.clone(), String::from_utf8(std::fs::read(&path).ok()?).ok()?)))
            .collect();
        let outputs: Vec<YamlOutput> = texts.iter().map(|(_, text)| parse(text)).collect();
        let mut with_errors = 0;
        let mut bad = Vec::new();
        for ((path, text), out) in texts.iter().zip(&outputs) {
            if let Some(error) = out.errors.first() {
                with_errors += 1;
                println!("{}: {} at {:?}", path.display(), error.message, error.span);
            }
            let before = bad.len();
            out.documents.iter().for_each(|doc| check_spans(text, doc, &mut bad));
            if bad.len() > before {
                println!("{}: bad spans {:?}", path.display(), &bad[before..]);
            }
        }
        let duplicates: usize = outputs.iter().map(|out| out.duplicate_keys.len()).sum();
        println!(
            "parsed {} files: {with_errors} with errors, {duplicates} duplicate keys",
            texts.len()
        );
        assert!(bad.is_empty(), "{} bad spans", bad.len());
    }
}
