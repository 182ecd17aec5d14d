#!/usr/bin/env bash
# The overseer command's throughput figures (see README.md beside this file):
#
#   benchmarks/command/run.sh [throughput|fleet|dashboard|peers|all]...
#
# Builds the command and the tools of this directory into a temporary
# directory, writes the Procfiles there, times each figure with pairtime
# (the command against its floor, in turn, pair by pair), checks every run's
# output with checklines, and prints a markdown table. Nothing is written
# into the tree. A benchmark: it is not run by CI.
#
# Environment: RUNS (counted pairs, default 5), PEER_RUNS (default 3: foreman
# takes ~50 s a run), WARMUP (default 1), LINES (default 1000000), KEEP=1 to
# keep the work directory, GOREMAN / HIVEMIND (binaries to use instead of
# `go install github.com/mattn/goreman@latest` and
# `go install github.com/DarthSim/hivemind@latest`), FOREMAN (default: foreman
# on PATH, Debian's ruby-foreman).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
RUNS=${RUNS:-5}
PEER_RUNS=${PEER_RUNS:-3}
WARMUP=${WARMUP:-1}
LINES=${LINES:-1000000}
SIZE=100
FLEET_PROCS=100
FLEET_LINES=20000

figures=("$@")
[ ${#figures[@]} -eq 0 ] && figures=(all)
for f in "${figures[@]}"; do
	case $f in
	throughput | fleet | dashboard | peers | all) ;;
	*)
		echo "usage: $0 [throughput|fleet|dashboard|peers|all]..." >&2
		exit 2
		;;
	esac
done
want() {
	local f
	for f in "${figures[@]}"; do
		[ "$f" = "$1" ] || [ "$f" = all ] && return 0
	done
	return 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/overseer-cmdbench.XXXXXX")
if [ "${KEEP:-}" = 1 ]; then
	echo "work directory (kept): $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi
bin=$work/bin
mkdir -p "$bin"

echo "--- building into $bin" >&2
(cd "$root" && go build -o "$bin/overseer" ./cmd/overseer)
for t in genlines checklines pairtime sseclient; do
	(cd "$root" && go build -o "$bin/$t" "./benchmarks/command/$t")
done
rev=$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(cd "$root" && git status --porcelain 2>/dev/null | grep -qv '^??' && echo "+changes" || true)

gen="$bin/genlines -size $SIZE"
chk="$bin/checklines -size $SIZE"

# Procfiles. $PAIRTIME_RUN names the flag file of the run, which the client
# of the dashboard figure creates once connected.
printf 'p0: exec %s -n %d -tag p0\n' "$gen" "$LINES" >"$work/one.Procfile"
printf 'p0: exec %s -n %d -tag p0 -wait %s/flag.$PAIRTIME_RUN\n' "$gen" "$LINES" "$work" >"$work/wait.Procfile"
: >"$work/fleet.Procfile"
for ((i = 0; i < FLEET_PROCS; i++)); do
	printf 'p%d: exec %s -n %d -tag p%d\n' "$i" "$gen" "$FLEET_LINES" "$i" >>"$work/fleet.Procfile"
done

rows=()
notes=()
# bench NAME ARGS...: pairtime with ARGS, its output kept in $work/NAME.log;
# prints the summary line.
bench() {
	local name=$1
	shift
	echo "--- $name" >&2
	"$bin/pairtime" -label "$name" "$@" >"$work/$name.log"
	sed 's/^/    /' "$work/$name.log" | grep -v '^    summary' >&2
	grep '^summary' "$work/$name.log"
}
# get KEY SUMMARY: the value of KEY in a summary line.
get() {
	local v
	v=$(printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p")
	echo "${v:--}"
}
# row TITLE SUMMARY B_TITLE: a line of the table.
row() {
	local s=$2
	local lost broken
	lost=$(get check_lost "$s")
	broken=$(get check_broken "$s")
	rows+=("| $1 | $(get a_wall "$s") ($(get a_wall_min "$s")–$(get a_wall_max "$s")) | $3 $(get b_wall "$s") | **$(get ratio_wall "$s")×** ($(get ratio_wall_min "$s")–$(get ratio_wall_max "$s")) | $(get a_cpu "$s") | **$(get a_rss "$s")** ($(get a_rss_min "$s")–$(get a_rss_max "$s")) | $(get b_rss "$s") | $lost | $broken | $(get check_outoforder "$s") |")
}

if want throughput; then
	s=$(bench throughput -n "$RUNS" -warmup "$WARMUP" \
		-a "exec $bin/overseer -f $work/one.Procfile -http '' >$work/out.a 2>$work/err.a" \
		-b "exec $gen -n $LINES -tag p0 >$work/out.b" \
		-check "$chk -n $LINES $work/out.a")
	row "1. one process, $LINES lines of $SIZE B, to a file" "$s" "generator:"
fi

if want fleet; then
	# The floor: the same 100 generators, run at once by sh, writing into one
	# file (one open file shared, as the command's output is): the same work
	# of the children and the same bytes, without a supervisor.
	floor="for i in \$(seq 0 $((FLEET_PROCS - 1))); do $gen -n $FLEET_LINES -tag p\$i & done >$work/out.b; wait"
	s=$(bench fleet -n "$RUNS" -warmup "$WARMUP" \
		-a "exec $bin/overseer -f $work/fleet.Procfile -http '' >$work/out.a 2>$work/err.a" \
		-b "$floor" \
		-check "$chk -procs $FLEET_PROCS -n $FLEET_LINES $work/out.a")
	row "2. $FLEET_PROCS processes × $FLEET_LINES lines at once" "$s" "generators in parallel:"
	# Another floor, for reference: copying their output, made beforehand.
	for ((i = 0; i < FLEET_PROCS; i++)); do
		$gen -n "$FLEET_LINES" -tag "p$i" >"$work/fleet.$i"
	done
	c=$(bench fleet-cat -n "$RUNS" -warmup "$WARMUP" -a "exec cat $work/fleet.* >$work/out.c")
	rm -f "$work"/fleet.[0-9]* "$work/out.c"
	notes+=("Fleet, other floor: cat of the $FLEET_PROCS outputs, made beforehand, into one file: $(get a_wall "$c") s ($(get a_wall_min "$c")–$(get a_wall_max "$c"))")
fi

if want dashboard; then
	pa=$("$bin/sseclient" -freeport)
	pb=$("$bin/sseclient" -freeport)
	# 3. The dashboard served (the command's default), nobody connected,
	# against none (-http '').
	s=$(bench dashboard-idle -n "$RUNS" -warmup "$WARMUP" \
		-a "exec $bin/overseer -f $work/one.Procfile -http 127.0.0.1:$pa >$work/out.a 2>$work/err.a" \
		-b "exec $bin/overseer -f $work/one.Procfile -http '' >$work/out.b 2>$work/err.b" \
		-check "$chk -n $LINES $work/out.a")
	row "3. job 1, the dashboard served, no client" "$s" "no dashboard:"
	notes+=("Dashboard served, no client: RSS minus that with no dashboard, pair by pair: $(get delta_rss "$s") MB ($(get delta_rss_min "$s")–$(get delta_rss_max "$s"))")
	# 3a, 3b: a client of its event stream, connected before the process
	# writes its first line, against the dashboard with no client.
	for mode in read stall; do
		s=$(bench "dashboard-$mode" -n "$RUNS" -warmup "$WARMUP" \
			-a "exec $bin/overseer -f $work/wait.Procfile -http 127.0.0.1:$pa >$work/out.a 2>$work/err.a" \
			-side "exec $bin/sseclient -mode $mode -url http://127.0.0.1:$pa/api/events -ready $work/flag.\$PAIRTIME_RUN 2>>$work/sse-$mode.log" \
			-b "exec $bin/overseer -f $work/one.Procfile -http 127.0.0.1:$pb >$work/out.b 2>$work/err.b" \
			-check "$chk -n $LINES $work/out.a")
		case $mode in
		read) title="3a. job 1, an event-stream client reading" ;;
		stall) title="3b. job 1, an event-stream client that never reads" ;;
		esac
		row "$title" "$s" "dashboard, no client:"
		notes+=("Dashboard, client $mode: RSS with the client minus without, pair by pair: $(get delta_rss "$s") MB ($(get delta_rss_min "$s")–$(get delta_rss_max "$s"))")
		if [ "$mode" = read ] && [ -s "$work/sse-read.log" ]; then
			notes+=("Dashboard, client read: lines the client got of the $LINES, per run (warm-up first): $(sed -n 's/.*read [0-9]* bytes, \([0-9]*\) lines.*/\1/p' "$work/sse-read.log" | paste -sd/ -)")
		fi
	done
fi

if want peers; then
	peers=("overseer|exec $bin/overseer -f $work/one.Procfile -http ''")
	# go_peer NAME PATH MODULE ARGS: the peer at PATH, else go-installed
	# from MODULE; ARGS follow the binary in its command line.
	go_peer() {
		local name=$1 path=$2 module=$3 args=$4
		if [ -z "$path" ] && GOBIN=$bin go install "$module@latest" >"$work/$name.install" 2>&1; then
			path=$bin/$name
		fi
		if [ -n "$path" ]; then
			peers+=("$name|exec $path $args")
		else
			notes+=("$name: not built ($(tail -1 "$work/$name.install")); set ${name^^}=/path/to/$name")
		fi
	}
	go_peer goreman "${GOREMAN:-}" github.com/mattn/goreman "-f $work/one.Procfile start"
	go_peer hivemind "${HIVEMIND:-}" github.com/DarthSim/hivemind "$work/one.Procfile"
	foreman=${FOREMAN:-$(command -v foreman || true)}
	if [ -n "$foreman" ]; then
		peers+=("foreman|exec $foreman start -f $work/one.Procfile")
	else
		notes+=("foreman: not found (apt-get install ruby-foreman, or set FOREMAN)")
	fi
	for p in "${peers[@]}"; do
		name=${p%%|*}
		s=$(bench "peer-$name" -n "$PEER_RUNS" -warmup 0 \
			-a "${p#*|} >$work/out.a 2>&1" \
			-b "exec $gen -n $LINES -tag p0 >$work/out.b" \
			-check "$chk -n $LINES $work/out.a")
		row "4. $name, job 1" "$s" "generator:"
	done
fi

echo
echo "overseer $rev$dirty, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'); medians of $RUNS pairs ($PEER_RUNS for peers), (min–max); seconds, MB"
echo
echo "| figure | wall | floor wall | wall / floor | cpu | peak RSS | floor RSS | lost per run | broken per run | out of order |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if [ ${#notes[@]} -gt 0 ]; then
	echo
	printf -- '- %s\n' "${notes[@]}"
fi
