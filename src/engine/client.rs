//! Takes one snapshot of an engine: list calls first, then an inspect of
//! each container of the checked project only, all on one connection, in
//! the API version negotiated (or pinned by `DOCKER_API_VERSION`), within one
//! deadline. Only GET requests: taking a snapshot never changes the engine.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::host::EngineHost;
use super::http::{Answer, Connection, Failure};
use super::snapshot::{self, Container, Image, PublishedPort, Reason, Snapshot, Unreachable};

/// The newest API version this client asks for; older engines get their own.
pub const CLIENT_API_VERSION: &str = "1.47";
/// What the docker CLI assumes of an engine whose ping names no version.
const FALLBACK_API_VERSION: &str = "1.24";

/// Which containers get inspected (everything else is known from the list).
pub struct Scope<'a> {
    /// The checked project's name (its `com.docker.compose.project` label).
    pub project: &'a str,
    /// Name prefixes of unlabelled containers that stand for a job of the project.
    pub job_prefixes: &'a [&'a str],
}

/// The limits of one check.
pub struct Limits {
    /// The whole check.
    pub total: Duration,
    /// `DOCKER_API_VERSION`, when set: no negotiation.
    pub pinned_api: Option<String>,
}

/// The snapshot, and how many requests it took.
pub struct Taken {
    pub snapshot: Snapshot,
    pub requests: usize,
}

/// Takes one snapshot of the engine at `host`.
pub fn snapshot(host: &EngineHost, scope: &Scope, limits: &Limits) -> Result<Taken, Unreachable> {
    let unreachable = |reason: Reason| Unreachable {
        host: host.url.clone(),
        origin: host.origin.clone(),
        reason,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| unreachable(Reason::Other(format!("cannot start the async runtime: {error}"))))?;
    runtime.block_on(take(host, scope, limits)).map_err(unreachable)
}

/// One request at a time, and what the check has read so far (for the
/// message when the deadline passes).
struct Session {
    connection: Connection,
    prefix: String,
    done: Vec<String>,
    deadline: Instant,
    total: Duration,
    per_request: Duration,
}

impl Session {
    /// The answer, whatever its status.
    async fn answer(&mut self, path: &str) -> Result<Answer, Reason> {
        let path = format!("{}{path}", self.prefix);
        match self.connection.get(&path).await {
            Ok(answer) => Ok(answer),
            Err(Failure::Timeout) => Err(Reason::Timeout {
                // Which limit fired: the whole check's, or the request's own.
                limit: if Instant::now() >= self.deadline {
                    self.total
                } else {
                    self.per_request
                },
                request: format!("GET {path}"),
                done: self.done.join(", "),
            }),
            Err(Failure::Failed(reason)) => Err(reason),
        }
    }

    /// A successful answer.
    async fn get(&mut self, path: &str) -> Result<Answer, Reason> {
        let answer = self.answer(path).await?;
        successful(path, answer)
    }

    async fn json<T: DeserializeOwned>(&mut self, path: &str) -> Result<(T, Answer), Reason> {
        let answer = self.get(path).await?;
        Ok((decode(path, &answer)?, answer))
    }
}

fn successful(path: &str, answer: Answer) -> Result<Answer, Reason> {
    if (200..300).contains(&answer.status) {
        return Ok(answer);
    }
    let text = String::from_utf8_lossy(&answer.body);
    Err(Reason::NotDocker(format!(
        "`GET {path}` answered HTTP {}: {}",
        answer.status,
        truncate(&text)
    )))
}

fn decode<T: DeserializeOwned>(path: &str, answer: &Answer) -> Result<T, Reason> {
    serde_json::from_slice(&answer.body).map_err(|error| Reason::NotDocker(format!("`GET {path}`: {error}")))
}

async fn take(host: &EngineHost, scope: &Scope<'_>, limits: &Limits) -> Result<Taken, Reason> {
    let started = Instant::now();
    let deadline = started + limits.total;
    // One request may take half the check: a stalled one leaves time to say which.
    let per_request = (limits.total / 2).max(Duration::from_millis(100)).min(limits.total);
    let tls = host.tls.then(|| tls_files(host)).transpose()?;
    let connection = Connection::open(&host.url, tls.as_deref(), deadline, per_request)
        .await
        .map_err(|failure| match failure {
            Failure::Timeout => Reason::Timeout {
                limit: per_request,
                request: "connect".to_string(),
                done: String::new(),
            },
            Failure::Failed(reason) => reason,
        })?;
    let mut session = Session {
        connection,
        prefix: String::new(),
        done: Vec::new(),
        deadline,
        total: limits.total,
        per_request,
    };
    let ping = session.get("/_ping").await?;
    let said = String::from_utf8_lossy(&ping.body);
    if said.trim() != "OK" {
        return Err(Reason::NotDocker(format!("`/_ping` answered {:?}", truncate(&said))));
    }
    let api = match &limits.pinned_api {
        Some(pinned) => pinned.trim_start_matches('v').to_string(),
        None => negotiate(ping.api_version.as_deref()),
    };
    session.prefix = format!("/v{api}");
    session.done.push("ping".to_string());

    let (version, _): (ApiVersion, _) = session.json("/version").await?;
    session.done.push("version".to_string());
    let (listed, answer): (Vec<ApiSummary>, _) = session.json("/containers/json?all=1").await?;
    // The engine's clock, so ages do not depend on this machine's.
    let engine_now = answer.date.unwrap_or_else(local_now);
    session.done.push(format!("the list of {} containers", listed.len()));

    let wanted = listed.iter().filter(|summary| in_scope(summary, scope)).count();
    let mut containers = Vec::with_capacity(listed.len());
    let mut inspected = 0;
    for summary in listed {
        let mut container = summary.container();
        if in_scope(&summary, scope) {
            let path = format!("/containers/{}/json", summary.id);
            // Removed between the list and the inspect: it is no longer there.
            let answer = session.answer(&path).await?;
            if answer.status == 404 {
                continue;
            }
            let details: ApiInspect = decode(&path, &successful(&path, answer)?)?;
            details.fill(&mut container);
            inspected += 1;
            // One running count, not a line per container.
            if session.done.last().is_some_and(|last| last.ends_with("inspected")) {
                session.done.pop();
            }
            session
                .done
                .push(format!("{inspected} of {wanted} containers inspected"));
        }
        containers.push(container);
    }

    let (images, _): (Vec<ApiImage>, _) = session.json("/images/json?digests=1").await?;
    session.done.push("images".to_string());
    let (volumes, _): (ApiVolumes, _) = session.json("/volumes").await?;
    session.done.push("volumes".to_string());
    let (networks, _): (Vec<ApiNetwork>, _) = session.json("/networks").await?;
    Ok(Taken {
        requests: session.connection.requests,
        snapshot: Snapshot {
            host: host.url.clone(),
            engine_version: version.version,
            api_version: version.api_version,
            taken_at: engine_now,
            images: images.into_iter().map(ApiImage::image).collect(),
            containers,
            volumes: volumes
                .volumes
                .unwrap_or_default()
                .into_iter()
                .map(|volume| volume.name)
                .collect(),
            networks: networks.into_iter().map(|network| network.name).collect(),
        },
    })
}

/// The lower of the engine's version and this client's.
fn negotiate(engine: Option<&str>) -> String {
    let engine = engine.unwrap_or(FALLBACK_API_VERSION);
    match (
        snapshot::parse_api_version(engine),
        snapshot::parse_api_version(CLIENT_API_VERSION),
    ) {
        (Some(theirs), Some(ours)) if theirs < ours => engine.trim().to_string(),
        (Some(_), _) => CLIENT_API_VERSION.to_string(),
        (None, _) => FALLBACK_API_VERSION.to_string(),
    }
}

fn in_scope(summary: &ApiSummary, scope: &Scope) -> bool {
    match summary
        .labels
        .as_ref()
        .and_then(|labels| labels.get(snapshot::PROJECT_LABEL))
    {
        Some(project) => project == scope.project,
        None => {
            let name = summary.name();
            scope.job_prefixes.iter().any(|prefix| name.starts_with(prefix))
        }
    }
}

/// Where TLS material is: the context's, else `DOCKER_CERT_PATH`, else `~/.docker`.
fn tls_files(host: &EngineHost) -> Result<std::path::PathBuf, Reason> {
    host.tls_dir
        .clone()
        .or_else(|| std::env::var_os("DOCKER_CERT_PATH").map(std::path::PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".docker")))
        .ok_or_else(|| Reason::Other("no DOCKER_CERT_PATH and no home directory for TLS certificates".into()))
}

fn local_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() as i64)
}

fn truncate(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

// The engine's answers, as far as the snapshot reads them.

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiVersion {
    #[serde(default)]
    version: String,
    #[serde(default)]
    api_version: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiSummary {
    id: String,
    // The engine may write `null` for an empty list or map.
    #[serde(default)]
    names: Option<Vec<String>>,
    #[serde(default)]
    image: String,
    #[serde(default, rename = "ImageID")]
    image_id: String,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    state: String,
    #[serde(default)]
    ports: Option<Vec<ApiPort>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiPort {
    #[serde(default, rename = "IP")]
    ip: String,
    private_port: u16,
    public_port: Option<u16>,
    #[serde(default, rename = "Type")]
    protocol: String,
}

impl ApiSummary {
    fn name(&self) -> &str {
        self.names
            .iter()
            .flatten()
            .next()
            .map_or("", |name| name.trim_start_matches('/'))
    }

    fn container(&self) -> Container {
        Container {
            id: self.id.clone(),
            name: self.name().to_string(),
            image: self.image.clone(),
            image_id: self.image_id.clone(),
            labels: self.labels.clone().unwrap_or_default(),
            state: self.state.clone(),
            restart_policy: "no".to_string(),
            ports: self
                .ports
                .iter()
                .flatten()
                .filter_map(|port| {
                    Some(PublishedPort {
                        host_ip: port.ip.clone(),
                        host_port: port.public_port?,
                        container_port: port.private_port,
                        protocol: if port.protocol.is_empty() {
                            "tcp".to_string()
                        } else {
                            port.protocol.clone()
                        },
                    })
                })
                .collect(),
            ..Container::default()
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ApiInspect {
    restart_count: i64,
    state: ApiState,
    config: ApiConfig,
    host_config: ApiHostConfig,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ApiState {
    status: String,
    exit_code: Option<i64>,
    #[serde(rename = "OOMKilled")]
    oom_killed: bool,
    started_at: String,
    finished_at: String,
    health: Option<ApiHealth>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ApiHealth {
    status: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ApiConfig {
    image: String,
    user: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ApiHostConfig {
    restart_policy: ApiRestartPolicy,
    memory: i64,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ApiRestartPolicy {
    name: String,
    maximum_retry_count: i64,
}

impl ApiInspect {
    /// What only an inspect tells, added to the listed container.
    fn fill(self, container: &mut Container) {
        if !self.state.status.is_empty() {
            container.state = self.state.status;
        }
        if !self.config.image.is_empty() {
            container.image = self.config.image;
        }
        container.health = self
            .state
            .health
            .map(|health| health.status)
            .filter(|status| !status.is_empty() && status != "none");
        container.exit_code = self.state.exit_code;
        container.oom_killed = self.state.oom_killed;
        container.restart_count = self.restart_count;
        container.restart_policy = match self.host_config.restart_policy.name.as_str() {
            "" => "no".to_string(),
            name => name.to_string(),
        };
        container.restart_retries = self.host_config.restart_policy.maximum_retry_count;
        container.memory_limit = self.host_config.memory;
        container.user = self.config.user;
        container.started_at = snapshot::parse_engine_time(&self.state.started_at);
        container.finished_at = snapshot::parse_engine_time(&self.state.finished_at);
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiImage {
    id: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    repo_digests: Option<Vec<String>>,
}

impl ApiImage {
    fn image(self) -> Image {
        Image {
            id: self.id,
            tags: self
                .repo_tags
                .unwrap_or_default()
                .into_iter()
                .filter(|tag| tag != "<none>:<none>")
                .collect(),
            digests: self
                .repo_digests
                .unwrap_or_default()
                .into_iter()
                .filter(|digest| !digest.starts_with("<none>"))
                .collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiVolumes {
    volumes: Option<Vec<ApiNamed>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiNamed {
    name: String,
}

type ApiNetwork = ApiNamed;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_takes_the_lower_version() {
        assert_eq!(negotiate(Some("1.41")), "1.41");
        assert_eq!(negotiate(Some("1.52")), CLIENT_API_VERSION);
        assert_eq!(negotiate(None), FALLBACK_API_VERSION);
        assert_eq!(negotiate(Some("garbage")), FALLBACK_API_VERSION);
    }
}
