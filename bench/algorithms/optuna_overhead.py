#!/usr/bin/python3
"""Per-trial overhead of Optuna 3.1 (ask + suggest + tell, free objective, in-memory storage) on the
space used by `algorithm-overhead` in bench/Bench: 6 categorical of 5, a log float, a linear float and
an int 1..8.

Full runs (default): every trial is sampled; prints mean µs per trial over trials 201..300 and
901..1000 as tab-separated lines `name<TAB>us@300<TAB>us@1000<TAB>median_us@1000`.

Prefilled runs (`--prefill N`): the study first gets N completed trials drawn uniformly at random
(added with `study.add_trials`, not sampled, so they cost no sampling time), then 100 trials are
sampled and timed: the per-trial cost at trials N+1..N+100 without running the N trials before
(a full 10,000-trial TPE run takes Optuna about an hour on this machine). Prints
`name<TAB>mean_us<TAB>median_us`.

Usage: /usr/bin/python3 bench/algorithms/optuna_overhead.py [trials=1000] [samplers=random,tpe,tpe_multivariate] [--prefill N]
"""
import random
import sys
import time
import warnings

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
DISTRIBUTIONS = {
    **{f"e{i}": CategoricalDistribution(OPS) for i in range(6)},
    "lr": FloatDistribution(1e-4, 1e-1, log=True),
    "drop": FloatDistribution(0.0, 0.5),
    "depth": IntDistribution(1, 8),
}


def objective(params):
    s = sum(OPS.index(params[f"e{i}"]) for i in range(6))
    return s + params["lr"] * 10 + params["drop"] + params["depth"] * 0.1


def make_study(name):
    if name == "random":
        sampler = optuna.samplers.RandomSampler(seed=0)
    elif name == "tpe":
        sampler = optuna.samplers.TPESampler(seed=0)
    else:
        sampler = optuna.samplers.TPESampler(seed=0, multivariate=True)
    return optuna.create_study(direction="maximize", sampler=sampler)


def timed_trial(study):
    t0 = time.perf_counter()
    trial = study.ask()
    params = {f"e{i}": trial.suggest_categorical(f"e{i}", OPS) for i in range(6)}
    params["lr"] = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    params["drop"] = trial.suggest_float("drop", 0.0, 0.5)
    params["depth"] = trial.suggest_int("depth", 1, 8)
    study.tell(trial, objective(params))
    return time.perf_counter() - t0


def run(name, trials):
    study = make_study(name)
    times = [timed_trial(study) for _ in range(trials)]
    a = sum(times[200:300]) / 100 * 1e6
    b = sum(times[900:1000]) / 100 * 1e6 if trials >= 1000 else float("nan")
    c = sorted(times[900:1000])[50] * 1e6 if trials >= 1000 else float("nan")
    return a, b, c


def run_prefilled(name, prefill):
    study = make_study(name)
    rng = random.Random(0)
    history = []
    for _ in range(prefill):
        params = {f"e{i}": rng.choice(OPS) for i in range(6)}
        params["lr"] = 10 ** rng.uniform(-4, -1)
        params["drop"] = rng.uniform(0.0, 0.5)
        params["depth"] = rng.randint(1, 8)
        history.append(optuna.trial.create_trial(params=params, distributions=DISTRIBUTIONS, value=objective(params)))
    study.add_trials(history)
    times = [timed_trial(study) for _ in range(100)]
    return sum(times) / len(times) * 1e6, sorted(times)[50] * 1e6


def main():
    args = sys.argv[1:]
    prefill = None
    if "--prefill" in args:
        i = args.index("--prefill")
        prefill = int(args[i + 1])
        del args[i:i + 2]
    trials = int(args[0]) if len(args) > 0 else 1000
    names = args[1].split(",") if len(args) > 1 else ["random", "tpe", "tpe_multivariate"]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore")
    for n in names:
        if prefill is not None:
            mean, median = run_prefilled(n, prefill)
            print(f"{n}\t{mean:.1f}\t{median:.1f}", flush=True)
        else:
            a, b, c = run(n, trials)
            print(f"{n}\t{a:.1f}\t{b:.1f}\t{c:.1f}", flush=True)


if __name__ == "__main__":
    main()
