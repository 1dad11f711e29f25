#!/usr/bin/python3
"""NB201 search quality of Optuna samplers, same protocol as `nb201-search` in bench/Bench.

Each run searches on the valid column (maximize) over the 6 NB201 edges (suggest_categorical over the
5 ops); every trial counts as one evaluation (repeats included: Optuna has no deduplication); we
report mean ± std over seeds of the test column of the best-valid architecture after each budget, the
% of runs hitting the table's best test accuracy at the last budget, and the distinct architectures
proposed. `--curves FILE` writes, per sampler, every seed's curve (test of best-valid after each
evaluation) as JSON, which `nb201-search --optuna` merges into its report.

Usage: /usr/bin/python3 bench/algorithms/optuna_nb201.py <table.csv> [seeds=100] [samplers=random,tpe,tpe_multivariate]
         [--budgets 100,300] [--valid-column cifar10_valid_acc] [--test-column cifar10_test_acc] [--curves FILE]
"""
import argparse
import csv
import json
import math
import time
import warnings

import optuna

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
EDGES = ["edge_1_0", "edge_2_0", "edge_2_1", "edge_3_0", "edge_3_1", "edge_3_2"]
FROM = [0, 0, 1, 0, 1, 2]


def arch(ops):
    s = "|"
    for e, op in enumerate(ops):
        s += f"{op}~{FROM[e]}|"
        if e in (0, 2):
            s += "+|"
    return s


def sampler_for(name, seed):
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe_multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    raise SystemExit(f"unknown sampler '{name}' (known: random, tpe, tpe_multivariate)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("table")
    ap.add_argument("seeds", nargs="?", type=int, default=100)
    ap.add_argument("samplers", nargs="?", default="random,tpe,tpe_multivariate")
    ap.add_argument("--budgets", default="100,300")
    ap.add_argument("--valid-column", default="cifar10_valid_acc")
    ap.add_argument("--test-column", default="cifar10_test_acc")
    ap.add_argument("--curves")
    a = ap.parse_args()
    budgets = [int(b) for b in a.budgets.split(",")]
    table = {}
    with open(a.table) as f:
        reader = csv.DictReader(f)
        for col in (a.valid_column, a.test_column, "arch"):
            if col not in reader.fieldnames:
                raise SystemExit(f"{a.table}: no column '{col}' (found: {', '.join(reader.fieldnames)})")
        for row in reader:
            table[row["arch"]] = (float(row[a.valid_column]), float(row[a.test_column]))
    best_test = max(t for _, t in table.values())
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore")
    print(f"Optuna {optuna.__version__} NB201 search quality: {a.seeds} seeds, budgets {'/'.join(map(str, budgets))}; "
          f"search on {a.valid_column}, report {a.test_column}; best test {best_test:.4f}")
    print()
    heads = " | ".join(f"test acc @{b}" for b in budgets)
    print(f"| algorithm | {heads} | % runs hitting best test @{budgets[-1]} | distinct DNAs @{budgets[-1]} | s/run |")
    print("|---|" + "---|" * (len(budgets) + 3))
    curves = {}
    for name in a.samplers.split(","):
        runs, distinct = [], []
        t0 = time.perf_counter()
        for seed in range(a.seeds):
            study = optuna.create_study(direction="maximize", sampler=sampler_for(name, seed))
            best_valid, test_of_best, curve, seen = -math.inf, 0.0, [], set()
            for _ in range(budgets[-1]):
                trial = study.ask()
                key = arch([trial.suggest_categorical(e, OPS) for e in EDGES])
                seen.add(key)
                v, te = table[key]
                if v > best_valid:
                    best_valid, test_of_best = v, te
                study.tell(trial, v)
                curve.append(test_of_best)
            runs.append(curve)
            distinct.append(len(seen))
        secs = (time.perf_counter() - t0) / a.seeds
        curves[f"Optuna {optuna.__version__} {name}"] = {"curves": runs, "distinct": distinct, "secondsPerRun": secs}

        def cell(b):
            xs = [r[b - 1] for r in runs]
            m = sum(xs) / len(xs)
            sd = math.sqrt(sum((x - m) ** 2 for x in xs) / max(1, len(xs) - 1))
            return f"{m:.3f} ± {sd:.3f}"

        hit = 100.0 * sum(1 for r in runs if abs(r[-1] - best_test) < 1e-6) / a.seeds
        cells = " | ".join(cell(b) for b in budgets)
        print(f"| Optuna {optuna.__version__} {name} | {cells} | {hit:.0f}% | {sum(distinct) / len(distinct):.0f} | {secs:.3f} |", flush=True)
    if a.curves:
        with open(a.curves, "w") as f:
            json.dump(curves, f)


if __name__ == "__main__":
    main()
