#!/usr/bin/env bash
# `make run-pull`: the Management API emulator, a local OTLP destination (the sink) and a
# pull-only collector, in the foreground. Ctrl-C (or SIGTERM) stops all three and exits 0; if one
# dies, the others are stopped and the script fails.
set -euo pipefail

cd "$(dirname "$0")/../.."

bin=${OTELCOL_BINARY:-./_build/otelcol-auth0}
emu=${AUTH0EMU_BINARY:-./bin/auth0emu}
for b in "$bin" "$emu"; do
	if [[ ! -x $b ]]; then
		echo "run-pull: $b not found; run 'make run-pull' (it builds both)" >&2
		exit 1
	fi
done

export AUTH0_EMU_ADDR=${AUTH0_EMU_ADDR:-127.0.0.1:8480}
export AUTH0_EMU_URL=http://$AUTH0_EMU_ADDR
export HEALTH_CHECK_ENDPOINT=${HEALTH_CHECK_ENDPOINT:-127.0.0.1:13133}
export AUTH0_QUEUE_DIR=${AUTH0_QUEUE_DIR:-./data/pull-queue}
export SINK_ENDPOINT=${SINK_ENDPOINT:-127.0.0.1:4318}
export SINK_OUTPUT_FILE=${SINK_OUTPUT_FILE:-./data/received-pull.jsonl}
export OTLP_ENDPOINT=${OTLP_ENDPOINT:-http://$SINK_ENDPOINT}
export OTELCOL_LOG_LEVEL=${OTELCOL_LOG_LEVEL:-warn}
mkdir -p "$AUTH0_QUEUE_DIR" "$(dirname "$SINK_OUTPUT_FILE")"

name=run-pull
# shellcheck source=internal/run/procs.sh
. "$(dirname "$0")/procs.sh"

# 2,000 events of the last two hours to backfill, then 2 new events a second.
"$emu" -addr "$AUTH0_EMU_ADDR" -events 2000 -backfill-age 2h -live-rate 2 -failure-ratio 0.3 -rate-limit 10 &
pids+=($!)
wait_for_port "$AUTH0_EMU_ADDR" "${pids[0]}" emulator

"$bin" --config internal/run/sink-config.yaml &
pids+=($!)
wait_for_port "$SINK_ENDPOINT" "${pids[1]}" sink

"$bin" --config otelcol-config.yaml --config internal/run/pull-overlay.yaml &
pids+=($!)
wait_for_port "$HEALTH_CHECK_ENDPOINT" "${pids[2]}" collector

cat <<MSG

==============================================================================
 otelcol-auth0 is pulling from a local Auth0 Management API emulator.
   Emulator (no Auth0 account needed): $AUTH0_EMU_URL  (GET /api/v2/logs)
   Collector: pull only (endpoint ""), checkpoint and dedup window in
              $AUTH0_QUEUE_DIR; 5 requests/s at most, 100 events a page
   Forwarded failures appear: below, printed by the local sink, and in
              $SINK_OUTPUT_FILE (OTLP JSON, one request per line)
   Restart it: the pull continues from its checkpoint, nothing twice.
 Ctrl-C stops all three processes.
==============================================================================

MSG

set +e
wait -n "${pids[@]}"
status=$?
set -e
echo "run-pull: a process exited unexpectedly (status $status); stopping the others" >&2
exit 1
