#!/usr/bin/python3
"""NB201 search quality of Optuna 3.1 samplers, same protocol as `nb201-search` in bench/Bench.

Each run searches on cifar10_valid_acc (maximize) over the 6 NB201 edges (suggest_categorical over the
5 ops); every trial counts as one evaluation; we report mean ± std over seeds of the cifar10_test_acc
of the best-valid architecture after 100 and 300 trials, and the % of runs hitting the table's best
test accuracy at 300.

Usage: /usr/bin/python3 bench/algorithms/optuna_nb201.py <table.csv> [seeds=100] [samplers=random,tpe,tpe_multivariate]
"""
import csv
import math
import sys
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


def main():
    path = sys.argv[1]
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    names = sys.argv[3].split(",") if len(sys.argv) > 3 else ["random", "tpe", "tpe_multivariate"]
    table = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            table[row["arch"]] = (float(row["cifar10_valid_acc"]), float(row["cifar10_test_acc"]))
    best_test = max(t for _, t in table.values())
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore")
    budgets = [100, 300]
    print(f"Optuna {optuna.__version__} NB201 search quality: {seeds} seeds, budgets 100/300; best test {best_test:.4f}")
    print()
    print("| algorithm | test acc @100 | test acc @300 | % runs hitting best test @300 | s/run |")
    print("|---|---|---|---|---|")
    for name in names:
        res = []
        t0 = time.perf_counter()
        for seed in range(seeds):
            if name == "random":
                sampler = optuna.samplers.RandomSampler(seed=seed)
            elif name == "tpe":
                sampler = optuna.samplers.TPESampler(seed=seed)
            else:
                sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True)
            study = optuna.create_study(direction="maximize", sampler=sampler)
            best_valid, test_of_best, row = -1.0, 0.0, []
            for t in range(1, budgets[-1] + 1):
                trial = study.ask()
                ops = [trial.suggest_categorical(e, OPS) for e in EDGES]
                v, te = table[arch(ops)]
                if v > best_valid:
                    best_valid, test_of_best = v, te
                study.tell(trial, v)
                if t in budgets:
                    row.append(test_of_best)
            res.append(row)
        secs = (time.perf_counter() - t0) / seeds

        def cell(b):
            xs = [r[b] for r in res]
            m = sum(xs) / len(xs)
            sd = math.sqrt(sum((x - m) ** 2 for x in xs) / max(1, len(xs) - 1))
            return f"{m:.2f} ± {sd:.2f}"

        hit = 100.0 * sum(1 for r in res if abs(r[1] - best_test) < 1e-6) / seeds
        print(f"| optuna {name} | {cell(0)} | {cell(1)} | {hit:.0f}% | {secs:.3f} |", flush=True)


if __name__ == "__main__":
    main()
