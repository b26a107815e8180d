//! C and compose-side S rules.

pub mod image_not_approved;
pub mod image_tag;
pub mod obsolete_version;
pub mod restart_policy;
