//! One HTTP/1.1 connection to the engine, kept for every request of a
//! snapshot: GET only, each answer capped in size, connect and every request
//! bounded by the check's deadline.

use std::path::Path;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::time::Instant;

use super::snapshot::Reason;

/// The largest answer read: a list of thousands of containers is a few MB.
pub const MAX_RESPONSE_BYTES: usize = 64 << 20;

/// An answer: its status, its `Date` (the engine's clock) and its body.
pub struct Answer {
    pub status: u16,
    pub date: Option<i64>,
    pub api_version: Option<String>,
    pub body: Bytes,
}

pub struct Connection {
    sender: SendRequest<Empty<Bytes>>,
    /// The check's deadline.
    deadline: Instant,
    /// At most this long for one request, within the deadline.
    per_request: Duration,
    /// Requests sent, for the timeout message and the benchmark.
    pub requests: usize,
}

/// What went wrong with one request.
pub enum Failure {
    /// The deadline or the per-request limit passed.
    Timeout,
    Failed(Reason),
}

impl Connection {
    /// Opens the connection to `url` (`unix://…`, `tcp://…`, `http(s)://…`);
    /// `tls`: the directory of `ca.pem`, `cert.pem` and `key.pem`.
    pub async fn open(
        url: &str,
        tls: Option<&Path>,
        deadline: Instant,
        per_request: Duration,
    ) -> Result<Self, Failure> {
        let limit = (deadline - Instant::now()).min(per_request);
        let stream = tokio::time::timeout(limit, super::transport::connect(url, tls))
            .await
            .map_err(|_| Failure::Timeout)?
            .map_err(Failure::Failed)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|error| Failure::Failed(Reason::Other(format!("HTTP handshake: {error}"))))?;
        // The connection's task runs on the same thread while requests are awaited.
        tokio::spawn(connection);
        Ok(Connection {
            sender,
            deadline,
            per_request,
            requests: 0,
        })
    }

    /// `GET path`, the whole answer within the limits.
    pub async fn get(&mut self, path: &str) -> Result<Answer, Failure> {
        let limit = self
            .deadline
            .saturating_duration_since(Instant::now())
            .min(self.per_request);
        self.requests += 1;
        tokio::time::timeout(limit, self.exchange(path))
            .await
            .map_err(|_| Failure::Timeout)?
            .map_err(Failure::Failed)
    }

    async fn exchange(&mut self, path: &str) -> Result<Answer, Reason> {
        let request = hyper::Request::get(path)
            // The engine ignores the host of a unix socket; tcp engines want one.
            .header(hyper::header::HOST, "docker")
            .header(
                hyper::header::USER_AGENT,
                concat!("vwe-lint/", env!("CARGO_PKG_VERSION")),
            )
            .body(Empty::new())
            .map_err(|error| Reason::Other(error.to_string()))?;
        self.sender
            .ready()
            .await
            .map_err(|error| Reason::Other(format!("the engine closed the connection: {error}")))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|error| Reason::Other(format!("`GET {path}`: {error}")))?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let date = header("date")
            .and_then(|date| httpdate::parse_http_date(&date).ok())
            .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|since| since.as_secs() as i64);
        let api_version = header("api-version");
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|error| {
                if error.is::<http_body_util::LengthLimitError>() {
                    Reason::NotDocker(format!(
                        "the answer to `GET {path}` is larger than {} MiB",
                        MAX_RESPONSE_BYTES >> 20
                    ))
                } else {
                    Reason::Other(format!("`GET {path}`: {error}"))
                }
            })?
            .to_bytes();
        Ok(Answer {
            status,
            date,
            api_version,
            body,
        })
    }
}
