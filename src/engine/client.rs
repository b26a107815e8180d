//! The engine client: bollard on one current-thread tokio runtime, API
//! version negotiated, every request bounded by the timeout. It only sends
//! GET requests (`/_ping`, `/version`, and the list and inspect endpoints),
//! so taking a snapshot never changes the engine.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bollard::Docker;
use bollard::errors::Error as BollardError;
use bollard::query_parameters::{ListContainersOptions, ListImagesOptions, ListNetworksOptions, ListVolumesOptions};

use super::snapshot::{self, Container, Image, PublishedPort, Reason, Snapshot, Unreachable};

/// Where the engine is when neither `--docker-host` nor `DOCKER_HOST` says.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// The engine to ask, and where that choice came from (for E001's message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineHost {
    pub url: String,
    pub origin: &'static str,
}

impl EngineHost {
    /// `--docker-host`, else `DOCKER_HOST`, else the default socket. A bare
    /// absolute path is taken as a unix socket.
    pub fn resolve(flag: Option<&str>) -> EngineHost {
        let environment = std::env::var("DOCKER_HOST").ok().filter(|host| !host.is_empty());
        let (url, origin) = match (flag, environment) {
            (Some(flag), _) => (flag.to_string(), "--docker-host"),
            (None, Some(environment)) => (environment, "DOCKER_HOST"),
            (None, None) => (DEFAULT_HOST.to_string(), "the default socket"),
        };
        let url = if url.starts_with('/') {
            format!("unix://{url}")
        } else {
            url
        };
        EngineHost { url, origin }
    }
}

/// Takes one snapshot of the engine at `host`.
pub fn snapshot(host: &EngineHost, timeout: Duration) -> Result<Snapshot, Unreachable> {
    let unreachable = |reason: Reason| Unreachable {
        host: host.url.clone(),
        origin: host.origin,
        reason,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| unreachable(Reason::Other(format!("cannot start the async runtime: {error}"))))?;
    runtime.block_on(take(host, timeout)).map_err(unreachable)
}

async fn take(host: &EngineHost, timeout: Duration) -> Result<Snapshot, Reason> {
    let docker = connect(&host.url, timeout)?;
    let answer = bounded(timeout, docker.ping()).await?;
    if answer.trim() != "OK" {
        return Err(Reason::NotDocker(format!("`/_ping` answered {:?}", truncate(&answer))));
    }
    let docker = bounded(timeout, docker.negotiate_version()).await?;
    let version = bounded(timeout, docker.version()).await?;
    let listed = bounded(
        timeout,
        docker.list_containers(Some(ListContainersOptions {
            all: true,
            ..Default::default()
        })),
    )
    .await?;
    let mut containers = Vec::with_capacity(listed.len());
    for summary in listed {
        let Some(id) = summary.id.clone() else { continue };
        let inspected = match tokio::time::timeout(timeout, docker.inspect_container(&id, None)).await {
            Err(_) => return Err(Reason::Timeout(timeout)),
            // Removed between the list and the inspect: it is no longer there.
            Ok(Err(BollardError::DockerResponseServerError { status_code: 404, .. })) => continue,
            Ok(result) => result.map_err(classify)?,
        };
        containers.push(container(summary, inspected));
    }
    let images = bounded(
        timeout,
        docker.list_images(Some(ListImagesOptions {
            all: false,
            digests: true,
            ..Default::default()
        })),
    )
    .await?;
    let volumes = bounded(timeout, docker.list_volumes(None::<ListVolumesOptions>)).await?;
    let networks = bounded(timeout, docker.list_networks(None::<ListNetworksOptions>)).await?;
    let taken_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() as i64);
    Ok(Snapshot {
        host: host.url.clone(),
        engine_version: version.version.unwrap_or_default(),
        api_version: version.api_version.unwrap_or_default(),
        taken_at,
        images: images
            .into_iter()
            .map(|image| Image {
                id: image.id,
                tags: image
                    .repo_tags
                    .into_iter()
                    .filter(|tag| tag != "<none>:<none>")
                    .collect(),
                digests: image
                    .repo_digests
                    .into_iter()
                    .filter(|digest| !digest.starts_with("<none>"))
                    .collect(),
            })
            .collect(),
        containers,
        volumes: volumes
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|volume| volume.name)
            .collect(),
        networks: networks.into_iter().filter_map(|network| network.name).collect(),
    })
}

fn container(
    summary: bollard::models::ContainerSummary,
    inspected: bollard::models::ContainerInspectResponse,
) -> Container {
    let state = inspected.state.unwrap_or_default();
    let host_config = inspected.host_config.unwrap_or_default();
    let config = inspected.config.unwrap_or_default();
    let restart = host_config.restart_policy.unwrap_or_default();
    let name = inspected
        .name
        .or_else(|| summary.names.and_then(|names| names.into_iter().next()))
        .unwrap_or_default();
    Container {
        id: inspected.id.or(summary.id).unwrap_or_default(),
        name: name.trim_start_matches('/').to_string(),
        image: config.image.or(summary.image).unwrap_or_default(),
        image_id: inspected.image.or(summary.image_id).unwrap_or_default(),
        labels: config
            .labels
            .or(summary.labels)
            .unwrap_or_default()
            .into_iter()
            .collect(),
        state: state.status.map(|status| status.to_string()).unwrap_or_default(),
        health: state
            .health
            .and_then(|health| health.status)
            .map(|status| status.to_string())
            .filter(|status| !status.is_empty() && status != "none"),
        exit_code: state.exit_code,
        restart_count: inspected.restart_count.unwrap_or(0),
        restart_policy: restart
            .name
            .map(|name| name.to_string())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "no".to_string()),
        restart_retries: restart.maximum_retry_count.unwrap_or(0),
        memory_limit: host_config.memory.unwrap_or(0),
        user: config.user.unwrap_or_default(),
        ports: summary
            .ports
            .unwrap_or_default()
            .into_iter()
            .filter_map(|port| {
                Some(PublishedPort {
                    host_ip: port.ip.unwrap_or_default(),
                    host_port: port.public_port?,
                    container_port: port.private_port,
                    protocol: port.typ.map_or_else(|| "tcp".to_string(), |typ| typ.to_string()),
                })
            })
            .collect(),
        started_at: state.started_at.as_deref().and_then(snapshot::parse_engine_time),
    }
}

/// A client for `url`, with checks that tell why a unix socket cannot be
/// used before any request is made.
fn connect(url: &str, timeout: Duration) -> Result<Docker, Reason> {
    // bollard's own timeout is whole seconds; ours (below) is the one that fires.
    let seconds = timeout.as_secs() + 1;
    let version = bollard::API_DEFAULT_VERSION;
    if let Some(path) = url.strip_prefix("unix://") {
        check_socket(Path::new(path))?;
        return Docker::connect_with_unix(path, seconds, version).map_err(classify);
    }
    let tls = std::env::var_os("DOCKER_TLS_VERIFY").is_some_and(|value| !value.is_empty());
    if url.starts_with("https://") || (tls && url.starts_with("tcp://")) {
        return connect_tls(url, seconds);
    }
    if url.starts_with("tcp://") || url.starts_with("http://") {
        return Docker::connect_with_http(url, seconds, version).map_err(classify);
    }
    Err(Reason::BadHost)
}

#[cfg(feature = "engine-tls")]
fn connect_tls(url: &str, seconds: u64) -> Result<Docker, Reason> {
    // Docker's convention: `DOCKER_CERT_PATH`, else `~/.docker`, holding key.pem, cert.pem, ca.pem.
    let directory = std::env::var_os("DOCKER_CERT_PATH")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".docker")))
        .ok_or_else(|| Reason::Other("no DOCKER_CERT_PATH and no home directory for TLS certificates".into()))?;
    let url = url.replacen("https://", "tcp://", 1);
    Docker::connect_with_ssl(
        &url,
        &directory.join("key.pem"),
        &directory.join("cert.pem"),
        &directory.join("ca.pem"),
        seconds,
        bollard::API_DEFAULT_VERSION,
    )
    .map_err(classify)
}

#[cfg(not(feature = "engine-tls"))]
fn connect_tls(_url: &str, _seconds: u64) -> Result<Docker, Reason> {
    Err(Reason::TlsUnsupported)
}

fn check_socket(path: &Path) -> Result<(), Reason> {
    use std::os::unix::fs::FileTypeExt;
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) => return Err(io_reason(&error)),
    };
    if !metadata.file_type().is_socket() {
        return Err(Reason::NotASocket);
    }
    // A plain connect tells "permission denied" and "nobody listens" apart
    // more reliably than the HTTP client's wrapped errors do.
    std::os::unix::net::UnixStream::connect(path)
        .map(drop)
        .map_err(|error| io_reason(&error))
}

fn io_reason(error: &std::io::Error) -> Reason {
    match error.kind() {
        std::io::ErrorKind::NotFound => Reason::NoSocket,
        std::io::ErrorKind::PermissionDenied => Reason::PermissionDenied,
        std::io::ErrorKind::ConnectionRefused => Reason::Refused,
        std::io::ErrorKind::TimedOut => Reason::Other("the connection timed out".to_string()),
        _ => Reason::Other(error.to_string()),
    }
}

/// Runs one request, giving up after `timeout`.
async fn bounded<T>(timeout: Duration, request: impl Future<Output = Result<T, BollardError>>) -> Result<T, Reason> {
    match tokio::time::timeout(timeout, request).await {
        Ok(result) => result.map_err(classify),
        Err(_) => Err(Reason::Timeout(timeout)),
    }
}

fn classify(error: BollardError) -> Reason {
    match error {
        BollardError::SocketNotFoundError(_) => Reason::NoSocket,
        BollardError::RequestTimeoutError => Reason::Other("the request timed out".to_string()),
        BollardError::DockerResponseServerError { status_code, message } => {
            Reason::NotDocker(format!("HTTP {status_code}: {}", truncate(&message)))
        }
        BollardError::JsonDataError { .. }
        | BollardError::JsonSerdeError { .. }
        | BollardError::APIVersionParseError {} => Reason::NotDocker(error.to_string()),
        other => {
            // Connection errors arrive wrapped; the io::Error inside says what happened.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&other);
            while let Some(error) = source {
                if let Some(io) = error.downcast_ref::<std::io::Error>() {
                    return io_reason(io);
                }
                source = error.source();
            }
            Reason::Other(other.to_string())
        }
    }
}

fn truncate(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}
