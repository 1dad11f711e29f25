#!/usr/bin/python3
"""Benchmark: .NET Interactive's C# kernel (dotnet-interactive 1.0.712001) vs the NasNotebooks kernel, same run,
through the real jupyter_client.

Measures for each kernel: start -> first kernel_info_reply; the first cell (`1+1` right after start); the `1+1`
execute round trip (to execute_reply and to idle, median and p90 over N runs); getting `#!nas` (in .NET Interactive:
`#r "nuget: NasNotebooks"` from a local folder, which restores the package and loads its extension, first in a fresh
NuGet folder and again in a new kernel; in the NasNotebooks kernel it is built in); then `#!nas help` and a 30-trial
`#!nas search` on a function.

    dotnet build src/Kernel -c Release && dotnet build pack/NasNotebooks -c Release
    /usr/bin/python3 bench/kernel/dotnet_interactive_bench.py [--starts 3] [--runs 50] [--tool-path DIR] [--json out.json]

The tool is installed with `dotnet tool install --tool-path` into a temporary folder unless --tool-path names one that
holds it; the package is packed into a temporary folder under a version of its own (no NuGet cache serves an old one).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from jupyter_client.manager import KernelManager

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_bench import default_dll, pct  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOOL_VERSION = "1.0.712001"
SETUP = ('var space = Space.Dict().OneOf("x", 0, 1, 2, 3, 4, 5, 6, 7).OneOf("y", 0, 1, 2, 3).Build();\n'
         'Func<SymDict, double> objective = c => -Math.Abs((int)c["x"]! - 5) - Math.Abs((int)c["y"]! - 2);')
SEARCH = "#!nas search --space space --evaluator objective --algo random --trials 30 --study memory: --name bench"


def start(kernel_name, cwd):
    t0 = time.perf_counter()
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # dotnet-interactive logs its web host
    kc = km.client()
    kc.start_channels()
    msg_id = kc.kernel_info()
    while True:
        m = kc.get_shell_msg(timeout=180)
        if m["parent_header"].get("msg_id") == msg_id:
            break
    return km, kc, time.perf_counter() - t0


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def run(kc, code, timeout=600):
    """Executes code; returns (seconds to execute_reply, seconds to idle, reply status)."""
    t0 = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        m = kc.get_shell_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") == msg_id:
            break
    t_reply = time.perf_counter() - t0
    status = m["content"]["status"]
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    return t_reply, time.perf_counter() - t0, status


def ok(kc, code, what):
    r, i, status = run(kc, code)
    if status != "ok":
        sys.exit(f"{what} failed ({status}): {code}")
    return i


def bench(kernel_name, starts, runs, cwd, load_nas):
    out = {}
    start_times = []
    for _ in range(starts):
        km, kc, t = start(kernel_name, cwd)
        start_times.append(t)
        stop(km, kc)
    km, kc, t = start(kernel_name, cwd)
    start_times.append(t)
    out["start_median_ms"] = statistics.median(start_times) * 1000
    out["start_max_ms"] = max(start_times) * 1000
    out["first_cell_ms"] = ok(kc, "1+1", "first cell") * 1000
    for _ in range(10):
        run(kc, "1+1")
    replies, idles = [], []
    for _ in range(runs):
        r, i, _ = run(kc, "1+1")
        replies.append(r)
        idles.append(i)
    out["exec_reply_median_ms"] = statistics.median(replies) * 1000
    out["exec_reply_p90_ms"] = pct(replies, 0.9) * 1000
    out["exec_idle_median_ms"] = statistics.median(idles) * 1000
    out["exec_idle_p90_ms"] = pct(idles, 0.9) * 1000
    out.update(load_nas(kc))
    ok(kc, "using NasNotebooks.Dsl;\nusing NasNotebooks.Runtime;\n" + SETUP, "setup")
    out["nas_help_ms"] = ok(kc, "#!nas help", "#!nas help") * 1000
    out["nas_search_ms"] = ok(kc, SEARCH, "#!nas search") * 1000
    stop(km, kc)
    return out


def main():
    ap = argparse.ArgumentParser()
    dll = default_dll()
    config = "Debug" if dll and f"{os.sep}Debug{os.sep}" in dll else "Release"
    ap.add_argument("--kernel-dll", default=dll)
    ap.add_argument("--configuration", default=config)
    ap.add_argument("--tool-path")
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not args.kernel_dll or not os.path.exists(args.kernel_dll):
        sys.exit("kernel dll not found: build it with `dotnet build src/Kernel -c Release` or pass --kernel-dll")
    work = tempfile.mkdtemp(prefix="nasnb-dni-bench-")
    try:
        tools = args.tool_path or os.path.join(work, "tools")
        if not os.path.exists(os.path.join(tools, "dotnet-interactive")):
            print(f"installing Microsoft.dotnet-interactive {TOOL_VERSION} into {tools} ...", file=sys.stderr, flush=True)
            subprocess.run(["dotnet", "tool", "install", "--tool-path", tools, "Microsoft.dotnet-interactive", "--version", TOOL_VERSION],
                           check=True, stdout=subprocess.DEVNULL)
        jupyter = os.path.join(work, "jupyter")
        os.makedirs(os.path.join(jupyter, "kernels"))
        os.environ["PATH"] = tools + os.pathsep + os.environ["PATH"]
        subprocess.run([os.path.join(tools, "dotnet-interactive"), "jupyter", "install", "--path", os.path.join(jupyter, "kernels")],
                       check=True, stdout=subprocess.DEVNULL)
        prefix = os.path.join(work, "prefix")
        subprocess.run(["dotnet", args.kernel_dll, "install", "--prefix", prefix, "--name", "nasnb-bench"], check=True, stdout=subprocess.DEVNULL)
        shutil.copytree(os.path.join(prefix, "share", "jupyter", "kernels", "nasnb-bench"), os.path.join(jupyter, "kernels", "nasnb-bench"))

        version = "0.1.0-bench." + uuid.uuid4().hex[:10]
        packages = os.path.join(work, "packages")
        subprocess.run(["dotnet", "pack", os.path.join(REPO, "pack", "NasNotebooks"), "-c", args.configuration, "--no-build", "-o", packages,
                        f"-p:Version={version}"], check=True, stdout=subprocess.DEVNULL)
        global_packages = os.environ.get("NUGET_PACKAGES") or os.path.join(os.path.expanduser("~"), ".nuget", "packages")
        os.environ["NUGET_FALLBACK_PACKAGES"] = global_packages
        os.environ["NUGET_PACKAGES"] = os.path.join(work, "nuget")
        os.environ["JUPYTER_PATH"] = jupyter
        os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(work, "runtime")
        os.environ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1"
        os.environ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1"
        reference = f'#i "nuget: {packages}"\n#r "nuget: NasNotebooks, {version}"'

        def load_in_dotnet_interactive(kc):
            first = ok(kc, reference, "#r nuget") * 1000
            # The same #r in a new kernel: the package is now in the NuGet folder.
            km2, kc2, _ = start(".net-csharp", work)
            again = ok(kc2, reference, "#r nuget") * 1000
            stop(km2, kc2)
            return {"get_nas_ms": first, "get_nas_again_ms": again}

        load_before = os.getloadavg()[0]
        results = {}
        for label, name, load in (("NasNotebooks kernel", "nasnb-bench", lambda kc: {"get_nas_ms": 0.0, "get_nas_again_ms": 0.0}),
                                  (".NET Interactive C#", ".net-csharp", load_in_dotnet_interactive)):
            print(f"benchmarking {label} ...", file=sys.stderr, flush=True)
            results[label] = bench(name, args.starts, args.runs, work, load)
        ours, theirs = results["NasNotebooks kernel"], results[".NET Interactive C#"]
        rows = [
            ("start -> first kernel_info_reply, median", "start_median_ms"),
            ("start -> first kernel_info_reply, max", "start_max_ms"),
            ("first cell (1+1 right after start)", "first_cell_ms"),
            ("1+1 -> execute_reply, median", "exec_reply_median_ms"),
            ("1+1 -> execute_reply, p90", "exec_reply_p90_ms"),
            ("1+1 -> idle, median", "exec_idle_median_ms"),
            ("1+1 -> idle, p90", "exec_idle_p90_ms"),
            ("get #!nas (#r nuget: NasNotebooks; built in)", "get_nas_ms"),
            ("get #!nas again, new kernel (package cached)", "get_nas_again_ms"),
            ("#!nas help", "nas_help_ms"),
            ("#!nas search, 30 trials on a function", "nas_search_ms"),
        ]
        print(f"dotnet-interactive {TOOL_VERSION} vs NasNotebooks kernel: {args.starts + 1} starts each; 1+1: {args.runs} runs after 10 warm-up "
              f"runs; {os.cpu_count()} CPUs, 1-min load average {load_before:.1f} before / {os.getloadavg()[0]:.1f} after")
        print(f"{'metric':48} {'NasNotebooks (ms)':>18} {'.NET Interactive (ms)':>22} {'ratio':>7}")
        for title, key in rows:
            ratio = f"{theirs[key] / ours[key]:7.1f}" if ours[key] > 0 else "      -"
            print(f"{title:48} {ours[key]:18.1f} {theirs[key]:22.1f} {ratio}")
        print("ratio = .NET Interactive / NasNotebooks (higher: the NasNotebooks kernel is faster)")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
