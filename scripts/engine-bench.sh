#!/usr/bin/env bash
# `vwe-lint env` on a busy engine: 1,000 containers of 50 projects, timed
# against `docker ps -a --format json`, directly and through a proxy that adds
# a delay to every request and counts requests and connections.
#
#   scripts/engine-bench.sh populate HOST        create the containers (busybox sleep)
#   scripts/engine-bench.sh measure HOST [BIN]   time both tools (BIN: target/release/vwe-lint)
#   scripts/engine-bench.sh clean HOST           remove what populate created
#
# HOST is a throwaway engine (`unix:///tmp/e/docker.sock`). PROJECTS, PER_PROJECT,
# RUNNING (containers started per project), DELAY_MS and RUNS tune it.
# See BENCHMARKS.md, "vwe-lint env on a busy engine".
set -euo pipefail
{
die() { printf 'engine-bench.sh: %s\n' "$*" >&2; exit 2; }
note() { printf 'engine-bench.sh: %s\n' "$*" >&2; }

projects=${PROJECTS:-50}
per_project=${PER_PROJECT:-20}
running=${RUNNING:-4}
delay_ms=${DELAY_MS:-10}
runs=${RUNS:-5}
label=vwe-engine-bench=1
image=vwe-bench/busybox:1

(($# >= 2)) || die "usage: engine-bench.sh populate|measure|clean HOST [BIN]"
command=$1
host=$2
bin=${3:-target/release/vwe-lint}
dk=(docker --host "$host")

# The busybox image, imported from Debian's busybox-static (no registry needed).
import_image() {
    "${dk[@]}" image inspect "$image" >/dev/null 2>&1 && return
    local root
    root=$(mktemp -d)
    mkdir -p "$root/bin"
    cp "$(command -v busybox)" "$root/bin/busybox"
    for applet in sh sleep; do ln -s busybox "$root/bin/$applet"; done
    chmod 0755 "$root" "$root/bin"
    tar -C "$root" -cf - . | "${dk[@]}" import - "$image" >/dev/null
    rm -rf "$root"
}

populate() {
    import_image
    local start=$SECONDS
    for p in $(seq 1 "$projects"); do
        for s in $(seq 1 "$per_project"); do
            printf 'bench%02d %02d\n' "$p" "$s"
        done
    done | LABEL=$label IMAGE=$image HOST=$host xargs -P 4 -L 1 sh -c '
        docker --host "$HOST" create --label "$LABEL" --label com.docker.compose.project="$0" \
            --label com.docker.compose.service="svc$1" --label com.docker.compose.oneoff=False \
            --name "$0-svc$1-1" "$IMAGE" sleep 1d >/dev/null'
    note "created $((projects * per_project)) containers in $((SECONDS - start)) s"
    start=$SECONDS
    "${dk[@]}" ps -aq --filter "label=$label" --filter status=created \
        | awk -v every="$per_project" -v keep="$running" 'NR % every < keep' \
        | xargs -r -n 50 "${dk[@]}" start >/dev/null
    note "started $((projects * running)) of them in $((SECONDS - start)) s"
}

clean() {
    "${dk[@]}" ps -aq --filter "label=$label" | xargs -r -n 100 "${dk[@]}" rm -f >/dev/null
}

# A compose project like one of the benchmark's (bench01: its 20 services).
project_dir() {
    local dir
    dir=$(mktemp -d)
    {
        echo "name: bench01"
        echo "services:"
        for s in $(seq 1 "$per_project"); do
            printf '  svc%02d:\n    image: %s\n    command: ["sleep", "1d"]\n' "$s" "$image"
        done
    } > "$dir/compose.yaml"
    echo "$dir"
}

# Median wall time in ms of RUNS runs of a command.
median_ms() {
    local times=()
    for _ in $(seq 1 "$runs"); do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=($(((end - start) / 1000000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# A unix-socket proxy to the engine's socket: waits DELAY_MS before passing on
# each request, and logs one line per request and per connection.
start_proxy() {
    local socket=$1 upstream=$2 log=$3
    python3 - "$socket" "$upstream" "$log" "$delay_ms" <<'PY' &
import asyncio, sys
socket_path, upstream, log_path, delay = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) / 1000
log = open(log_path, "a", buffering=1)

async def pump_requests(reader, writer):
    buffer = b""
    while data := await reader.read(65536):
        buffer += data
        # GET requests only (vwe-lint and docker ps send no bodies): one per blank line.
        while b"\r\n\r\n" in buffer:
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            log.write("request " + head.split(b"\r\n", 1)[0].decode(errors="replace") + "\n")
            await asyncio.sleep(delay)
            writer.write(head + b"\r\n\r\n")
            await writer.drain()
    writer.close()

async def pump(reader, writer):
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()

async def handle(client_reader, client_writer):
    log.write("connection\n")
    engine_reader, engine_writer = await asyncio.open_unix_connection(upstream)
    await asyncio.gather(pump_requests(client_reader, engine_writer), pump(engine_reader, client_writer),
                         return_exceptions=True)

async def main():
    server = await asyncio.start_unix_server(handle, socket_path)
    await server.serve_forever()

asyncio.run(main())
PY
    proxy_pid=$!
    for _ in $(seq 1 50); do [[ -S $socket ]] && return; sleep 0.1; done
    die "the proxy did not start"
}

measure() {
    [[ -x $bin ]] || die "no binary at $bin (cargo build --release)"
    [[ $host == unix://* ]] || die "measure needs a unix:// host (the proxy is a unix socket)"
    local total
    # Globals: the EXIT trap removes them after this function returned.
    dir=$(project_dir)
    work=$(mktemp -d /tmp/vb.XXXX)
    total=$("${dk[@]}" ps -aq | wc -l)
    note "engine: $total containers; project bench01: $per_project; $runs runs each (median)"
    printf '%-34s %10s %10s\n' "command" "direct ms" "proxied ms"
    start_proxy "$work/p.sock" "${host#unix://}" "$work/requests.log"
    trap 'kill "$proxy_pid" 2>/dev/null; rm -rf "$dir" "$work"' EXIT
    local tools=("docker ps -a --format json" "vwe-lint env")
    local direct proxied
    for tool in "${tools[@]}"; do
        run_tool() {
            local at=$1
            if [[ $tool == docker* ]]; then
                docker --host "$at" ps -a --format json
            else
                "$bin" env --docker-host "$at" --format json --exit-zero "$dir"
            fi
        }
        direct=$(median_ms run_tool "$host")
        : > "$work/requests.log"
        proxied=$(median_ms run_tool "unix://$work/p.sock")
        printf '%-34s %10s %10s\n' "$tool" "$direct" "$proxied"
        printf '%-34s %s requests, %s connections per run\n' "" \
            "$(($(grep -c '^request' "$work/requests.log") / runs))" \
            "$(($(grep -c '^connection' "$work/requests.log") / runs))"
    done
}

case $command in
    populate) populate ;;
    measure) measure ;;
    clean) clean ;;
    *) die "unknown command: $command" ;;
esac
exit
}
