//! D rules: Dockerfiles.

pub mod base_image_not_approved;
pub mod base_image_tag;
pub mod root_user;
