#!/usr/bin/env bash
# shipped.sh: collector CPU per event of the shipped pipeline (otelcol-config.yaml: memory_limiter,
# filter/failures, otlp_http with the persistent queue, to a real sink collector) against the
# receiver straight into nop, at the same event rate, one after the other (ABAB...).
#
#   internal/bench/shipped.sh [RATE] [SECONDS] [ROUNDS] [EXTRA_CONFIG]
#
# RATE events/s (default 8000), SECONDS per run (default 15), ROUNDS of each (default 2).
# EXTRA_CONFIG, if set, is a further --config for the shipped collector (a tuning overlay).
# PROFILE=1 takes a 10 s pprof CPU profile of the shipped collector in its first run, into
# $OUT/shipped-cpu.pprof. Everything listens on 127.0.0.1; every process it starts is stopped.
# The load generator sends fresh events (unique log_ids), so deduplication, on in both
# collectors as in otelcol-config.yaml, never drops one.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
bin=${OTELCOL_BINARY:-$root/_build/otelcol-auth0}
rate=${1:-8000}
secs=${2:-15}
rounds=${3:-2}
extra=${4:-}
out=${OUT:-$(mktemp -d)}
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
rss_hwm() { awk '/VmHWM/{print $2}' "/proc/$1/status"; }
wait_health() {
	for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$1/" >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "collector on health port $1 did not come up" >&2; return 1
}
hz=$(getconf CLK_TCK)
token=shipped-bench-token
(cd "$root" && go build -o "$work/auth0load" ./cmd/auth0load)

# The sink: a real collector with the otlp receiver into nop.
sink_otlp=$(port) sink_health=$(port) sink_metrics=$(port)
cat >"$work/sink.yaml" <<EOF
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:$sink_otlp
exporters:
  nop:
extensions:
  health_check:
    endpoint: 127.0.0.1:$sink_health
service:
  extensions: [health_check]
  telemetry:
    logs: {level: warn}
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [nop]
EOF
"$bin" --config "$work/sink.yaml" >"$work/sink.log" 2>&1 &
sink=$!
pids+=("$sink")
wait_health "$sink_health"

# The receiver alone into nop, with the receiver settings of otelcol-config.yaml.
cat >"$work/nop.yaml" <<'EOF'
receivers:
  auth0logstream:
    endpoint: ${env:AUTH0_RECEIVER_ENDPOINT}
    path: /api/logs
    authorization_token: ${env:AUTH0_LOG_STREAM_TOKEN}
    body: event
    deduplication: {enabled: true, max_entries: 100000}
    max_request_body_size: 16777216
exporters:
  nop:
extensions:
  health_check:
    endpoint: ${env:HEALTH_CHECK_ENDPOINT}
service:
  extensions: [health_check]
  telemetry:
    logs: {level: warn}
    metrics:
      level: normal
      readers:
        - pull: {exporter: {prometheus: {host: localhost, port: '${env:TELEMETRY_METRICS_PORT}'}}}
  pipelines:
    logs:
      receivers: [auth0logstream]
      exporters: [nop]
EOF
pprof_port=$(port)
cat >"$work/pprof.yaml" <<EOF
extensions:
  pprof:
    endpoint: 127.0.0.1:$pprof_port
service:
  extensions: [health_check, file_storage, pprof]
EOF

# run NAME CONFIG...: one fresh collector, one load run; prints a result line.
run() {
	local name=$1
	shift
	local recv health metrics qdir
	recv=$(port) health=$(port) metrics=$(port)
	qdir=$(mktemp -d "$work/queue.XXXX")
	local args=()
	for c in "$@"; do args+=(--config "$c"); done
	AUTH0_RECEIVER_ENDPOINT=127.0.0.1:$recv AUTH0_LOG_STREAM_TOKEN=$token OTLP_ENDPOINT=http://127.0.0.1:$sink_otlp \
		AUTH0_QUEUE_DIR=$qdir HEALTH_CHECK_ENDPOINT=127.0.0.1:$health TELEMETRY_METRICS_PORT=$metrics \
		OTELCOL_LOG_LEVEL=warn "$bin" "${args[@]}" >"$work/$name.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	wait_health "$health"
	local c0 s0 t0 t1 c1 s1
	c0=$(cpu_ticks "$pid") s0=$(cpu_ticks "$sink") t0=$(date +%s.%N)
	if [ "${PROFILE:-}" = 1 ] && [ "$name" = shipped ] && [ ! -f "$out/shipped-cpu.pprof" ]; then
		(sleep 2; curl -fsS -o "$out/shipped-cpu.pprof" "http://127.0.0.1:$pprof_port/debug/pprof/profile?seconds=10") &
	fi
	"$work/auth0load" -url "http://127.0.0.1:$recv/api/logs" -token "$token" -batch 100 -concurrency 4 \
		-rate "$rate" -events 0 -duration "${secs}s" -seed 7 -json >"$work/$name.json"
	# The shipped collector keeps exporting from its queue after the last answer: wait until it
	# is idle (its CPU stops moving) so that the export work is counted.
	local prev=-1 now
	for _ in $(seq 60); do
		now=$(cpu_ticks "$pid")
		[ "$now" = "$prev" ] && break
		prev=$now
		sleep 1
	done
	c1=$(cpu_ticks "$pid") s1=$(cpu_ticks "$sink") t1=$(date +%s.%N)
	python3 - "$name" "$work/$name.json" "$c0" "$c1" "$s0" "$s1" "$hz" "$(rss_hwm "$pid")" "$(cat /proc/loadavg | cut -d' ' -f1-3)" <<'PY'
import json, sys
name, rep, c0, c1, s0, s1, hz, hwm, load = sys.argv[1:]
r = json.load(open(rep))
acked = r["events_acked"]
cpu = (int(c1) - int(c0)) / int(hz)
sink = (int(s1) - int(s0)) / int(hz)
print(f"{name:8s} acked {acked:7d}  {r['acked_events_per_second']:7.0f} ev/s  collector CPU {cpu:6.2f} s = {cpu*1e6/max(acked,1):6.2f} us/event"
      f"  sink {sink*1e6/max(acked,1):5.2f} us/event  p99 {r['latency_p99_ms']:6.2f} ms  VmHWM {int(hwm)/1024:6.1f} MiB  load {load}")
PY
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

shipped_cfgs=("$root/otelcol-config.yaml" "$work/pprof.yaml")
[ -n "$extra" ] && shipped_cfgs+=("$extra")
for i in $(seq "$rounds"); do
	run nop "$work/nop.yaml"
	run shipped "${shipped_cfgs[@]}"
done
