#!/usr/bin/python3
"""Starts the kernelspec NAME (found through JUPYTER_PATH) with jupyter_client, runs one cell, prints JSON.

Usage: run_cell.py NAME CODE
Prints {"status": ..., "text": <text/plain of the execute_result or null>} and exits 0; any failure is
printed with its traceback and exits 1.
"""
import json
import sys
import tempfile

from jupyter_client.manager import KernelManager

name, code = sys.argv[1], sys.argv[2]
km = KernelManager(kernel_name=name)
km.start_kernel(cwd=tempfile.gettempdir())
kc = km.client()
try:
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    results = []
    reply = kc.execute_interactive(code, timeout=120, output_hook=lambda m: results.append(m["content"]["data"].get("text/plain")) if m["msg_type"] == "execute_result" else None)
    print(json.dumps({"status": reply["content"]["status"], "text": results[0] if results else None}))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
