//! C402: a secret's value never reaches any output of the real binary.

mod common;

use std::time::Duration;

const SECRET: &str = "Zx9-unmistakable-S3cret-Value";

#[test]
fn plaintext_secret_values_are_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let compose = format!(
        "services:\n  backend:\n    image: vwe/backend:1.0\n    environment:\n      - DB_PASSWORD={SECRET}\n      - LOG_LEVEL=info\n  worker:\n    image: vwe/worker:1.0\n    environment:\n      API_TOKEN: \"{SECRET}\"\n"
    );
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    for format in ["human", "json"] {
        let output = common::run_in(
            dir.path(),
            &["--format", format, "--color", "always", "compose.yaml"],
            None,
            Duration::from_secs(60),
        );
        let (stdout, stderr) = (common::stdout(&output), common::stderr(&output));
        assert!(stdout.contains("C402"), "{format}: C402 reports the secrets:\n{stdout}");
        assert!(!stdout.contains(SECRET), "{format}: the secret is on stdout:\n{stdout}");
        assert!(!stderr.contains(SECRET), "{format}: the secret is on stderr:\n{stderr}");
        // Not even a recognisable part of it.
        assert!(!stdout.contains("unmistakable"), "{format}:\n{stdout}");
    }
}
