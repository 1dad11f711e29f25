#!/usr/bin/python3
"""Reads what run-tests.sh recorded and reports on it.

  test-report.py filter  RESULTS_DIR
      prints a `dotnet test --filter` expression selecting the tests that failed (nothing if none).
  test-report.py summary EXIT_STATUS RESULTS_DIR [RERUN_DIR]
      prints every failed test with the start of its message, the tests that failed at first and passed
      when rerun (flaky, named so nobody mistakes them for green), one line per other cause of failure, and
      the last line "N passed, N failed, N skipped" over all test projects; exits 1 if anything failed.

RESULTS_DIR holds, besides the TRX files of `dotnet test --logger trx` (EXIT_STATUS is its exit status):
  build-status      the exit status of `dotnet build` (missing: the build is not checked)
  build.log         its output
  discovered/*.txt  the output of `dotnet test PROJECT --list-tests`, one file per test project

The run fails, whatever the reruns say, on each of these causes (each printed on its own line):
  BUILD ERROR            dotnet build failed (each distinct error line is printed)
  TEST RUN ABORTED       a test host crashed or the run was aborted (vstest's RunInfo in a TRX file)
  OUTCOME <name>         a test result other than Passed, Failed or NotExecuted (Timeout, Error, Aborted...)
  SKIPPED WITHOUT REASON a skipped (NotExecuted) test whose result carries no reason
  MISSING RESULTS        a test project ran fewer tests than `--list-tests` discovered (tests lost in a crash)
  DISCOVERY FAILED       the tests of a project could not be listed, or nothing was discovered at all
  EXIT STATUS            dotnet test failed and none of the above explains it
Tests that are missing, have another outcome or were skipped without a reason count as failed in the last line.
"""
import collections
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
OUTCOMES_OK = ("Passed", "Failed", "NotExecuted")
Result = collections.namedtuple("Result", "assembly method name outcome message")


def trx_files(directory):
    return sorted(glob.glob(os.path.join(directory, "*.trx")))


def load(directory):
    """Every result in the TRX files of directory (not of its subfolders)."""
    results = []
    for path in trx_files(directory):
        root = ET.parse(path).getroot()
        methods = {}
        for test in root.iterfind("t:TestDefinitions/t:UnitTest", NS):
            m = test.find("t:TestMethod", NS)
            if m is not None:
                assembly = os.path.basename(m.get("codeBase") or test.get("storage") or "")
                methods[test.get("id")] = (assembly, f"{m.get('className')}.{m.get('name')}")
        for r in root.iterfind("t:Results/t:UnitTestResult", NS):
            msg = r.find("t:Output/t:ErrorInfo/t:Message", NS)
            text = (msg.text or "").strip() if msg is not None else ""
            assembly, method = methods.get(r.get("testId"), ("", r.get("testName")))
            results.append(Result(assembly, method, r.get("testName"), r.get("outcome"), text))
    return results


def aborted_runs(directory):
    """(assembly or TRX file name, first line of the message) for each run vstest reports as aborted or crashed."""
    found = []
    for path in trx_files(directory):
        root = ET.parse(path).getroot()
        summary = root.find("t:ResultSummary", NS)
        if summary is None:
            continue
        stdout = summary.findtext("t:Output/t:StdOut", default="", namespaces=NS)
        m = re.search(r"Discovering:\s+(\S+)", stdout)
        where = (m.group(1) + ".dll") if m else os.path.basename(path)
        texts = [(ri.findtext("t:Text", default="", namespaces=NS) or "").strip() for ri in summary.iterfind("t:RunInfos/t:RunInfo", NS)]
        texts = [t for t in texts if "test run was aborted" in t or "Test host process crashed" in t or "test host process exited" in t.lower()]
        if summary.get("outcome") == "Aborted" and not texts:
            texts = ["the run's outcome is Aborted"]
        for t in texts:
            found.append((where, t.splitlines()[0][:300]))
    return found


def discovered(directory):
    """({assembly: [test names]}, [problems]) from the `--list-tests` outputs in directory/discovered."""
    folder = os.path.join(directory, "discovered")
    if not os.path.isdir(folder):
        return None, [f"no test discovery was recorded ({folder} is missing), so the number of tests run cannot be checked"]
    tests, problems = {}, []
    for path in sorted(glob.glob(os.path.join(folder, "*.txt"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        assembly, names, listing = None, [], False
        for line in lines:
            m = re.match(r"Test run for (.+?\.dll) \(", line)
            if m:
                assembly = os.path.basename(m.group(1))
            elif line.startswith("The following Tests are available:"):
                listing = True
            elif listing and line.startswith("    ") and line.strip():
                names.append(line.strip())
        project = os.path.splitext(os.path.basename(path))[0]
        if assembly is None or not listing:
            tail = " | ".join([l.strip() for l in lines if l.strip()][-2:])[:300]
            problems.append(f"the tests of {project} could not be listed: {tail or 'no output'}")
            continue
        tests.setdefault(assembly, []).extend(names)
    if not tests and not problems:
        problems.append(f"{folder} lists no test project")
    return tests, problems


def build_errors(directory):
    """None when the build is not recorded or passed; else the distinct error lines (maybe none)."""
    status_file = os.path.join(directory, "build-status")
    if not os.path.exists(status_file):
        return None
    with open(status_file) as f:
        status = int(f.read().strip() or "1")
    if status == 0:
        return None
    errors = []
    log = os.path.join(directory, "build.log")
    if os.path.exists(log):
        with open(log, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if re.search(r"(:|^)\s*error\s*([A-Z]+[0-9]+)?\s*:", line) and line not in errors:
                    errors.append(line)
    return errors or [f"dotnet build exited with {status}"]


def failed_filter(directory):
    names = sorted({r.method for r in load(directory) if r.outcome == "Failed"})
    return "|".join(f"FullyQualifiedName={n}" for n in names)


def summary(status, directory, rerun=None):
    first = load(directory)
    causes = []  # (line, how many failures it stands for)

    for line in build_errors(directory) or []:
        causes.append((f"BUILD ERROR: {line[:400]}", 0))
    if any(c[0].startswith("BUILD ERROR") for c in causes):
        causes[0] = (causes[0][0], 1)

    aborted = aborted_runs(directory)
    for where, text in aborted:
        causes.append((f"TEST RUN ABORTED ({where}): {text}", 1))

    for r in first:
        if r.outcome not in OUTCOMES_OK:
            first_line = r.message.splitlines()[0][:300] if r.message else ""
            causes.append((f"OUTCOME {r.outcome}: {r.name}" + (f": {first_line}" if first_line else ""), 1))
        elif r.outcome == "NotExecuted" and not r.message:
            causes.append((f"SKIPPED WITHOUT REASON: {r.name} (a skip must say why)", 1))

    expected, problems = discovered(directory)
    for p in problems:
        causes.append((f"DISCOVERY FAILED: {p}", 1))
    if expected is not None:
        ran = collections.Counter(r.assembly for r in first)
        for assembly, names in sorted(expected.items()):
            missing = collections.Counter(names) - collections.Counter(r.name for r in first if r.assembly == assembly)
            shortfall = len(names) - ran[assembly]
            if shortfall > 0:
                listed = ", ".join(sorted(missing.elements())[:5])
                more = f" and {sum(missing.values()) - 5} more" if sum(missing.values()) > 5 else ""
                causes.append((f"MISSING RESULTS: {assembly}: {len(names)} tests discovered, {ran[assembly]} run"
                               + (f" (not run: {listed}{more})" if listed else ""), shortfall))

    passed = sum(1 for r in first if r.outcome == "Passed")
    skipped = sum(1 for r in first if r.outcome == "NotExecuted" and r.message)
    failed_first = [r for r in first if r.outcome == "Failed"]
    failed, flaky = failed_first, []
    if rerun is not None and failed_first:
        again = {r.name: r.outcome for r in load(rerun)}
        failed, flaky = [], []
        for r in failed_first:
            (flaky if again.get(r.name) == "Passed" else failed).append(r)
        passed += len(flaky)

    if status != 0 and not failed_first and not causes:
        causes.append((f"EXIT STATUS: dotnet test exited with {status} without a failed test or another cause above", 1))
    if not first and not causes:
        causes.append(("DISCOVERY FAILED: no test result at all", 1))

    for r in failed:
        print(f"FAILED {r.name}\n    {r.message[:600].replace(chr(10), chr(10) + '    ')}")
    for r in flaky:
        first_line = r.message.splitlines()[0] if r.message else ""
        print(f"FLAKY (failed, then passed when rerun once) {r.name}: {first_line[:300]}")
    for line, _ in causes:
        print(line)
    n_failed = len(failed) + sum(n for _, n in causes)
    if causes and n_failed == 0:
        n_failed = 1
    print(f"{passed} passed, {n_failed} failed, {skipped} skipped")
    return 1 if n_failed else 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "filter":
        print(failed_filter(sys.argv[2]))
        sys.exit(0)
    if len(sys.argv) >= 4 and sys.argv[1] == "summary":
        sys.exit(summary(int(sys.argv[2]), sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
