#!/usr/bin/env bash
# `make send`: POST the sample Auth0 payloads from testdata/ to a running `make run`, one
# request per file, in all three Content Formats (JSON Lines, JSON Array, JSON Object).
set -euo pipefail

cd "$(dirname "$0")/../.."

token=${AUTH0_LOG_STREAM_TOKEN:-demo-token-change-me}
url=${AUTH0_URL:-http://${AUTH0_RECEIVER_ENDPOINT:-127.0.0.1:8383}/api/logs}
inspector=http://${AUTH0_INSPECTOR_ENDPOINT:-127.0.0.1:8384}

if ! command -v curl >/dev/null; then
	echo "send: curl is needed (apt-get install curl)" >&2
	exit 1
fi

body=$(mktemp)
trap 'rm -f "$body"' EXIT

failed=0
for file in testdata/*.jsonl testdata/*.json; do
	printf '%-36s ' "$file"
	status=$(curl -sS -o "$body" -w '%{http_code}' -X POST \
		-H "Authorization: $token" -H 'Content-Type: application/json' \
		--data-binary "@$file" "$url") || status=000
	echo "HTTP $status $(cat "$body" 2>/dev/null || true)"
	[[ $status == 200 ]] || failed=1
done

echo
echo "What the receiver saw and answered, newest first ($inspector/requests.json):"
if ! curl -sS --max-time 5 "$inspector/requests.json"; then
	echo "send: the request inspector is not reachable at $inspector (make run turns it on)" >&2
fi

cat <<MSG

Sent to $url; the same requests as a page: $inspector/
The sink prints the forwarded failures, warnings and unknown event types
(successes are filtered out) and appends them to data/received.jsonl. Sending the same files
again is answered 200 but forwards nothing: the receiver drops log_ids it already accepted.
MSG
exit "$failed"
