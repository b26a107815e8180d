//! vwe-lint: a linter and validator for Docker Compose files and Dockerfiles
//! against the VWE container standards.

// No function over 120 lines (the threshold is in clippy.toml).
#![warn(clippy::too_many_lines)]

pub mod add_ignore;
pub mod app;
pub mod bulk_suppressions;
pub mod cli;
pub mod command;
pub mod compose;
pub mod config_command;
pub mod config_tree;
pub mod diagnostic;
pub mod discover;
pub mod dockerfile;
pub mod engine;
pub mod fix;
pub mod image;
pub mod image_ref;
pub mod lint;
pub mod read;
pub mod report;
pub mod rules;
pub mod secret_names;
pub mod settings;
pub mod show_settings;
pub mod source;
pub mod standards;
pub mod suppress;
pub mod units;
