//! `vwe-lint env` against a real Docker engine: each E rule's situation is
//! created on the engine, and each rule doc's live examples are run in it.
//!
//! The engine is the one `VWE_DOCKER_HOST` names (`.ci/run` starts a
//! throwaway one). It must be a throwaway engine: these tests create and
//! remove containers, volumes and networks, and tag a busybox image under the
//! names the docs use (`vwe/backend:1.0.0`). Without it the engine tests print
//! SKIPPED; under `CI=true` they fail instead. The E001 tests need no engine.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// Marks everything the tests create, so a crashed run's leftovers are found.
const TEST_LABEL: &str = "vwe-lint-test=1";
const BASE_IMAGE: &str = "vwe-test/busybox:1";

/// One finding as the JSON report gives it: code, severity, line, message.
type Finding = (String, String, u64, String);

struct Engine {
    host: String,
    /// Live tests change the engine; one at a time keeps each test's
    /// situation (and the read-only test's event window) its own.
    _turn: MutexGuard<'static, ()>,
    /// What this test created, removed when it ends, pass or fail.
    containers: Vec<String>,
    volumes: Vec<String>,
    networks: Vec<String>,
}

/// The test engine, or `None` (after a SKIPPED line) when there is none.
fn engine(test: &str) -> Option<Engine> {
    static TURN: Mutex<()> = Mutex::new(());
    let Some(host) = std::env::var("VWE_DOCKER_HOST").ok().filter(|host| !host.is_empty()) else {
        assert!(
            std::env::var("CI").is_err(),
            "{test}: VWE_DOCKER_HOST is not set; CI must provide a Docker engine"
        );
        // Straight to the stream: the test harness hides what `eprintln!` prints in a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: no engine (set VWE_DOCKER_HOST to a throwaway Docker engine to run it)"
        );
        return None;
    };
    let turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let engine = Engine {
        host,
        _turn: turn,
        containers: Vec::new(),
        volumes: Vec::new(),
        networks: Vec::new(),
    };
    let ping = engine.try_docker(&["version", "--format", "{{.Server.APIVersion}}"]);
    assert!(
        ping.status.success(),
        "{test}: the engine at {} does not answer: {}",
        engine.host,
        common::stderr(&ping)
    );
    let leftovers = engine.docker(&["ps", "-aq", "--filter", &format!("label={TEST_LABEL}")]);
    for id in common::stdout(&leftovers).split_whitespace() {
        engine.docker(&["rm", "-f", id]);
    }
    prepare_images(&engine);
    Some(engine)
}

/// The busybox image every test container runs, made once by `docker import`
/// (no registry is needed), and tagged under the names the docs use.
fn prepare_images(engine: &Engine) {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        if !engine.try_docker(&["image", "inspect", BASE_IMAGE]).status.success() {
            let busybox = ["/bin/busybox", "/usr/bin/busybox"]
                .into_iter()
                .find(|path| Path::new(path).is_file())
                .expect("busybox (Debian's busybox-static) is installed");
            let root = tempfile::tempdir().unwrap();
            let bin = root.path().join("bin");
            std::fs::create_dir(&bin).unwrap();
            std::fs::copy(busybox, bin.join("busybox")).unwrap();
            for applet in ["sh", "sleep", "true", "false"] {
                std::os::unix::fs::symlink("busybox", bin.join(applet)).unwrap();
            }
            use std::os::unix::fs::PermissionsExt;
            for dir in [root.path(), bin.as_path()] {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            let tar = Command::new("tar")
                .args(["-C", root.path().to_str().unwrap(), "-cf", "-", "."])
                .output()
                .unwrap();
            assert!(tar.status.success());
            let mut import = Command::new("docker")
                .args(["--host", &engine.host, "import", "-", BASE_IMAGE])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap();
            import.stdin.take().unwrap().write_all(&tar.stdout).unwrap();
            assert!(import.wait().unwrap().success(), "docker import");
        }
        engine.docker(&["tag", BASE_IMAGE, "vwe/backend:1.0.0"]);
    });
}

impl Engine {
    fn try_docker(&self, args: &[&str]) -> Output {
        Command::new("docker")
            .arg("--host")
            .arg(&self.host)
            .args(args)
            .output()
            .unwrap()
    }

    fn docker(&self, args: &[&str]) -> Output {
        let output = self.try_docker(args);
        assert!(output.status.success(), "docker {args:?}: {}", common::stderr(&output));
        output
    }

    /// `docker run -d` of `image` under `name`, with compose labels
    /// for `project`/`service` when given; `options` go before the image.
    fn run(&mut self, name: &str, project: Option<(&str, &str)>, options: &[&str], image: &str, command: &[&str]) {
        let mut args = vec!["run", "-d", "--name", name, "--label", TEST_LABEL];
        let labels = project.map(|(project, service)| {
            [
                format!("com.docker.compose.project={project}"),
                format!("com.docker.compose.service={service}"),
            ]
        });
        for label in labels.iter().flatten() {
            args.extend(["--label", label.as_str()]);
        }
        args.extend(options);
        args.push(image);
        args.extend(command);
        self.containers.push(name.to_string());
        self.docker(&args);
    }

    fn network(&mut self, name: &str) {
        self.networks.push(name.to_string());
        self.docker(&["network", "create", "--label", TEST_LABEL, name]);
    }

    fn volume(&mut self, name: &str) {
        self.volumes.push(name.to_string());
        self.docker(&["volume", "create", "--label", TEST_LABEL, name]);
    }

    fn remove_containers(&mut self) {
        for name in std::mem::take(&mut self.containers) {
            let _ = self.try_docker(&["rm", "-f", &name]);
        }
    }

    /// Waits until `check` holds for `docker inspect --format template name`.
    fn wait_for(&self, name: &str, template: &str, check: impl Fn(&str) -> bool) {
        for _ in 0..300 {
            let output = self.docker(&["inspect", "--format", template, name]);
            if check(common::stdout(&output).trim()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{name} never reached the expected {template}");
    }

    /// `vwe-lint env` on `compose` (written to a fresh directory) with `args`:
    /// the exit code and the findings of the JSON report.
    fn env(&self, compose: &str, args: &[&str]) -> (i32, Vec<Finding>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
        let path = dir.path().to_str().unwrap();
        let mut full = vec!["env", path, "--docker-host", &self.host, "--format", "json"];
        full.extend(args);
        let output = common::run_in(dir.path(), &full, None, Duration::from_secs(60));
        (output.status.code().unwrap(), findings(&output))
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.remove_containers();
        for name in &self.volumes {
            let _ = self.try_docker(&["volume", "rm", "-f", name]);
        }
        for name in &self.networks {
            let _ = self.try_docker(&["network", "rm", name]);
        }
    }
}

fn findings(output: &Output) -> Vec<Finding> {
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("JSON report: {}{}", common::stdout(output), common::stderr(output)));
    report
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["code"].as_str().unwrap().to_string(),
                finding["severity"].as_str().unwrap().to_string(),
                finding["line"].as_u64().unwrap(),
                finding["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn finding(code: &str, severity: &str, line: u64, message: &str) -> Finding {
    (code.to_string(), severity.to_string(), line, message.to_string())
}

/// The `yaml live fail` or `yaml live pass` example of `rules/<code>.md`.
fn example(code: &str, fails: bool) -> String {
    let doc = std::fs::read_to_string(common::repo().join(format!("rules/{code}.md"))).unwrap();
    let fence = format!("```yaml live {}\n", if fails { "fail" } else { "pass" });
    let start = doc.find(&fence).unwrap_or_else(|| panic!("{code} has no {fence}")) + fence.len();
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_string()
}

/// Runs a rule's failing example expecting exactly `expected`, and its
/// passing example (after `between` changed the engine) expecting none.
fn check_examples(engine: &mut Engine, code: &str, expected: &[Finding], between: impl FnOnce(&mut Engine)) {
    let (status, found) = engine.env(&example(code, true), &["--select", code]);
    assert_eq!(found, expected, "{code} failing example");
    assert_eq!(status, 1, "{code}: findings exit 1");
    between(engine);
    let (status, found) = engine.env(&example(code, false), &["--select", code]);
    assert_eq!(found, Vec::<Finding>::new(), "{code} passing example");
    assert_eq!(status, 0, "{code}: no findings exit 0");
}

// ---- E001: no engine needed -------------------------------------------------

#[test]
fn e001_missing_socket_names_the_host_and_exits_2() {
    let missing = "unix:///nonexistent/vwe-lint/docker.sock";
    let output = common::run_in(
        &common::repo(),
        &[
            "env",
            "fixtures/vwe",
            "--docker-host",
            missing,
            "--timeout",
            "2s",
            "--color",
            "never",
        ],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(output.status.code(), Some(2), "{}", common::stdout(&output));
    let text = common::stdout(&output);
    // The terminal report wraps long lines; compare with the wrapping undone.
    let flat = text.replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("E001(engine-unreachable)"), "{text}");
    assert!(
        flat.contains(&format!(
            "no Docker engine answers at `{missing}` (from --docker-host): the socket does not exist"
        )),
        "{text}"
    );
    assert!(flat.contains("help: start that Docker engine"), "{text}");
    assert!(
        text.starts_with(&format!("engine: none answered at {missing}")),
        "{text}"
    );
}

#[test]
fn e001_from_docker_host_in_json() {
    let output = common::binary()
        .current_dir(common::repo())
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["env", "fixtures/vwe", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        findings(&output),
        vec![finding(
            "E001",
            "error",
            4,
            "no Docker engine answers at `unix:///nonexistent/docker.sock` (from DOCKER_HOST): the socket does not exist"
        )]
    );
}

/// A socket that accepts connections and never answers: the run must give up
/// after `--timeout`.
#[test]
fn e001_silent_engine_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silent.sock");
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let host = format!("unix://{}", path.display());
    let output = common::run_in(
        &common::repo(),
        &[
            "env",
            "fixtures/vwe",
            "--docker-host",
            &host,
            "--timeout",
            "500ms",
            "--format",
            "json",
        ],
        None,
        Duration::from_secs(20),
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        findings(&output),
        vec![finding(
            "E001",
            "error",
            4,
            &format!(
                "no Docker engine answers at `{host}` (from --docker-host): no answer to `GET /_ping` within 250ms"
            )
        )]
    );
}

/// A socket whose server speaks HTTP but is no Docker engine.
#[test]
fn e001_not_a_docker_api() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web.sock");
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buffer = [0u8; 4096];
            if stream.read(&mut buffer).unwrap_or(0) > 0 {
                let _ = stream
                    .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found");
            }
        }
    });
    let host = format!("unix://{}", path.display());
    let output = common::run_in(
        &common::repo(),
        &[
            "env",
            "fixtures/vwe",
            "--docker-host",
            &host,
            "--timeout",
            "5s",
            "--format",
            "json",
        ],
        None,
        Duration::from_secs(20),
    );
    assert_eq!(output.status.code(), Some(2));
    let found = findings(&output);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].3.starts_with(&format!(
            "no Docker engine answers at `{host}` (from --docker-host): it answered, but not as a Docker engine (`GET /_ping` answered HTTP 404"
        )),
        "{found:?}"
    );
}

// ---- the engine rules --------------------------------------------------------

#[test]
fn e001_passes_with_an_engine() {
    let Some(engine) = engine("e001_passes_with_an_engine") else {
        return;
    };
    let (status, found) = engine.env(&example("E001", false), &["--select", "E001"]);
    assert_eq!((status, found), (0, Vec::new()));
    let (_, found) = engine.env(&example("E001", true), &["--select", "E001"]);
    assert_eq!(found, Vec::new(), "with an engine the failing file passes too");
}

#[test]
fn e002_feature_newer_than_the_engine() {
    let Some(mut engine) = engine("e002_feature_newer_than_the_engine") else {
        return;
    };
    let api = common::stdout(&engine.docker(&["version", "--format", "{{.Server.APIVersion}}"]));
    let (major, minor) = api.trim().split_once('.').unwrap();
    if (major.parse::<u32>().unwrap(), minor.parse::<u32>().unwrap()) >= (1, 44) {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED e002: the engine speaks API {api}, which has start_interval"
        );
        return;
    }
    let version = common::stdout(&engine.docker(&["version", "--format", "{{.Server.Version}}"]));
    let message = format!(
        "service `backend` uses `healthcheck.start_interval`, which needs Docker API 1.44; the engine (Docker {}) speaks {}",
        version.trim(),
        api.trim()
    );
    check_examples(&mut engine, "E002", &[finding("E002", "warning", 9, &message)], |_| {});
}

#[test]
fn e101_images_missing_and_present() {
    let Some(mut engine) = engine("e101_images_missing_and_present") else {
        return;
    };
    for image in ["vwe/worldgen-runner:1.0.0", "redis:7-alpine"] {
        assert!(
            !engine.try_docker(&["image", "inspect", image]).status.success(),
            "{image} must be absent"
        );
    }
    let expected = [
        finding(
            "E101",
            "error",
            4,
            "image `vwe/worldgen-runner:1.0.0` of service `worldgen-runner` is not present on the engine",
        ),
        finding(
            "E101",
            "warning",
            6,
            "image `redis:7-alpine` of service `redis` is not present on the engine",
        ),
    ];
    check_examples(&mut engine, "E101", &expected, |_| {});
}

#[test]
fn e201_external_volume_missing() {
    let Some(mut engine) = engine("e201_external_volume_missing") else {
        return;
    };
    let _ = engine.try_docker(&["volume", "rm", "-f", "vwe-worlds"]);
    let expected = [finding(
        "E201",
        "error",
        8,
        "external volume `vwe-worlds` does not exist on the engine",
    )];
    check_examples(&mut engine, "E201", &expected, |_| {});
    // Once the volume exists, the failing file passes.
    engine.volume("vwe-worlds");
    assert_eq!(
        engine.env(&example("E201", true), &["--select", "E201"]),
        (0, Vec::new())
    );
}

/// `env` checks the merged project: what the override declares is checked,
/// reported in the override at its line, and its suppression comments apply.
#[test]
fn env_checks_the_merged_project_and_honours_suppressions() {
    let Some(engine) = engine("env_checks_the_merged_project_and_honours_suppressions") else {
        return;
    };
    let _ = engine.try_docker(&["volume", "rm", "-f", "vwe-worlds", "vwe-saves"]);
    let dir = tempfile::tempdir().unwrap();
    let base = "name: vwe\nservices:\n  backend:\n    image: vwe/backend:1.0.0\n    volumes:\n      - worlds:/config/worlds_local\nvolumes:\n  worlds:\n    name: vwe-worlds\n";
    let overlay = "services:\n  backend:\n    volumes:\n      - saves:/config/saves\nvolumes:\n  worlds:\n    external: true\n  # vwe-lint: ignore[E201] created by the backup job\n  saves:\n    external: true\n    name: vwe-saves\n";
    std::fs::write(dir.path().join("compose.yaml"), base).unwrap();
    std::fs::write(dir.path().join("compose.override.yaml"), overlay).unwrap();
    let path = dir.path().to_str().unwrap();
    let output = common::run_in(
        dir.path(),
        &[
            "env",
            path,
            "--docker-host",
            &engine.host,
            "--format",
            "concise",
            "--select",
            "E201",
        ],
        None,
        Duration::from_secs(60),
    );
    let report = common::stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{report}{}", common::stderr(&output));
    // The external flag comes from the override; the entry's key is the base's.
    let lines: Vec<&str> = report.lines().filter(|line| line.contains("E201")).collect();
    assert_eq!(lines.len(), 1, "{report}");
    assert!(
        lines[0].contains("compose.yaml:8:3: E201") && lines[0].contains("`vwe-worlds`"),
        "{report}"
    );
    assert!(!report.contains("vwe-saves"), "suppressed in the override: {report}");
    assert!(!report.contains("S008"), "{report}");
}

#[test]
fn e202_external_network_missing() {
    let Some(mut engine) = engine("e202_external_network_missing") else {
        return;
    };
    let _ = engine.try_docker(&["network", "rm", "vwe-proxy"]);
    let expected = [finding(
        "E202",
        "error",
        8,
        "external network `vwe-proxy` does not exist on the engine",
    )];
    check_examples(&mut engine, "E202", &expected, |_| {});
    engine.network("vwe-proxy");
    assert_eq!(
        engine.env(&example("E202", true), &["--select", "E202"]),
        (0, Vec::new())
    );
}

#[test]
fn e301_port_published_by_another_project() {
    let Some(mut engine) = engine("e301_port_published_by_another_project") else {
        return;
    };
    engine.network("vwe-lint-test-e301");
    engine.run(
        "legacy-api-1",
        Some(("legacy", "api")),
        &["--network", "vwe-lint-test-e301", "-p", "127.0.0.1:8000:8000"],
        BASE_IMAGE,
        &["sleep", "600"],
    );
    // A container of the file's own project on another port is no conflict.
    engine.run(
        "vwe-backend-1",
        Some(("vwe", "backend")),
        &["--network", "vwe-lint-test-e301", "-p", "127.0.0.1:8001:8000"],
        BASE_IMAGE,
        &["sleep", "600"],
    );
    let expected = [finding(
        "E301",
        "error",
        6,
        "host port 8000/tcp of service `backend` is already published by container `legacy-api-1` (service `api`) of project `legacy`",
    )];
    check_examples(&mut engine, "E301", &expected, |_| {});
}

#[test]
fn e302_container_name_taken() {
    let Some(mut engine) = engine("e302_container_name_taken") else {
        return;
    };
    engine.run(
        "vwe-redis",
        Some(("legacy", "redis")),
        &["--network", "none"],
        BASE_IMAGE,
        &["sleep", "600"],
    );
    let expected = [finding(
        "E302",
        "error",
        5,
        "container name `vwe-redis` of service `redis` is already used by a running container of project `legacy`",
    )];
    check_examples(&mut engine, "E302", &expected, |_| {});
}

/// A job container that exited a moment ago is within its grace period (the
/// engine's clock says so): not reported. Past it, E401 reports it; that is
/// the offline fixture `fixtures/rules/E401/fail-exited-past-grace`, whose
/// compose file is this doc's failing example.
#[test]
fn e401_leaked_job_container() {
    let Some(mut engine) = engine("e401_leaked_job_container") else {
        return;
    };
    let fixture = common::repo().join("fixtures/rules/E401/fail-exited-past-grace/compose.yaml");
    assert_eq!(example("E401", true), std::fs::read_to_string(fixture).unwrap());
    engine.run(
        "vwe-worldgen-runner-run-1",
        Some(("vwe", "worldgen-runner")),
        &["--network", "none"],
        BASE_IMAGE,
        &["sh", "-c", "exit 3"],
    );
    engine.wait_for("vwe-worldgen-runner-run-1", "{{.State.Status}}", |state| {
        state == "exited"
    });
    let (status, found) = engine.env(&example("E401", true), &["--select", "E401"]);
    assert_eq!(
        (status, found),
        (0, Vec::new()),
        "exited a moment ago: within the grace period"
    );
    engine.remove_containers();
    assert_eq!(
        engine.env(&example("E401", false), &["--select", "E401"]),
        (0, Vec::new())
    );
}

/// Another project's containers are never this project's leaks, whatever
/// their name; they only matter as holders of this project's ports.
#[test]
fn ownership_other_projects_are_not_judged() {
    let Some(mut engine) = engine("ownership_other_projects_are_not_judged") else {
        return;
    };
    engine.run(
        "vwe-worldgen-other",
        Some(("worldgen", "runner")),
        &[
            "--network",
            "none",
            "--health-cmd",
            "false",
            "--health-interval",
            "1s",
            "--health-retries",
            "1",
        ],
        BASE_IMAGE,
        &["sleep", "600"],
    );
    engine.run(
        "shop-backend-1",
        Some(("shop", "backend")),
        &["--network", "none", "--restart", "always"],
        BASE_IMAGE,
        &["sh", "-c", "exit 1"],
    );
    engine.wait_for("vwe-worldgen-other", "{{.State.Health.Status}}", |status| {
        status == "unhealthy"
    });
    let (status, found) = engine.env(&example("E401", true), &[]);
    assert_eq!((status, found), (0, Vec::new()));
}

/// `docker compose run` one-offs have no restart policy and may run as
/// another user: never drift. One started with `--service-ports` holds the
/// service's port, and so does an orphan: `up` would fail, so E301.
#[test]
fn oneoffs_and_orphans() {
    let Some(mut engine) = engine("oneoffs_and_orphans") else {
        return;
    };
    engine.network("vwe-lint-test-oneoff");
    let compose = "name: vwe\nservices:\n  backend:\n    image: vwe/backend:1.0.0\n    restart: always\n    ports:\n      - \"127.0.0.1:8100:8000\"\n  web:\n    image: vwe/backend:1.0.0\n    restart: always\n    ports:\n      - \"127.0.0.1:8101:8000\"\n";
    engine.run(
        "vwe-backend-run-1a2b",
        Some(("vwe", "backend")),
        &[
            "--network",
            "vwe-lint-test-oneoff",
            "--label",
            "com.docker.compose.oneoff=True",
            "--user",
            "0",
            "-p",
            "127.0.0.1:8100:8000",
        ],
        "vwe/backend:1.0.0",
        &["sleep", "600"],
    );
    engine.run(
        "vwe-legacy-1",
        Some(("vwe", "legacy")),
        &["--network", "vwe-lint-test-oneoff", "-p", "127.0.0.1:8101:8000"],
        "vwe/backend:1.0.0",
        &["sleep", "600"],
    );
    let (status, found) = engine.env(compose, &["--select", "E301,E403"]);
    assert_eq!(status, 1);
    assert_eq!(
        found,
        vec![
            finding(
                "E301",
                "error",
                7,
                "host port 8100/tcp of service `backend` is already published by container `vwe-backend-run-1a2b` (service `backend`) of this project, a `docker compose run` one-off"
            ),
            finding(
                "E301",
                "error",
                12,
                "host port 8101/tcp of service `web` is already published by container `vwe-legacy-1` (service `legacy`) of this project, an orphan (its service is no longer in the file)"
            ),
        ]
    );
}

/// E404: a default service whose container crashed, while the rest runs;
/// the passing example once both run.
#[test]
fn e404_service_down() {
    let Some(mut engine) = engine("e404_service_down") else {
        return;
    };
    engine.run(
        "vwe-backend-1",
        Some(("vwe", "backend")),
        &["--network", "none"],
        BASE_IMAGE,
        &["sh", "-c", "exit 1"],
    );
    engine.run(
        "vwe-worker-1",
        Some(("vwe", "worker")),
        &["--network", "none"],
        BASE_IMAGE,
        &["sleep", "600"],
    );
    engine.wait_for("vwe-backend-1", "{{.State.Status}}", |state| state == "exited");
    let expected = [finding(
        "E404",
        "error",
        3,
        "service `backend` is down: container `vwe-backend-1` (service `backend`) exited with code 1",
    )];
    check_examples(&mut engine, "E404", &expected, |engine| {
        engine.docker(&["rm", "-f", "vwe-backend-1"]);
        engine.run(
            "vwe-backend-1",
            Some(("vwe", "backend")),
            &["--network", "none"],
            BASE_IMAGE,
            &["sleep", "600"],
        );
    });
}

/// The engine is found through a docker CLI context (`DOCKER_CONTEXT`, and
/// `currentContext` in `config.json`), and E001 names the context.
#[test]
fn contexts_choose_the_engine() {
    let Some(engine) = engine("contexts_choose_the_engine") else {
        return;
    };
    let config = tempfile::tempdir().unwrap();
    let create = Command::new("docker")
        .env("DOCKER_CONFIG", config.path())
        .args([
            "context",
            "create",
            "vwe-test",
            "--docker",
            &format!("host={}", engine.host),
        ])
        .output()
        .unwrap();
    assert!(create.status.success(), "{}", common::stderr(&create));
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("compose.yaml"), example("E001", false)).unwrap();
    let run = |context: Option<&str>| {
        let mut command = common::binary();
        command
            .current_dir(project.path())
            .env_remove("DOCKER_HOST")
            .env("DOCKER_CONFIG", config.path())
            .args(["env", "--format", "json"]);
        if let Some(context) = context {
            command.env("DOCKER_CONTEXT", context);
        }
        command.output().unwrap()
    };
    let by_env = run(Some("vwe-test"));
    assert_eq!(by_env.status.code(), Some(0), "{}", common::stderr(&by_env));
    std::fs::write(config.path().join("config.json"), r#"{"currentContext": "vwe-test"}"#).unwrap();
    let current = run(None);
    assert_eq!(current.status.code(), Some(0), "{}", common::stderr(&current));
    let missing = run(Some("vwe-missing"));
    assert_eq!(missing.status.code(), Some(2));
    let found = findings(&missing);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .3
            .starts_with("no Docker engine to ask: context `vwe-missing` (from DOCKER_CONTEXT): no such context"),
        "{found:?}"
    );
}

#[test]
fn e402_unhealthy_and_restart_loop() {
    let Some(mut engine) = engine("e402_unhealthy_and_restart_loop") else {
        return;
    };
    let failing_check = [
        "--health-cmd",
        "false",
        "--health-interval",
        "1s",
        "--health-retries",
        "1",
    ];
    let mut options = vec!["--network", "none"];
    options.extend(failing_check);
    engine.run(
        "vwe-backend-1",
        Some(("vwe", "backend")),
        &options,
        BASE_IMAGE,
        &["sleep", "600"],
    );
    engine.run(
        "vwe-worker-1",
        Some(("vwe", "worker")),
        &["--network", "none", "--restart", "always"],
        BASE_IMAGE,
        &["sh", "-c", "exit 1"],
    );
    engine.wait_for("vwe-backend-1", "{{.State.Health.Status}}", |status| {
        status == "unhealthy"
    });
    // Restarting, or running again after 3 restarts: a loop either way.
    engine.wait_for("vwe-worker-1", "{{.RestartCount}}", |count| {
        count.parse().unwrap_or(0) >= 3
    });
    let (status, found) = engine.env(&example("E402", true), &["--select", "E402"]);
    assert_eq!(status, 1);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        found[0],
        finding(
            "E402",
            "error",
            3,
            "container `vwe-backend-1` (service `backend`) is unhealthy: its healthcheck fails"
        )
    );
    let (code, severity, line, message) = &found[1];
    assert_eq!((code.as_str(), severity.as_str(), *line), ("E402", "error", 5));
    assert!(
        message.starts_with("container `vwe-worker-1` (service `worker`) is restarting in a loop ("),
        "{message}"
    );

    // The passing example: the same services, healthy.
    engine.remove_containers();
    engine.run(
        "vwe-backend-1",
        Some(("vwe", "backend")),
        &["--network", "none", "--health-cmd", "true", "--health-interval", "1s"],
        BASE_IMAGE,
        &["sleep", "600"],
    );
    engine.run(
        "vwe-worker-1",
        Some(("vwe", "worker")),
        &["--network", "none"],
        BASE_IMAGE,
        &["sleep", "600"],
    );
    engine.wait_for("vwe-backend-1", "{{.State.Health.Status}}", |status| {
        status == "healthy"
    });
    assert_eq!(
        engine.env(&example("E402", false), &["--select", "E402"]),
        (0, Vec::new())
    );
}

#[test]
fn e403_drift_of_image_restart_memory_and_user() {
    let Some(mut engine) = engine("e403_drift_of_image_restart_memory_and_user") else {
        return;
    };
    engine.docker(&["tag", BASE_IMAGE, "vwe/backend:0.9.0"]);
    engine.run(
        "vwe-backend-1",
        Some(("vwe", "backend")),
        &[
            "--network",
            "none",
            "--restart",
            "always",
            "--memory",
            "256m",
            "--user",
            "0:0",
        ],
        "vwe/backend:0.9.0",
        &["sleep", "600"],
    );
    let container = "container `vwe-backend-1` (service `backend`)";
    let expected = [
        finding(
            "E403",
            "warning",
            4,
            &format!("running {container} runs image `vwe/backend:0.9.0`, not `vwe/backend:1.0.0`"),
        ),
        finding(
            "E403",
            "warning",
            5,
            &format!("running {container} has restart policy `always`, not `unless-stopped`"),
        ),
        finding(
            "E403",
            "warning",
            6,
            &format!("running {container} runs as user `0:0`, not `1000:1000`"),
        ),
        finding(
            "E403",
            "warning",
            10,
            &format!("running {container} has a memory limit of 256M, but the file sets `512M`"),
        ),
    ];
    check_examples(&mut engine, "E403", &expected, |engine| {
        engine.remove_containers();
        engine.run(
            "vwe-backend-1",
            Some(("vwe", "backend")),
            &[
                "--network",
                "none",
                "--restart",
                "unless-stopped",
                "--memory",
                "512m",
                "--user",
                "1000:1000",
            ],
            "vwe/backend:1.0.0",
            &["sleep", "600"],
        );
    });
}

// ---- read-only ---------------------------------------------------------------

/// What the engine holds, in a form that only changes when the engine is changed.
fn engine_state(engine: &Engine) -> Vec<String> {
    let lines = |args: &[&str]| -> Vec<String> {
        let mut lines: Vec<String> = common::stdout(&engine.docker(args))
            .lines()
            .map(str::to_string)
            .collect();
        lines.sort();
        lines
    };
    let mut state = Vec::new();
    let ids = lines(&["ps", "-aq", "--no-trunc"]);
    if !ids.is_empty() {
        let mut args = vec![
            "inspect",
            "--format",
            "container {{.Id}} {{.Name}} {{.Image}} {{.State.Status}} {{.State.StartedAt}} {{.RestartCount}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.Memory}} {{json .Config.Labels}}",
        ];
        args.extend(ids.iter().map(String::as_str));
        state.extend(lines(&args));
    }
    state.extend(lines(&[
        "images",
        "-a",
        "--no-trunc",
        "--format",
        "image {{.ID}} {{.Repository}}:{{.Tag}}",
    ]));
    state.extend(lines(&["volume", "ls", "--format", "volume {{.Name}} {{.Driver}}"]));
    state.extend(lines(&[
        "network",
        "ls",
        "--no-trunc",
        "--format",
        "network {{.ID}} {{.Name}}",
    ]));
    state
}

fn unix_now() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    format!("{}.{:09}", now.as_secs(), now.subsec_nanos())
}

/// A full run over the demo project on an engine holding a project, a
/// volume and a network changes nothing: the same containers, images,
/// volumes and networks before and after, and no event in between.
#[test]
fn env_never_changes_the_engine() {
    let Some(mut engine) = engine("env_never_changes_the_engine") else {
        return;
    };
    engine.network("vwe-lint-test-readonly");
    engine.volume("vwe-lint-test-readonly");
    engine.run(
        "vwe-backend-1",
        Some(("vwe", "backend")),
        &[
            "--network",
            "vwe-lint-test-readonly",
            "-p",
            "127.0.0.1:8000:8000",
            "--restart",
            "always",
        ],
        "vwe/backend:1.0.0",
        &["sleep", "600"],
    );
    engine.run("vwe-worldgen-1", None, &["--network", "none"], BASE_IMAGE, &["true"]);
    engine.wait_for("vwe-worldgen-1", "{{.State.Status}}", |state| state == "exited");

    let before = engine_state(&engine);
    let since = unix_now();
    let output = common::run_in(
        &common::repo(),
        &["env", "fixtures/vwe", "--docker-host", &engine.host, "--color", "never"],
        None,
        Duration::from_secs(60),
    );
    let until = unix_now();
    let after = engine_state(&engine);

    let text = common::stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}{}", common::stderr(&output));
    assert!(text.starts_with("engine: Docker "), "{text}");
    assert!(
        text.contains("project: vwe (fixtures/vwe/docker-compose.yml)"),
        "{text}"
    );
    assert!(
        text.contains("services checked: redis, backend, worker, valheim-bepinex"),
        "{text}"
    );
    for code in ["E101(image-not-present)", "E403(drift)", "E404(service-down)"] {
        assert!(text.contains(code), "{code} in {text}");
    }
    assert_eq!(before, after, "the engine's state changed");
    let events = engine.docker(&["events", "--since", &since, "--until", &until, "--format", "{{json .}}"]);
    assert_eq!(common::stdout(&events), "", "the engine saw events during the run");
}

// ---- the client, against a fake engine ----------------------------------------

/// What the fake engine does with a request.
enum Reply {
    Json(String),
    /// Never answers (the connection stays open).
    Stall,
}

/// An HTTP/1.1 server on a unix socket that answers like a Docker engine
/// (API 1.41) from `reply`, with `Date: date`, and logs every connection
/// (`connect`) and request path.
struct FakeEngine {
    host: String,
    log: std::sync::Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl FakeEngine {
    fn start(date: &'static str, reply: impl Fn(&str) -> Reply + Send + Sync + 'static) -> FakeEngine {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fake.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let log = std::sync::Arc::new(Mutex::new(Vec::new()));
        let reply = std::sync::Arc::new(reply);
        let server_log = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                server_log.lock().unwrap().push("connect".to_string());
                let (log, reply) = (server_log.clone(), reply.clone());
                std::thread::spawn(move || serve(stream, date, &log, &*reply));
            }
        });
        FakeEngine {
            host: format!("unix://{}", path.display()),
            log,
            _dir: dir,
        }
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn env(&self, compose: &str, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
        let mut command = common::binary();
        command
            .current_dir(dir.path())
            .args(["env", "--docker-host", &self.host]);
        if !args.contains(&"--format") {
            command.args(["--format", "json"]);
        }
        command.args(args);
        for (name, value) in vars {
            command.env(name, value);
        }
        common::run_command(command, None, Duration::from_secs(60))
    }
}

fn serve(
    mut stream: std::os::unix::net::UnixStream,
    date: &str,
    log: &Mutex<Vec<String>>,
    reply: &dyn Fn(&str) -> Reply,
) {
    let mut pending = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        while let Some(end) = pending.windows(4).position(|window| window == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&pending[..end]).into_owned();
            pending.drain(..end + 4);
            let path = head.split(' ').nth(1).unwrap_or_default().to_string();
            log.lock().unwrap().push(path.clone());
            let body = match reply(&path) {
                Reply::Json(body) => body,
                Reply::Stall => {
                    std::thread::sleep(Duration::from_secs(60));
                    return;
                }
            };
            let status = if body == "404" { "404 Not Found" } else { "200 OK" };
            let answer = format!(
                "HTTP/1.1 {status}\r\nApi-Version: 1.41\r\nDate: {date}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            if stream.write_all(answer.as_bytes()).is_err() {
                return;
            }
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(read) => pending.extend_from_slice(&buffer[..read]),
        }
    }
}

/// A Docker engine's answers: `containers` listed (and inspected by id).
fn docker_replies(containers: Vec<Value>) -> impl Fn(&str) -> Reply + Send + Sync + 'static {
    move |path: &str| {
        let path = path
            .split_once("/v1.")
            .map_or(path, |(_, rest)| rest.split_once('/').map_or(rest, |(_, tail)| tail));
        let json = |value: Value| Reply::Json(value.to_string());
        match path {
            "/_ping" => Reply::Json("OK".to_string()),
            "version" => json(serde_json::json!({"Version": "20.10.24", "ApiVersion": "1.41"})),
            "containers/json?all=1" => json(Value::Array(containers.clone())),
            "images/json?digests=1" => {
                json(serde_json::json!([{"Id": "sha256:b1", "RepoTags": ["vwe/backend:1.0.0"]}]))
            }
            "volumes" => json(serde_json::json!({"Volumes": []})),
            "networks" => json(serde_json::json!([])),
            other => match other
                .strip_prefix("containers/")
                .and_then(|rest| rest.strip_suffix("/json"))
            {
                Some(id) => {
                    let listed = containers.iter().find(|container| container["Id"] == id).cloned();
                    listed.map_or_else(
                        || Reply::Json("404".to_string()),
                        |listed| json(listed["Inspect"].clone()),
                    )
                }
                None => Reply::Json("404".to_string()),
            },
        }
    }
}

fn listed(id: &str, project: &str, service: &str, inspect: Value) -> Value {
    serde_json::json!({
        "Id": id,
        "Names": [format!("/{project}-{service}-1")],
        "Image": "vwe/backend:1.0.0",
        "ImageID": "sha256:b1",
        "State": inspect["State"]["Status"].as_str().unwrap_or("running"),
        "Labels": {"com.docker.compose.project": project, "com.docker.compose.service": service},
        "Ports": [],
        "Inspect": inspect,
    })
}

/// 1,000 containers on the engine, 3 of them this project's: 6 requests
/// plus one inspect per container of the project, on one connection, every
/// one after the ping in the negotiated (or pinned) API version.
#[test]
fn client_inspects_only_the_project_on_one_connection() {
    let running = serde_json::json!({"State": {"Status": "running", "StartedAt": "2026-11-26T15:00:00Z"}});
    let mut containers: Vec<Value> = (0..997)
        .map(|i| {
            listed(
                &format!("other{i}"),
                &format!("other{}", i % 50),
                "svc",
                running.clone(),
            )
        })
        .collect();
    for service in ["backend", "worker", "cache"] {
        containers.push(listed(&format!("vwe-{service}"), "vwe", service, running.clone()));
    }
    let engine = FakeEngine::start("Thu, 26 Nov 2026 16:00:00 GMT", docker_replies(containers));
    let compose = "name: vwe\nservices:\n  backend:\n    image: vwe/backend:1.0.0\n  worker:\n    image: vwe/backend:1.0.0\n  cache:\n    image: vwe/backend:1.0.0\n";
    let output = engine.env(compose, &[], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let log = engine.log();
    assert_eq!(log.iter().filter(|entry| *entry == "connect").count(), 1, "{log:?}");
    let requests: Vec<&String> = log.iter().filter(|entry| *entry != "connect").collect();
    assert_eq!(requests.len(), 6 + 3, "{requests:?}");
    assert_eq!(requests[0], "/_ping");
    assert!(
        requests[1..].iter().all(|path| path.starts_with("/v1.41/")),
        "{requests:?}"
    );
    let inspected: Vec<&&String> = requests
        .iter()
        .filter(|path| path.ends_with("/json") && path.contains("/containers/"))
        .collect();
    assert_eq!(inspected.len(), 3, "only the project's containers: {inspected:?}");

    let pinned = FakeEngine::start("Thu, 26 Nov 2026 16:00:00 GMT", docker_replies(Vec::new()));
    let output = pinned.env(compose, &[], &[("DOCKER_API_VERSION", "1.30")]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let log = pinned.log();
    assert!(log[2..].iter().all(|path| path.starts_with("/v1.30/")), "{log:?}");
}

/// An engine that answers the first requests and then stalls: the run stops
/// at the per-request limit (half of `--timeout`) and says which request
/// stalled and what was read before; it is no "no engine answers".
#[test]
fn a_stalled_engine_names_the_request_and_what_was_read() {
    let replies = docker_replies(Vec::new());
    let engine = FakeEngine::start("Thu, 26 Nov 2026 16:00:00 GMT", move |path| {
        if path.contains("containers/json") {
            Reply::Stall
        } else {
            replies(path)
        }
    });
    let output = engine.env(
        "name: vwe\nservices:\n  backend:\n    image: vwe/backend:1.0.0\n",
        &["--timeout", "1s"],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        findings(&output),
        vec![finding(
            "E001",
            "error",
            1,
            &format!(
                "the Docker engine at `{}` (from --docker-host) stopped answering: no answer to `GET /v1.41/containers/json?all=1` within 500ms (already read: ping, version)",
                engine.host
            )
        )]
    );
}

/// Ages are measured with the engine's clock (its `Date`), not this
/// machine's: a job container that exited in 2001 is 30 minutes old to an
/// engine whose clock says so, and 2 hours old to one that says that.
#[test]
fn ages_by_the_engines_clock() {
    let exited = serde_json::json!({"State": {"Status": "exited", "ExitCode": 3, "StartedAt": "2001-01-01T09:00:00Z", "FinishedAt": "2001-01-01T10:00:00Z"}});
    let job = listed("job", "vwe", "worldgen-runner", exited);
    let compose = "name: vwe\nservices:\n  worldgen-runner:\n    image: vwe/backend:1.0.0\n    profiles: [worldgen]\n";
    let recent = FakeEngine::start("Mon, 01 Jan 2001 10:30:00 GMT", docker_replies(vec![job.clone()]));
    let output = recent.env(compose, &["--select", "E401"], &[]);
    assert_eq!((output.status.code(), findings(&output)), (Some(0), Vec::new()));
    let later = FakeEngine::start("Mon, 01 Jan 2001 12:00:00 GMT", docker_replies(vec![job]));
    let output = later.env(compose, &["--select", "E401"], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        findings(&output)[0].3,
        "job container `vwe-worldgen-runner-1` (service `worldgen-runner`) exited (code 3) and was not removed"
    );
}

/// An answer that never ends is cut at the size cap, not read into memory
/// without end.
#[test]
fn an_endless_answer_is_cut_at_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("endless.sock");
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            let chunk = format!("{:x}\r\n{}\r\n", 1 << 20, "x".repeat(1 << 20));
            while stream.write_all(chunk.as_bytes()).is_ok() {}
        }
    });
    let host = format!("unix://{}", path.display());
    let output = common::run_in(
        &common::repo(),
        &[
            "env",
            "fixtures/vwe",
            "--docker-host",
            &host,
            "--timeout",
            "60s",
            "--format",
            "json",
        ],
        None,
        Duration::from_secs(120),
    );
    assert_eq!(output.status.code(), Some(2));
    let found = findings(&output);
    assert!(
        found[0]
            .3
            .ends_with("(the answer to `GET /_ping` is larger than 64 MiB)"),
        "{found:?}"
    );
}

/// A socket whose backlog is full makes a blocking `connect()` wait forever;
/// the check fails at once instead.
#[test]
fn a_full_backlog_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let filler_path = path.clone();
    std::thread::spawn(move || {
        let _listener = listener;
        let mut held = Vec::new();
        // Never accepted: each connect takes a backlog slot until one blocks.
        while let Ok(stream) = std::os::unix::net::UnixStream::connect(&filler_path) {
            held.push(stream);
        }
    });
    std::thread::sleep(Duration::from_secs(1));
    let host = format!("unix://{}", path.display());
    let output = common::run_in(
        &common::repo(),
        &[
            "env",
            "fixtures/vwe",
            "--docker-host",
            &host,
            "--timeout",
            "30s",
            "--format",
            "json",
        ],
        None,
        Duration::from_secs(60),
    );
    assert_eq!(output.status.code(), Some(2));
    let found = findings(&output);
    assert!(
        found[0]
            .3
            .ends_with("the socket accepts no more connections (its backlog is full)"),
        "{found:?}"
    );
}

/// `env` takes the lint command's report options: `-o`, `--exit-zero`, `-q`,
/// `--env-file` (whose `COMPOSE_PROJECT_NAME` names the project); the header
/// is for people only, and `-q` drops it too.
#[test]
fn env_shares_the_report_options() {
    let crashed = serde_json::json!({"State": {"Status": "exited", "ExitCode": 1}});
    let running = serde_json::json!({"State": {"Status": "running", "StartedAt": "2026-11-26T15:00:00Z"}});
    let containers = vec![
        listed("backend", "fromfile", "backend", crashed),
        listed("worker", "fromfile", "worker", running),
    ];
    let engine = FakeEngine::start("Thu, 26 Nov 2026 16:00:00 GMT", docker_replies(containers));
    let compose = "services:\n  backend:\n    image: vwe/backend:1.0.0\n  worker:\n    image: vwe/backend:1.0.0\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("names.env"), "COMPOSE_PROJECT_NAME=fromfile\n").unwrap();
    let env_file = dir.path().join("names.env");
    let report = dir.path().join("report.json");
    let output = engine.env(
        compose,
        &[
            "--env-file",
            env_file.to_str().unwrap(),
            "-o",
            report.to_str().unwrap(),
            "--exit-zero",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    assert_eq!(common::stdout(&output), "");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(written[0]["code"], "E404", "{written}");

    let human = engine.env(
        compose,
        &["--env-file", env_file.to_str().unwrap(), "--format", "concise"],
        &[],
    );
    assert_eq!(human.status.code(), Some(1));
    assert!(
        common::stdout(&human).starts_with("engine: Docker 20.10.24"),
        "{}",
        common::stdout(&human)
    );
    let quiet = engine.env(
        compose,
        &["--env-file", env_file.to_str().unwrap(), "--format", "concise", "-q"],
        &[],
    );
    let text = common::stdout(&quiet);
    assert!(
        text.contains("compose.yaml:2:3: E404 [error] service `backend` is down"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
}
