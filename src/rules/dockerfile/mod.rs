//! D rules: Dockerfiles.

pub mod add_instead_of_copy;
pub mod apk_no_cache;
pub mod apt_assume_yes;
pub mod apt_lists_not_removed;
pub mod apt_no_install_recommends;
pub mod apt_not_apt_get;
pub mod base_image_not_approved;
pub mod base_image_tag;
pub mod cd_in_run;
pub mod copy_from_unknown_stage;
pub mod curl_pipe_shell;
pub mod duplicate_stage_name;
pub mod expose_invalid;
pub mod healthcheck_missing;
pub mod legacy_env_format;
pub mod maintainer_deprecated;
pub mod multiple_cmd;
pub mod multiple_healthchecks;
pub mod pip_no_cache_dir;
pub mod pipefail;
pub mod root_user;
pub mod secret_in_arg_env;
pub mod sensitive_file_copied;
pub mod shell_form_cmd;
pub mod ssh_exposed;
pub mod sudo;
pub mod tls_verification_disabled;
pub mod workdir_relative;
pub mod world_writable;

use std::collections::HashMap;

use crate::diagnostic::Edit;
use crate::dockerfile::parse::{Dockerfile, Instruction, Keyword, Stage, substitute};
use crate::dockerfile::shell::{self, Command, Script, ShellWord};

/// A RUN of a stage that runs a POSIX shell (Windows stages are left out),
/// with the commands it runs.
pub struct ShellRun<'a> {
    pub stage: &'a Stage,
    /// The RUN itself; for `ONBUILD RUN`, the trigger.
    pub run: &'a Instruction,
    pub script: &'a Script,
}

/// Every RUN (also `ONBUILD RUN`) of the non-Windows stages.
pub fn shell_runs(dockerfile: &Dockerfile) -> Vec<ShellRun<'_>> {
    let scripts = shell::scripts(dockerfile);
    let mut runs = Vec::new();
    for stage in &dockerfile.stages {
        if crate::dockerfile::is_windows_stage(dockerfile, stage) {
            continue;
        }
        for index in stage.instructions.clone() {
            if let Some(script) = &scripts[index] {
                let instruction = &dockerfile.instructions[index];
                let run = instruction.trigger.as_deref().unwrap_or(instruction);
                runs.push(ShellRun { stage, run, script });
            }
        }
    }
    runs
}

/// The targets of a RUN's `--mount=type=cache,…` flags.
pub fn cache_mount_targets(run: &Instruction) -> Vec<&str> {
    run.flags
        .iter()
        .filter(|flag| flag.name == "mount")
        .filter_map(|flag| flag.value.as_deref())
        .filter(|value| value.split(',').any(|field| field == "type=cache"))
        .filter_map(|value| {
            value.split(',').find_map(|field| {
                let (key, target) = field.split_once('=')?;
                matches!(key, "target" | "dst" | "destination").then_some(target)
            })
        })
        .collect()
}

/// The stage and the stages it builds on (`FROM <stage>`), nearest first.
pub fn stage_chain<'a>(dockerfile: &'a Dockerfile, stage: &'a Stage) -> Vec<&'a Stage> {
    let mut chain = vec![stage];
    while chain.len() <= dockerfile.stages.len() {
        match crate::dockerfile::parent_stage(dockerfile, chain[chain.len() - 1]) {
            Some(parent) => chain.push(parent),
            None => break,
        }
    }
    chain
}

/// For each stage, whether it (or one it builds on) sets `name` with ENV or
/// an ARG default; one pass over the file, for rules that ask per RUN.
pub fn stages_setting(dockerfile: &Dockerfile, name: &str) -> Vec<bool> {
    let mut sets: Vec<bool> = Vec::with_capacity(dockerfile.stages.len());
    for stage in &dockerfile.stages {
        let own = dockerfile.instructions[stage.instructions.clone()]
            .iter()
            .filter(|instruction| matches!(instruction.keyword, Keyword::Env | Keyword::Arg))
            .flat_map(|instruction| &instruction.key_values)
            .any(|kv| kv.key.text == name && kv.value.is_some());
        // A parent comes before its child, so its answer is known.
        sets.push(own || stage.parent.is_some_and(|parent| sets[parent]));
    }
    sets
}

/// The subcommand of a command (its first operand) when it is `name`.
pub fn subcommand<'a>(
    command: &'a Command,
    name: &str,
    short_values: &str,
    long_values: &[&str],
) -> Option<(&'a ShellWord, shell::ParsedArgs<'a>)> {
    let parsed = shell::parse_args(command.args(), short_values, long_values);
    let first = *parsed.operands.first()?;
    (first.text == name).then_some((first, parsed))
}

/// An edit adding `option` as a new word right after `word`.
pub fn insert_after(command: &Command, word: &ShellWord, option: &str) -> Edit {
    if command.exec_form {
        Edit::insert(word.span.end, format!(", \"{option}\""))
    } else {
        Edit::insert(word.span.end, format!(" {option}"))
    }
}

/// The span from the program word to `word` (e.g. `apt-get install`).
pub fn program_through(command: &Command, word: &ShellWord) -> crate::source::Span {
    match command.program_word() {
        Some(program) => program.span.cover(word.span),
        None => word.span,
    }
}

/// `apt-get install …` (not a simulation): the `install` word and the parsed arguments.
pub fn apt_get_install(command: &Command) -> Option<(&ShellWord, shell::ParsedArgs<'_>)> {
    if command.program() != Some("apt-get") {
        return None;
    }
    let long_values = [
        "option",
        "config-file",
        "target-release",
        "default-release",
        "host-architecture",
    ];
    let (install, parsed) = subcommand(command, "install", "otca", &long_values)?;
    // A simulation (`apt-get install -s`) installs nothing and asks nothing.
    let simulated = parsed.has(&["s", "simulate", "just-print", "dry-run", "recon", "no-act"]);
    (!simulated).then_some((install, parsed))
}

/// Whether an apt `-o Name=value` option sets `name` (case-insensitive) to one of `values`.
pub fn apt_config_set(parsed: &shell::ParsedArgs, name: &str, values: &[&str]) -> bool {
    parsed.values("o").chain(parsed.values("option")).any(|setting| {
        setting.split_once('=').is_some_and(|(key, value)| {
            key.trim().eq_ignore_ascii_case(name) && values.iter().any(|v| value.trim().eq_ignore_ascii_case(v))
        })
    })
}

/// The variables set before `offset` in a stage and the stages it builds on:
/// ENV values and ARG defaults (an `ARG NAME` without one takes the global default).
pub fn stage_env(dockerfile: &Dockerfile, stage: &Stage, offset: usize) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = HashMap::new();
    for stage in stage_chain(dockerfile, stage).into_iter().rev() {
        let instructions = dockerfile.instructions[stage.instructions.clone()]
            .iter()
            .filter(|instruction| instruction.span.start < offset)
            .filter(|instruction| matches!(instruction.keyword, Keyword::Env | Keyword::Arg));
        for kv in instructions.flat_map(|instruction| &instruction.key_values) {
            let value = match &kv.value {
                Some(value) => Some(substitute(&value.text, |name| env.get(name).cloned()).text),
                None => dockerfile.global_value(&kv.key.text).flatten().map(str::to_string),
            };
            if let Some(value) = value {
                env.insert(kv.key.text.clone(), value);
            }
        }
    }
    env
}
