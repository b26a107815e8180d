//! D404: CMD or ENTRYPOINT in shell form (hadolint DL3025).

use crate::diagnostic::{Diagnostic, Edit};
use crate::dockerfile::parse::{Arguments, Keyword};
use crate::dockerfile::shell;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// CMD or ENTRYPOINT in shell form
    pub struct ShellFormCmd {
        code: D404,
        name: "shell-form-cmd",
        severity: Warning,
        fix: Unsafe,
    }
}

/// The exec form of a shell-form command line made of plain words only (no
/// variables, globs, quotes, operators or redirections); `None` otherwise.
fn exec_form(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let plain = |word: &&str| {
        !word.is_empty()
            && !word.contains([
                '$', '*', '?', '[', ']', '{', '}', '~', '`', '\'', '"', '\\', ';', '&', '|', '<', '>', '(', ')', '#',
            ])
            && !shell::is_assignment(word)
    };
    if words.is_empty() || !words.iter().all(plain) {
        return None;
    }
    let items: Vec<String> = words
        .iter()
        .map(|word| serde_json::to_string(word).unwrap_or_default())
        .collect();
    Some(format!("[{}]", items.join(", ")))
}

impl Rule for ShellFormCmd {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for instruction in &cx.dockerfile.instructions {
            if !matches!(instruction.keyword, Keyword::Cmd | Keyword::Entrypoint) {
                continue;
            }
            let Arguments::Shell(text) = &instruction.args else {
                continue;
            };
            if text.text.trim().is_empty() {
                continue;
            }
            let keyword = instruction.keyword;
            // Comment lines between continuations would be lost in a one-line JSON array.
            let commented = cx.source.slice(instruction.args_span).contains('#');
            let json = exec_form(&text.text);
            let example = json.clone().unwrap_or_else(|| "[\"executable\", \"arg\"]".to_string());
            let mut diagnostic = Diagnostic::new(
                &META,
                instruction.args_span,
                format!(
                    "{keyword} in shell form runs under a shell (`/bin/sh -c`): the process is not PID 1 and gets no stop signals"
                ),
            )
            .with_label("shell form")
            .with_help(format!("use the JSON (exec) form: `{keyword} {example}`"));
            if let Some(json) = json.filter(|_| !commented) {
                diagnostic = diagnostic.with_fix(
                    "rewrite in exec form (no shell: no variable expansion)",
                    vec![Edit::replace(instruction.args_span, json)],
                );
            }
            out.push(diagnostic);
        }
    }
}
