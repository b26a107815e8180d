//! The byte stream to the engine: a unix socket, or tcp (with TLS when the
//! `engine-tls` feature is built). Errors are told as the user can act on them.

use std::path::Path;

use tokio::io::{AsyncRead, AsyncWrite};

use super::snapshot::Reason;

pub trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

pub async fn connect(url: &str, tls: Option<&Path>) -> Result<Box<dyn Stream>, Reason> {
    if let Some(path) = url.strip_prefix("unix://") {
        check_socket(Path::new(path))?;
        // Non-blocking: a socket whose backlog is full fails here at once
        // instead of blocking `connect()`.
        let stream = tokio::net::UnixStream::connect(path)
            .await
            .map_err(|error| io_reason(&error))?;
        return Ok(Box::new(stream));
    }
    let rest = ["tcp://", "http://", "https://"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))
        .ok_or(Reason::BadHost)?;
    let authority = rest.split('/').next().unwrap_or_default();
    let tcp = tokio::net::TcpStream::connect(authority)
        .await
        .map_err(|error| io_reason(&error))?;
    match tls {
        Some(dir) => secure(tcp, authority, dir).await,
        None => Ok(Box::new(tcp)),
    }
}

#[cfg(feature = "engine-tls")]
async fn secure(tcp: tokio::net::TcpStream, authority: &str, dir: &Path) -> Result<Box<dyn Stream>, Reason> {
    use std::sync::Arc;

    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
    use tokio_rustls::rustls::{ClientConfig, RootCertStore, crypto};

    let fail = |what: &str, error: &dyn std::fmt::Display| Reason::Other(format!("TLS: {what}: {error}"));
    let pem = |name: &str| dir.join(name);
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(pem("ca.pem")).map_err(|error| fail("ca.pem", &error))? {
        let cert = cert.map_err(|error| fail("ca.pem", &error))?;
        roots.add(cert).map_err(|error| fail("ca.pem", &error))?;
    }
    let chain = CertificateDer::pem_file_iter(pem("cert.pem"))
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|error| fail("cert.pem", &error))?;
    let key = PrivateKeyDer::from_pem_file(pem("key.pem")).map_err(|error| fail("key.pem", &error))?;
    let config = ClientConfig::builder_with_provider(Arc::new(crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|error| fail("protocol", &error))?
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|error| fail("client certificate", &error))?;
    let host = match authority.rsplit_once(':') {
        Some((host, _)) => host.trim_start_matches('[').trim_end_matches(']'),
        None => authority,
    };
    let name = ServerName::try_from(host.to_string()).map_err(|error| fail("server name", &error))?;
    let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|error| fail("handshake", &error))?;
    Ok(Box::new(stream))
}

#[cfg(not(feature = "engine-tls"))]
async fn secure(_tcp: tokio::net::TcpStream, _authority: &str, _dir: &Path) -> Result<Box<dyn Stream>, Reason> {
    Err(Reason::TlsUnsupported)
}

/// Tells "no such file" and "not a socket" apart before connecting.
fn check_socket(path: &Path) -> Result<(), Reason> {
    use std::os::unix::fs::FileTypeExt;
    let metadata = std::fs::metadata(path).map_err(|error| io_reason(&error))?;
    if !metadata.file_type().is_socket() {
        return Err(Reason::NotASocket);
    }
    Ok(())
}

fn io_reason(error: &std::io::Error) -> Reason {
    match error.kind() {
        std::io::ErrorKind::NotFound => Reason::NoSocket,
        std::io::ErrorKind::PermissionDenied => Reason::PermissionDenied,
        std::io::ErrorKind::ConnectionRefused => Reason::Refused,
        std::io::ErrorKind::WouldBlock => {
            Reason::Other("the socket accepts no more connections (its backlog is full)".to_string())
        }
        _ => Reason::Other(error.to_string()),
    }
}
