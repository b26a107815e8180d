//! Fuzzing that stays: generated multi-file projects and mutated corpus
//! files, each checked against the promises vwe-lint makes on any input (see
//! `fuzz_support::check`).
//!
//! `cargo test --test fuzz` runs a fixed set of seeds. `scripts/fuzz.sh`
//! runs random seeds for as long as asked (`--seconds N --out DIR`) and
//! saves each distinct failure minimized. Cases run in child processes
//! (this binary with `--worker`), one after the other, each under a
//! watchdog: a stack overflow or a hang ends the child, and the case it had
//! started is the culprit.

mod common;
mod fuzz_support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fuzz_support::Case;
use fuzz_support::check::{self, Kind};

/// Minimized failures found by fuzzing, one case per directory.
const FIXTURES: &str = "fixtures/hostile/fuzz";

/// Seeds of the bounded run in `cargo test`.
const BOUNDED_CASES: u64 = 800;

/// What one case came to.
struct Outcome {
    id: String,
    failure: Option<(Kind, String)>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|arg| arg == name)
            .and_then(|at| args.get(at + 1))
            .cloned()
    };
    let limit = Duration::from_millis(
        value("--limit-ms").map_or(if cfg!(debug_assertions) { 30_000 } else { 10_000 }, |ms| {
            ms.parse().unwrap()
        }),
    );
    if args.iter().any(|arg| arg == "--worker") {
        worker(value("--seeds"), value("--dir"), limit);
        return;
    }
    if args.iter().any(|arg| arg == "--list") {
        println!("bounded_run: test");
        return;
    }
    // Like the test harness: a filter that does not match runs nothing.
    let filters: Vec<&String> = args.iter().filter(|arg| !arg.starts_with('-')).collect();
    if value("--seconds").is_none()
        && !filters.is_empty()
        && !filters.iter().any(|f| "bounded_run".contains(f.as_str()))
    {
        return;
    }
    let corpus = corpus_files();
    match value("--seconds") {
        Some(seconds) => long_run(
            Duration::from_secs(seconds.parse().expect("--seconds takes a number")),
            value("--out").map_or_else(|| PathBuf::from("fuzz-failures"), PathBuf::from),
            value("--seed").map(|seed| seed.parse().expect("--seed takes a number")),
            limit,
        ),
        None => bounded_run(&corpus, limit),
    }
}

fn corpus_files() -> Vec<PathBuf> {
    match common::corpus() {
        Some(corpus) => fuzz_support::mutate::corpus_files(&corpus),
        None => {
            eprintln!("fuzz: no corpus, so only generated projects are run (no mutated corpus files)");
            Vec::new()
        }
    }
}

/// The fixed seeds, split among as many children as there are cores.
fn bounded_run(corpus: &[PathBuf], limit: Duration) {
    let started = Instant::now();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let per = BOUNDED_CASES.div_ceil(workers);
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|at| {
                let seeds = at * per..((at + 1) * per).min(BOUNDED_CASES);
                scope.spawn(move || run_seeds(seeds, limit))
            })
            .collect();
        handles.into_iter().flat_map(|handle| handle.join().unwrap()).collect()
    });
    let mut outcomes = outcomes;
    outcomes.extend(run_fixtures(limit));
    let failures: Vec<&Outcome> = outcomes.iter().filter(|outcome| outcome.failure.is_some()).collect();
    eprintln!(
        "fuzz: {} cases ({} corpus files to mutate) in {:.1?}",
        BOUNDED_CASES,
        corpus.len(),
        started.elapsed()
    );
    print_summary(&outcomes);
    if failures.is_empty() {
        println!("test bounded_run ... ok");
        return;
    }
    for outcome in &failures {
        let (kind, detail) = outcome.failure.as_ref().unwrap();
        let first = detail.lines().next().unwrap_or_default();
        eprintln!("case {}: {}: {first}", outcome.id, kind.name());
    }
    eprintln!("reproduce one with: scripts/fuzz.sh --seed SEED 0");
    println!("test bounded_run ... FAILED");
    std::process::exit(1);
}

/// The minimized failures kept as fixtures, each run as a case.
fn run_fixtures(limit: Duration) -> Vec<Outcome> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(common::repo().join(FIXTURES))
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.iter()
        .flat_map(|dir| {
            let mut command = worker_command(limit);
            command.args(["--dir", &dir.display().to_string()]);
            run_worker(command)
        })
        .collect()
}

fn print_summary(outcomes: &[Outcome]) {
    let mut counts: BTreeMap<Kind, usize> = BTreeMap::new();
    for (kind, _) in outcomes.iter().filter_map(|outcome| outcome.failure.as_ref()) {
        *counts.entry(*kind).or_default() += 1;
    }
    let count = |kind| counts.get(&kind).copied().unwrap_or(0);
    let cases: std::collections::HashSet<&str> = outcomes.iter().map(|outcome| outcome.id.as_str()).collect();
    println!(
        "fuzz summary: {} cases, {} crashes, {} hangs, {} broken fixes, {} lost comments, {} non-convergent fixes, \
         {} widened suppressions, {} control characters, {} leaks, {} generator errors",
        cases.len(),
        count(Kind::Crash),
        count(Kind::Hang),
        count(Kind::BrokenFix),
        count(Kind::LostComment),
        count(Kind::NonConvergent),
        count(Kind::WidenedSuppression),
        count(Kind::ControlCharacter),
        count(Kind::Leak),
        count(Kind::Generator),
    );
}

/// Runs `seeds` in children, starting a new child after the case that
/// ended the last one.
fn run_seeds(seeds: std::ops::Range<u64>, limit: Duration) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut next = seeds.start;
    while next < seeds.end {
        let mut command = worker_command(limit);
        command.args(["--seeds", &format!("{next}..{}", seeds.end)]);
        let batch = run_worker(command);
        let last = batch.last().expect("the worker reports every case it starts");
        next = last.id.parse::<u64>().unwrap() + 1;
        outcomes.extend(batch);
    }
    outcomes
}

fn worker_command(limit: Duration) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command.args(["--worker", "--limit-ms", &limit.as_millis().to_string()]);
    command
}

/// Reads a child's report lines: `start ID`, then `pass ID`, `fail ID KIND
/// DETAIL` or `hang ID`; a case started and never finished crashed the child.
fn run_worker(mut command: Command) -> Vec<Outcome> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("a worker starts");
    let mut outcomes = Vec::new();
    let mut started: Option<String> = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.expect("worker output");
        let mut words = line.splitn(4, ' ');
        let (verb, id) = (words.next().unwrap_or(""), words.next().unwrap_or("").to_string());
        let failure = match verb {
            "start" => {
                started = Some(id);
                continue;
            }
            "pass" => None,
            "hang" => Some((Kind::Hang, "no answer within the time limit".to_string())),
            "fail" => {
                let kind = Kind::parse(words.next().unwrap_or("")).expect("a known kind");
                Some((kind, words.next().unwrap_or("").replace("\\n", "\n")))
            }
            _ => continue,
        };
        started = None;
        outcomes.push(Outcome { id, failure });
    }
    let status = child.wait().expect("the worker ends");
    if let Some(id) = started {
        let detail = format!("the process died: {status}");
        outcomes.push(Outcome {
            id,
            failure: Some((Kind::Crash, detail)),
        });
    }
    outcomes
}

/// Child mode: runs the cases of `seeds` (`FROM..TO`) or the case saved in
/// `dir`, printing one line per case.
fn worker(seeds: Option<String>, dir: Option<String>, limit: Duration) {
    static PANIC: Mutex<String> = Mutex::new(String::new());
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(ToString::to_string).unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        *PANIC.lock().unwrap() = format!("panic at {location}: {message}");
    }));
    // The watchdog: milliseconds since `epoch` at which the current case
    // started, and its id.
    static STARTED: AtomicU64 = AtomicU64::new(u64::MAX);
    static CURRENT: Mutex<String> = Mutex::new(String::new());
    let epoch = Instant::now();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(50));
            let since = STARTED.load(Ordering::SeqCst);
            if since != u64::MAX && epoch.elapsed().as_millis() as u64 > since + limit.as_millis() as u64 {
                println!("hang {}", CURRENT.lock().unwrap());
                std::process::exit(3);
            }
        }
    });
    let corpus = corpus_files();
    let cases: Box<dyn Iterator<Item = (String, Case)>> = match (seeds, dir) {
        (Some(range), _) => {
            let (from, to) = range.split_once("..").expect("--seeds FROM..TO");
            let (from, to): (u64, u64) = (from.parse().unwrap(), to.parse().unwrap());
            Box::new((from..to).map(move |seed| (seed.to_string(), Case::from_seed(seed, &corpus))))
        }
        (None, Some(dir)) => Box::new(std::iter::once((
            Path::new(&dir)
                .file_name()
                .map_or("dir".into(), |name| name.to_string_lossy().into_owned()),
            Case::read(Path::new(&dir)).expect("the case"),
        ))),
        (None, None) => panic!("--worker needs --seeds or --dir"),
    };
    let mut stdout = std::io::stdout();
    for (id, case) in cases {
        writeln!(stdout, "start {id}").unwrap();
        *CURRENT.lock().unwrap() = id.clone();
        STARTED.store(epoch.elapsed().as_millis() as u64, Ordering::SeqCst);
        let scratch = tempfile::tempdir().expect("a scratch directory");
        let root = scratch.path().join("case");
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| check::case(&case, &root)));
        STARTED.store(u64::MAX, Ordering::SeqCst);
        match result {
            Ok(failures) if failures.is_empty() => writeln!(stdout, "pass {id}").unwrap(),
            Ok(failures) => {
                for failure in failures {
                    let detail = failure.detail.replace('\n', "\\n");
                    writeln!(stdout, "fail {id} {} {detail}", failure.kind.name()).unwrap();
                }
            }
            Err(_) => writeln!(stdout, "fail {id} crash {}", PANIC.lock().unwrap()).unwrap(),
        }
    }
}

/// Random seeds for `duration`; each distinct failure (by kind and first
/// line) is minimized and saved under `out`.
fn long_run(duration: Duration, out: PathBuf, seed: Option<u64>, limit: Duration) {
    let started = Instant::now();
    let first = seed.unwrap_or_else(|| fastrand::u64(..u64::MAX / 2));
    println!(
        "fuzz: seeds from {first}, for {duration:?}, failures to {}",
        out.display()
    );
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    const BATCH: u64 = 100;
    let mut outcomes = Vec::new();
    let mut next = first;
    loop {
        let batches: Vec<std::ops::Range<u64>> = (0..workers)
            .map(|at| next + at * BATCH..next + (at + 1) * BATCH)
            .collect();
        next += workers * BATCH;
        let results: Vec<Outcome> = std::thread::scope(|scope| {
            let handles: Vec<_> = batches
                .into_iter()
                .map(|seeds| scope.spawn(move || run_seeds(seeds, limit)))
                .collect();
            handles.into_iter().flat_map(|handle| handle.join().unwrap()).collect()
        });
        outcomes.extend(results);
        // One seed alone (`--seed N` with 0 seconds) runs just that seed.
        if started.elapsed() >= duration {
            break;
        }
    }
    save_failures(&outcomes, &out, limit);
    print_summary(&outcomes);
    if outcomes.iter().any(|outcome| outcome.failure.is_some()) {
        std::process::exit(1);
    }
}

/// A failure's family: its kind and its first line with the changing parts
/// (scratch paths, numbers) left out.
fn signature(kind: Kind, detail: &str) -> String {
    let first = detail.lines().next().unwrap_or_default();
    let first = first.rsplit_once("/case/").map_or(first, |(_, rest)| rest);
    let tidy: String = first.chars().filter(|c| !c.is_ascii_digit()).take(120).collect();
    format!("{} {tidy}", kind.name())
}

/// Failures minimized and saved per kind: the first families found.
const FAMILIES_PER_KIND: usize = 4;

fn save_failures(outcomes: &[Outcome], out: &Path, limit: Duration) {
    let corpus = corpus_files();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for outcome in outcomes {
        let Some((kind, detail)) = &outcome.failure else {
            continue;
        };
        let seed: u64 = outcome.id.parse().unwrap();
        let family = signature(*kind, detail);
        let of_kind = seen.keys().filter(|known| known.starts_with(kind.name())).count();
        if seen.contains_key(&family) || of_kind >= FAMILIES_PER_KIND {
            continue;
        }
        seen.insert(family.clone(), seed);
        let case = Case::from_seed(seed, &corpus);
        let minimized = fuzz_support::minimize::minimize(&case, &mut |candidate| still_fails(candidate, *kind, limit));
        let dir = out.join(format!("{}-{seed}", kind.name()));
        let _ = std::fs::remove_dir_all(&dir);
        minimized.write(&dir).expect("the failure is saved");
        let mut note = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out.join(fuzz_support::README))
            .expect("the failure list");
        writeln!(
            note,
            "{}-{seed}: seed {seed}, {}, {}: {family}",
            kind.name(),
            case.origin,
            kind.name()
        )
        .unwrap();
        std::fs::write(
            dir.join(fuzz_support::README),
            format!("seed {seed} ({}): {}\n{detail}\n", case.origin, kind.name()),
        )
        .expect("the failure note");
        println!("{}: {family}", dir.display());
    }
}

/// Whether `candidate` still fails with `kind`, checked in a child.
fn still_fails(candidate: &Case, kind: Kind, limit: Duration) -> bool {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    candidate.write(scratch.path()).expect("the candidate is written");
    let mut command = worker_command(limit);
    command.args(["--dir", &scratch.path().display().to_string()]);
    run_worker(command)
        .iter()
        .any(|outcome| outcome.failure.as_ref().is_some_and(|(found, _)| *found == kind))
}
