use std::process::ExitCode;

use clap::Parser;
use vwe_lint::app;
use vwe_lint::cli::Cli;
use vwe_lint::command::Outcome;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `--fix` writes through temporary files: an interrupt must not leave them.
    if let Err(error) = vwe_lint::fix::remove_temporaries_on_signal() {
        eprintln!("vwe-lint: warning: cannot watch for interrupts: {error}");
    }
    match app::run(cli) {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(error) => {
            eprintln!("vwe-lint: error: {error}");
            ExitCode::from(Outcome::ToolError as u8)
        }
    }
}
