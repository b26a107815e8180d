//! The approval test of image references shared by the compose (C101,
//! C102) and Dockerfile (D101, D102) rules.

pub use crate::image_ref::ImageRef;
use crate::standards::Standards;

/// What the standards say about an image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Approval {
    /// Exactly an approved `repository:tag`.
    Approved,
    /// An image of the custom namespace (`vwe/...`).
    Custom,
    /// An approved repository with no tag, `latest`, or only a digest: the
    /// tag rules (C102, D102) judge it.
    ApprovedRepositoryUnpinned,
    /// An approved repository with another tag than the approved ones.
    OtherTag {
        approved: Vec<String>,
    },
    NotApproved,
}

impl Standards {
    pub fn approval(&self, image: &ImageRef) -> Approval {
        let namespace = format!("{}/", self.images.namespace.trim_end_matches('/'));
        if image.repository.starts_with(&namespace) {
            return Approval::Custom;
        }
        let approved: Vec<ImageRef> = self
            .images
            .approved
            .iter()
            .filter_map(|text| ImageRef::parse(text))
            .collect();
        let same_repository: Vec<&ImageRef> = approved
            .iter()
            .filter(|candidate| candidate.repository == image.repository)
            .collect();
        if same_repository.is_empty() {
            return Approval::NotApproved;
        }
        if same_repository
            .iter()
            .any(|candidate| candidate.effective_tag() == image.effective_tag())
        {
            return Approval::Approved;
        }
        if image.is_floating() || image.tag.is_none() {
            return Approval::ApprovedRepositoryUnpinned;
        }
        Approval::OtherTag {
            approved: same_repository
                .iter()
                .map(|candidate| format!("{}:{}", candidate.repository, candidate.effective_tag()))
                .collect(),
        }
    }

    /// Whether the image is one the standards configure by PUID/PGID.
    pub fn is_puid_pgid_image(&self, image: &ImageRef) -> bool {
        self.images
            .puid_pgid
            .iter()
            .filter_map(|text| ImageRef::parse(text))
            .any(|known| known.repository == image.repository)
    }

    /// A short list of what is approved, for help lines.
    pub fn approved_summary(&self) -> String {
        let mut list = self.images.approved.join(", ");
        list.push_str(&format!(
            ", or an image in `{}/`",
            self.images.namespace.trim_end_matches('/')
        ));
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ImageRef {
        ImageRef::parse(text).unwrap()
    }

    #[test]
    fn approval() {
        let standards = Standards::builtin();
        assert_eq!(standards.approval(&parse("redis:7-alpine")), Approval::Approved);
        assert_eq!(standards.approval(&parse("vwe/backend:1.0")), Approval::Custom);
        assert_eq!(
            standards.approval(&parse("redis")),
            Approval::ApprovedRepositoryUnpinned
        );
        assert_eq!(
            standards.approval(&parse("lloesche/valheim-server")),
            Approval::Approved
        );
        assert!(matches!(
            standards.approval(&parse("redis:6")),
            Approval::OtherTag { .. }
        ));
        assert_eq!(standards.approval(&parse("postgres:15")), Approval::NotApproved);
    }
}
