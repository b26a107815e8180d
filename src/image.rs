//! Image references (`[registry/]repo[:tag][@digest]`) and the approval test
//! shared by the compose (C101, C102) and Dockerfile (D101, D102) rules.

use crate::standards::Standards;

/// A parsed image reference, with Docker Hub's implicit prefixes removed so
/// that `docker.io/library/redis` and `redis` compare equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

const HUB_PREFIXES: [&str; 3] = ["docker.io/", "index.docker.io/", "registry-1.docker.io/"];

impl ImageRef {
    /// Parses a reference; `None` when it holds an unresolved variable or is
    /// empty, since nothing certain can be said about it then.
    pub fn parse(text: &str) -> Option<ImageRef> {
        let text = text.trim();
        if text.is_empty() || text.contains('$') {
            return None;
        }
        let (name, digest) = match text.split_once('@') {
            Some((name, digest)) => (name, Some(digest.to_string())),
            None => (text, None),
        };
        // The tag separator is a colon after the last slash; one before it
        // belongs to a registry port (`localhost:5000/app`).
        let last_slash = name.rfind('/').map_or(0, |index| index + 1);
        let (repository, tag) = match name[last_slash..].find(':') {
            Some(colon) => (
                &name[..last_slash + colon],
                Some(name[last_slash + colon + 1..].to_string()),
            ),
            None => (name, None),
        };
        let mut repository = repository.to_ascii_lowercase();
        for prefix in HUB_PREFIXES {
            if let Some(rest) = repository.strip_prefix(prefix) {
                repository = rest.to_string();
                break;
            }
        }
        if let Some(rest) = repository.strip_prefix("library/") {
            repository = rest.to_string();
        }
        Some(ImageRef {
            repository,
            tag,
            digest,
        })
    }

    /// `latest` or no tag at all (which Docker reads as `latest`), without a digest.
    pub fn is_floating(&self) -> bool {
        self.digest.is_none() && self.tag.as_deref().is_none_or(|tag| tag == "latest")
    }

    fn effective_tag(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
    }
}

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
    fn hub_prefixes_are_normalised() {
        assert_eq!(parse("docker.io/library/redis:7-alpine").repository, "redis");
        assert_eq!(parse("localhost:5000/app").tag, None);
        assert_eq!(parse("localhost:5000/app:1").tag.as_deref(), Some("1"));
        assert_eq!(parse("redis@sha256:abc").digest.as_deref(), Some("sha256:abc"));
        assert!(ImageRef::parse("${IMAGE}").is_none());
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
