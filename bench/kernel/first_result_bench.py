#!/usr/bin/python3
"""Benchmark: time to the first result, NasNotebooks kernel (as built and as an installed dotnet tool) vs Debian's
ipykernel, through the real jupyter_client, interleaved in one run.

Every scenario starts a fresh kernel and measures from the launch (KernelManager.start_kernel) to the first
kernel_info_reply ("start"), then sends its cells at once, as a notebook front end does:

  csharp  first cell `1+1` (-> execute_reply), then 20 more `1+1` cells back to back ("later, at once")
  fsharp  first cell `#!fsharp 1 + 1` (ours only)
  nas     the quickstart's space (cell 1) and `#!nas search` of it with a quick C# evaluator, one random
          trial, in-memory store (cell 2); for ipykernel the same with Optuna (import, create_study,
          optimize one trial), when python3-optuna is installed

Then, once per kernel, the steady state: after 10 s idle (background warm-up done), `1+1` round trips (median).

Rounds rotate the kernels' order so that load changes spread over all of them. Each scenario also reads the kernel
process's CPU time (user + system, all threads) from /proc when its last reply arrives: under load, wall times stretch
with the run queue, CPU times much less. One command builds the kernel as run-quickstart.sh does (`dotnet build
src/Kernel -c Release -p:NasReadyToRun=true`), packs the tool into a temp folder and installs it with `dotnet tool
install --tool-path` (clean NuGet cache), then measures:

    /usr/bin/python3 bench/kernel/first_result_bench.py [--rounds 5] [--steady-runs 100] [--no-build] [--no-tool]
        [--no-ipykernel] [--scenarios csharp,fsharp,nas] [--also LABEL=path/to/nasnotebooks-kernel.dll]
        [--kernel-dll PATH] [--json out.json]
    /usr/bin/python3 bench/kernel/first_result_bench.py --report out.json     # print a saved run again
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

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(__file__))
from kernel_bench import REPO, default_dll, execute_round_trip, pct, start_once  # noqa: E402

CS_SPACE = """var space = Space.Object<MlpArchitecture>()
    .Set(a => a.Hidden, Hyper.OneOf(new[] { 32 }, new[] { 64 }, new[] { 128 }, new[] { 64, 32 }, new[] { 128, 64 }).Named("hidden"))
    .Set(a => a.Activation, Hyper.OneOf(Activation.ReLU, Activation.GELU, Activation.Tanh).Named("activation"))
    .Set(a => a.Dropout, Hyper.OneOf(0.0, 0.1, 0.3).Named("dropout"))
    .Build();
Func<MlpArchitecture, double> quick = a => a.Hidden.Sum() / 192.0 - a.Dropout;"""
CS_SEARCH = "#!nas search --space space --evaluator quick --algo random --trials 1 --study memory: --seed 1"
PY_SPACE = """import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
HIDDEN = {"32": [32], "64": [64], "128": [128], "64-32": [64, 32], "128-64": [128, 64]}
def quick(trial):
    hidden = HIDDEN[trial.suggest_categorical("hidden", list(HIDDEN))]
    trial.suggest_categorical("activation", ["relu", "gelu", "tanh"])
    return sum(hidden) / 192.0 - trial.suggest_categorical("dropout", [0.0, 0.1, 0.3])"""
PY_SEARCH = """study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=1))
study.optimize(quick, n_trials=1)
study.best_trial"""


def run_cell(kc, code):
    """Executes a cell; returns (seconds to its execute_reply, reply status). IOPub is not awaited: right after
    start its subscription may still be joining (ZeroMQ drops what a SUB socket has not joined for yet)."""
    t0 = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        m = kc.get_shell_msg(timeout=300)
        if m["parent_header"].get("msg_id") == msg_id:
            return time.perf_counter() - t0, m["content"]["status"]


def scenario(kernel, which, cwd):
    km, kc, start = start_once(kernel["name"], cwd)
    out = {"start": start}
    pid = kernel_pid(km)
    try:
        if which == "csharp":
            reply, status = run_cell(kc, "1+1")
            check(status, kernel, "1+1")
            out.update(first=reply, start_first=start + reply)
            out["later_at_once"] = statistics.median(run_cell(kc, "1+1")[0] for _ in range(20))
        elif which == "fsharp":
            reply, status = run_cell(kc, "#!fsharp\n1 + 1")
            check(status, kernel, "#!fsharp 1 + 1")
            out.update(first=reply, start_first=start + reply)
        elif which == "nas":
            t_space, status = run_cell(kc, kernel["space"])
            check(status, kernel, "the space cell")
            t_search, status = run_cell(kc, kernel["search"])
            check(status, kernel, "the search cell")
            out.update(space=t_space, search=t_search, first=t_space + t_search, start_first=start + t_space + t_search)
        if pid:
            out["cpu"] = cpu_seconds(pid)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return out


def kernel_pid(km):
    provisioner = getattr(km, "provisioner", None)
    process = getattr(provisioner, "process", None) or getattr(km, "kernel", None)
    return getattr(process, "pid", None)


def cpu_seconds(pid):
    """User + system CPU time the kernel process has used so far (all its threads), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def check(status, kernel, what):
    if status != "ok":
        sys.exit(f"{kernel['label']}: {what} answered status '{status}'")


def steady(kernel, runs, cwd):
    km, kc, _ = start_once(kernel["name"], cwd)
    try:
        kc.wait_for_ready(timeout=120)
        time.sleep(10.0)
        for _ in range(10):
            execute_round_trip(kc, "1+1")
        replies = [execute_round_trip(kc, "1+1")[0] for _ in range(runs)]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return {"steady_median": statistics.median(replies), "steady_p90": pct(replies, 0.9)}


def dotnet(*args, env=None):
    r = subprocess.run(["dotnet", *args], cwd=REPO, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"dotnet {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def install_tool(work):
    """Packs src/Kernel into a temp folder and installs it as a dotnet tool from there; returns the tool's path."""
    packages = os.path.join(work, "packages")
    t0 = time.perf_counter()
    dotnet("pack", "src/Kernel", "-c", "Release", "--no-build", "-o", packages, "-v", "quiet", "-nologo")
    nupkg = [f for f in os.listdir(packages) if f.endswith(".nupkg")][0]
    version = nupkg[len("NasNotebooks.Tool."):-len(".nupkg")]
    size = os.path.getsize(os.path.join(packages, nupkg))
    env = dict(os.environ, NUGET_PACKAGES=os.path.join(work, "nuget-cache"))
    tool_path = os.path.join(work, "tool")
    dotnet("tool", "install", "--tool-path", tool_path, "--add-source", packages, "--ignore-failed-sources",
           "NasNotebooks.Tool", "--version", version, env=env)
    print(f"packed and installed the tool in {time.perf_counter() - t0:.0f} s: {nupkg} {size / 2**20:.1f} MiB",
          file=sys.stderr, flush=True)
    commands = [f for f in os.listdir(tool_path) if not f.startswith(".")]
    return os.path.join(tool_path, commands[0]), size


ROWS = [
    ("start -> kernel_info_reply", "csharp", "start"),
    ("first cell 1+1 -> execute_reply", "csharp", "first"),
    ("start + first cell 1+1", "csharp", "start_first"),
    ("later 1+1, sent at once (median of 20)", "csharp", "later_at_once"),
    ("first F# cell 1 + 1", "fsharp", "first"),
    ("start + first F# cell", "fsharp", "start_first"),
    ("nas: space cell", "nas", "space"),
    ("nas: first search cell (1 trial)", "nas", "search"),
    ("nas: space + search cells", "nas", "first"),
    ("nas: start + space + search", "nas", "start_first"),
    ("kernel CPU: start + first 1+1 + 20 cells", "csharp", "cpu"),
    ("kernel CPU: start + first F# cell", "fsharp", "cpu"),
    ("kernel CPU: start + nas cells", "nas", "cpu"),
]


def report(data):
    """Prints the medians (ms) per kernel and the ratios to ipykernel."""
    results, steady_results, loads = data["rounds"], data["steady"], data["loads"]
    labels = data.get("labels") or list(results)
    scenarios = data.get("scenarios") or ["csharp", "fsharp", "nas"]

    def med(label, which, key):
        values = [x[key] for x in results[label].get(which, []) if x.get(key) is not None]
        return statistics.median(values) * 1000 if values else None

    rounds = data.get("n_rounds") or max(len(v) for r in results.values() for v in r.values())
    print()
    print(f"{rounds} fresh starts per kernel and scenario, interleaved; steady state: {data.get('steady_runs', 100)} runs after 10 s idle; "
          f"{data.get('cpus', os.cpu_count())} CPUs; 1-min load average {min(loads):.1f}-{max(loads):.1f} (at start {loads[0]:.1f}, end {loads[-1]:.1f})")
    if data.get("tool_size"):
        print(f"tool package: {data['tool_size'] / 2**20:.1f} MiB")
    py = "ipykernel" if "ipykernel" in labels else None
    ours = [label for label in labels if label != py]
    width = [max(11, len(label) + 2) for label in labels]
    ratio_titles = [f"/ipy {label.split(', ')[-1]}" for label in ours] if py else []
    ratio_width = [max(9, len(t) + 2) for t in ratio_titles]
    print("medians in ms" + ("; /ipy = ours / ipykernel" if py else ""))
    print(f"{'metric':42}" + "".join(f"{label:>{w}}" for label, w in zip(labels, width)) + "".join(f"{t:>{w}}" for t, w in zip(ratio_titles, ratio_width)))
    for title, which, key in ROWS:
        if which not in scenarios:
            continue
        values = [med(label, which, key) for label in labels]
        line = f"{title:42}" + "".join(f"{v:{w}.1f}" if v is not None else f"{'-':>{w}}" for v, w in zip(values, width))
        ref = med(py, which, key) if py else None
        for v, w in zip(values[:len(ours)] if py else [], ratio_width):
            line += f"{v / ref:{w}.2f}" if v is not None and ref else f"{'-':>{w}}"
        print(line)
    for key, title in (("steady_median", "steady 1+1 -> execute_reply, median"), ("steady_p90", "steady 1+1 -> execute_reply, p90")):
        if not steady_results:
            break
        values = [steady_results[label][key] * 1000 for label in labels]
        line = f"{title:42}" + "".join(f"{v:{w}.2f}" for v, w in zip(values, width))
        if py:
            line += "".join(f"{v / (steady_results[py][key] * 1000):{w}.2f}" for v, w in zip(values[:len(ours)], ratio_width))
        print(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel-dll", help="the built kernel (default: this checkout's src/Kernel/bin/Release build)")
    ap.add_argument("--rounds", type=int, default=5, help="fresh starts per kernel and scenario")
    ap.add_argument("--steady-runs", type=int, default=100)
    ap.add_argument("--no-build", action="store_true", help="use the existing build instead of `dotnet build src/Kernel -c Release -p:NasReadyToRun=true`")
    ap.add_argument("--no-tool", action="store_true", help="skip packing and installing the dotnet tool")
    ap.add_argument("--scenarios", default="csharp,fsharp,nas", type=lambda v: v.split(","), help="which of csharp,fsharp,nas to run")
    ap.add_argument("--no-ipykernel", action="store_true", help="measure only our kernel (for quick experiments)")
    ap.add_argument("--no-steady", action="store_true", help="skip the steady-state round trips")
    ap.add_argument("--also", action="append", default=[], metavar="LABEL=DLL",
                    help="another build of the kernel to measure in the same run (e.g. a checkout of main), repeatable")
    ap.add_argument("--json", help="also write the measurements to this file")
    ap.add_argument("--report", metavar="JSON", help="print the table of a run saved with --json, measure nothing")
    args = ap.parse_args()
    if args.report:
        with open(args.report) as f:
            report(json.load(f))
        return

    os.environ.setdefault("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
    os.environ.setdefault("DOTNET_NOLOGO", "1")
    if not args.no_build and not args.kernel_dll:
        print("building the kernel as run-quickstart.sh does (dotnet build src/Kernel -c Release -p:NasReadyToRun=true) ...", file=sys.stderr, flush=True)
        dotnet("build", "src/Kernel", "-c", "Release", "-v", "quiet", "-nologo", "-p:NasReadyToRun=true")
    dll = args.kernel_dll or default_dll()
    if not dll or not os.path.exists(dll):
        sys.exit("kernel dll not found: build it with `dotnet build src/Kernel -c Release` or pass --kernel-dll")
    work = tempfile.mkdtemp(prefix="nasnb-first-bench-")
    prefix = os.path.join(work, "prefix")
    kernels = [{"label": "ours, built", "name": "nasnb-built", "space": CS_SPACE, "search": CS_SEARCH}]
    subprocess.run(["dotnet", dll, "kernel", "install", "--prefix", prefix, "--name", "nasnb-built"], check=True, stdout=subprocess.DEVNULL)
    for i, extra in enumerate(args.also):
        label, _, path = extra.partition("=")
        if not os.path.exists(path):
            sys.exit(f"--also {extra}: no such file {path}")
        subprocess.run(["dotnet", path, "kernel", "install", "--prefix", prefix, "--name", f"nasnb-also{i}"], check=True, stdout=subprocess.DEVNULL)
        kernels.append({"label": label, "name": f"nasnb-also{i}", "space": CS_SPACE, "search": CS_SEARCH})
    tool_size = None
    if not args.no_tool:
        tool, tool_size = install_tool(work)
        subprocess.run([tool, "kernel", "install", "--prefix", prefix, "--name", "nasnb-tool"], check=True, stdout=subprocess.DEVNULL)
        kernels.append({"label": "ours, tool", "name": "nasnb-tool", "space": CS_SPACE, "search": CS_SEARCH})
    try:
        import optuna  # noqa: F401
        have_optuna = True
    except ImportError:
        have_optuna = False
        print("python3-optuna is not installed: ipykernel's nas row is left out (apt-get install python3-optuna)", file=sys.stderr)
    if not args.no_ipykernel:
        kernels.append({"label": "ipykernel", "name": "python3", "space": PY_SPACE if have_optuna else None, "search": PY_SEARCH})
    os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
    os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(work, "runtime")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silence ipykernel's debugger warning

    loads = [os.getloadavg()[0]]
    results = {k["label"]: {"csharp": [], "fsharp": [], "nas": []} for k in kernels}
    t0 = time.perf_counter()
    for r in range(args.rounds):
        order = kernels[r % len(kernels):] + kernels[:r % len(kernels)]
        for which in args.scenarios:
            for k in order:
                if which == "fsharp" and k["name"] == "python3" or which == "nas" and k["space"] is None:
                    continue
                results[k["label"]][which].append(scenario(k, which, work))
        loads.append(os.getloadavg()[0])
        print(f"round {r + 1}/{args.rounds} done ({time.perf_counter() - t0:.0f} s, load {loads[-1]:.1f})", file=sys.stderr, flush=True)
    steady_results = {}
    for k in kernels if not args.no_steady else []:
        steady_results[k["label"]] = steady(k, args.steady_runs, work)
    loads.append(os.getloadavg()[0])

    data = {"rounds": results, "steady": steady_results, "loads": loads, "tool_size": tool_size, "labels": [k["label"] for k in kernels],
            "scenarios": args.scenarios, "n_rounds": args.rounds, "steady_runs": args.steady_runs, "cpus": os.cpu_count()}
    report(data)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
