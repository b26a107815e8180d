#!/usr/bin/env bash
# Long fuzz run: generated projects and mutated corpus files, checked against
# the promises of issue #13 (no crash or hang; --fix output parses, keeps its
# comments, converges; suppressions never widen; clean, leak-free reports).
#
#   scripts/fuzz.sh [SECONDS]        build release, run random seeds for SECONDS (default 60)
#   scripts/fuzz.sh --seed N [SECS]  start at seed N (0 seconds: just one batch from N)
#   scripts/fuzz.sh --out DIR        where minimized failures go (default fuzz-failures/)
#   VWE_CORPUS=/path/to/corpus scripts/fuzz.sh   the corpus to mutate (default ../shared/corpus)
#
# Each distinct failure is minimized into DIR/<invariant>-<seed>/ with a
# README; DIR/README lists them one a line. The closing summary counts cases,
# crashes, hangs, broken fixes, non-convergent fixes and widened suppressions.
# Exit 1 when anything failed.
set -euo pipefail

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

seconds=60
out=fuzz-failures
seed=()
while (($#)); do
    case $1 in
        --seed) seed=(--seed "$2"); shift ;;
        --out) out=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) seconds=$1 ;;
    esac
    shift
done

cd "$(dirname "$0")/.."
mkdir -p "$out"
exec cargo test --release --test fuzz -- --seconds "$seconds" --out "$(realpath "$out")" "${seed[@]}"
