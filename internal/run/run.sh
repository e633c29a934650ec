#!/usr/bin/env bash
# `make run`: a local OTLP destination (the sink) plus the Auth0 collector, in the foreground.
# Ctrl-C (or SIGTERM) stops both and exits 0; if either process dies, the other is stopped and
# the script fails.
set -euo pipefail

cd "$(dirname "$0")/../.."

bin=${OTELCOL_BINARY:-./_build/otelcol-auth0}
if [[ ! -x $bin ]]; then
	echo "run: $bin not found; run 'make build' first" >&2
	exit 1
fi

# Local defaults: loopback only, since the demo token is public. Each can be overridden.
export AUTH0_LOG_STREAM_TOKEN=${AUTH0_LOG_STREAM_TOKEN:-demo-token-change-me}
export AUTH0_RECEIVER_ENDPOINT=${AUTH0_RECEIVER_ENDPOINT:-127.0.0.1:8383}
export HEALTH_CHECK_ENDPOINT=${HEALTH_CHECK_ENDPOINT:-127.0.0.1:13133}
export AUTH0_QUEUE_DIR=${AUTH0_QUEUE_DIR:-./data/queue}
# The request inspector (receiver/auth0logstream/README.md#request-inspector): loopback only.
export AUTH0_INSPECTOR_ENDPOINT=${AUTH0_INSPECTOR_ENDPOINT:-127.0.0.1:8384}
export SINK_ENDPOINT=${SINK_ENDPOINT:-127.0.0.1:4318}
export SINK_OUTPUT_FILE=${SINK_OUTPUT_FILE:-./data/received.jsonl}
export OTLP_ENDPOINT=${OTLP_ENDPOINT:-http://$SINK_ENDPOINT}
# Startup chatter would push the banner out of sight; warnings and errors still show.
export OTELCOL_LOG_LEVEL=${OTELCOL_LOG_LEVEL:-warn}
mkdir -p "$AUTH0_QUEUE_DIR" "$(dirname "$SINK_OUTPUT_FILE")"

# Ctrl-C stops the sink and the collector in order (procs.sh).
name=run
# shellcheck source=internal/run/procs.sh
. "$(dirname "$0")/procs.sh"

"$bin" --config internal/run/sink-config.yaml &
pids+=($!)
wait_for_port "$SINK_ENDPOINT" "${pids[0]}" sink

"$bin" --config otelcol-config.yaml \
	--set "receivers::auth0logstream::inspector::endpoint=$AUTH0_INSPECTOR_ENDPOINT" &
pids+=($!)
wait_for_port "$HEALTH_CHECK_ENDPOINT" "${pids[1]}" collector
wait_for_port "$AUTH0_RECEIVER_ENDPOINT" "${pids[1]}" collector
wait_for_port "$AUTH0_INSPECTOR_ENDPOINT" "${pids[1]}" collector

cat <<MSG

==============================================================================
 otelcol-auth0 is running.
   POST Auth0 log events to:  http://$AUTH0_RECEIVER_ENDPOINT/api/logs
   Authorization header:      $AUTH0_LOG_STREAM_TOKEN
                              (demo value unless AUTH0_LOG_STREAM_TOKEN was set)
   Send the samples:          make send        (from another terminal)
   Forwarded failures appear: below, printed by the local sink, and in
                              $SINK_OUTPUT_FILE (OTLP JSON, one request per line)
   Request inspector:         http://$AUTH0_INSPECTOR_ENDPOINT/
                              (the last 50 requests and what was answered;
                              as JSON: http://$AUTH0_INSPECTOR_ENDPOINT/requests.json)
   Health check:              http://$HEALTH_CHECK_ENDPOINT/
 Ctrl-C stops both processes.
==============================================================================

MSG

# Returns when either process exits; the EXIT trap stops the other.
set +e
wait -n "${pids[@]}"
status=$?
set -e
echo "run: a process exited unexpectedly (status $status); stopping the other" >&2
exit 1
