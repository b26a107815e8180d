//! Dockerfiles: the parser and what the rules ask of a parsed file.

pub mod ast;
mod expand;
mod json;
pub mod parse;
pub mod script;
pub mod shell;

use crate::image_ref::ImageRef;
use parse::{Arguments, Dockerfile, Instruction, Keyword, Stage};

/// BuildKit's automatic platform ARGs: set by the builder, never declared.
const PLATFORM_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// What a stage's `FROM` builds on.
#[derive(Clone, Debug)]
pub enum BaseImage {
    /// A registry image, after ARG substitution.
    Image { text: String, image: ImageRef },
    /// An earlier stage of the same file.
    Stage,
    /// `scratch`: no image at all.
    Scratch,
    /// ARGs without a default are in the reference.
    Unresolved { text: String, missing: Vec<String> },
}

/// The earlier stage a stage's `FROM` names, if any.
pub fn parent_stage<'a>(dockerfile: &'a Dockerfile, stage: &Stage) -> Option<&'a Stage> {
    stage.parent.map(|parent| &dockerfile.stages[parent])
}

pub fn base_image(dockerfile: &Dockerfile, stage: &Stage) -> BaseImage {
    if parent_stage(dockerfile, stage).is_some() {
        return BaseImage::Stage;
    }
    let parse::Substituted { text, missing } = dockerfile.resolve_from(stage);
    if !missing.is_empty() {
        // `FROM binaries-$TARGETOS` picks one of the earlier stages per platform.
        if missing.iter().all(|name| PLATFORM_ARGS.contains(&name.as_str()))
            && matches_earlier_stage(dockerfile, stage, &text)
        {
            return BaseImage::Stage;
        }
        return BaseImage::Unresolved { text, missing };
    }
    if text.eq_ignore_ascii_case("scratch") {
        return BaseImage::Scratch;
    }
    if dockerfile.names_stage_before(&text, stage.index) {
        return BaseImage::Stage;
    }
    match ImageRef::parse(&text) {
        Some(image) => BaseImage::Image { text, image },
        None => BaseImage::Unresolved {
            missing: Vec::new(),
            text,
        },
    }
}

/// Whether `pattern`, with each `$VAR`/`${VAR}` standing for any text, names an earlier stage.
fn matches_earlier_stage(dockerfile: &Dockerfile, stage: &Stage, pattern: &str) -> bool {
    let mut glob = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' if chars.peek() == Some(&'{') => {
                for inner in chars.by_ref() {
                    if inner == '}' {
                        break;
                    }
                }
                glob.push('*');
            }
            '$' => {
                while chars
                    .peek()
                    .is_some_and(|next| next.is_ascii_alphanumeric() || *next == '_')
                {
                    chars.next();
                }
                glob.push('*');
            }
            '*' | '?' | '[' | ']' | '{' | '}' | '\\' => return false,
            other => glob.push(other.to_ascii_lowercase()),
        }
    }
    let Ok(matcher) = globset::Glob::new(&glob).map(|glob| glob.compile_matcher()) else {
        return false;
    };
    dockerfile.stages[..stage.index].iter().any(|earlier| {
        earlier
            .name
            .as_ref()
            .is_some_and(|own| matcher.is_match(own.text.to_ascii_lowercase()))
    })
}

/// Whether a stage builds a Windows image: a Windows base, a PowerShell or
/// cmd `SHELL`, or the backtick escape Windows Dockerfiles use. Unix notions
/// (root, shell rules) do not apply there.
pub fn is_windows_stage(dockerfile: &Dockerfile, stage: &Stage) -> bool {
    let windows_shell = dockerfile.instructions[stage.instructions.clone()]
        .iter()
        .any(|instruction| {
            instruction.keyword == Keyword::Shell
                && matches!(&instruction.args, Arguments::Exec(words) if words.first().is_some_and(|word| {
                    let program = word.text.to_ascii_lowercase();
                    program.contains("powershell") || program.contains("pwsh") || program.starts_with("cmd")
                }))
        });
    let windows_base = match base_image(dockerfile, &dockerfile.stages[stage.root]) {
        BaseImage::Image { image, .. } => is_windows_image(&image),
        _ => false,
    };
    windows_shell || windows_base || dockerfile.escape == '`'
}

/// Microsoft's Windows base images and the images built on them, by name.
pub fn is_windows_image(image: &ImageRef) -> bool {
    let words = |text: &str| {
        text.split(['/', '-', ':', '.', '_'])
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>()
    };
    let mut all = words(&image.repository);
    all.extend(image.tag.as_deref().map(words).unwrap_or_default());
    all.iter().any(|word| {
        matches!(
            word.as_str(),
            "windows" | "nanoserver" | "windowsservercore" | "servercore"
        )
    })
}

impl Instruction {
    /// The arguments as one string: the shell text, or the exec words joined.
    pub fn args_text(&self) -> String {
        match &self.args {
            Arguments::Shell(shell) => shell.text.clone(),
            Arguments::Exec(words) => words
                .iter()
                .map(|word| word.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}
