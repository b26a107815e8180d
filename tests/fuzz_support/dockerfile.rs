//! Dockerfiles built from a seed: stages, heredocs, continuations, the
//! escape directive, comments and suppressions, and the instructions the
//! fixable Dockerfile rules act on.

use fastrand::Rng;

pub fn generate(rng: &mut Rng) -> String {
    // The escape directive changes the continuation character.
    let backtick = rng.u8(..6) == 0;
    let next = if backtick { '`' } else { '\\' };
    let mut lines = Vec::new();
    if backtick {
        lines.push("# escape=`".to_string());
    }
    let stages = rng.usize(1..=3);
    for stage in 0..stages {
        if rng.u8(..4) == 0 {
            lines.push(format!("# stage {stage}"));
        }
        let from = if stage > 0 && rng.bool() {
            format!("FROM stage{} AS stage{stage}", stage - 1)
        } else {
            format!("FROM python:3.12-slim AS stage{stage}")
        };
        lines.push(from);
        for _ in 0..rng.usize(1..6) {
            lines.push(instruction(rng, next, stage));
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

fn instruction(rng: &mut Rng, next: char, stage: usize) -> String {
    match rng.u8(..14) {
        0 => format!("RUN apt-get update && {next}\n    apt-get install curl ca-certificates"),
        1 => "RUN apt-get install -y --no-install-recommends git".into(),
        2 => "RUN pip install requests flask".into(),
        3 => "RUN apk add bash".into(),
        4 => "ADD app.py /app/app.py".into(),
        5 => "CMD python /app/app.py".into(),
        6 => "MAINTAINER someone@example.com".into(),
        7 => "ENV LEVEL info".into(),
        8 => "RUN <<EOF\nset -e\necho hello # not a comment\nEOF".into(),
        9 => format!(
            "# vwe-lint: ignore[{}]",
            ["D301", "D3O1", "D99", "D403"][rng.usize(..4)]
        ),
        10 if stage > 0 => format!("COPY --from=stage{} /app /app", stage - 1),
        11 => "ENTRYPOINT [\"python\", \"/app/app.py\"]".into(),
        12 => format!("RUN echo one {next}\n    # inside a continuation\n    && echo two"),
        _ => "WORKDIR /app".into(),
    }
}
