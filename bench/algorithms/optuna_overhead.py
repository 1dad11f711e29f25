#!/usr/bin/python3
"""Per-trial overhead of Optuna 3.1 (ask + suggest + tell, free objective, in-memory storage) on the
space used by `algorithm-overhead` in bench/Bench: 6 categorical of 5, a log float, a linear float and
an int 1..8. Prints mean µs per trial over trials 201..300 and 901..1000 as tab-separated lines
`name<TAB>us@300<TAB>us@1000<TAB>median_us@1000` (mean wall-clock per window, and the median per trial over 901..1000).

Usage: /usr/bin/python3 bench/algorithms/optuna_overhead.py [trials=1000] [samplers=random,tpe,tpe_multivariate]
"""
import sys
import time
import warnings

import optuna

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


def run(name, trials):
    if name == "random":
        sampler = optuna.samplers.RandomSampler(seed=0)
    elif name == "tpe":
        sampler = optuna.samplers.TPESampler(seed=0)
    else:
        sampler = optuna.samplers.TPESampler(seed=0, multivariate=True)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    times = []
    for _ in range(trials):
        t0 = time.perf_counter()
        trial = study.ask()
        s = sum(OPS.index(trial.suggest_categorical(f"e{i}", OPS)) for i in range(6))
        s += trial.suggest_float("lr", 1e-4, 1e-1, log=True) * 10
        s += trial.suggest_float("drop", 0.0, 0.5)
        s += trial.suggest_int("depth", 1, 8) * 0.1
        study.tell(trial, s)
        times.append(time.perf_counter() - t0)
    a = sum(times[200:300]) / 100 * 1e6
    b = sum(times[900:1000]) / 100 * 1e6 if trials >= 1000 else float("nan")
    c = sorted(times[900:1000])[50] * 1e6 if trials >= 1000 else float("nan")
    return a, b, c


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    names = sys.argv[2].split(",") if len(sys.argv) > 2 else ["random", "tpe", "tpe_multivariate"]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore")
    for n in names:
        a, b, c = run(n, trials)
        print(f"{n}\t{a:.1f}\t{b:.1f}\t{c:.1f}", flush=True)


if __name__ == "__main__":
    main()
