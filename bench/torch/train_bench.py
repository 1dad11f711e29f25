#!/usr/bin/python3
"""PyTorch side of the digits training-throughput benchmark (run with Debian's /usr/bin/python3, torch 1.13).

Mirrors NasNotebooks' TorchTrainer loop: data as tensors, a seeded permutation per epoch, batches
as slices, Adam, cross-entropy, loss.item() every step; only the training loop is timed.
Prints one `RESULT name samples_per_second` line per model (median of the runs after a warm-up run).
"""
import argparse
import gzip
import statistics
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


def load_digits(path, seed=0, test_fraction=0.2):
    with gzip.open(path, "rt") as f:
        rows = np.loadtxt(f, delimiter=",", dtype=np.int64)
    x = rows[:, :64].astype(np.float32) / 16.0
    y = rows[:, 64]
    order = np.random.RandomState(seed).permutation(len(y))
    n_train = int(np.ceil((1 - test_fraction) * len(y)))
    tr, te = order[:n_train], order[n_train:]
    mean, std = x[tr].mean(), x[tr].std()
    x = (x - mean) / std
    return (torch.from_numpy(x[tr]), torch.from_numpy(y[tr])), (torch.from_numpy(x[te]), torch.from_numpy(y[te]))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.Conv2d(16, 32, 3), nn.ReLU(), nn.Flatten(), nn.Linear(512, 10))


def train(make, x, y, epochs, seed, batch=64):
    torch.manual_seed(seed)
    model = make()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = x.shape[0]
    steps = n // batch + (1 if n % batch >= 2 else 0)
    g = torch.Generator().manual_seed(seed)
    samples, elapsed = 0, 0.0
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=g)
        xs, ys = x.index_select(0, perm), y.index_select(0, perm)
        for b in range(steps):
            xb = xs.narrow(0, b * batch, min(batch, n - b * batch))
            yb = ys.narrow(0, b * batch, min(batch, n - b * batch))
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            value = loss.item()
            if not np.isfinite(value):
                raise RuntimeError("loss diverged")
            samples += xb.shape[0]
        elapsed += time.perf_counter() - t0
    return samples / elapsed, model


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--model", default="all")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    (xtr, ytr), (xte, yte) = load_digits(a.data)
    print(f"PyTorch {torch.__version__}: {a.epochs} epochs x {a.repeats} runs, batch 64, Adam, "
          f"{torch.get_num_threads()} threads, {xtr.shape[0]} training samples")
    for name, make, x in (("mlp", mlp, xtr), ("cnn", cnn, xtr.reshape(-1, 1, 8, 8))):
        if a.model not in ("all", name):
            continue
        train(make, x, ytr, a.epochs, 0)  # warm-up run
        rates = []
        for r in range(a.repeats):
            rate, model = train(make, x, ytr, a.epochs, r)
            rates.append(rate)
        model.eval()
        with torch.no_grad():
            xt = xte if name == "mlp" else xte.reshape(-1, 1, 8, 8)
            acc = (model(xt).argmax(1) == yte).float().mean().item()
        print(f"  {name}: runs {' '.join(f'{r:.0f}' for r in sorted(rates))} samples/s; last test accuracy {acc:.1%}")
        print(f"RESULT {name} {statistics.median(rates):.1f}")


if __name__ == "__main__":
    main()
