//! X101: a healthcheck runs `curl` or `wget`, but the image cannot have it:
//! its base is known (from `[tools]` in the standards) to ship without it,
//! and the Dockerfile never installs it.

use crate::compose::Service;
use crate::compose::build::BuiltDockerfile;
use crate::compose::service_facts::{ComposeHealthcheck, Found, compose_healthcheck, find_key};
use crate::compose::yaml::{Node, Value};
use crate::diagnostic::Diagnostic;
use crate::dockerfile::is_windows_stage;
use crate::dockerfile::parse::{Arguments, Keyword, ShellText, Stage, Word};
use crate::dockerfile::shell::{self, Command, SHELLS, ShellWord, basename};
use crate::image::ImageRef;
use crate::rules::cross::{Root, chain, last_in_chain, location, root_image, written_path};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::source::Span;
use crate::standards::Tool;

declare_rule! {
    /// a healthcheck runs `curl`/`wget` but the image cannot have it
    pub struct HealthcheckToolMissing {
        code: X101,
        name: "healthcheck-tool-missing",
        severity: Warning,
        fix: None,
    }
}

const DEFAULT_URL: &str = "http://localhost:8000/health";

/// The healthcheck's commands, and where a finding about it points.
struct Check {
    commands: Vec<Command>,
    span: Span,
    /// The Dockerfile line of a `HEALTHCHECK`, for the message.
    dockerfile_line: Option<String>,
}

impl Rule for HealthcheckToolMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            check_service(cx, service, out);
        }
    }
}

/// The healthcheck the service runs: its own `test`, or the `HEALTHCHECK`
/// of the Dockerfile it builds; `None` when there is none or it is not known.
fn healthcheck_check(
    cx: &ComposeContext,
    service: Service,
    built: Option<&BuiltDockerfile>,
    stages: Option<&[&Stage]>,
) -> Option<Check> {
    let compose = match find_key(service, "healthcheck") {
        // In the base file it is reported there; across files it is unknown.
        Found::Unknown => return None,
        Found::Here(node) => compose_healthcheck(node),
        Found::Absent => None,
    };
    let check = match compose {
        Some(ComposeHealthcheck::Disabled(_)) => return None,
        Some(ComposeHealthcheck::Test(test)) => {
            if cx.is_unresolved(test) {
                return None;
            }
            Check {
                commands: compose_commands(test),
                span: test.span,
                dockerfile_line: None,
            }
        }
        // The image's own HEALTHCHECK applies: known only for a build.
        Some(ComposeHealthcheck::TimingOnly(_)) | None => {
            let (Some(built), Some(stages)) = (built, stages) else {
                return None;
            };
            let instruction = last_in_chain(built, stages, Keyword::Healthcheck)?;
            let commands = match instruction.healthcheck_command() {
                Some(Arguments::Exec(words)) => exec_commands(&words_of(&words)),
                Some(Arguments::Shell(text)) => shell::commands(&text, false).commands,
                None => return None,
            };
            let build = service.get_entry("build")?;
            Check {
                commands,
                span: build.key.span,
                dockerfile_line: Some(location(built, instruction.span)),
            }
        }
    };
    Some(check)
}

fn check_service(cx: &ComposeContext, service: Service, out: &mut Vec<Diagnostic>) {
    let built = cx.built.get(service.name);
    let stages = built.and_then(chain);
    let Some(check) = healthcheck_check(cx, service, built, stages.as_deref()) else {
        return;
    };
    let used: Vec<Tool> = Tool::ALL
        .into_iter()
        .filter(|tool| {
            check
                .commands
                .iter()
                .any(|command| command.program() == Some(tool.as_str()))
        })
        .collect();
    if used.is_empty() {
        return;
    }
    let (image, base_text) = match (built, stages.as_ref()) {
        (Some(built), Some(stages)) => {
            let root = stages.first().expect("a chain has a stage");
            if is_windows_stage(&built.dockerfile, stages.last().expect("a chain has a stage")) {
                return;
            }
            match root_image(cx, &service, built, root) {
                Root::Image(image) => {
                    let text = display(&image);
                    (Some(image), text)
                }
                Root::Scratch => (None, "scratch".to_string()),
                Root::Unknown => return,
            }
        }
        // A build whose Dockerfile was not read, or whose target is missing (X103).
        (Some(_), None) => return,
        (None, _) if service.get("build").is_some() => return,
        (None, _) => {
            let Some(node) = service.get("image") else { return };
            if cx.is_unresolved(node) {
                return;
            }
            let Some(image) = node.as_str().and_then(ImageRef::parse) else {
                return;
            };
            let text = display(&image);
            (Some(image), text)
        }
    };
    let shipped: Vec<Tool> = match &image {
        Some(image) => match cx.standards.tools_of(image) {
            Some(tools) => tools.to_vec(),
            None => return,
        },
        None => Vec::new(),
    };
    let installed = |tool: Tool| match (built, stages.as_ref()) {
        (Some(built), Some(stages)) => present_after_build(built, stages, tool, shipped.contains(&tool)),
        _ => shipped.contains(&tool),
    };
    if used.iter().any(|tool| installed(*tool)) {
        return;
    }
    let name = service.name;
    let calls = used
        .iter()
        .map(|tool| format!("`{}`", tool.as_str()))
        .collect::<Vec<_>>()
        .join(" or ");
    let ships = match shipped.as_slice() {
        [] => "ships neither `curl` nor `wget`".to_string(),
        [tool] => format!("ships only `{}`", tool.as_str()),
        _ => "ships both".to_string(),
    };
    let whose = match &check.dockerfile_line {
        Some(line) => format!("the `HEALTHCHECK` its Dockerfile sets ({line})"),
        None => "its healthcheck".to_string(),
    };
    let (image_side, place) = match built {
        Some(built) => (
            format!(
                "its image builds on `{base_text}`, which {ships}, and `{}` never installs it",
                written_path(built)
            ),
            "in the Dockerfile".to_string(),
        ),
        None => (
            format!("its image `{base_text}` {ships}"),
            format!("in a Dockerfile built `FROM {base_text}`"),
        ),
    };
    let diagnostic = Diagnostic::new(
        &META,
        check.span,
        format!(
            "service `{name}`: {whose} runs {calls}, but {image_side}; the standard is a healthcheck whose tool is in the image"
        ),
    )
    .with_label(format!("{calls} not in the image"))
    .with_help(help(image.as_ref(), &shipped, &check, &place, used[0]));
    out.push(match built {
        Some(built) => diagnostic.concerning(&built.path),
        None => diagnostic,
    });
}

/// `repository:tag` as people write it.
fn display(image: &ImageRef) -> String {
    match &image.tag {
        Some(tag) => format!("{}:{tag}", image.repository),
        None => image.repository.clone(),
    }
}

/// A concrete way out: the tool the image has, the runtime's own HTTP
/// client, or the install line for its package manager.
fn help(image: Option<&ImageRef>, shipped: &[Tool], check: &Check, place: &str, tool: Tool) -> String {
    let tool = tool.as_str();
    let url = check
        .commands
        .iter()
        .flat_map(|command| command.args())
        .map(|word| word.text.as_str())
        .find(|text| text.starts_with("http://") || text.starts_with("https://"))
        .unwrap_or(DEFAULT_URL);
    if shipped.contains(&Tool::Wget) {
        return format!(
            "use the image's busybox `wget`: test: [\"CMD\", \"wget\", \"-q\", \"--spider\", \"{url}\"], or install {tool} {place}: `RUN apk add --no-cache {tool}`"
        );
    }
    let repository = image.map(|image| image.repository.as_str()).unwrap_or("scratch");
    let alpine = image.is_some_and(|image| {
        image.repository.contains("alpine") || image.tag.as_deref().is_some_and(|tag| tag.contains("alpine"))
    });
    if repository == "python" {
        return format!(
            "use Python itself: test: [\"CMD\", \"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('{url}')\"], or install {tool} {place}: `RUN apt-get update && apt-get install -y --no-install-recommends {tool} && rm -rf /var/lib/apt/lists/*`"
        );
    }
    if repository == "node" {
        return format!(
            "use Node itself: test: [\"CMD\", \"node\", \"-e\", \"fetch('{url}').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))\"], or install {tool} {place}: `RUN apt-get update && apt-get install -y --no-install-recommends {tool} && rm -rf /var/lib/apt/lists/*`"
        );
    }
    if alpine {
        return format!("install {tool} {place}: `RUN apk add --no-cache {tool}`");
    }
    if repository == "scratch" || repository.contains("distroless") {
        return "the image has no package manager: build a static health probe into it (e.g. `COPY --from=build /out/healthcheck /healthcheck`) and use test: [\"CMD\", \"/healthcheck\"]".to_string();
    }
    format!(
        "install {tool} {place}: `RUN apt-get update && apt-get install -y --no-install-recommends {tool} && rm -rf /var/lib/apt/lists/*`"
    )
}

fn words_of(words: &[Word]) -> Vec<ShellWord> {
    words
        .iter()
        .map(|word| ShellWord {
            text: word.text.clone(),
            span: word.span,
        })
        .collect()
}

/// An exec-form command; `sh -c "…"` runs the commands of its script.
fn exec_commands(words: &[ShellWord]) -> Vec<Command> {
    let command = Command {
        words: words.to_vec(),
        pipeline: 0,
        position: 0,
        nested: false,
        exec_form: true,
    };
    let mut commands = Vec::new();
    if let Some(program) = command.program()
        && SHELLS.contains(&program)
        && let Some(script) = command
            .args()
            .windows(2)
            .find(|pair| pair[0].text == "-c")
            .map(|pair| &pair[1])
    {
        commands.extend(shell::commands(&ShellText::detached(&script.text, script.span.start), false).commands);
    }
    commands.push(command);
    commands
}

/// The commands of a compose `test:`: `["CMD", …]`, `["CMD-SHELL", "…"]` or a string.
fn compose_commands(test: &Node) -> Vec<Command> {
    match &test.value {
        Value::Sequence(items) => {
            let words: Vec<ShellWord> = items
                .iter()
                .filter_map(|item| {
                    Some(ShellWord {
                        text: item.as_str()?.to_string(),
                        span: item.span,
                    })
                })
                .collect();
            match words.split_first() {
                Some((first, rest)) if first.text == "CMD" => exec_commands(rest),
                Some((first, rest)) if first.text == "CMD-SHELL" => rest
                    .first()
                    .map(|script| {
                        shell::commands(&ShellText::detached(&script.text, script.span.start), false).commands
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            }
        }
        Value::Scalar(scalar) => shell::commands(&ShellText::detached(&scalar.text, test.span.start), false).commands,
        _ => Vec::new(),
    }
}

/// Package managers, with the subcommands that install and remove.
const MANAGERS: [(&str, &[&str], &[&str]); 8] = [
    ("apt-get", &["install"], &["remove", "purge", "autoremove"]),
    ("apt", &["install"], &["remove", "purge", "autoremove"]),
    ("apk", &["add"], &["del"]),
    ("yum", &["install"], &["remove", "erase"]),
    ("dnf", &["install"], &["remove", "erase"]),
    ("microdnf", &["install"], &["remove"]),
    ("tdnf", &["install"], &["remove", "erase"]),
    ("zypper", &["install", "in"], &["remove", "rm"]),
];

/// A package word names the tool: `curl`, `curl=8.5.0-2`, `curl-minimal`.
fn names_tool(word: &str, tool: Tool) -> bool {
    let name = word.split(['=', '<', '>', '~']).next().unwrap_or(word);
    name == tool.as_str() || name == format!("{}-minimal", tool.as_str())
}

/// Whether the tool is in the image once the chain is built: it starts as
/// the base ships it; an install, a RUN that calls it (the build would fail
/// without it) or a COPY/ADD of a file named so puts it there, and a package
/// removal takes it out again.
fn present_after_build(built: &BuiltDockerfile, stages: &[&Stage], tool: Tool, shipped: bool) -> bool {
    let scripts = shell::scripts(&built.dockerfile);
    let mut present = shipped;
    for stage in stages {
        for index in stage.instructions.clone() {
            let instruction = &built.dockerfile.instructions[index];
            match instruction.keyword {
                Keyword::Copy | Keyword::Add => {
                    let words: Vec<String> = match &instruction.args {
                        Arguments::Exec(words) => words.iter().map(|word| word.text.clone()).collect(),
                        Arguments::Shell(text) => text.text.split_whitespace().map(str::to_string).collect(),
                    };
                    if words
                        .iter()
                        .any(|word| basename(word.trim_end_matches('/')) == tool.as_str())
                    {
                        present = true;
                    }
                }
                Keyword::Run => {
                    let Some(script) = scripts.get(index).and_then(Option::as_ref) else {
                        continue;
                    };
                    for command in &script.commands {
                        present = after_command(command, tool, present);
                    }
                }
                _ => {}
            }
        }
    }
    present
}

fn after_command(command: &Command, tool: Tool, present: bool) -> bool {
    let Some(program) = command.program() else {
        return present;
    };
    if program == tool.as_str() {
        return true;
    }
    let Some((_, install, remove)) = MANAGERS.iter().find(|(name, ..)| *name == program) else {
        return present;
    };
    let words: Vec<&str> = command.args().iter().map(|word| word.text.as_str()).collect();
    // The subcommand is the first word that is one; options before it may take values.
    let Some(position) = words
        .iter()
        .position(|word| install.contains(word) || remove.contains(word))
    else {
        return present;
    };
    if !words[position + 1..].iter().any(|word| names_tool(word, tool)) {
        return present;
    }
    install.contains(&words[position])
}
