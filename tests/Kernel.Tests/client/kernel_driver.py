#!/usr/bin/python3
"""Acceptance driver: talks to the NasNotebooks kernel through the real jupyter_client.

Usage: kernel_driver.py --kernel-dll DLL --work DIR --out RESULT.json [--scenarios a,b,...]

Installs the kernelspec into DIR/prefix with the tool's own `kernel install --prefix` command, points
JUPYTER_PATH at it, starts the kernel with KernelManager and runs each scenario, recording its
observations (or the exception it raised) in RESULT.json. Exits 0 even when scenarios fail: the
xUnit tests assert on the JSON.
"""
import argparse
import json
import os
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
import traceback

try:
    import zmq
    from jupyter_client.manager import KernelManager
    from jupyter_client.session import Session
except ImportError as e:  # pragma: no cover - reported to the xUnit test
    print(json.dumps({"import_error": str(e)}))
    sys.exit(3)

KERNEL_NAME = "nasnotebooks-test"
TIMEOUT = 60


class Driver:
    def __init__(self, dll, work, dotnet="dotnet"):
        self.dll = dll
        self.dotnet = dotnet
        self.work = work
        self.prefix = os.path.join(work, "prefix")
        self.km = None
        self.kc = None

    def install(self):
        out = subprocess.run([self.dotnet, self.dll, "kernel", "install", "--prefix", self.prefix, "--name", KERNEL_NAME],
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError("install failed: " + out.stdout + out.stderr)
        os.environ["JUPYTER_PATH"] = os.path.join(self.prefix, "share", "jupyter")
        # connection files go to a private runtime dir (HOME may be read-only on CI)
        os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(self.work, "runtime")
        spec = os.path.join(self.prefix, "share", "jupyter", "kernels", KERNEL_NAME, "kernel.json")
        with open(spec) as f:
            return json.load(f)

    def start(self):
        t0 = time.monotonic()
        self.km = KernelManager(kernel_name=KERNEL_NAME)
        self.km.start_kernel(cwd=self.work)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)
        return time.monotonic() - t0

    def stop(self):
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.is_alive():
            self.km.shutdown_kernel(now=True)

    # -- helpers --
    def collect(self, msg_id, timeout=TIMEOUT):
        """iopub messages for msg_id up to its idle status."""
        msgs = []
        deadline = time.monotonic() + timeout
        while True:
            m = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            msgs.append({"msg_type": m["msg_type"], "content": m["content"]})
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                return msgs

    def reply(self, msg_id, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            m = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if m["parent_header"].get("msg_id") == msg_id:
                return m

    def execute(self, code, **kw):
        msg_id = self.kc.execute(code, **kw)
        reply = self.reply(msg_id)
        iopub = self.collect(msg_id)
        return {"reply": reply["content"], "iopub": iopub}

    def execute_timed(self, code, timeout=TIMEOUT, **kw):
        """Like execute, but reads iopub while the cell runs and records when each message arrived.

        Every iopub message of the request gets "at" (seconds from sending the request until this client received
        it) and "sent" (the kernel's header date); the result also has "reply_at" and "idle_at". A kernel that held
        its output until the cell ended would show all of them at about reply_at.
        """
        t0 = time.monotonic()
        msg_id = self.kc.execute(code, **kw)
        deadline = t0 + timeout
        reply, reply_at, idle_at, msgs = None, None, None, []
        while reply is None or idle_at is None:
            if time.monotonic() > deadline:
                raise TimeoutError("no reply and idle status within %s s (reply: %s, %d iopub messages)" % (timeout, reply is not None, len(msgs)))
            try:
                m = self.kc.get_iopub_msg(timeout=0.02)
                if m["parent_header"].get("msg_id") == msg_id:
                    at = time.monotonic() - t0
                    msgs.append({"msg_type": m["msg_type"], "content": m["content"], "at": at, "sent": str(m["header"].get("date"))})
                    if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                        idle_at = at
            except queue.Empty:
                pass
            while reply is None:
                try:
                    r = self.kc.get_shell_msg(timeout=0)
                except queue.Empty:
                    break
                if r["parent_header"].get("msg_id") == msg_id:
                    reply, reply_at = r, time.monotonic() - t0
        return {"reply": reply["content"], "reply_at": reply_at, "idle_at": idle_at, "iopub": msgs}

    def kernel_info(self, timeout=TIMEOUT):
        msg_id = self.kc.kernel_info()
        return self.reply(msg_id, timeout)["content"]

    def raw_socket(self, channel):
        info = self.km.get_connection_info()
        ctx = zmq.Context.instance()
        s = ctx.socket(zmq.DEALER)
        s.linger = 0
        port = info["shell_port"] if channel == "shell" else info["control_port"]
        s.connect("tcp://%s:%d" % (info["ip"], port))
        return s, info["key"]


def sc_kernel_info(d):
    return d.kernel_info()


def sc_state(d):
    a = d.execute("var x = 40;")
    b = d.execute("x + 2")
    return {"first": a, "second": b}


def sc_stdout(d):
    return d.execute('Console.WriteLine("hello from C#"); Console.Error.WriteLine("to stderr");')


def sc_compile_error(d):
    return d.execute('var ok = 1;\nint y = "not an int";')


def sc_runtime_error(d):
    return d.execute('void Fail() => throw new InvalidOperationException("boom");\nFail();')


def sc_silent(d):
    before = d.execute("1")["reply"]["execution_count"]
    s = d.execute("Console.WriteLine(\"quiet\"); 5", silent=True, store_history=False)
    after = d.execute("2")["reply"]["execution_count"]
    return {"before": before, "silent": s, "after": after}


def sc_live_stream(d):
    """Output written before a pause must be published before the cell ends (not only at cell end): arrival times recorded."""
    return d.execute_timed('Console.WriteLine("tick");\nSystem.Threading.Thread.Sleep(2000);\nConsole.WriteLine("tock");')


def sc_stop_on_error(d):
    # The failing cell waits first so that the next two requests are surely queued behind it, even on a loaded machine.
    ids = [d.kc.execute('System.Threading.Thread.Sleep(1500); throw new Exception("first fails");'), d.kc.execute("var notRun = 1;"), d.kc.execute("2 * 21")]
    replies = [d.reply(i)["content"] for i in ids]
    for i in ids:
        d.collect(i)
    check = d.execute("notRun")
    return {"replies": replies, "check": check}


def sc_completion(d):
    code = '"abc".Len'
    msg_id = d.kc.complete(code, len(code))
    member = d.reply(msg_id)["content"]
    d.execute("var myLongVariableName = 3;")
    code2 = "myLong"
    msg_id = d.kc.complete(code2, len(code2))
    variable = d.reply(msg_id)["content"]
    code3 = "#!nas he"
    msg_id = d.kc.complete(code3, len(code3))
    magic = d.reply(msg_id)["content"]
    code4 = "#!ti"
    msg_id = d.kc.complete(code4, len(code4))
    magic_name = d.reply(msg_id)["content"]
    msg_id = d.kc.inspect("Console.WriteLine", 10)
    inspect = d.reply(msg_id)["content"]
    msg_id = d.kc.inspect("#!time", 4)
    inspect_magic = d.reply(msg_id)["content"]
    return {"member": member, "variable": variable, "magic": magic, "magic_name": magic_name, "inspect": inspect,
            "inspect_magic": inspect_magic}


def sc_is_complete(d):
    out = {}
    for name, code in [("complete", "var a = 1;"), ("incomplete", "if (true) {")]:
        msg_id = d.kc.is_complete(code)
        out[name] = d.reply(msg_id)["content"]
    return out


def sc_magics(d):
    return {
        "help": d.execute("#!nas help"),
        "bad_option": d.execute("#!nas help --foo 1"),
        "unknown": d.execute("#!nope"),
        "time": d.execute("#!time\nvar t = 6 * 7;\nt"),
    }


def sc_display_update(d):
    return d.execute('var h = display("step 0");\nfor (int i = 1; i <= 3; i++) h.Update($"step {i}");')


def sc_table(d):
    return d.execute('record Row(string Name, int Score);\nnew[] { new Row("<b>a</b>", 1), new Row("b & c", 2) }')


def sc_plotly(d):
    r = d.execute("Plotly.NET.CSharp.Chart.Point<int, int, string>(x: new[] { 1, 2, 3 }, y: new[] { 4, 5, 6 })")
    r2 = d.execute("Plotly.NET.CSharp.Chart.Line<int, int, string>(x: new[] { 1, 2, 3 }, y: new[] { 6, 5, 4 })")
    # The embedded plotly.js is large: keep only facts about it in the result file.
    for res in (r, r2):
        for m in res["iopub"]:
            data = m["content"].get("data")
            if data and "text/html" in data:
                html = data["text/html"]
                data["text/html"] = {"length": len(html), "has_plotly_js": "Plotly=e()" in html or "plotly.js v" in html.lower() or len(html) > 1000000,
                                     "has_newPlot": "newPlot" in html,
                                     "has_external_script": re.search(r"<script[^>]*\bsrc\s*=", html) is not None}
    return {"first": r, "second": r2}


def _html_facts(res):
    for m in res["iopub"]:
        data = m["content"].get("data")
        if data and "text/html" in data and len(data["text/html"]) > 100000:
            data["text/html"] = {"length": len(data["text/html"]), "has_newPlot": "newPlot" in data["text/html"]}
    return res


def sc_polyglot(d):
    out = {}
    out["fs_define"] = d.execute("#!fsharp\nlet fsValue = 40")
    out["fs_state"] = d.execute("#!fsharp\nfsValue + 2")
    out["fs_type_error"] = d.execute("#!fsharp\nlet ok = 1\nlet bad : int = \"text\"")
    out["fs_runtime_error"] = d.execute("#!fsharp\nlet boom () : int = failwith \"kaboom\"\nboom ()")
    out["cs_list"] = d.execute("var shared = new List<int> { 1, 2, 3 };\nvar space = Space.Dict().OneOf(\"k\", 3, 5).Build();")
    out["to_fs"] = d.execute("#!fsharp\n#!share --from csharp shared\n#!share --from csharp space\nshared.Add 4\nspace.[\"extra\"] <- box 7\nshared.Count")
    out["cs_sees_fs_mutation"] = d.execute("shared.Count * 10 + (int)space[\"extra\"]!")
    out["fs_list"] = d.execute("#!fsharp\nlet fromFs = System.Collections.Generic.List<string>([\"a\"])")
    out["to_cs"] = d.execute("#!share --from fsharp fromFs\nfromFs.Add(\"b\");")
    out["fs_sees_cs_mutation"] = d.execute("#!fsharp\nfromFs.Count")
    out["value"] = d.execute("#!value --name data\n{\"layers\": [16, 32]}")
    out["read_value"] = d.execute("#!set --name json --value @value:data\nSystem.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty(\"layers\").GetArrayLength()")
    out["set_literal"] = d.execute("#!fsharp\n#!set --name answer --value 42\nanswer + 0")
    out["html"] = d.execute("#!html\n<b>bold</b>")
    out["markdown"] = d.execute("#!markdown\n# Title")
    out["javascript"] = d.execute("#!javascript\nconsole.log(1)")
    out["whos"] = d.execute("#!whos")
    out["unknown_cell_magic"] = d.execute("#!pwsh\nGet-Date")
    out["share_missing"] = d.execute("#!share --from fsharp nothingHere")
    out["set_bad"] = d.execute("#!set --name x --value @ruby:y")
    code = "#!fsharp\nfromFs.Cou"
    msg_id = d.kc.complete(code, len(code))
    out["fs_completion"] = d.reply(msg_id)["content"]
    msg_id = d.kc.is_complete("#!fsharp\nlet x = ")
    out["fs_is_complete"] = d.reply(msg_id)["content"]
    return out


def sc_fsharp_interrupt(d):
    msg_id = d.kc.execute("#!fsharp\nfor i in 1 .. 600 do\n    System.Threading.Thread.Sleep 50\n    Kernel.CancellationToken.ThrowIfCancellationRequested()")
    time.sleep(3)
    d.km.interrupt_kernel()
    reply = d.reply(msg_id)
    d.collect(msg_id)
    after = d.execute("#!fsharp\n1 + 1")
    return {"reply": reply["content"], "after": after}


def sc_nas_search(d):
    setup = d.execute("var space = Space.Dict().OneOf(\"x\", 0, 1, 2, 3, 4, 5, 6, 7).OneOf(\"y\", 0, 1, 2, 3).Build();\n"
                      "Func<SymDict, TrialFeedback, CancellationToken, Task> slow = async (c, fb, ct) => { await Task.Delay(150, ct); fb.Done(-Math.Abs((int)c[\"x\"]! - 5) - Math.Abs((int)c[\"y\"]! - 2)); };")
    search = _html_facts(d.execute_timed("#!nas search --space space --evaluator slow --algo tpe --trials 12 --study memory: --name live"))
    best = d.execute("#!nas best --top 3")
    plot = _html_facts(d.execute("#!nas plot --kind importance"))
    bad = d.execute("#!nas search --space space --evaluator slow --trials zero")
    return {"setup": setup, "search": search, "best": best, "plot": plot, "bad": bad}


def sc_nas_inspect(d):
    """#!nas status, pareto and plot --kind pareto on a study whose Pareto front is known: grid search over all 8 points
    of x in 0..7 with objectives (x, -(x*x % 5)); the front is x = 5, 6, 7."""
    setup = d.execute("var pspace = Space.Dict().OneOf(\"x\", 0, 1, 2, 3, 4, 5, 6, 7).Build();\n"
                      "Func<SymDict, Reward> two = c => new Reward((int)c[\"x\"]!, -((int)c[\"x\"]! * (int)c[\"x\"]! % 5));")
    search = _html_facts(d.execute("#!nas search -s pspace -e two --algo grid --trials 8 --study memory: --name front --objectives accuracy,-params"))
    status = _html_facts(d.execute("#!nas status"))
    pareto = _html_facts(d.execute("#!nas pareto --name front"))
    plot = _html_facts(d.execute("#!nas plot --kind pareto --name front"))
    return {"setup": setup, "search": search, "status": status, "pareto": pareto, "plot": plot}


def sc_interrupt(d):
    msg_id = d.kc.execute("while (true) { Kernel.CancellationToken.ThrowIfCancellationRequested(); System.Threading.Thread.Sleep(10); }")
    # wait until the cell is running (busy status seen)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        m = d.kc.get_iopub_msg(timeout=TIMEOUT)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
            break
    time.sleep(1.0)
    d.km.interrupt_kernel()
    reply = d.reply(msg_id)["content"]
    d.collect(msg_id)
    after = d.execute("1 + 1")
    return {"reply": reply, "after": after}


def sc_interrupt_signal(d):
    msg_id = d.kc.execute("while (!Interrupted) { System.Threading.Thread.Sleep(10); }\nCancellationToken.ThrowIfCancellationRequested();")
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        m = d.kc.get_iopub_msg(timeout=TIMEOUT)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
            break
    time.sleep(1.0)
    os.kill(d.km.provisioner.process.pid, signal.SIGINT)
    reply = d.reply(msg_id)["content"]
    d.collect(msg_id)
    after = d.execute("2 + 2")
    return {"reply": reply, "after": after}


def sc_bad_signature(d):
    marker = os.path.join(d.work, "pwned.txt")
    s, key = d.raw_socket("shell")
    key = key if isinstance(key, bytes) else key.encode()
    session = Session(key=b"wrong-key-" + key)
    code = 'System.IO.File.WriteAllText(@"%s", "executed");' % marker
    msg = session.msg("execute_request", content={"code": code, "silent": False, "store_history": True,
                                                 "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
    session.send(s, msg)
    # also an unsigned copy
    frames = [b"<IDS|MSG>", b"", json.dumps(msg["header"], default=str).encode(), b"{}", b"{}", json.dumps(msg["content"]).encode()]
    s.send_multipart(frames)
    got_reply = s.poll(3000) != 0
    # Positive control: the same request, correctly signed, on the same raw socket, is executed and answered.
    signed_marker = os.path.join(d.work, "signed.txt")
    good = Session(key=key)
    control = good.msg("execute_request", content={"code": 'System.IO.File.WriteAllText(@"%s", "executed");' % signed_marker,
                                                  "silent": False, "store_history": True, "user_expressions": {},
                                                  "allow_stdin": False, "stop_on_error": True})
    good.send(s, control)
    control_reply = None
    if s.poll(TIMEOUT * 1000):
        _, frames = good.feed_identities(s.recv_multipart())
        answer = good.deserialize(frames)
        control_reply = {"msg_type": answer["msg_type"], "parent_msg_id": answer["parent_header"].get("msg_id"),
                         "sent_msg_id": control["header"]["msg_id"], "status": answer["content"].get("status")}
    s.close()
    info = d.kernel_info()
    return {"executed": os.path.exists(marker), "got_reply": got_reply, "kernel_info_status": info.get("status"),
            "control_reply": control_reply, "control_executed": os.path.exists(signed_marker)}


def sc_fuzz(d):
    rng = random.Random(1234)
    sent = 0
    replies = 0
    for channel in ("shell", "control"):
        s, key = d.raw_socket(channel)
        key = key if isinstance(key, bytes) else key.encode()
        good = Session(key=key)
        bad = Session(key=b"not-the-key")
        for i in range(500):
            kind = i % 10
            if kind == 0:  # random frames
                frames = [rng.randbytes(rng.randint(0, 64)) for _ in range(rng.randint(1, 8))]
            elif kind == 1:  # delimiter but too few frames
                frames = [b"<IDS|MSG>"] + [rng.randbytes(8) for _ in range(rng.randint(0, 4))]
            elif kind == 2:  # correctly signed, bad JSON
                parts = [rng.randbytes(rng.randint(1, 30)) for _ in range(4)]
                frames = [b"<IDS|MSG>", good.sign(parts)] + parts
            elif kind == 3:  # wrong signature, valid message
                msg = bad.msg("kernel_info_request", content={})
                frames = bad.serialize(msg)
            elif kind == 4:  # signed, JSON that is not an object
                parts = [b"[1,2]", b"null", b"\"s\"", b"42"]
                frames = [b"<IDS|MSG>", good.sign(parts)] + parts
            elif kind == 5:  # signed header without msg_type
                parts = [b'{"msg_id": "x"}', b"{}", b"{}", b"{}"]
                frames = [b"<IDS|MSG>", good.sign(parts)] + parts
            elif kind == 6:  # garbage signature of the right length
                msg = good.msg("kernel_info_request", content={})
                frames = good.serialize(msg)
                frames[1] = b"0" * 64
            elif kind == 7:  # non-hex signature
                msg = good.msg("execute_request", content={"code": "Environment.Exit(3);"})
                frames = good.serialize(msg)
                frames[1] = b"zz" * 32
            elif kind == 8:  # deeply nested JSON, signed
                deep = b"[" * 5000 + b"]" * 5000
                parts = [b'{"msg_type": "kernel_info_request", "msg_id": "deep"}', b"{}", b"{}", b'{"a": ' + deep + b"}"]
                frames = [b"<IDS|MSG>", good.sign(parts)] + parts
            else:  # unsigned message (empty signature)
                msg = good.msg("execute_request", content={"code": "Environment.Exit(4);"})
                frames = good.serialize(msg)
                frames[1] = b""
            frames = [f if isinstance(f, bytes) else f.encode() for f in frames]
            s.send_multipart(frames)
            sent += 1
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            if s.poll(200):
                s.recv_multipart()
                replies += 1
        s.close()
    alive = d.km.is_alive()
    info = d.kernel_info()
    after = d.execute("3 * 3")
    return {"sent": sent, "replies": replies, "alive": alive, "kernel_info_status": info.get("status"), "after": after}


def sc_reference(d):
    """#r with a path relative to the notebook's working directory."""
    import shutil
    lib = os.path.join(d.work, "lib")
    os.makedirs(lib, exist_ok=True)
    shutil.copy(os.path.join(os.path.dirname(d.dll), "NasNotebooks.Kernel.Tests.dll"), os.path.join(lib, "RefLib.dll"))
    return d.execute('#r "lib/RefLib.dll"\nnew NasNotebooks.Kernel.Tests.Trial(7, "from #r", 0.5).Name')


def _study_rows(path, name):
    """(id, status, dna, reward, ended_at, worker) of every trial of a study in a SQLite store (read while it is written)."""
    if not os.path.exists(path):
        return []  # the search has not created its store yet
    c = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        return [list(r) for r in c.execute("SELECT id, status, dna, reward, ended_at, worker FROM trials WHERE study = ? ORDER BY id", (name,))]
    except sqlite3.OperationalError:
        return []  # the store's tables are not created yet
    finally:
        c.close()


RESUME_SETUP = ("var space = Space.Dict().OneOf(\"x\", 0, 1, 2, 3, 4, 5, 6, 7).OneOf(\"y\", 0, 1, 2, 3).Build();\n"
                "Func<SymDict, TrialFeedback, CancellationToken, Task> slow = async (c, fb, ct) => { await Task.Delay(250, ct); "
                "fb.Done(-Math.Abs((int)c[\"x\"]! - 5) - Math.Abs((int)c[\"y\"]! - 2)); };")


def sc_nas_resume(d):
    """A search killed mid-run (SIGKILL of the kernel) is continued by '#!nas resume' in a new kernel."""
    db = os.path.join(d.work, "resume.db")
    out = {"setup": d.execute(RESUME_SETUP)}
    msg_id = d.kc.execute("#!nas search --space space --evaluator slow --algo evolution --trials 12 --study %s --name killed" % db)
    deadline = time.monotonic() + TIMEOUT
    while True:
        rows = _study_rows(db, "killed")
        done = [r for r in rows if r[1] == "completed"]
        if len(done) >= 4 and any(r[1] == "pending" for r in rows):
            break
        if time.monotonic() > deadline:
            raise TimeoutError("the search did not reach 4 completed trials: %s" % rows)
        time.sleep(0.02)
    pid = d.km.provisioner.process.pid
    os.kill(pid, signal.SIGKILL)
    d.km.provisioner.process.wait()
    out["killed_pid"] = pid
    out["before"] = _study_rows(db, "killed")
    d.stop()
    d.start()
    out["new_pid"] = d.km.provisioner.process.pid
    out["setup_again"] = d.execute(RESUME_SETUP)
    # A trial held by the dead kernel (a process of this machine that is gone) is served again at once, not after its
    # 60 s lease: the time the resume takes tells.
    started = time.monotonic()
    out["resume"] = _html_facts(d.execute_timed("#!nas resume --study %s --space space --evaluator slow --trials 12" % db, timeout=240))
    out["resume_seconds"] = time.monotonic() - started
    out["after"] = _study_rows(db, "killed")
    out["status"] = _html_facts(d.execute("#!nas status --study %s" % db))
    return out


def sc_restart(d):
    before = d.execute("var survivor = 1;")
    d.km.restart_kernel(now=False)
    d.kc.wait_for_ready(timeout=TIMEOUT)
    after = d.execute("survivor")
    fresh = d.execute("var x = 1; x")
    return {"before": before, "after": after, "fresh": fresh}


def sc_shutdown(d):
    msg_id = d.kc.shutdown(restart=False)
    reply = d.kc.get_control_msg(timeout=TIMEOUT) if hasattr(d.kc, "get_control_msg") else None
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and d.km.is_alive():
        time.sleep(0.1)
    return {"reply": reply["content"] if reply else None, "alive_after": d.km.is_alive(),
            "exit_code": d.km.provisioner.process.poll() if d.km.provisioner else None}


SCENARIOS = [
    ("kernel_info", sc_kernel_info), ("state", sc_state), ("stdout", sc_stdout), ("live_stream", sc_live_stream), ("compile_error", sc_compile_error),
    ("runtime_error", sc_runtime_error), ("silent", sc_silent), ("stop_on_error", sc_stop_on_error), ("completion", sc_completion),
    ("is_complete", sc_is_complete), ("magics", sc_magics), ("display_update", sc_display_update), ("table", sc_table),
    ("plotly", sc_plotly), ("interrupt", sc_interrupt), ("interrupt_signal", sc_interrupt_signal),
    ("reference", sc_reference), ("polyglot", sc_polyglot), ("fsharp_interrupt", sc_fsharp_interrupt), ("nas_search", sc_nas_search),
    ("nas_inspect", sc_nas_inspect),
    ("bad_signature", sc_bad_signature), ("fuzz", sc_fuzz), ("restart", sc_restart),
    ("shutdown", sc_shutdown),
]

# Scenarios that run only when named in --scenarios (they kill or replace the kernel, or take long).
EXTRA_SCENARIOS = [("nas_resume", sc_nas_resume)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel-dll", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--scenarios", default="all")
    ap.add_argument("--dotnet", default="dotnet", help="dotnet host used to run the install command")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    wanted = None if args.scenarios == "all" else set(args.scenarios.split(","))
    result = {"scenarios": {}}
    d = Driver(args.kernel_dll, args.work, args.dotnet)
    try:
        result["kernelspec"] = d.install()
        result["start_seconds"] = d.start()
        for name, fn in SCENARIOS + EXTRA_SCENARIOS:
            if (wanted is None and (name, fn) in EXTRA_SCENARIOS) or (wanted is not None and name not in wanted):
                continue
            t0 = time.monotonic()
            try:
                data = fn(d)
                result["scenarios"][name] = {"ok": True, "data": data, "seconds": time.monotonic() - t0}
            except Exception:
                result["scenarios"][name] = {"ok": False, "error": traceback.format_exc(), "seconds": time.monotonic() - t0}
                if d.km is None or not d.km.is_alive():
                    break
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
