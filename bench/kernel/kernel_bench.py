#!/usr/bin/python3
"""Benchmark: NasNotebooks C# kernel vs Debian's ipykernel, through the real jupyter_client.

Measures (1) kernel start to the first kernel_info_reply and (2) the execute round trip of `1+1`
(request sent -> execute_reply received, and -> idle status received), median and p90 over N runs.

    dotnet build src/Kernel -c Release
    /usr/bin/python3 bench/kernel/kernel_bench.py [--kernel-dll src/Kernel/bin/Release/net10.0/nasnotebooks-kernel.dll]
        [--starts 5] [--runs 100] [--json out.json]
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def default_dll():
    for config in ("Release", "Debug"):
        hits = glob.glob(os.path.join(REPO, "src", "Kernel", "bin", config, "net*", "nasnotebooks-kernel.dll"))
        if hits:
            return hits[0]
    return None


def pct(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def start_once(kernel_name, cwd):
    t0 = time.perf_counter()
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(cwd=cwd)
    kc = km.client()
    kc.start_channels()
    msg_id = kc.kernel_info()
    while True:
        m = kc.get_shell_msg(timeout=120)
        if m["parent_header"].get("msg_id") == msg_id:
            break
    elapsed = time.perf_counter() - t0
    return km, kc, elapsed


def execute_round_trip(kc, code):
    t0 = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        m = kc.get_shell_msg(timeout=120)
        if m["parent_header"].get("msg_id") == msg_id:
            break
    t_reply = time.perf_counter() - t0
    while True:
        m = kc.get_iopub_msg(timeout=120)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    t_idle = time.perf_counter() - t0
    return t_reply, t_idle


def bench(kernel_name, starts, runs, cwd):
    start_times = []
    km = kc = None
    for i in range(starts):
        km, kc, t = start_once(kernel_name, cwd)
        start_times.append(t)
        if i < starts - 1:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    kc.wait_for_ready(timeout=120)
    time.sleep(10.0)  # let background warm-up (Roslyn scripting + completion workspace) finish: steady state
    for _ in range(10):
        execute_round_trip(kc, "1+1")
    replies, idles = [], []
    for _ in range(runs):
        r, i = execute_round_trip(kc, "1+1")
        replies.append(r)
        idles.append(i)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return {
        "start_median_ms": statistics.median(start_times) * 1000,
        "start_max_ms": max(start_times) * 1000,
        "exec_reply_median_ms": statistics.median(replies) * 1000,
        "exec_reply_p90_ms": pct(replies, 0.9) * 1000,
        "exec_idle_median_ms": statistics.median(idles) * 1000,
        "exec_idle_p90_ms": pct(idles, 0.9) * 1000,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel-dll", default=default_dll())
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not args.kernel_dll or not os.path.exists(args.kernel_dll):
        sys.exit("kernel dll not found: build it with `dotnet build src/Kernel -c Release` or pass --kernel-dll")
    work = tempfile.mkdtemp(prefix="nasnb-bench-")
    prefix = os.path.join(work, "prefix")
    subprocess.run(["dotnet", args.kernel_dll, "kernel", "install", "--prefix", prefix, "--name", "nasnb-bench"], check=True,
                   stdout=subprocess.DEVNULL)
    os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
    os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(work, "runtime")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silence ipykernel's debugger warning
    load_before = os.getloadavg()[0]

    results = {}
    for label, name in (("nasnotebooks (C#)", "nasnb-bench"), ("ipykernel (python3)", "python3")):
        print(f"benchmarking {label} ...", file=sys.stderr, flush=True)
        results[label] = bench(name, args.starts, args.runs, work)

    cs, py = results["nasnotebooks (C#)"], results["ipykernel (python3)"]
    rows = [
        ("start -> first kernel_info_reply, median", "start_median_ms"),
        ("start -> first kernel_info_reply, max", "start_max_ms"),
        ("execute 1+1 -> execute_reply, median", "exec_reply_median_ms"),
        ("execute 1+1 -> execute_reply, p90", "exec_reply_p90_ms"),
        ("execute 1+1 -> idle status, median", "exec_idle_median_ms"),
        ("execute 1+1 -> idle status, p90", "exec_idle_p90_ms"),
    ]
    print(f"kernel start: {args.starts} starts each; execute: {args.runs} runs after 10 warm-up runs; "
          f"{os.cpu_count()} CPUs, 1-min load average {load_before:.1f} before / {os.getloadavg()[0]:.1f} after")
    print(f"{'metric':44} {'C# (ms)':>10} {'ipykernel (ms)':>15} {'C#/ipykernel':>13}")
    for title, key in rows:
        print(f"{title:44} {cs[key]:10.2f} {py[key]:15.2f} {cs[key] / py[key]:13.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
