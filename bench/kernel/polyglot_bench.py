#!/usr/bin/python3
"""Benchmark: F# beside C# in the NasNotebooks kernel, through the real jupyter_client.

Measures kernel start (F# is created lazily, so this is unchanged), the first F# cell (session creation +
evaluation), the round trip of later `1+1` F# cells (median of N), and sharing a 1,000,000-element array
from C# to F# (the `#!share` cell minus an empty F# cell: the same object is bound, nothing is copied).

    dotnet build src/Kernel -c Release
    /usr/bin/python3 bench/kernel/polyglot_bench.py [--runs 50]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from kernel_bench import default_dll, execute_round_trip, start_once  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel-dll", default=default_dll())
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="nas-polyglot-bench-")
    prefix = os.path.join(work, "prefix")
    subprocess.run(["dotnet", args.kernel_dll, "install", "--prefix", prefix, "--name", "nas-polyglot-bench"], check=True, capture_output=True)
    os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
    km, kc, start = start_once("nas-polyglot-bench", work)
    try:
        for _ in range(5):
            execute_round_trip(kc, "1+1")
        first_fs, _ = execute_round_trip(kc, "#!fsharp\n1 + 1")
        for _ in range(5):
            execute_round_trip(kc, "#!fsharp\n1 + 1")
        fs = [execute_round_trip(kc, "#!fsharp\n1 + 1")[0] for _ in range(args.runs)]
        cs = [execute_round_trip(kc, "1+1")[0] for _ in range(args.runs)]
        execute_round_trip(kc, "var big = new double[1_000_000]; big[0] = 42;")
        share, empty = [], []
        for i in range(10):
            share.append(execute_round_trip(kc, f"#!fsharp\n#!share --from csharp big --as big{i}")[0])
            empty.append(execute_round_trip(kc, "#!fsharp\n()")[0])
        check = execute_round_trip(kc, "#!fsharp\nbig0.[0] <- 7.0")
        same_object = execute_round_trip(kc, "big[0] == 7.0")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    ms = lambda s: s * 1000
    print(f"kernel start to kernel_info_reply:                 {ms(start):8.1f} ms (F# is created on the first F# cell)")
    print(f"first F# cell (session creation + 1+1):            {ms(first_fs):8.1f} ms (goal < 4000)")
    print(f"later F# cell 1+1, median of {args.runs}:                 {ms(statistics.median(fs)):8.1f} ms (goal < 50); C# 1+1 median {ms(statistics.median(cs)):.1f} ms")
    print(f"#!share of a 1,000,000-element array, median:      {ms(statistics.median(share)):8.1f} ms vs an empty F# cell {ms(statistics.median(empty)):.1f} ms "
          f"-> sharing itself {ms(statistics.median(share) - statistics.median(empty)):.2f} ms (goal < 1 ms, no copy)")


if __name__ == "__main__":
    main()
