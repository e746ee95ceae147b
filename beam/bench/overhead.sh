#!/usr/bin/env bash
# Per-sweep time of the Beam fit on Prism against the in-process fit of
# the same matrix, in interleaved rounds so that the machine's drift hits
# both: the steady-state seconds per sweep (the mean over sweeps 4 to the
# last, from each fit's JSON trace) and the peak memory of each process.
#
# Usage: beam/bench/overhead.sh MATRIX SHARDS K [SWEEPS] [ROUNDS]
# Env:   WORKERS  goroutines of each fit (default 2)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
m=${1:?usage: overhead.sh MATRIX SHARDS K [SWEEPS] [ROUNDS]}
shards=${2:?shards}
k=${3:?K}
sweeps=${4:-8}
rounds=${5:-2}
workers=${WORKERS:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/poisfact" ./cmd/poisfact)
(cd "$root/beam" && go build -o "$tmp/poisfact-beam" ./cmd/poisfact-beam)
"$tmp/poisfact" convert -shards "$shards" "$m" "$tmp/shards" >/dev/null
steady() {
  /usr/bin/python3 -c "
import json, sys
d = json.load(sys.stdin)
t = [e['seconds'] for e in d['trace']]
print('%.3f s per sweep (%d sweeps in %.2f s)' % ((t[-1] - t[2]) / (len(t) - 3), len(t), d['seconds']))"
}
for round in $(seq "$rounds"); do
  echo "in-process round $round: $(/usr/bin/time -f '%M' -o "$tmp/mem" "$tmp/poisfact" fit -in "$m" -k "$k" -iters "$sweeps" -tol -1 -workers "$workers" -json 2>/dev/null | steady), peak $(($(cat "$tmp/mem") / 1024)) MB"
  rm -rf "$tmp/work"
  echo "beam/prism round $round: $(/usr/bin/time -f '%M' -o "$tmp/mem" "$tmp/poisfact-beam" fit -in "$tmp/shards/*.pfb" -work "$tmp/work" -k "$k" -iters "$sweeps" -tol -1 -workers "$workers" -json 2>/dev/null | steady), peak $(($(cat "$tmp/mem") / 1024)) MB"
done
