# procs.sh: process handling shared by run.sh and run-pull.sh (sourced; set $name first).
# Every process started in the background is added to pids; Ctrl-C and exit stop them all in
# order. set -m puts each in its own process group, so the terminal's SIGINT reaches only this
# script, which then stops them; otherwise they would see it themselves and exit before the
# trap runs.
set -m
pids=()

stop_all() {
	local pid
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	pids=()
}

on_signal() {
	trap - INT TERM
	echo
	echo "$name: stopping..."
	stop_all
	echo "$name: stopped."
	exit 0
}
trap on_signal INT TERM
trap stop_all EXIT

# wait_for_port HOST:PORT PID WHAT: returns once something accepts connections on HOST:PORT;
# fails if PID exits first or after 60 s.
wait_for_port() {
	local host=${1%:*} port=${1##*:} pid=$2 what=$3 i
	for ((i = 0; i < 300; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$name: the $what exited during startup (see its log above)" >&2
			return 1
		fi
		if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.2
	done
	echo "$name: the $what did not open $host:$port within 60 s" >&2
	return 1
}
