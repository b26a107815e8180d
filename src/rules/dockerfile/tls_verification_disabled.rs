//! D414: a RUN turns TLS certificate verification off: `curl -k`,
//! `wget --no-check-certificate`, `pip --trusted-host`, apt's
//! `--allow-unauthenticated`, `git config http.sslVerify false`,
//! `npm`/`yarn config set strict-ssl false`.

use crate::diagnostic::Diagnostic;
use crate::dockerfile::shell::{Command, ShellWord, parse_args};
use crate::rules::dockerfile::pip_no_cache_dir::pip_args;
use crate::rules::dockerfile::{program_through, shell_runs};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a RUN turns TLS certificate verification off (`curl -k`, `wget --no-check-certificate`, …)
    pub struct TlsVerificationDisabled {
        code: D414,
        name: "tls-verification-disabled",
        severity: Error,
        fix: None,
    }
}

/// What a command turns off (`what`: which check, then what the tool then
/// accepts): the words that say so, from `first` to `last`.
struct Unverified<'a> {
    first: &'a ShellWord,
    last: &'a ShellWord,
    what: &'static str,
}

impl<'a> Unverified<'a> {
    fn word(word: &'a ShellWord, what: &'static str) -> Self {
        Unverified {
            first: word,
            last: word,
            what,
        }
    }

    fn words(first: &'a ShellWord, last: &'a ShellWord, what: &'static str) -> Self {
        Unverified { first, last, what }
    }
}

/// curl's short options that take a value (so `-o k` is no `-k`).
const CURL_SHORT_VALUES: &str = "AbcCdDeEFHKmoPQrtTuUwxXyYz";
/// wget's short options that take a value.
const WGET_SHORT_VALUES: &str = "oaOPeTtwQUlADIRXYiB";
/// Config values that turn a boolean off.
const FALSE: [&str; 4] = ["false", "0", "no", "off"];

fn is_false(text: &str) -> bool {
    FALSE.iter().any(|value| text.trim().eq_ignore_ascii_case(value))
}

/// The first option called one of `names`.
fn option<'a>(args: &'a [ShellWord], short_values: &str, names: &[&str]) -> Option<&'a ShellWord> {
    let parsed = parse_args(args, short_values, &[]);
    let found = parsed.options.iter().find(|option| names.contains(&option.name))?;
    Some(found.word)
}

/// `curl -k`, `--insecure`, `--proxy-insecure`.
fn curl(command: &Command) -> Option<Unverified<'_>> {
    if command.program() != Some("curl") {
        return None;
    }
    let word = option(command.args(), CURL_SHORT_VALUES, &["k", "insecure", "proxy-insecure"])?;
    Some(Unverified::word(
        word,
        "TLS verification off: curl accepts any certificate",
    ))
}

/// `wget --no-check-certificate` (GNU and BusyBox).
fn wget(command: &Command) -> Option<Unverified<'_>> {
    if command.program() != Some("wget") {
        return None;
    }
    let word = option(command.args(), WGET_SHORT_VALUES, &["no-check-certificate"])?;
    Some(Unverified::word(
        word,
        "TLS verification off: wget accepts any certificate",
    ))
}

/// `pip install --trusted-host …`, `pip config set global.trusted-host …`.
fn pip(command: &Command) -> Option<Unverified<'_>> {
    let args = pip_args(command)?;
    let parsed = parse_args(args, "rcefit", &[]);
    let what = "TLS verification off: pip trusts the host without checking its certificate";
    if let Some(option) = parsed.options.iter().find(|option| option.name == "trusted-host") {
        return Some(Unverified::word(option.word, what));
    }
    match parsed.operands.as_slice() {
        [config, set, key, ..]
            if config.text == "config" && set.text == "set" && key.text.ends_with("trusted-host") =>
        {
            Some(Unverified::word(key, what))
        }
        _ => None,
    }
}

/// apt's `--allow-unauthenticated`, `--allow-insecure-repositories`, or the
/// same through `-o`.
fn apt(command: &Command) -> Option<Unverified<'_>> {
    if !matches!(command.program(), Some("apt-get" | "apt" | "aptitude")) {
        return None;
    }
    let args = command.args();
    let parsed = parse_args(
        args,
        "otca",
        &["option", "config-file", "target-release", "default-release"],
    );
    let what = "signature checks off: apt installs packages it cannot authenticate";
    let flag = parsed
        .options
        .iter()
        .find(|option| matches!(option.name, "allow-unauthenticated" | "allow-insecure-repositories"));
    if let Some(flag) = flag {
        return Some(Unverified::word(flag.word, what));
    }
    // `-o Name=value`: the option word and its value, which may be the next word.
    let on = ["true", "1", "yes"];
    let setting = parsed.options.iter().find(|option| {
        matches!(option.name, "o" | "option")
            && option
                .value
                .and_then(|value| value.split_once('='))
                .is_some_and(|(key, value)| {
                    ["APT::Get::AllowUnauthenticated", "Acquire::AllowInsecureRepositories"]
                        .iter()
                        .any(|name| key.trim().eq_ignore_ascii_case(name))
                        && on.iter().any(|on| value.trim().eq_ignore_ascii_case(on))
                })
    })?;
    Some(Unverified::words(setting.word, value_word(args, setting.word), what))
}

/// The word holding an option's value: the option's own word (`-oX=1`,
/// `--option=X=1`) or, for a bare `-o` or `--option`, the next one.
fn value_word<'a>(args: &'a [ShellWord], option: &'a ShellWord) -> &'a ShellWord {
    let text = option.text.as_str();
    let bare = text.len() == 2 || (text.starts_with("--") && !text.contains('='));
    let at = args.iter().position(|word| word.span == option.span);
    match at {
        Some(at) if bare => args.get(at + 1).unwrap_or(option),
        _ => option,
    }
}

/// Whether a git config key is `http.sslVerify` or `http.<url>.sslVerify`.
fn is_ssl_verify(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("http.") && key.ends_with(".sslverify")
}

/// `git config [--global] http.sslVerify false`, `git -c http.sslVerify=false …`.
fn git(command: &Command) -> Option<Unverified<'_>> {
    if command.program() != Some("git") {
        return None;
    }
    let parsed = parse_args(command.args(), "Cc", &["file", "blob", "type", "git-dir", "work-tree"]);
    let what = "TLS verification off: git accepts any certificate";
    let inline = parsed.options.iter().find(|option| {
        option.name == "c"
            && option
                .value
                .and_then(|setting| setting.split_once('='))
                .is_some_and(|(key, value)| is_ssl_verify(key) && is_false(value))
    });
    if let Some(inline) = inline {
        return Some(Unverified::words(
            inline.word,
            value_word(command.args(), inline.word),
            what,
        ));
    }
    let operands = &parsed.operands;
    let at = operands.iter().position(|word| word.text == "config")?;
    match &operands[at + 1..] {
        [key, value, ..] if is_ssl_verify(&key.text) && is_false(&value.text) => {
            Some(Unverified::words(key, value, what))
        }
        _ => None,
    }
}

/// Whether an npm or yarn config key is the strict-SSL switch.
fn is_strict_ssl(key: &str) -> bool {
    key.eq_ignore_ascii_case("strict-ssl") || key.eq_ignore_ascii_case("enableStrictSsl")
}

/// `npm config set strict-ssl false` (or `npm set`, `strict-ssl=false`),
/// `yarn config set strict-ssl false`, `npm … --strict-ssl=false`.
fn node_package_manager(command: &Command) -> Option<Unverified<'_>> {
    if !matches!(command.program(), Some("npm" | "yarn" | "pnpm")) {
        return None;
    }
    let parsed = parse_args(command.args(), "", &[]);
    let what = "TLS verification off: the package manager accepts any registry certificate";
    let flag = parsed.options.iter().find(|option| {
        option.name == "no-strict-ssl" || (option.name == "strict-ssl" && option.value.is_some_and(is_false))
    });
    if let Some(flag) = flag {
        return Some(Unverified::word(flag.word, what));
    }
    let operands = &parsed.operands;
    let set = operands.iter().position(|word| word.text == "set")?;
    let before_set = &operands[..set];
    if !(before_set.is_empty() || (before_set.len() == 1 && before_set[0].text == "config")) {
        return None;
    }
    match &operands[set + 1..] {
        [key, value, ..] if is_strict_ssl(&key.text) && is_false(&value.text) => {
            Some(Unverified::words(key, value, what))
        }
        [pair, ..] => pair
            .text
            .split_once('=')
            .is_some_and(|(key, value)| is_strict_ssl(key) && is_false(value))
            .then(|| Unverified::word(pair, what)),
        [] => None,
    }
}

impl Rule for TlsVerificationDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        let checks: [fn(&Command) -> Option<Unverified<'_>>; 6] = [curl, wget, pip, apt, git, node_package_manager];
        for run in shell_runs(cx.dockerfile) {
            for command in &run.script.commands {
                let Some(found) = checks.iter().find_map(|check| check(command)) else {
                    continue;
                };
                let program = command.program().unwrap_or_default();
                let next = command
                    .args()
                    .first()
                    .is_some_and(|first| first.span == found.first.span);
                let gap = if next { " " } else { " … " };
                let setting = if found.first.span == found.last.span {
                    found.first.text.clone()
                } else {
                    format!("{} {}", found.first.text, found.last.text)
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        program_through(command, found.last),
                        format!(
                            "`{program}{gap}{setting}` turns {}, so anyone on the network path can swap what the build downloads",
                            found.what
                        ),
                    )
                    .with_label("verification off")
                    .with_help(
                        "keep verification on; if a proxy or private registry re-signs traffic, add its CA to the image \
                         (`COPY corp-ca.crt /usr/local/share/ca-certificates/` and `update-ca-certificates`)",
                    ),
                );
            }
        }
    }
}
