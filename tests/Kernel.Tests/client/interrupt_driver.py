#!/usr/bin/python3
"""Interrupt and runaway-recursion acceptance driver: real jupyter_client against the real kernel.

Usage: interrupt_driver.py --kernel-dll DLL --work DIR --out RESULT.json [--cases a,b,...] [--modes message,signal]

For each case: a variable is set, the case's cell starts (it prints "started" first), the driver waits until the
cell is running, interrupts it (interrupt_request on the control channel, or SIGINT to the kernel process) and
times the execute_reply. Then it reads the variable back and runs 1+1. Recursion cases run without an interrupt.
Writes RESULT.json (per case: reply content, seconds from interrupt to reply, the variable's and 1+1's outputs,
whether the kernel stayed alive) and exits 0 even when cases fail: the xUnit tests assert on the JSON.
"""
import argparse
import json
import os
import signal
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_driver import Driver  # noqa: E402  (same folder; its Driver installs and starts the kernel)

FS = "#!fsharp\n"

# name -> (language, cell code). Every cell prints "started" before it blocks or loops.
CASES = {
    # C#: tight loops, loops inside a method and a lambda declared in the cell
    "cs_while": ("cs", 'Console.WriteLine("started");\nwhile (true) { }'),
    "cs_for": ("cs", 'long x = 0;\nConsole.WriteLine("started");\nfor (;;) x++;'),
    "cs_method_loop": ("cs", 'long Spin() { long n = 0; while (true) n++; }\nConsole.WriteLine("started");\nSpin()'),
    "cs_lambda_loop": ("cs", 'Action spin = () => { long n = 0; while (true) { n++; } };\nConsole.WriteLine("started");\nspin();'),
    "cs_linq_lambda": ("cs", 'Func<long, bool> slow = i => { for (int k = 0; k < 1000; k++) { } return i < 0; };\n'
                             'Console.WriteLine("started");\nSystem.Linq.Enumerable.Range(0, int.MaxValue).Count(i => slow(i))'),
    # C#: blocking waits
    "cs_sleep": ("cs", 'Console.WriteLine("started");\nSystem.Threading.Thread.Sleep(60000);'),
    "cs_task_wait": ("cs", 'Console.WriteLine("started");\nTask.Delay(60000).Wait();'),
    "cs_monitor_wait": ("cs", 'var gate = new object();\nConsole.WriteLine("started");\nlock (gate) { Monitor.Wait(gate); }'),
    "cs_semaphore_wait": ("cs", 'var sem = new SemaphoreSlim(0);\nConsole.WriteLine("started");\nsem.Wait();'),
    # C#: an await without a token (abandoned after the grace period; the code after it stops at its check)
    "cs_await": ("cs", 'Console.WriteLine("started");\nawait Task.Delay(60000);\nConsole.WriteLine("after the await");'),
    # C#: library code that never returns (a native call): abandoned after the grace period
    "cs_native": ("cs", '[System.Runtime.InteropServices.DllImport("libc")] static extern uint sleep(uint seconds);\n'
                        'Console.WriteLine("started");\nsleep(4);'),
    # F#: the same
    "fs_while": ("fs", FS + 'printfn "started"\nwhile true do ()'),
    "fs_for": ("fs", FS + 'let mutable x = 0L\nprintfn "started"\nfor i in 1L .. System.Int64.MaxValue do x <- x + i'),
    "fs_function_loop": ("fs", FS + 'let spin () =\n    let mutable n = 0L\n    while true do n <- n + 1L\n    n\nprintfn "started"\nspin ()'),
    "fs_lambda_loop": ("fs", FS + 'let spin = fun () -> while true do ()\nprintfn "started"\nspin ()'),
    "fs_sleep": ("fs", FS + 'printfn "started"\nSystem.Threading.Thread.Sleep 60000'),
    "fs_task_wait": ("fs", FS + 'printfn "started"\nSystem.Threading.Tasks.Task.Delay(60000).Wait()'),
    "fs_monitor_wait": ("fs", FS + 'let gate = obj ()\nprintfn "started"\nlock gate (fun () -> System.Threading.Monitor.Wait gate |> ignore)'),
    "fs_semaphore_wait": ("fs", FS + 'let sem = new System.Threading.SemaphoreSlim(0)\nprintfn "started"\nsem.Wait()'),
    "fs_async_sleep": ("fs", FS + 'printfn "started"\nAsync.Sleep 60000 |> Async.RunSynchronously'),
    "fs_await_task": ("fs", FS + 'printfn "started"\nSystem.Threading.Tasks.Task.Delay 60000 |> Async.AwaitTask |> Async.RunSynchronously'),
    "fs_native": ("fs", FS + '[<System.Runtime.InteropServices.DllImport("libc")>]\nextern uint32 sleep(uint32 seconds)\n'
                        'printfn "started"\nsleep 4u'),
}

RECURSION = {
    "cs_recursion": 'int Down(int n) => Down(n + 1) + 1;\nDown(0)',
    "cs_recursion_lambda": 'Func<int, int> f = null!;\nf = n => f(n + 1) + 1;\nf(0)',
    "fs_recursion": FS + 'let rec down n = 1 + down (n + 1)\ndown 0',
    "fs_recursion_lambda": FS + 'let rec down = fun n -> 1 + down (n + 1)\ndown 0',
}

NATIVE_SECONDS = 4


def iopub_until_started(d, msg_id, timeout=120):
    """Waits for the cell's "started" output; returns the iopub messages seen so far."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = d.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        seen.append({"msg_type": m["msg_type"], "content": m["content"]})
        if m["msg_type"] == "stream" and "started" in m["content"].get("text", ""):
            return seen
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            raise RuntimeError("cell ended before it started: %s" % json.dumps(seen)[:2000])
    raise RuntimeError("cell did not start within %s s" % timeout)


def send_interrupt(d, mode):
    if mode == "signal":
        os.kill(d.km.provisioner.process.pid, signal.SIGINT)
    else:
        d.km.interrupt_kernel()


def value_of(execution):
    for m in execution["iopub"]:
        if m["msg_type"] == "execute_result":
            return m["content"]["data"].get("text/plain")
    return None


def run_case(d, name, language, code, mode, index):
    var = "before%d" % index
    setup = d.execute((FS + "let %s = 41" % var) if language == "fs" else ("var %s = 41;" % var))
    msg_id = d.kc.execute(code)
    iopub_until_started(d, msg_id)
    time.sleep(0.3)  # well inside the loop or the wait
    t0 = time.monotonic()
    send_interrupt(d, mode)
    reply = d.reply(msg_id, timeout=60)
    seconds = time.monotonic() - t0
    d.collect(msg_id)
    result = {"mode": mode, "language": language, "seconds": seconds, "reply": reply["content"],
              "setup_status": setup["reply"]["status"]}
    if name.endswith("native") and language == "fs":
        # While the abandoned native call runs, F# refuses cells and C# works.
        result["fs_while_busy"] = d.execute(FS + "1 + 1")["reply"]
        result["cs_while_busy"] = value_of(d.execute("1 + 1"))
        time.sleep(NATIVE_SECONDS + 1)
    result["variable"] = value_of(d.execute((FS + "%s + 1" if language == "fs" else "%s + 1") % var))
    result["after"] = value_of(d.execute((FS + "1 + 1") if language == "fs" else "1 + 1"))
    result["alive"] = d.km.is_alive()
    return result


def run_recursion(d, name, code, index):
    language = "fs" if code.startswith(FS) else "cs"
    var = "keep%d" % index
    d.execute((FS + "let %s = 41" % var) if language == "fs" else ("var %s = 41;" % var))
    t0 = time.monotonic()
    ex = d.execute(code)
    seconds = time.monotonic() - t0
    tb = ex["reply"].get("traceback") or []
    return {"language": language, "seconds": seconds,
            "reply": {k: ex["reply"].get(k) for k in ("status", "ename", "evalue")},
            "traceback_lines": len(tb), "traceback_chars": sum(len(x) for x in tb), "traceback_head": tb[:6],
            "variable": value_of(d.execute((FS + "%s + 1" if language == "fs" else "%s + 1") % var)),
            "after": value_of(d.execute((FS + "1 + 1") if language == "fs" else "1 + 1")),
            "alive": d.km.is_alive()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel-dll", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dotnet", default="dotnet")
    ap.add_argument("--cases", default="all", help="comma-separated case names (interrupt and recursion cases)")
    ap.add_argument("--modes", default="message", help="message,signal: which interrupt modes to run every case in")
    ap.add_argument("--signal-cases", default="cs_while,cs_sleep,cs_await,fs_while,fs_sleep",
                    help="cases also run with SIGINT when --modes has only message")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    wanted = None if args.cases == "all" else set(args.cases.split(","))
    modes = args.modes.split(",")
    plan = []
    for name, (language, code) in CASES.items():
        if wanted is not None and name not in wanted:
            continue
        for mode in modes:
            plan.append((name if mode == "message" else name + "@" + mode, name, language, code, mode))
        if "signal" not in modes and name in args.signal_cases.split(","):
            plan.append((name + "@signal", name, language, code, "signal"))
    result = {"cases": {}, "recursion": {}}
    d = Driver(args.kernel_dll, args.work, args.dotnet)
    try:
        result["kernelspec"] = d.install()
        result["start_seconds"] = d.start()
        d.execute(FS + "0")  # start the F# session before the timed cases
        for index, (key, name, language, code, mode) in enumerate(plan):
            try:
                result["cases"][key] = {"ok": True, "data": run_case(d, name, language, code, mode, index)}
            except Exception:
                result["cases"][key] = {"ok": False, "error": traceback.format_exc()}
                if not d.km.is_alive():
                    break
        for index, (name, code) in enumerate(RECURSION.items()):
            if wanted is not None and name not in wanted:
                continue
            if not d.km.is_alive():
                result["recursion"][name] = {"ok": False, "error": "kernel died before this case"}
                continue
            try:
                result["recursion"][name] = {"ok": True, "data": run_recursion(d, name, code, index)}
            except Exception:
                result["recursion"][name] = {"ok": False, "error": traceback.format_exc(), "alive": d.km.is_alive()}
    except Exception:
        result["fatal"] = traceback.format_exc()
    finally:
        try:
            d.stop()
        except Exception:
            pass
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1, default=str)


if __name__ == "__main__":
    main()
