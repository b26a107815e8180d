//! Image references (`[registry/]repo[:tag][@digest]`), as compose files,
//! Dockerfiles, the standards and the engine write them.

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

    pub(crate) fn effective_tag(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
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
}
