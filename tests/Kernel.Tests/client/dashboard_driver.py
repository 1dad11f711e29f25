#!/usr/bin/python3
"""`#!nas dashboard` through the real jupyter_client: the kernel displays the link, the kernel process
serves the page, and the server goes away when the kernel shuts down.

Usage: dashboard_driver.py --kernel-dll DLL --work DIR --dotnet DOTNET --out RESULT.json
Writes its observations (or the error) to RESULT.json; the xUnit test asserts on them.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import time
import traceback
import urllib.request

from jupyter_client.manager import KernelManager

KERNEL = "nasnotebooks-dashboard-test"


def execute(kc, code, timeout=180):
    msg_id = kc.execute(code)
    outputs = []
    deadline = time.monotonic() + timeout
    while True:
        m = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] in ("display_data", "execute_result", "stream", "error"):
            outputs.append({"type": m["msg_type"], "content": m["content"]})
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    while True:
        r = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        if r["parent_header"].get("msg_id") == msg_id:
            return r["content"]["status"], outputs


def refused(port):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        return False
    except OSError:
        return True
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel-dll", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--dotnet", default="dotnet")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    result = {}
    km = None
    try:
        prefix = os.path.join(a.work, "prefix")
        out = subprocess.run([a.dotnet, a.kernel_dll, "install", "--prefix", prefix, "--name", KERNEL], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError("install failed: " + out.stdout + out.stderr)
        os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
        os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(a.work, "runtime")
        km = KernelManager(kernel_name=KERNEL)
        km.start_kernel(cwd=a.work)
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        db = os.path.join(a.work, "dash.db")
        result["setup"] = execute(kc, 'var space = Space.Dict().OneOf("x", 0, 1, 2, 3).Build();\n'
                                      'Func<SymDict, double> objective = c => (int)c["x"]!;')[0]
        result["search"] = execute(kc, "#!nas search --space space --evaluator objective --algo random --trials 5 --study %s --name dash" % db)[0]
        status, outputs = execute(kc, "#!nas dashboard")
        result["dashboard"] = status
        link = [o["content"]["data"] for o in outputs if o["type"] == "display_data"]
        result["text"] = link[0].get("text/plain") if link else None
        result["html"] = link[0].get("text/html") if link else None
        url = re.search(r"http://127\.0\.0\.1:(\d+)/\S+", result["text"] or "")
        result["url"] = url.group(0) if url else None
        if url:
            port = int(url.group(1))
            with urllib.request.urlopen(result["url"], timeout=30) as r:
                result["http_status"] = r.status
                result["page_has_study"] = '<span class="study-name">dash</span>' in r.read().decode("utf-8")
            result["kernel_pid_alive_before"] = km.is_alive()
            kc.stop_channels()
            km.shutdown_kernel(now=False)
            t0 = time.monotonic()
            while not refused(port) and time.monotonic() - t0 < 20:
                time.sleep(0.2)
            result["refused_after_shutdown"] = refused(port)
            result["kernel_alive_after"] = km.is_alive()
    except Exception:  # reported to the xUnit test
        result["error"] = traceback.format_exc()
    finally:
        if km is not None and km.is_alive():
            km.shutdown_kernel(now=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
