//! S rules: syntax and structure of every file.

pub mod dockerfile_syntax;
pub mod duplicate_key;
pub mod unused_suppression;
pub mod yaml_syntax;
