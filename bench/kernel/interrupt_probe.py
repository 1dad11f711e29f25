#!/usr/bin/python3
"""Probe: how fast the NasNotebooks kernel answers an interrupt, per kind of cell, through the real jupyter_client.

For each case of tests/Kernel.Tests/client/interrupt_driver.py (C# and F#: tight loops, loops in methods and lambdas,
blocking waits, awaits without a token, native calls) it starts the cell, waits until it runs, interrupts it
(interrupt_request, or SIGINT with @signal) and prints the seconds from the interrupt to the execute_reply, and whether
the cell stopped or was abandoned after the grace period. Runaway-recursion cases print the time to the error reply.

    dotnet build src/Kernel -c Release
    /usr/bin/python3 bench/kernel/interrupt_probe.py [--kernel-dll DLL] [--repeat 3] [--cases cs_while,fs_sleep,...]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "Kernel.Tests", "client"))
import interrupt_driver as cases  # noqa: E402
from kernel_driver import Driver  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_bench import default_dll  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel-dll", default=default_dll())
    ap.add_argument("--repeat", type=int, default=3, help="runs of each case (median and max are printed)")
    ap.add_argument("--cases", default="all")
    ap.add_argument("--signal", default="cs_while,cs_sleep,fs_while,fs_sleep", help="cases also run with SIGINT")
    args = ap.parse_args()
    if not args.kernel_dll:
        sys.exit("no kernel build found: run `dotnet build src/Kernel -c Release` or pass --kernel-dll")
    wanted = None if args.cases == "all" else set(args.cases.split(","))
    plan = []
    for name, (language, code) in cases.CASES.items():
        if wanted is None or name in wanted:
            plan.append((name, name, language, code, "message"))
            if name in args.signal.split(","):
                plan.append((name + "@signal", name, language, code, "signal"))
    work = tempfile.mkdtemp(prefix="nasnb-interrupt-probe-")
    d = Driver(args.kernel_dll, work)
    d.install()
    d.start()
    d.execute(cases.FS + "0")
    print("load average: %.2f %.2f %.2f" % os.getloadavg())
    print("%-22s %9s %9s  %s" % ("case", "median s", "max s", "outcome"))
    index = 0
    try:
        for key, name, language, code, mode in plan:
            times, outcomes = [], set()
            for _ in range(args.repeat):
                index += 1
                r = cases.run_case(d, name, language, code, mode, index)
                times.append(r["seconds"])
                evalue = r["reply"].get("evalue") or ""
                outcomes.add("stopped" if evalue == "The cell was interrupted." else
                             "abandoned after grace period" if "may still be running" in evalue else
                             "UNEXPECTED: %s %s" % (r["reply"].get("status"), evalue[:80]))
                if r["variable"] != "42" or r["after"] != "2":
                    outcomes.add("SESSION BROKEN: variable=%s after=%s" % (r["variable"], r["after"]))
            print("%-22s %9.3f %9.3f  %s" % (key, statistics.median(times), max(times), ", ".join(sorted(outcomes))), flush=True)
        for name, code in cases.RECURSION.items():
            if wanted is not None and name not in wanted:
                continue
            index += 1
            r = cases.run_recursion(d, name, code, index)
            print("%-22s %9.3f %9s  %s (%d traceback lines), kernel %s" % (
                name, r["seconds"], "-", r["reply"].get("ename"), r["traceback_lines"], "alive" if r["alive"] else "DEAD"), flush=True)
    finally:
        d.stop()
    print("load average: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
