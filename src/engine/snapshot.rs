//! What the engine held at one moment, as the live rules see it.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::image_ref::ImageRef;

/// The label Compose puts on every container of a project.
pub const PROJECT_LABEL: &str = "com.docker.compose.project";
/// The label Compose puts on a container with its service's name.
pub const SERVICE_LABEL: &str = "com.docker.compose.service";
/// `True` on the containers of `docker compose run` (one-offs).
pub const ONEOFF_LABEL: &str = "com.docker.compose.oneoff";

/// One read-only snapshot of an engine: plain data, so a recorded one (JSON)
/// checks a project without an engine.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Snapshot {
    /// The host it was taken from, as given (`unix:///var/run/docker.sock`).
    pub host: String,
    /// The engine's own version (`20.10.24+dfsg1`).
    pub engine_version: String,
    /// The highest API version the engine speaks (`1.41`).
    pub api_version: String,
    /// When it was taken by the engine's clock (its `Date`), in seconds since
    /// the Unix epoch: ages are measured against it, never the local clock.
    pub taken_at: i64,
    pub images: Vec<Image>,
    pub containers: Vec<Container>,
    pub volumes: Vec<String>,
    pub networks: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Image {
    pub id: String,
    /// `repository:tag` as the engine lists them.
    pub tags: Vec<String>,
    /// `repository@sha256:…`.
    pub digests: Vec<String>,
}

/// A container as listed; the fields after `ports` are read by inspecting
/// it, which is done only for the checked project's containers.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Container {
    pub id: String,
    /// Without the API's leading `/`.
    pub name: String,
    /// The image as the container was created from it (`redis:7-alpine`).
    pub image: String,
    pub image_id: String,
    pub labels: BTreeMap<String, String>,
    /// `created`, `running`, `restarting`, `exited`, `paused`, `dead`, ...
    pub state: String,
    /// `starting`, `healthy` or `unhealthy`; `None` without a healthcheck.
    pub health: Option<String>,
    pub exit_code: Option<i64>,
    pub restart_count: i64,
    /// `no`, `always`, `unless-stopped` or `on-failure`.
    pub restart_policy: String,
    /// `on-failure`'s retry limit; 0 when none.
    pub restart_retries: i64,
    /// In bytes; 0 when unlimited.
    pub memory_limit: i64,
    /// As configured (`1000:1000`, `app`); empty for the image's default.
    pub user: String,
    pub ports: Vec<PublishedPort>,
    /// Seconds since the Unix epoch; `None` when never started.
    pub started_at: Option<i64>,
    /// When it last stopped; `None` while it never has.
    pub finished_at: Option<i64>,
    /// The kernel killed it for memory.
    pub oom_killed: bool,
}

/// A container port the engine publishes on the host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublishedPort {
    /// `0.0.0.0`, `::` or an address.
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
}

impl Container {
    pub fn project(&self) -> Option<&str> {
        self.labels.get(PROJECT_LABEL).map(String::as_str)
    }

    pub fn service(&self) -> Option<&str> {
        self.labels.get(SERVICE_LABEL).map(String::as_str)
    }

    pub fn is_running(&self) -> bool {
        self.state == "running"
    }

    /// Made by `docker compose run`: Compose never recreates or judges it.
    pub fn is_oneoff(&self) -> bool {
        self.labels
            .get(ONEOFF_LABEL)
            .is_some_and(|value| value.eq_ignore_ascii_case("true"))
    }

    /// Stopped for good: exited or dead.
    pub fn is_stopped(&self) -> bool {
        matches!(self.state.as_str(), "exited" | "dead")
    }
}

impl Snapshot {
    /// The containers Compose made for `project`.
    pub fn project_containers<'a>(&'a self, project: &'a str) -> impl Iterator<Item = &'a Container> + 'a {
        self.containers
            .iter()
            .filter(move |container| container.project() == Some(project))
    }

    /// The local image a reference names, by tag or digest, with Docker Hub's
    /// implicit prefixes normalised (`redis:7` = `docker.io/library/redis:7`).
    pub fn image(&self, wanted: &ImageRef) -> Option<&Image> {
        self.images.iter().find(|image| {
            let by_tag = wanted.digest.is_none()
                && image.tags.iter().filter_map(|tag| ImageRef::parse(tag)).any(|tag| {
                    tag.repository == wanted.repository && tag.tag.as_deref().unwrap_or("latest") == wanted_tag(wanted)
                });
            let by_digest = wanted.digest.as_deref().is_some_and(|digest| {
                image
                    .digests
                    .iter()
                    .filter_map(|text| ImageRef::parse(text))
                    .any(|known| known.repository == wanted.repository && known.digest.as_deref() == Some(digest))
            });
            by_tag || by_digest
        })
    }

    /// The engine's API version as `(major, minor)`.
    pub fn api(&self) -> Option<(u32, u32)> {
        parse_api_version(&self.api_version)
    }
}

fn wanted_tag(image: &ImageRef) -> &str {
    image.tag.as_deref().unwrap_or("latest")
}

/// `1.41` as `(1, 41)`.
pub fn parse_api_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// No engine answered: where it was asked, and why it did not answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreachable {
    /// The host tried, as a URL (`unix:///var/run/docker.sock`).
    pub host: String,
    /// Where that host came from: `--docker-host`, `DOCKER_HOST`, a context, or the default.
    pub origin: String,
    pub reason: Reason,
}

impl Unreachable {
    /// One sentence: an engine that answered and then stalled is not
    /// "no engine".
    pub fn headline(&self) -> String {
        let (host, origin, why) = (&self.host, &self.origin, self.reason.describe());
        match &self.reason {
            Reason::Timeout { done, .. } if !done.is_empty() => {
                format!("the Docker engine at `{host}` (from {origin}) stopped answering: {why}")
            }
            Reason::NoContext(_) => format!("no Docker engine to ask: {origin}: {why}"),
            _ => format!("no Docker engine answers at `{host}` (from {origin}): {why}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// The socket file does not exist.
    NoSocket,
    /// The path exists but is no socket.
    NotASocket,
    PermissionDenied,
    /// Nothing listens (a stale socket, or a closed tcp port).
    Refused,
    /// No answer within the timeout: to which request, and what was read before.
    Timeout {
        limit: Duration,
        request: String,
        done: String,
    },
    /// Something answered, but not the Docker API.
    NotDocker(String),
    /// TLS was asked for (`DOCKER_TLS_VERIFY`, `https://`) but this build has no TLS.
    TlsUnsupported,
    /// A host that is no unix socket path or tcp/http(s) URL.
    BadHost,
    /// The docker CLI context named cannot be used (why).
    NoContext(String),
    Other(String),
}

impl Reason {
    pub fn describe(&self) -> String {
        match self {
            Reason::NoSocket => "the socket does not exist".to_string(),
            Reason::NotASocket => "the path is not a socket".to_string(),
            Reason::PermissionDenied => "permission denied".to_string(),
            Reason::Refused => "connection refused: nothing listens there".to_string(),
            Reason::Timeout { limit, request, done } if done.is_empty() => {
                format!("no answer to `{request}` within {}", format_duration(*limit))
            }
            Reason::Timeout { limit, request, done } => format!(
                "no answer to `{request}` within {} (already read: {done})",
                format_duration(*limit)
            ),
            Reason::NotDocker(detail) => format!("it answered, but not as a Docker engine ({detail})"),
            Reason::TlsUnsupported => {
                "TLS was requested, but this vwe-lint was built without the `engine-tls` feature".to_string()
            }
            Reason::BadHost => "not a unix socket path or a tcp://, http:// or https:// address".to_string(),
            Reason::NoContext(detail) | Reason::Other(detail) => detail.clone(),
        }
    }

    /// What to do about it.
    pub fn fix(&self) -> &'static str {
        match self {
            Reason::NoSocket | Reason::Refused => {
                "start that Docker engine, or point vwe-lint at a running one with `--docker-host`, `--context`, `DOCKER_HOST` or `DOCKER_CONTEXT`"
            }
            Reason::NotASocket | Reason::BadHost | Reason::NotDocker(_) | Reason::Other(_) => {
                "point vwe-lint at the engine with `--docker-host`, `--context`, `DOCKER_HOST` or `DOCKER_CONTEXT` (e.g. `unix:///var/run/docker.sock`, `tcp://host:2375`)"
            }
            Reason::PermissionDenied => {
                "add your user to the `docker` group (`sudo usermod -aG docker $USER`, then log in again), or run vwe-lint with access to the socket"
            }
            Reason::Timeout { .. } => {
                "check that the engine is running and not overloaded, raise `--timeout` (it bounds the whole check), or point vwe-lint at an engine that answers"
            }
            Reason::NoContext(_) => {
                "`docker context ls` lists the contexts: choose one of them with `--context` or `DOCKER_CONTEXT`, or create it with `docker context create`"
            }
            Reason::TlsUnsupported => {
                "build vwe-lint with `--features engine-tls`, or reach the engine over its unix socket"
            }
        }
    }
}

/// `5s`, `1.5s`, `250ms`.
pub fn format_duration(duration: Duration) -> String {
    if duration.subsec_nanos() == 0 {
        format!("{}s", duration.as_secs())
    } else if duration < Duration::from_secs(1) {
        format!("{}ms", duration.as_millis())
    } else {
        format!("{}s", duration.as_secs_f64())
    }
}

/// Seconds since the epoch of an RFC 3339 time as the engine writes it
/// (`2026-11-26T15:50:25.486698135Z`); `None` for the engine's "never"
/// (`0001-01-01T00:00:00Z`) and for text it is not.
pub fn parse_engine_time(text: &str) -> Option<i64> {
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if year < 1970 || !(1..=12).contains(&month) {
        return None;
    }
    // The offset follows the optional fraction: `Z`, `+hh:mm` or `-hh:mm`.
    let zone = text[19..].trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = match zone.as_bytes().first()? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let hours: i64 = zone.get(1..3)?.parse().ok()?;
            let minutes: i64 = zone.get(4..6)?.parse().ok()?;
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'+' { offset } else { -offset }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_times() {
        assert_eq!(parse_engine_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_engine_time("2026-11-26T15:50:25.486698135Z"), Some(1_795_708_225));
        assert_eq!(parse_engine_time("2026-11-26T16:50:25+01:00"), Some(1_795_708_225));
        assert_eq!(parse_engine_time("0001-01-01T00:00:00Z"), None);
        assert_eq!(parse_engine_time(""), None);
    }

    #[test]
    fn images_match_through_hub_prefixes() {
        let snapshot = Snapshot {
            images: vec![Image {
                id: "sha256:1".into(),
                tags: vec!["redis:7-alpine".into(), "busybox:latest".into()],
                digests: vec!["redis@sha256:abc".into()],
            }],
            ..Snapshot::default()
        };
        let find = |text: &str| snapshot.image(&ImageRef::parse(text).unwrap()).is_some();
        assert!(find("docker.io/library/redis:7-alpine"));
        assert!(find("busybox"));
        assert!(find("redis@sha256:abc"));
        assert!(!find("redis:7"));
        assert!(!find("redis@sha256:def"));
    }

    #[test]
    fn api_versions() {
        assert_eq!(parse_api_version("1.41"), Some((1, 41)));
        assert_eq!(parse_api_version("x"), None);
    }
}
