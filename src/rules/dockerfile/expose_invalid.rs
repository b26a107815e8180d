//! D409: EXPOSE of a port out of range, or with a host IP (hadolint DL3011).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::{Arguments, Keyword, substitute};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// EXPOSE port out of range, or with a host IP
    pub struct ExposeInvalid {
        code: D409,
        name: "expose-invalid",
        severity: Error,
        fix: None,
    }
}

/// What is wrong with one EXPOSE value (`80`, `80/udp`, `8000-8010/tcp`).
fn problem(value: &str) -> Option<String> {
    if value.contains(':') {
        return Some(format!(
            "`{value}` has a host IP or port: EXPOSE takes container ports only; publishing is for `docker run -p` or compose `ports:`"
        ));
    }
    let (ports, protocol) = value.split_once('/').unwrap_or((value, "tcp"));
    if !["tcp", "udp", "sctp"].contains(&protocol.to_ascii_lowercase().as_str()) {
        return Some(format!("`{value}`: unknown protocol `{protocol}` (tcp, udp or sctp)"));
    }
    let (low, high) = ports.split_once('-').unwrap_or((ports, ports));
    let number = |text: &str| {
        (!text.is_empty() && text.len() <= 6 && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u32>().ok())
            .flatten()
    };
    match (number(low), number(high)) {
        (Some(low), Some(high)) if (1..=65535).contains(&low) && (1..=65535).contains(&high) => {
            (low > high).then(|| format!("`{value}`: the range ends before it starts"))
        }
        (Some(_), Some(_)) => Some(format!("`{value}` is out of range: ports go from 1 to 65535")),
        _ => Some(format!("`{value}` is not a port number")),
    }
}

impl Rule for ExposeInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for instruction in &cx.dockerfile.instructions {
            if instruction.keyword != Keyword::Expose {
                continue;
            }
            let Arguments::Shell(text) = &instruction.args else {
                continue;
            };
            let mut offset = 0;
            for word in text.text.split_whitespace() {
                let start = offset + text.text[offset..].find(word).unwrap_or(0);
                offset = start + word.len();
                // Variables are judged where they are set.
                if word.contains('$') {
                    continue;
                }
                let value = substitute(word, |_| None).text;
                if let Some(message) = problem(&value) {
                    out.push(
                        Diagnostic::new(&META, text.source_span(start..offset), message)
                            .with_label("invalid port")
                            .with_help("EXPOSE container ports from 1 to 65535: `EXPOSE 8000` or `EXPOSE 2456/udp`"),
                    );
                }
            }
        }
    }
}
