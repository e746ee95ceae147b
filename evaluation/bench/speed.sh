#!/usr/bin/env bash
# Side-by-side speed, one thread, K = 50: poisfact's HPF sweep, MU and CD
# iterations, hpfrec, hgaprec and scikit-learn's KL-MU, in interleaved
# rounds so that the machine's drift hits all of them. Prints one line per
# run: NAME SECONDS_PER_ITERATION. The README's speed section reports the
# medians of three rounds.
#
# Two kinds of figure, compared like with like: the whole fit's time over
# its ITERS iterations, setup included (poisfact's seconds_per_iteration,
# hpfrec's and scikit-learn's seconds_per_iter: both peers time their fit
# call over the iterations), and the steady state, the median gap between
# consecutive iterations after the first (the -steady lines, read from
# poisfact's trace; hgaprec's runner reports only this kind). MU and CD
# both run 10 iterations, so their whole fits share the setup alike.
#
# Usage: evaluation/bench/speed.sh MATRIX.mtx [ROUNDS]
# Env:   POISFACT      the poisfact binary (default: built from this tree)
#        SHARED        the shared folder (default: ../shared beside the repo)
#        HPFREC_PATH, HGAPREC_BIN  the peers, built as ../shared/bench/README.md says
#        ITERS         HPF sweeps of poisfact and hpfrec (default 5)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
m=${1:?usage: speed.sh MATRIX.mtx [ROUNDS]}
rounds=${2:-3}
iters=${ITERS:-5}
bench=${SHARED:-$here/../shared}/bench
pf=${POISFACT:-}
if [ -z "$pf" ]; then
  pf=$(mktemp -d)/poisfact
  (cd "$here" && go build -o "$pf" ./cmd/poisfact)
fi
# field NAME: the field of the JSON object on stdin (poisfact prints one
# indented object, the peers' runners one line after their progress).
field() {
  /usr/bin/python3 -c "
import json, sys
t = sys.stdin.read().strip()
try:
    d = json.loads(t)
except ValueError:
    d = json.loads(t.splitlines()[-1])
print(d['$1'])"
}
# steady: the median gap between consecutive sweeps after the first, from
# poisfact's JSON trace (cumulative seconds per sweep) on stdin.
steady() {
  /usr/bin/python3 -c "
import json, statistics, sys
s = [it['seconds'] for it in json.load(sys.stdin)['trace']]
print(statistics.median(b - a for a, b in zip(s[1:], s[2:])))"
}
for round in $(seq "$rounds"); do
  echo "round $round"
  hpf=$("$pf" fit -in "$m" -k 50 -iters "$iters" -tol -1 -workers 1 -json 2>/dev/null)
  echo "poisfact-hpf $(field seconds_per_iteration <<<"$hpf")"
  echo "poisfact-hpf-steady $(steady <<<"$hpf")"
  mu=$("$pf" fit -in "$m" -model nmf -k 50 -iters 10 -tol -1 -workers 1 -json 2>/dev/null)
  echo "poisfact-mu $(field seconds_per_iteration <<<"$mu")"
  echo "poisfact-mu-steady $(steady <<<"$mu")"
  cd=$("$pf" fit -in "$m" -model nmf-cd -k 50 -iters 10 -tol -1 -workers 1 -json 2>/dev/null)
  echo "poisfact-cd $(field seconds_per_iteration <<<"$cd")"
  echo "poisfact-cd-steady $(steady <<<"$cd")"
  echo "hpfrec $(/usr/bin/python3 "$bench/hpfrec_fit.py" "$m" 50 "$iters" 1 1 2>/dev/null | field seconds_per_iter)"
  echo "hgaprec $(/usr/bin/python3 "$bench/hgaprec_run.py" "$m" 50 3 1 1 2>/dev/null | field seconds_per_iter)"
  echo "sklearn-mu $(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$bench/sklearn_nmf_kl.py" "$m" 50 10 1 1 2>/dev/null | field seconds_per_iter)"
done
