//! Shrinks a failing case while it still fails the same way: whole files
//! first, then runs of lines of each file, from long runs to single lines.

use super::Case;

/// At most this many trials: a minimized case is a help, not a proof.
const TRIALS: usize = 400;

pub fn minimize(case: &Case, still_fails: &mut dyn FnMut(&Case) -> bool) -> Case {
    let mut best = case.clone();
    let mut trials = 0;
    let mut attempt = |candidate: &Case, best: &mut Case| {
        trials += 1;
        if trials <= TRIALS && still_fails(candidate) {
            *best = candidate.clone();
            true
        } else {
            false
        }
    };
    let mut index = 0;
    while index < best.files.len() {
        let mut candidate = best.clone();
        candidate.files.remove(index);
        let keeps_project = candidate.files.iter().any(|(path, _)| path.starts_with("project/"));
        if !(keeps_project && attempt(&candidate, &mut best)) {
            index += 1;
        }
    }
    for file in 0..best.files.len() {
        let mut chunk = lines(&best.files[file].1).len().div_ceil(2).max(1);
        loop {
            let mut start = 0;
            while start < lines(&best.files[file].1).len() {
                let mut candidate = best.clone();
                let mut kept = lines(&candidate.files[file].1);
                let end = (start + chunk).min(kept.len());
                kept.drain(start..end);
                candidate.files[file].1 = kept.concat();
                if !attempt(&candidate, &mut best) {
                    start += chunk;
                }
            }
            if chunk == 1 {
                break;
            }
            chunk = chunk.div_ceil(2);
        }
    }
    best
}

/// The lines of `bytes`, each with its line break.
fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&byte| byte == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}
