//! D416: `chmod` makes files writable by everyone (`777`, `a+w`, `o+w`).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::shell::{Command, ShellWord, parse_args};
use crate::rules::dockerfile::{program_through, shell_runs};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `chmod` makes files writable by everyone (`777`, `a+w`, `o+w`)
    pub struct WorldWritable {
        code: D416,
        name: "world-writable",
        severity: Warning,
        fix: None,
    }
}

/// Whether a `chmod` mode gives others write permission. A mode that also
/// sets the sticky bit (`1777`, `a+rwxt`) is the shared-directory pattern of
/// `/tmp`: everyone writes, nobody deletes another's files; it is left alone.
fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let digits: Vec<u8> = mode.bytes().map(|b| b - b'0').collect();
        let others = digits[digits.len() - 1];
        let sticky = digits.len() == 4 && digits[0] & 1 == 1;
        return digits.len() >= 3 && others & 2 == 2 && !sticky;
    }
    let mut writable = false;
    for clause in mode.split(',') {
        let who_end = clause.find(['+', '-', '=']).unwrap_or(clause.len());
        let (who, actions) = clause.split_at(who_end);
        if !who.bytes().all(|b| b"ugoa".contains(&b)) {
            return false;
        }
        // `+w` without a `who` is filtered by the umask: not for everyone.
        let for_others = who.contains(['o', 'a']);
        // Each action is an operator and the permissions up to the next one.
        let mut rest = actions;
        while let Some(op) = rest.chars().next() {
            let perms_end = rest[1..].find(['+', '-', '=']).map_or(rest.len(), |at| at + 1);
            let perms = &rest[1..perms_end];
            rest = &rest[perms_end..];
            if op != '-' && perms.contains('t') {
                return false;
            }
            if for_others && perms.contains('w') {
                writable = op != '-';
            }
        }
    }
    writable
}

/// Whether every target is deleted by an `rm` later in the same RUN (a
/// scratch directory, `chmod 777 "$tmp"` … `rm -rf "$tmp"`): it is not in the image.
fn removed_later(targets: &[&ShellWord], later: &[Command]) -> bool {
    let removed = |target: &ShellWord| {
        later
            .iter()
            .filter(|command| command.program() == Some("rm"))
            .any(|rm| {
                parse_args(rm.args(), "", &[])
                    .operands
                    .iter()
                    .any(|operand| operand.text == target.text)
            })
    };
    !targets.is_empty() && targets.iter().all(|target| removed(target))
}

impl Rule for WorldWritable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for run in shell_runs(cx.dockerfile) {
            let commands = &run.script.commands;
            for (at, command) in commands.iter().enumerate() {
                if command.program() != Some("chmod") {
                    continue;
                }
                let parsed = parse_args(command.args(), "", &["reference"]);
                let Some((mode, targets)) = parsed.operands.split_first() else {
                    continue;
                };
                if !world_writable(&mode.text) || removed_later(targets, &commands[at + 1..]) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        program_through(command, mode),
                        format!(
                            "`chmod {}` makes the files writable by every user of the container, whoever runs it",
                            mode.text
                        ),
                    )
                    .with_label("world-writable")
                    .with_help(
                        "give the files to the user that writes them (`COPY --chown=app:app`, `chown`) and use `755`/`644`; \
                         a shared scratch directory takes the sticky bit (`1777`)",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::world_writable;

    #[test]
    fn modes_that_let_others_write() {
        for mode in [
            "777", "0777", "666", "o+w", "a+rwx", "ugo+w", "u+x,o+w", "a=rwx", "go+rw", "o=rwx",
        ] {
            assert!(world_writable(mode), "{mode}");
        }
        for mode in [
            "755",
            "0644",
            "1777",
            "+w",
            "u+w",
            "g+w",
            "a-w",
            "o-w",
            "a+rwxt",
            "+x",
            "$MODE",
            "77",
            "u=rwx,go=rx",
            "a+rwx,o-w",
        ] {
            assert!(!world_writable(mode), "{mode}");
        }
    }
}
