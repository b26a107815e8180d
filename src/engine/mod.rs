//! The live environment check (`vwe-lint env`): one read-only snapshot of a
//! Docker engine, and the compose project it is compared with. The snapshot
//! types and project naming are plain data; only `client` talks to the
//! engine, and only with GET requests.

#[cfg(feature = "engine")]
pub mod client;
#[cfg(feature = "engine")]
pub mod command;
pub mod host;
#[cfg(feature = "engine")]
mod http;
pub mod project;
pub mod snapshot;
#[cfg(feature = "engine")]
mod transport;

pub use snapshot::{Container, Image, PublishedPort, Reason, Snapshot, Unreachable};
