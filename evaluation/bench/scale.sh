#!/usr/bin/env bash
# The scale benchmark, out of go test: draw a Netflix-shaped matrix from
# the HPF model (480,189 × 17,770, K = 100, about 100 M non-zeros) straight
# to the binary format with the sparse sampler, then time loading it, a few
# batch CAVI sweeps and (with SVI=1) one SVI epoch, each with its peak
# memory (/usr/bin/time) and the held-out log-likelihood of a 1% per-row
# split at every check.
#
# Usage: evaluation/bench/scale.sh [DIR]     (default DIR /tmp/poisfact-scale)
# Env:   SWEEPS (default 3), WORKERS (default 2), SVI=1 to run an epoch of
#        SVI too (about 18 CAVI sweeps' time today), TOTAL (the expected
#        total count, default 130000000, about 100 M non-zeros).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-/tmp/poisfact-scale}
mkdir -p "$dir"
pf="$dir/poisfact"
(cd "$here" && go build -o "$pf" ./cmd/poisfact)
m="$dir/netflix.pfb"
t() { /usr/bin/time -f "  wall %e s, peak %M KB" "$@"; }
if [ ! -f "$m" ]; then
  echo "draw $m"
  t "$pf" simulate -rows 480189 -cols 17770 -k 100 -total "${TOTAL:-130000000}" -out "$m"
fi
echo "load"
t "$pf" info "$m" | sed -n 2,4p
echo "CAVI, ${SWEEPS:-3} sweeps, K = 100, ${WORKERS:-2} workers"
t "$pf" fit -in "$m" -k 100 -iters "${SWEEPS:-3}" -tol -1 -workers "${WORKERS:-2}" 2>&1 |
  grep -E "^sweep|^stopped|wall"
if [ "${SVI:-0}" = 1 ]; then
  echo "SVI, 1 epoch"
  t "$pf" fit -in "$m" -k 100 -svi -iters 1 -init jitter -workers "${WORKERS:-2}" 2>&1 |
    grep -E "^check|^stopped|wall"
fi
