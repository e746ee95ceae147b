#!/usr/bin/env bash
# Fit poisfact HPF on a fixed split made by ../shared/bench/make_split.py,
# export E[θ] and E[β], and score them with the independent evaluator
# ../shared/bench/heldout_eval.py. Prints one JSON line: the evaluator's
# metrics, poisfact's own report (iterations, best sweep, seconds) and the
# flags used.
#
# Usage: evaluation/bench/heldout.sh SPLITDIR [fit flags...]
#   e.g. evaluation/bench/heldout.sh /tmp/splits/cora -k 20 -seed 1
# Env:   POISFACT   the poisfact binary (default: go run ./cmd/poisfact)
#        SHARED     the shared folder (default: ../shared beside the repo)
#        SCORE      test (default), or valid: fit on the training part
#                   alone (no -valid, no -test) and score the validation
#                   part as the evaluator's test set, for choosing
#                   defaults without looking at the test part
#        FACTORS    a directory to keep the exported factors in, as U.tsv
#                   and V.tsv (for evaluation/bench/paired.py)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
split=${1:?usage: heldout.sh SPLITDIR [fit flags...]}
shift
shared=${SHARED:-$here/../shared}
pf=${POISFACT:-}
if [ -z "$pf" ]; then
  pf=$(mktemp -d)/poisfact
  (cd "$here" && go build -o "$pf" ./cmd/poisfact)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "${SCORE:-test}" = valid ]; then
  # The evaluator's split: the training part, an empty validation part,
  # and the validation part as the test.
  mkdir "$work/split"
  ln -s "$split/train.mtx.gz" "$work/split/train.mtx.gz"
  ln -s "$split/valid.mtx.gz" "$work/split/test.mtx.gz"
  read -r n p _ < <(zcat "$split/train.mtx.gz" | grep -v '^%' | head -1)
  printf '%%%%MatrixMarket matrix coordinate integer general\n%s %s 0\n' "$n" "$p" | gzip > "$work/split/valid.mtx.gz"
  "$pf" fit -in "$split/train.mtx.gz" -out "$work/model" -json "$@" > "$work/report.json" 2> "$work/progress.txt"
  split=$work/split
else
  "$pf" fit -in "$split/train.mtx.gz" -valid "$split/valid.mtx.gz" -test "$split/test.mtx.gz" \
    -out "$work/model" -json "$@" > "$work/report.json" 2> "$work/progress.txt"
fi
"$pf" export -model "$work/model" -out "$work/export" > /dev/null
# The evaluator wants bare matrices: drop the header line and the label column.
for f in row col; do
  tail -n +2 "$work/export/${f}_factors.tsv" | cut -f2- > "$work/$f.tsv"
done
if [ -n "${FACTORS:-}" ]; then
  mkdir -p "$FACTORS"
  cp "$work/row.tsv" "$FACTORS/U.tsv"
  cp "$work/col.tsv" "$FACTORS/V.tsv"
fi
/usr/bin/python3 "$shared/bench/heldout_eval.py" "$split" --U "$work/row.tsv" --V "$work/col.tsv" --k 10 --out "$work/eval.json" > /dev/null
/usr/bin/python3 - "$work/eval.json" "$work/report.json" "$split" "$*" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
out = {"split": sys.argv[3], "flags": sys.argv[4], "evaluator": ev,
       "poisfact": {k: rep.get(k) for k in ("k", "seed", "iterations", "best_iteration", "criterion", "init",
                                            "restart", "seconds", "stop_reason", "elbo")}}
out["poisfact"]["restarts"] = len(rep.get("restarts") or [])
h = rep.get("heldout") or {}
out["poisfact"]["heldout"] = {k: h.get(k) for k in ("loglik_mean", "loglik_mean_nonzero", "loglik_mean_exact",
                                                   "ndcg_at_10", "precision_at_10", "recall_at_10", "map_at_10")}
print(json.dumps(out))
PY
