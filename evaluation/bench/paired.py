#!/usr/bin/python3
"""Paired comparison of two models' ranking on one fixed split, row by row.

Usage:
    /usr/bin/python3 evaluation/bench/paired.py SPLITDIR --a DIR [DIR ...] --b DIR [DIR ...]
        [--k 10] [--metric ndcg] [--boot 10000] [--seed 0] [--shared ../shared]

Each DIR holds one fitted model's factors, U (rows x K) and V (columns x K):
U.npy and V.npy as ../shared/bench/heldout_run.py --save-factors writes them,
or U.tsv and V.tsv as evaluation/bench/heldout.sh writes them with FACTORS=DIR.
The i-th DIR of --a is paired with the i-th of --b (the same seed, say).

Every row's metric is the independent evaluator's own (heldout_eval.py's
ranking_metrics applied to that row alone: the same candidates, order and
ties), so the mean over rows is exactly the evaluator's figure. The
difference A - B is taken row by row; for several pairs, each row's
differences are averaged over the pairs first. The 95% interval resamples
the rows with replacement (a paired bootstrap, --boot resamples from a
generator seeded with --seed): the rows are what a held-out figure averages
over, so this is the sampling error of the comparison on this split. It
does not measure the spread over splits or over the fits' seeds.

Prints one line per pair and one for the mean of the pairs, and with --json
the same as one JSON object.
"""
import argparse
import json
import os
import sys

import numpy as np


def load_factors(he, d):
    for u, v in (("U.npy", "V.npy"), ("U.tsv", "V.tsv")):
        if os.path.exists(os.path.join(d, u)):
            return he.load_factor(os.path.join(d, u)), he.load_factor(os.path.join(d, v))
    raise SystemExit("paired.py: %s: no U.npy/V.npy or U.tsv/V.tsv" % d)


def split_rows(S):
    """Each row with a non-empty test set as a one-row split of its own."""
    Tr, Va, Te = S["train"].tocsr(), S["valid"].tocsr(), S["test"].tocsr()
    rows = np.flatnonzero(np.diff(Te.indptr) > 0)
    return rows, [{"train": Tr[u], "valid": Va[u], "test": Te[u], "n": 1, "p": S["p"]} for u in rows]


def per_row(he, S, parts, U, V, k, metric):
    """The evaluator's metric for each row with a non-empty test set."""
    rows, splits = parts
    key = "%s_at_%d" % (metric, k)
    out = np.array([he.ranking_metrics(Su, U[u:u + 1], V, k=k)[key] for u, Su in zip(rows, splits)])
    # The rows' mean must be the evaluator's figure for the whole split.
    whole = he.ranking_metrics(S, U, V, k=k)[key]
    if abs(out.mean() - whole) > 1e-9 * max(1.0, abs(whole)):
        raise SystemExit("paired.py: the rows' mean %.12g is not the evaluator's %.12g" % (out.mean(), whole))
    return out


def interval(d, boot, rng):
    idx = rng.integers(0, d.size, size=(boot, d.size))
    means = d[idx].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("splitdir")
    ap.add_argument("--a", nargs="+", required=True)
    ap.add_argument("--b", nargs="+", required=True)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--metric", default="ndcg", choices=["ndcg", "precision", "recall", "map"])
    ap.add_argument("--boot", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if len(args.a) != len(args.b):
        raise SystemExit("paired.py: --a has %d models and --b %d: they are paired one to one" % (len(args.a), len(args.b)))
    sys.path.insert(0, os.path.join(args.shared, "bench"))
    import heldout_eval as he

    S = he.load_split(args.splitdir)
    parts = split_rows(S)
    rng = np.random.default_rng(args.seed)
    pairs, diffs = [], []
    for da, db in zip(args.a, args.b):
        ra = per_row(he, S, parts, *load_factors(he, da), args.k, args.metric)
        rb = per_row(he, S, parts, *load_factors(he, db), args.k, args.metric)
        d = ra - rb
        diffs.append(d)
        lo, hi = interval(d, args.boot, rng)
        pairs.append({"a": da, "b": db, "a_mean": float(ra.mean()), "b_mean": float(rb.mean()),
                      "diff": float(d.mean()), "ci95": [lo, hi]})
    d = np.mean(diffs, axis=0)
    lo, hi = interval(d, args.boot, rng)
    res = {"split": args.splitdir, "metric": "%s_at_%d" % (args.metric, args.k), "rows": int(d.size),
           "boot": args.boot, "pairs": pairs,
           "mean": {"a_mean": float(np.mean([p["a_mean"] for p in pairs])),
                    "b_mean": float(np.mean([p["b_mean"] for p in pairs])),
                    "diff": float(d.mean()), "ci95": [lo, hi]}}
    if args.json:
        print(json.dumps(res))
        return
    for p in pairs + [dict(res["mean"], a="mean of the pairs", b="")]:
        print("%-40s A %.4f  B %.4f  A-B %+.4f  95%% [%+.4f, %+.4f]" % (
            (p["a"] + " vs " + p["b"]) if p["b"] else p["a"], p["a_mean"], p["b_mean"], p["diff"], *p["ci95"]))


if __name__ == "__main__":
    main()
