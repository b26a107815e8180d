use std::process::ExitCode;

use clap::Parser;
use vwe_lint::app::{self, Outcome};
use vwe_lint::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match app::run(cli) {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(error) => {
            eprintln!("vwe-lint: error: {error}");
            ExitCode::from(Outcome::ToolError as u8)
        }
    }
}
