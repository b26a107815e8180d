use super::*;

include!("../../../tests/common/corpus.rs");

fn slice(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

fn shell(inst: &Instruction) -> &ShellText {
    match &inst.args {
        Arguments::Shell(text) => text,
        Arguments::Exec(words) => panic!("expected shell form, got {words:?}"),
    }
}

fn messages(df: &Dockerfile) -> Vec<&str> {
    df.errors.iter().map(|e| e.message.as_str()).collect()
}

/// Every logical byte of `text` maps to the same byte in the source.
fn assert_maps_back(source: &str, text: &ShellText) {
    for (i, c) in text.text.char_indices() {
        let at = text.source_offset(i);
        assert_eq!(source[at..].chars().next(), Some(c), "logical {i} of {:?}", text.text);
    }
    assert!(text.span.end <= source.len() && text.span.start <= text.span.end);
}

/// A FROM image every variable of which has a value.
fn all_set(text: &str) -> Substituted {
    Substituted {
        text: text.to_string(),
        missing: Vec::new(),
    }
}

#[test]
fn keyword_flag_and_argument_spans() {
    let text = "FROM alpine\n  run --mount=type=cache,target=/root/.cache --link  pip install x  \n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let run = &df.instructions[1];
    assert_eq!(run.keyword, Keyword::Run);
    assert_eq!(slice(text, run.keyword_span), "run");
    assert_eq!(
        slice(text, run.span),
        "run --mount=type=cache,target=/root/.cache --link  pip install x"
    );
    let mount = run.flag("mount").unwrap();
    assert_eq!(mount.value.as_deref(), Some("type=cache,target=/root/.cache"));
    assert_eq!(slice(text, mount.span), "--mount=type=cache,target=/root/.cache");
    assert_eq!(slice(text, mount.value_span.unwrap()), "type=cache,target=/root/.cache");
    let link = run.flag("link").unwrap();
    assert_eq!((link.value.as_deref(), link.value_span), (None, None));
    assert_eq!(slice(text, link.span), "--link");
    let args = shell(run);
    assert_eq!(args.text, "pip install x");
    assert_eq!(slice(text, args.span), "pip install x");
    assert_eq!(args.span, run.args_span);
    assert_eq!(run.stage, Some(0));
}

#[test]
fn quoted_flag_values_and_double_dash() {
    let text = "FROM a\nRUN --mount=type=secret,id=\"my id\" -- --not-a-flag\n";
    let df = parse(text);
    let run = &df.instructions[1];
    assert_eq!(run.flags.len(), 1);
    assert_eq!(run.flags[0].value.as_deref(), Some("type=secret,id=my id"));
    assert_eq!(
        slice(text, run.flags[0].value_span.unwrap()),
        "type=secret,id=\"my id\""
    );
    assert_eq!(shell(run).text, "--not-a-flag");
}

#[test]
fn continuation_skips_comment_and_blank_lines() {
    let text = "FROM alpine\nRUN apk add \\\n    # the compiler\n    gcc \\  \n\n    musl-dev\nUSER app\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let run = &df.instructions[1];
    let args = shell(run);
    assert_eq!(args.text, "apk add     gcc     musl-dev");
    assert_maps_back(text, args);
    let at = args.text.find("musl").unwrap();
    assert_eq!(args.source_offset(at), text.find("musl").unwrap());
    assert_eq!(slice(text, args.source_span(at..at + 8)), "musl-dev");
    // A range ending at a continuation stops on that line.
    let gcc = args.text.find("gcc").unwrap();
    assert_eq!(slice(text, args.source_span(gcc..gcc + 4)), "gcc ");
    assert!(slice(text, run.span).ends_with("musl-dev"));
    assert_eq!(df.comments.len(), 1);
    assert_eq!(df.comments[0].text, "the compiler");
    assert_eq!(slice(text, df.comments[0].span), "# the compiler");
    assert_eq!(df.instructions[2].keyword, Keyword::User);
}

#[test]
fn continuation_edge_cases() {
    // An escaped escape character at the end does not continue the line.
    let df = parse("FROM a\nENV C trailing\\\\\nENV D x\n");
    assert_eq!(df.instructions.len(), 3);
    // A continuation at the end of the file is accepted.
    let df = parse("FROM a\nRUN something \\");
    assert!(df.errors.is_empty());
    assert_eq!(shell(&df.instructions[1]).text, "something");
    // A lone escape character joins nothing and is reported.
    let df = parse("FROM a\n\\\n");
    assert_eq!(messages(&df), ["line continuation without an instruction"]);
    // The keyword may come on the line after a lone escape character.
    let df = parse("FROM a\n\\\nRUN x\n");
    assert!(df.errors.is_empty());
    assert_eq!(df.instructions[1].keyword, Keyword::Run);
}

#[test]
fn backtick_escape_for_windows() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n\
        SHELL [\"powershell\", \"-Command\", \"$ErrorActionPreference = 'Stop';\"]\n\
        RUN Write-Host a; `\n    Write-Host b\nCOPY app C:\\app\\\nWORKDIR C:\\app\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.escape, '`');
    assert_eq!(df.directives[0].name, "escape");
    assert_eq!(df.directives[0].value, "`");
    assert!(df.comments.is_empty());
    let Arguments::Exec(words) = &df.instructions[1].args else {
        panic!("SHELL is JSON")
    };
    assert_eq!(words[0].text, "powershell");
    assert_eq!(slice(text, words[0].span), "\"powershell\"");
    assert_eq!(shell(&df.instructions[2]).text, "Write-Host a;     Write-Host b");
    // A trailing backslash is a path here, not a continuation.
    assert_eq!(shell(&df.instructions[3]).text, "app C:\\app\\");
    assert_eq!(df.instructions[4].keyword, Keyword::Workdir);
}

#[test]
fn directives_only_at_the_top() {
    let text = "#  Syntax = docker/dockerfile:1\n# CHECK=skip=all\n#escape=\\\n\n# escape=`\nFROM a\nRUN x `\n";
    let df = parse(text);
    let names: Vec<_> = df
        .directives
        .iter()
        .map(|d| (d.name.as_str(), d.value.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("syntax", "docker/dockerfile:1"),
            ("check", "skip=all"),
            ("escape", "\\")
        ]
    );
    assert_eq!(slice(text, df.directives[0].span), "#  Syntax = docker/dockerfile:1");
    assert_eq!(df.escape, '\\');
    assert_eq!(df.comments.len(), 1, "the late escape line is a comment");
    assert_eq!(df.comments[0].text, "escape=`");
    // A comment first ends the directives.
    let df = parse("# hello\n# escape=`\nFROM a\n");
    assert!(df.directives.is_empty());
    assert_eq!(df.escape, '\\');
    // Repeating a directive is an error.
    let df = parse("# escape=`\n# escape=\\\nFROM a\n");
    assert_eq!(messages(&df), ["only one escape parser directive can be used"]);
    assert_eq!(df.escape, '`');
}

#[test]
fn heredocs() {
    let text = "FROM a\nRUN <<EOF\napt-get update\n  # not a comment\nEOF\n# a comment after the heredoc\nRUN x\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let run = &df.instructions[1];
    let doc = &run.heredocs[0];
    assert_eq!(
        (doc.delimiter.as_str(), doc.strip_tabs, doc.quoted),
        ("EOF", false, false)
    );
    assert_eq!(doc.body, "apt-get update\n  # not a comment\n");
    assert_eq!(slice(text, doc.body_span), "apt-get update\n  # not a comment");
    assert_eq!(slice(text, doc.marker_span), "<<EOF");
    assert_eq!(
        slice(text, run.span),
        "RUN <<EOF\napt-get update\n  # not a comment\nEOF"
    );
    assert_maps_back(text, doc.body_text());
    assert_eq!(df.comments.len(), 1);
    assert_eq!(df.comments[0].text, "a comment after the heredoc");
    assert_eq!(df.instructions[2].keyword, Keyword::Run);
    assert_eq!(df.instructions.len(), 3);
}

#[test]
fn several_heredocs_tabs_and_quotes() {
    let text = "FROM a\nRUN <<EOF1 <<-'EOF2' python3 - && 3<<\"EOF3\" cat\necho $HOME\nEOF1\n\t\tprint(1)\n\tEOF2\nx\nEOF3\nCOPY <<EOF /dst\nhello\nEOF\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let docs = &df.instructions[1].heredocs;
    let summary: Vec<_> = docs
        .iter()
        .map(|d| (d.delimiter.as_str(), d.strip_tabs, d.quoted, d.body.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("EOF1", false, false, "echo $HOME\n"),
            ("EOF2", true, true, "print(1)\n"),
            ("EOF3", false, true, "x\n")
        ]
    );
    assert_eq!(slice(text, docs[1].marker_span), "<<-'EOF2'");
    assert_eq!(slice(text, docs[2].marker_span), "3<<\"EOF3\"");
    assert_eq!(docs[1].body_text().source_offset(0), text.find("print").unwrap());
    let copy = &df.instructions[2];
    assert_eq!(copy.keyword, Keyword::Copy);
    assert_eq!(copy.heredocs[0].body, "hello\n");
    assert_eq!(shell(copy).text, "<<EOF /dst");
}

#[test]
fn not_heredocs() {
    let text = "FROM a\nRUN cat <<< \"x\"\nRUN echo \"a << b\" '<<EOF' x<<EOF\nRUN [\"sh\", \"-c\", \"cat <<EOF\"]\nENV A <<EOF\nUSER app\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert!(df.instructions.iter().all(|i| i.heredocs.is_empty()));
    assert_eq!(df.instructions.len(), 6);
}

#[test]
fn unterminated_heredoc() {
    let text = "FROM a\nRUN <<EOF\necho hi\nEOF \n";
    let df = parse(text);
    assert_eq!(df.errors.len(), 1);
    assert!(df.errors[0].message.starts_with("unterminated heredoc"));
    assert_eq!(slice(text, df.errors[0].span), "<<EOF");
    assert_eq!(df.instructions[1].heredocs[0].body, "echo hi\nEOF \n");
}

#[test]
fn heredoc_with_crlf() {
    let text = "FROM a\r\nRUN <<EOF\r\necho hi\r\nEOF\r\nUSER x\r\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let doc = &df.instructions[1].heredocs[0];
    assert_eq!(doc.body, "echo hi\n");
    assert_eq!(slice(text, doc.body_span), "echo hi");
    assert_eq!(doc.body_text().source_offset(7), text.find("hi\r\n").unwrap() + 3);
    assert_eq!(slice(text, df.instructions[1].span), "RUN <<EOF\r\necho hi\r\nEOF");
    assert_eq!(df.instructions[2].keyword, Keyword::User);
}

#[test]
fn json_and_shell_form() {
    let text = "FROM a\nCMD [ \"python\",\t\"app.py\", \"\\u00e9\\n\" ]\nRUN [ -f x ] && y\nENTRYPOINT []\nVOLUME [\"/data\"]\nCMD echo [\"a\"]\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let Arguments::Exec(words) = &df.instructions[1].args else {
        panic!("exec form expected")
    };
    let texts: Vec<_> = words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(texts, ["python", "app.py", "é\n"]);
    assert_eq!(slice(text, words[1].span), "\"app.py\"");
    assert_eq!(
        slice(text, df.instructions[1].args_span),
        "[ \"python\",\t\"app.py\", \"\\u00e9\\n\" ]"
    );
    assert_eq!(shell(&df.instructions[2]).text, "[ -f x ] && y");
    assert_eq!(df.instructions[3].args, Arguments::Exec(Vec::new()));
    assert!(matches!(df.instructions[4].args, Arguments::Exec(_)));
    assert!(matches!(df.instructions[5].args, Arguments::Shell(_)));
}

#[test]
fn json_across_continuation_lines() {
    let text = "FROM a\nCMD [\"a\", \\\n     \"b\"]\n";
    let df = parse(text);
    let Arguments::Exec(words) = &df.instructions[1].args else {
        panic!("exec form expected")
    };
    assert_eq!(slice(text, words[1].span), "\"b\"");
}

#[test]
fn broken_json_is_shell_with_an_error() {
    for (args, reason) in [
        ("['python', 'app.py']", "double quotes"),
        ("[\"python\", \"app.py\",]", "quotes and commas"),
        ("[\"echo\", \"no closing bracket\"", "closing `]`"),
        ("[\"echo\", [\"nested\"]]", "other than strings"),
    ] {
        let text = format!("FROM a\nCMD {args}\n");
        let df = parse(&text);
        assert_eq!(df.errors.len(), 1, "{args}");
        assert!(
            df.errors[0].message.contains(reason),
            "{args}: {}",
            df.errors[0].message
        );
        assert_eq!(slice(&text, df.errors[0].span), args);
        assert_eq!(shell(&df.instructions[1]).text, args);
    }
    // Shell code that merely starts with `[` is fine.
    for args in [
        "[ \"$X\" = \"a,b\" ]",
        "[ -e /etc/x ] && grep 'a' /etc/x",
        "[ \"$A\" = 1 ] && echo a, b",
    ] {
        let df = parse(&format!("FROM a\nRUN {args}\n"));
        assert!(df.errors.is_empty(), "{args}: {:?}", df.errors);
    }
}

#[test]
fn stages_and_copy_from() {
    let text = "ARG BASE=alpine\nFROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nRUN go build\n\
        FROM ${BASE}\nCOPY --from=build /out /bin/app\nCMD [\"app\"]\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.instructions[0].stage, None);
    assert_eq!(df.stages.len(), 2);
    let build = &df.stages[0];
    assert_eq!((build.index, build.from, build.instructions.clone()), (0, 1, 1..3));
    assert_eq!(build.image.text, "golang:1.22");
    assert_eq!(slice(text, build.image.span), "golang:1.22");
    assert_eq!(build.name.as_ref().unwrap().text, "Build");
    assert_eq!(build.platform.as_deref(), Some("$BUILDPLATFORM"));
    let last = &df.stages[1];
    assert_eq!((last.from, last.instructions.clone()), (3, 3..6));
    let copy = &df.instructions[4];
    assert_eq!(copy.stage, Some(1));
    let from = copy.flag("from").unwrap().value.as_deref().unwrap();
    assert_eq!(df.stage_by_name(from).map(|s| s.index), Some(0));
    assert_eq!(df.resolve_from(last), all_set("alpine"));
}

#[test]
fn resolve_from_with_global_args() {
    let text = "ARG PY=3.11\nARG VARIANT\nARG REG=\"docker.io\" TAG=${PY}-slim\n\
        FROM python:${PY}-slim\nFROM node:$VARIANT\nFROM ${REG}/python:${TAG}\n\
        FROM img:${VARIANT:-18}${VARIANT:+-x}\nFROM img:${UNDECLARED-1}\nARG LATE=1\nFROM x:$LATE\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let resolved: Vec<_> = df.stages.iter().map(|s| df.resolve_from(s)).collect();
    assert_eq!(resolved[0], all_set("python:3.11-slim"));
    assert_eq!(
        resolved[1],
        Substituted {
            text: "node:$VARIANT".into(),
            missing: vec!["VARIANT".into()]
        }
    );
    assert_eq!(resolved[2], all_set("docker.io/python:3.11-slim"));
    assert_eq!(resolved[3], all_set("img:18"));
    assert_eq!(resolved[4], all_set("img:1"));
    // ARGs inside a stage do not reach FROM.
    assert_eq!(resolved[5].missing, ["LATE"]);
    let globals = df.global_args();
    let names: Vec<_> = globals.iter().map(|a| (a.name.as_str(), a.value.as_deref())).collect();
    assert_eq!(
        names,
        [
            ("PY", Some("3.11")),
            ("VARIANT", None),
            ("REG", Some("docker.io")),
            ("TAG", Some("3.11-slim"))
        ]
    );
    assert_eq!(slice(text, globals[2].span), "REG=\"docker.io\"");
    assert_eq!(slice(text, globals[2].default.as_ref().unwrap().span), "\"docker.io\"");
}

#[test]
fn substitution() {
    let env = |name: &str| match name {
        "A" => Some("1".to_string()),
        "EMPTY" => Some(String::new()),
        _ => None,
    };
    let cases = [
        ("$A-${A}", "1-1", vec![]),
        ("${EMPTY:-d} ${EMPTY-d}|", "d |", vec![]),
        ("${A:+alt} ${NO:+alt} ${NO+alt}|", "alt  |", vec![]),
        ("${NO:-${A}x}", "1x", vec![]),
        ("'$A' \"$A\" \\$A $", "$A 1 $A $", vec![]),
        (
            "$NO ${NO} ${NO:?need} ${A%.*}",
            "$NO ${NO} ${NO:?need} ${A%.*}",
            vec!["NO", "A"],
        ),
        ("${", "${", vec![]),
    ];
    for (input, output, missing) in cases {
        let result = substitute(input, env);
        assert_eq!(result.text, output, "{input}");
        assert_eq!(result.missing, missing, "{input}");
    }
    assert_eq!(substitute_with_escape("`$A", '`', env).text, "$A");
}

#[test]
fn crlf_and_bom() {
    let text = "\u{feff}# syntax=docker/dockerfile:1\r\nFROM alpine\r\nRUN echo a \\\r\n  b\r\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.directives[0].value, "docker/dockerfile:1");
    assert_eq!(df.directives[0].span.start, 3);
    let run = &df.instructions[1];
    assert_eq!(slice(text, run.span), "RUN echo a \\\r\n  b");
    assert_eq!(shell(run).text, "echo a   b");
    assert_maps_back(text, shell(run));
    let df = parse("\u{feff}FROM a\n");
    assert_eq!(df.instructions[0].keyword_span, Span::new(3, 7));
}

#[test]
fn unknown_instruction() {
    let text = "FROM a\nCOPPY x /y\nRUN ok\n";
    let df = parse(text);
    assert_eq!(messages(&df), ["unknown instruction: COPPY (did you mean COPY?)"]);
    assert_eq!(slice(text, df.errors[0].span), "COPPY");
    assert_eq!(df.instructions.len(), 2);
    assert_eq!(df.instructions[1].keyword, Keyword::Run);
}

#[test]
fn from_is_required_first() {
    let df = parse("RUN x\nCMD y\n");
    assert_eq!(
        messages(&df),
        ["no FROM instruction: a Dockerfile needs at least one build stage"]
    );
    assert_eq!(df.errors[0].span, Span::point(0));
    assert_eq!(
        messages(&parse("# only a comment\n")),
        ["the Dockerfile has no instructions: it needs a FROM"]
    );
    let text = "ARG V=1\nENV X=1\nFROM a\n";
    let df = parse(text);
    assert_eq!(
        messages(&df),
        ["ENV before the first FROM: only ARG may come before FROM"]
    );
    assert_eq!(slice(text, df.errors[0].span), "ENV");
}

#[test]
fn missing_and_extra_arguments() {
    let cases = [
        ("FROM\n", "FROM requires the base image"),
        ("FROM a\nRUN\n", "RUN requires a command"),
        ("FROM a b\n", "FROM requires either one or three arguments"),
        ("FROM a AS 1st\n", "invalid stage name"),
        ("FROM a\nCOPY x\n", "COPY requires at least two arguments"),
        ("FROM a\nENV PATH\n", "ENV requires a value"),
        ("FROM a\nLABEL a=b c\n", "has no '='"),
        (
            "FROM a\nSHELL powershell\n",
            "SHELL requires the arguments in JSON form",
        ),
        (
            "FROM a\nCMD --verbose run\n",
            "unknown flag --verbose: CMD takes no flags",
        ),
        (
            "FROM --platfrom=x a\n",
            "unknown flag --platfrom for FROM (it takes --platform)",
        ),
        (
            "FROM a\nHEALTHCHECK --intervall=1s CMD x\n",
            "unknown flag --intervall for HEALTHCHECK",
        ),
        ("FROM a\nHEALTHCHECK CMD\n", "HEALTHCHECK CMD requires a command"),
        ("FROM a\nHEALTHCHECK NONE x\n", "HEALTHCHECK NONE takes no arguments"),
        ("FROM a\nHEALTHCHECK CONNECT x\n", "unknown HEALTHCHECK type"),
        ("FROM a\nONBUILD FROM b\n", "FROM is not allowed as an ONBUILD trigger"),
        ("FROM a\nUSER\n", "USER requires at least one argument"),
    ];
    for (text, message) in cases {
        let df = parse(text);
        assert_eq!(df.errors.len(), 1, "{text:?}: {:?}", df.errors);
        assert!(
            df.errors[0].message.contains(message),
            "{text:?}: {}",
            df.errors[0].message
        );
    }
    let df = parse("FROM\nRUN x\n");
    assert_eq!(df.stages[0].image.text, "");
    assert_eq!(df.instructions[1].stage, Some(0));
    assert!(parse("FROM a\nCMD\nENTRYPOINT\n").errors.is_empty());
}

#[test]
fn env_label_arg_pairs() {
    let text = "FROM a\nENV A=1 B=\"two words\" C=x\\ y\nENV LEGACY some value\nLABEL \"com.x\"=y\nARG N M=3\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let pairs = |i: usize| -> Vec<(String, Option<String>, bool)> {
        df.instructions[i]
            .key_values
            .iter()
            .map(|kv| {
                (
                    kv.key.text.clone(),
                    kv.value.as_ref().map(|v| v.text.clone()),
                    kv.legacy,
                )
            })
            .collect()
    };
    let owned = |k: &str, v: Option<&str>, legacy| (k.to_string(), v.map(str::to_string), legacy);
    assert_eq!(
        pairs(1),
        [
            owned("A", Some("1"), false),
            owned("B", Some("two words"), false),
            owned("C", Some("x y"), false)
        ]
    );
    assert_eq!(pairs(2), [owned("LEGACY", Some("some value"), true)]);
    assert_eq!(pairs(3), [owned("com.x", Some("y"), false)]);
    assert_eq!(pairs(4), [owned("N", None, false), owned("M", Some("3"), false)]);
    let b = &df.instructions[1].key_values[1];
    assert_eq!(slice(text, b.key.span), "B");
    assert_eq!(slice(text, b.value.as_ref().unwrap().span), "\"two words\"");
}

#[test]
fn healthcheck() {
    let text = "FROM a\nHEALTHCHECK --interval=30s --timeout=10s CMD curl -f http://localhost/ || exit 1\n\
        HEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost/\"]\nHEALTHCHECK NONE\n\
        HEALTHCHECK CMD ['curl', 'x']\n";
    let df = parse(text);
    assert_eq!(df.errors.len(), 1, "{:?}", df.errors);
    assert!(
        df.errors[0]
            .message
            .starts_with("HEALTHCHECK CMD arguments are not a valid JSON array")
    );
    let first = &df.instructions[1];
    assert_eq!(first.flag("interval").unwrap().value.as_deref(), Some("30s"));
    assert_eq!(shell(first).text, "CMD curl -f http://localhost/ || exit 1");
    let Some(Arguments::Shell(cmd)) = first.healthcheck_command() else {
        panic!("shell form expected")
    };
    assert_eq!(slice(text, cmd.span), "curl -f http://localhost/ || exit 1");
    let Some(Arguments::Exec(words)) = df.instructions[2].healthcheck_command() else {
        panic!("exec form expected")
    };
    assert_eq!(words.len(), 3);
    assert_eq!(df.instructions[3].healthcheck_command(), None);
}

#[test]
fn onbuild_trigger() {
    let text = "FROM a\nONBUILD RUN --mount=type=cache,target=/c <<EOF\nmake\nEOF\nONBUILD COPY . /src\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let onbuild = &df.instructions[1];
    let trigger = onbuild.trigger.as_deref().unwrap();
    assert_eq!(trigger.keyword, Keyword::Run);
    assert_eq!(slice(text, trigger.keyword_span), "RUN");
    assert!(trigger.flag("mount").is_some());
    assert_eq!(trigger.heredocs[0].body, "make\n");
    assert_eq!(trigger.stage, Some(0));
    assert!(slice(text, onbuild.span).ends_with("make\nEOF"));
    assert_eq!(df.instructions[2].trigger.as_ref().unwrap().keyword, Keyword::Copy);
}

/// A small deterministic generator, to feed odd inputs without a dependency.
fn pseudo_random(seed: &mut u64) -> usize {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed >> 16) as usize
}

#[test]
fn never_panics_on_odd_input() {
    let pieces = [
        "FROM ",
        "RUN ",
        "run",
        "COPY ",
        "ONBUILD ",
        "HEALTHCHECK ",
        "CMD ",
        "ARG ",
        "ENV ",
        "<<",
        "<<-",
        "EOF",
        "'",
        "\"",
        "[",
        "]",
        ",",
        "\\",
        "`",
        "#",
        "# escape=`",
        "\n",
        "\r\n",
        "\r",
        " ",
        "\t",
        "--",
        "=",
        "$",
        "${",
        "}",
        ":-",
        "é",
        "\u{feff}",
        "\u{0}",
        "\\u12",
        "AS ",
        "x",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..3000 {
        let len = pseudo_random(&mut seed) % 40;
        let text: String = (0..len)
            .map(|_| pieces[pseudo_random(&mut seed) % pieces.len()])
            .collect();
        let df = parse(&text);
        for inst in &df.instructions {
            assert!(
                inst.span.end <= text.len() && text.is_char_boundary(inst.span.start),
                "{text:?}"
            );
            if let Arguments::Shell(args) = &inst.args {
                assert_maps_back(&text, args);
            }
        }
        for stage in &df.stages {
            df.resolve_from(stage);
        }
        substitute(&text, |_| Some("v".into()));
    }
}

#[test]
fn large_inputs_finish() {
    // Each input is about 1 MiB: a step quadratic in its size would take
    // hours, so finishing is the test.
    let mb = 1 << 20;
    let long_run = format!("FROM a\nRUN {}\n", "echo x && ".repeat(mb / 10));
    assert_eq!(parse(&long_run).instructions.len(), 2);
    let json = format!("FROM a\nCMD [{}\"x\"]\n", "\"a\", ".repeat(mb / 5));
    assert!(matches!(parse(&json).instructions[1].args, Arguments::Exec(_)));
    let quotes = format!("FROM a\nCMD [\"{}\n", "\"'".repeat(mb / 2));
    parse(&quotes);
    let lines = format!("FROM a\nRUN a \\\n{}b\n", "  # c\n  x \\\n".repeat(mb / 16));
    let df = parse(&lines);
    let args = shell(&df.instructions[1]);
    assert_eq!(args.source_offset(args.text.len() - 1), lines.len() - 2);
    let heredoc = format!("FROM a\nRUN <<EOF\n{}EOF\n", "line\n".repeat(mb / 5));
    assert_eq!(parse(&heredoc).instructions[1].heredocs[0].body.len(), mb / 5 * 5);
    let dollars = format!("FROM a:{}\n", "${A:-".repeat(mb / 10));
    let df = parse(&dollars);
    df.resolve_from(&df.stages[0]);
    let braces = format!("FROM a:{}\n", "${A:-${B}}".repeat(mb / 10));
    let df = parse(&braces);
    df.resolve_from(&df.stages[0]);
    let nested = format!("FROM a:{}x{}\n", "${A:-".repeat(mb / 10), "}".repeat(mb / 10));
    let df = parse(&nested);
    assert!(!df.resolve_from(&df.stages[0]).missing.is_empty());
    let onbuilds = format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(mb / 8));
    assert_eq!(parse(&onbuilds).errors.len(), 1);
    // Each ARG doubles the previous one; expansion stops at a size limit.
    let chain: String = (0..40).map(|i| format!("ARG A{}=$A{i}$A{i}\n", i + 1)).collect();
    let df = parse(&format!("ARG A0=0123456789\n{chain}FROM a:$A40\n"));
    assert!(!df.resolve_from(&df.stages[0]).missing.is_empty());
}

/// Parse every Dockerfile of the shared corpus (`VWE_CORPUS`, else
/// `../shared/corpus`); print the errors so they can be reviewed, and check
/// span invariants on every instruction.
#[test]
fn parses_the_dockerfile_corpus() {
    let Some(corpus) = corpus() else { return };
    for folder in ["dockerfile", "dockerfile-templated"] {
        let root = corpus.join(folder);
        let mut files = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(path) = stack.pop() {
            for entry in std::fs::read_dir(&path).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut with_errors = 0;
        for path in &files {
            let bytes = std::fs::read(path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let df = parse(&text);
            for inst in df
                .instructions
                .iter()
                .chain(df.instructions.iter().filter_map(|i| i.trigger.as_deref()))
            {
                assert!(inst.span.contains(inst.keyword_span), "{}", path.display());
                assert!(text.is_char_boundary(inst.span.start) && text.is_char_boundary(inst.span.end));
                if let Arguments::Shell(args) = &inst.args {
                    assert_maps_back(&text, args);
                }
                for heredoc in &inst.heredocs {
                    assert_maps_back(&text, heredoc.body_text());
                }
            }
            if !df.errors.is_empty() {
                with_errors += 1;
                let shown = path.strip_prefix(&root).unwrap().display();
                for error in &df.errors {
                    let line = text[..error.span.start].matches('\n').count() + 1;
                    println!("{shown}:{line}: {}", error.message);
                }
            }
        }
        println!("{folder}: {} files, {with_errors} with errors", files.len());
        // Real-world Dockerfiles parse; the templated ones need not.
        if folder == "dockerfile" {
            assert!(
                with_errors * 50 < files.len(),
                "{with_errors} of {} files have errors",
                files.len()
            );
        }
    }
}
