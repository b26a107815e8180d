//! Dockerfiles: the parser and what the rules ask of a parsed file.

pub mod parse;

use crate::image::ImageRef;
use parse::{Arguments, Dockerfile, Instruction, Stage};

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
    let name = stage.image.text.to_ascii_lowercase();
    dockerfile.stages[..stage.index]
        .iter()
        .rev()
        .find(|earlier| {
            earlier
                .name
                .as_ref()
                .is_some_and(|own| own.text.to_ascii_lowercase() == name)
        })
}

pub fn base_image(dockerfile: &Dockerfile, stage: &Stage) -> BaseImage {
    if parent_stage(dockerfile, stage).is_some() {
        return BaseImage::Stage;
    }
    let text = match dockerfile.resolve_from(stage) {
        parse::ImageRef::Resolved(text) => text,
        parse::ImageRef::Unresolved { text, missing } => {
            return BaseImage::Unresolved { text, missing };
        }
    };
    if text.eq_ignore_ascii_case("scratch") {
        return BaseImage::Scratch;
    }
    let lowered = text.to_ascii_lowercase();
    let names_stage = dockerfile.stages[..stage.index].iter().any(|earlier| {
        earlier
            .name
            .as_ref()
            .is_some_and(|own| own.text.to_ascii_lowercase() == lowered)
    });
    if names_stage {
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
