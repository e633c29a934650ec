#!/usr/bin/env bash
# compare.sh BASE: the receiver's decode benchmarks at git revision BASE and in the working
# tree, interleaved round by round (so both see the same machine load), compared by benchstat.
# Before the receiver became its own module the benchmarks lived in its root package; the
# script finds them in either layout.
set -euo pipefail
base=${1:?usage: compare.sh BASE [ROUNDS]}
rounds=${2:-5}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach -q "$work/base" "$base"

# build_bench DIR OUT: compile the decode benchmarks of the tree at DIR into OUT, and print
# the directory they must run in.
build_bench() {
	local dir=$1 out=$2
	if [ -f "$dir/receiver/auth0logstream/internal/translator/bench_test.go" ]; then
		(cd "$dir/receiver/auth0logstream" && go test -c -o "$out" ./internal/translator)
		echo "$dir/receiver/auth0logstream/internal/translator"
	else
		(cd "$dir" && go test -c -o "$out" ./receiver/auth0logstream)
		echo "$dir/receiver/auth0logstream"
	fi
}
base_dir=$(build_bench "$work/base" "$work/base.test")
head_dir=$(build_bench "$root" "$work/head.test")
for i in $(seq "$rounds"); do
	(cd "$base_dir" && "$work/base.test" -test.run '^$' -test.bench 'Auth0Decode' -test.benchmem) >>"$work/base.txt"
	(cd "$head_dir" && "$work/head.test" -test.run '^$' -test.bench 'Auth0Decode' -test.benchmem) >>"$work/head.txt"
done
# The package path moved; benchstat pairs rows by name only when it is the same.
sed -i 's#^pkg: .*#pkg: auth0logstream#' "$work/base.txt" "$work/head.txt"
if [ -n "${OUT_DIR:-}" ]; then cp "$work/base.txt" "$OUT_DIR/decode-base.txt"; cp "$work/head.txt" "$OUT_DIR/decode-head.txt"; fi
go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "base=$work/base.txt" "head=$work/head.txt"
