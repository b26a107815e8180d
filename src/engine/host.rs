//! Which engine to ask, chosen as the docker CLI chooses it: `--context`,
//! `--docker-host`, `DOCKER_HOST`, `DOCKER_CONTEXT`, the `currentContext` of
//! `$DOCKER_CONFIG/config.json` (default `~/.docker`), the default socket.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Where the engine is when nothing else says.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// The engine to ask, and where that choice came from (for E001's message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineHost {
    pub url: String,
    /// `--docker-host`, `DOCKER_HOST`, `context \`remote\` (from DOCKER_CONTEXT)`, ...
    pub origin: String,
    /// The directory of `ca.pem`, `cert.pem` and `key.pem` a context keeps
    /// for TLS; `None` for `DOCKER_CERT_PATH`'s or `~/.docker`'s.
    pub tls_dir: Option<PathBuf>,
    /// TLS: an `https://` URL, `DOCKER_TLS_VERIFY`, or a context's TLS material.
    pub tls: bool,
}

/// What the choice reads from the process: its environment and files.
pub trait Surroundings {
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
pub struct ProcessEnvironment;

impl Surroundings for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|value| !value.is_empty())
    }
}

/// Chooses the engine. `Err` says why a named context cannot be used.
pub fn resolve(
    flag_host: Option<&str>,
    flag_context: Option<&str>,
    env: &dyn Surroundings,
) -> Result<EngineHost, (String, String)> {
    let tls_env = env.var("DOCKER_TLS_VERIFY").is_some();
    let plain = |url: &str, origin: &str| EngineHost {
        url: normalize(url, tls_env),
        origin: origin.to_string(),
        tls_dir: None,
        tls: tls_env || url.starts_with("https://"),
    };
    if let Some(name) = flag_context {
        return context(name, "--context", env);
    }
    if let Some(url) = flag_host {
        return Ok(plain(url, "--docker-host"));
    }
    if let Some(url) = env.var("DOCKER_HOST") {
        return Ok(plain(&url, "DOCKER_HOST"));
    }
    if let Some(name) = env.var("DOCKER_CONTEXT") {
        return context(&name, "DOCKER_CONTEXT", env);
    }
    let config = config_dir(env).join("config.json");
    if let Some(name) = current_context(&config) {
        return context(&name, &format!("currentContext in {}", config.display()), env);
    }
    Ok(plain(DEFAULT_HOST, "the default socket"))
}

/// `$DOCKER_CONFIG`, else `~/.docker`.
fn config_dir(env: &dyn Surroundings) -> PathBuf {
    env.var("DOCKER_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(&env.var("HOME").unwrap_or_default()).join(".docker"))
}

fn current_context(config: &Path) -> Option<String> {
    let bytes = crate::read::read_regular_file(config, crate::read::MAX_FILE_SIZE).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let name = value.get("currentContext")?.as_str()?;
    (!name.is_empty()).then(|| name.to_string())
}

/// A context's docker endpoint, from the CLI's context store: the metadata
/// sits under the SHA-256 of the context's name.
fn context(name: &str, from: &str, env: &dyn Surroundings) -> Result<EngineHost, (String, String)> {
    let origin = format!("context `{name}` (from {from})");
    if name == "default" {
        return Ok(EngineHost {
            url: DEFAULT_HOST.to_string(),
            origin,
            tls_dir: None,
            tls: false,
        });
    }
    let digest: String = Sha256::digest(name.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let store = config_dir(env).join("contexts");
    let meta = store.join("meta").join(&digest).join("meta.json");
    let missing = |why: String| (origin.clone(), why);
    let bytes = crate::read::read_regular_file(&meta, crate::read::MAX_FILE_SIZE)
        .map_err(|_| missing(format!("no such context ({} does not exist)", meta.display())))?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|error| missing(format!("{}: {error}", meta.display())))?;
    let endpoint = &value["Endpoints"]["docker"];
    let url = endpoint["Host"]
        .as_str()
        .filter(|host| !host.is_empty())
        .ok_or_else(|| missing(format!("{} has no docker endpoint", meta.display())))?;
    let tls_dir = store.join("tls").join(&digest).join("docker");
    let has_tls = tls_dir.join("ca.pem").is_file() || tls_dir.join("cert.pem").is_file();
    Ok(EngineHost {
        url: normalize(url, has_tls),
        origin,
        tls: has_tls || url.starts_with("https://"),
        tls_dir: has_tls.then_some(tls_dir),
    })
}

/// A bare absolute path is a unix socket; `tcp://host` gets the CLI's
/// default port (2376 with TLS, else 2375).
fn normalize(url: &str, tls: bool) -> String {
    if url.starts_with('/') {
        return format!("unix://{url}");
    }
    for scheme in ["tcp://", "http://", "https://"] {
        let Some(rest) = url.strip_prefix(scheme) else { continue };
        let authority = rest.split('/').next().unwrap_or_default();
        // `[::1]` has colons of its own; its port follows the bracket.
        let has_port = match authority.rfind(']') {
            Some(bracket) => authority[bracket..].contains(':'),
            None => authority.contains(':'),
        };
        if has_port || authority.is_empty() {
            return url.to_string();
        }
        let port = if tls || scheme == "https://" { 2376 } else { 2375 };
        return format!("{scheme}{authority}:{port}{}", &rest[authority.len()..]);
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Fake(HashMap<&'static str, String>);

    impl Surroundings for Fake {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
    }

    fn store_context(config: &Path, name: &str, host: &str) {
        let digest: String = Sha256::digest(name.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        let dir = config.join("contexts/meta").join(digest);
        std::fs::create_dir_all(&dir).unwrap();
        let meta = serde_json::json!({"Name": name, "Endpoints": {"docker": {"Host": host}}});
        std::fs::write(dir.join("meta.json"), meta.to_string()).unwrap();
    }

    #[test]
    fn precedence_like_the_docker_cli() {
        let config = tempfile::tempdir().unwrap();
        store_context(config.path(), "remote", "tcp://remote");
        store_context(config.path(), "other", "unix:///run/other.sock");
        std::fs::write(config.path().join("config.json"), r#"{"currentContext": "other"}"#).unwrap();
        let mut env = Fake(HashMap::from([(
            "DOCKER_CONFIG",
            config.path().to_string_lossy().into_owned(),
        )]));
        let chosen = |env: &Fake, flag: Option<&str>| resolve(flag, None, env).unwrap();

        let current = chosen(&env, None);
        assert_eq!(current.url, "unix:///run/other.sock");
        assert!(current.origin.starts_with("context `other` (from currentContext in"));

        env.0.insert("DOCKER_CONTEXT", "remote".into());
        let from_env = chosen(&env, None);
        assert_eq!(from_env.url, "tcp://remote:2375");
        assert_eq!(from_env.origin, "context `remote` (from DOCKER_CONTEXT)");

        env.0.insert("DOCKER_HOST", "/run/host.sock".into());
        assert_eq!(chosen(&env, None).url, "unix:///run/host.sock");
        assert_eq!(chosen(&env, None).origin, "DOCKER_HOST");
        assert_eq!(chosen(&env, Some("tcp://flag:1")).origin, "--docker-host");

        let by_flag = resolve(Some("tcp://flag:1"), Some("other"), &env).unwrap();
        assert_eq!(by_flag.url, "unix:///run/other.sock");
        let (origin, why) = resolve(None, Some("gone"), &env).unwrap_err();
        assert_eq!(origin, "context `gone` (from --context)");
        assert!(why.starts_with("no such context"), "{why}");
    }

    #[test]
    fn nothing_set_is_the_default_socket() {
        let home = tempfile::tempdir().unwrap();
        let env = Fake(HashMap::from([("HOME", home.path().to_string_lossy().into_owned())]));
        let host = resolve(None, None, &env).unwrap();
        assert_eq!(
            (host.url.as_str(), host.origin.as_str()),
            (DEFAULT_HOST, "the default socket")
        );
    }

    #[test]
    fn tcp_without_a_port_gets_the_cli_default() {
        assert_eq!(normalize("tcp://engine", false), "tcp://engine:2375");
        assert_eq!(normalize("tcp://engine", true), "tcp://engine:2376");
        assert_eq!(normalize("tcp://engine:1234", true), "tcp://engine:1234");
        assert_eq!(normalize("tcp://[::1]", false), "tcp://[::1]:2375");
        assert_eq!(normalize("tcp://[::1]:9", false), "tcp://[::1]:9");
        assert_eq!(normalize("https://engine", false), "https://engine:2376");
        assert_eq!(normalize("/run/docker.sock", false), "unix:///run/docker.sock");
    }
}
