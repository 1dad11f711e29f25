#!/usr/bin/python3
"""Reads the TRX files `dotnet test` wrote and reports on them (used by run-tests.sh).

  test-report.py filter  RESULTS_DIR
      prints a `dotnet test --filter` expression selecting the tests that failed (nothing if none).
  test-report.py summary EXIT_STATUS RESULTS_DIR [RERUN_DIR]
      prints every failed test with the start of its message, the tests that failed at first and passed
      when rerun (flaky, named so nobody mistakes them for green), and the last line
      "N passed, N failed, N skipped" over all test projects; exits 1 if anything is still failing.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def load(directory):
    """Yields (full method name, display name, outcome, message) for every result in the TRX files."""
    for path in sorted(glob.glob(os.path.join(directory, "*.trx"))):
        root = ET.parse(path).getroot()
        methods = {}
        for test in root.iterfind("t:TestDefinitions/t:UnitTest", NS):
            m = test.find("t:TestMethod", NS)
            if m is not None:
                methods[test.get("id")] = f"{m.get('className')}.{m.get('name')}"
        for r in root.iterfind("t:Results/t:UnitTestResult", NS):
            msg = r.find("t:Output/t:ErrorInfo/t:Message", NS)
            text = (msg.text or "").strip() if msg is not None else ""
            yield methods.get(r.get("testId"), r.get("testName")), r.get("testName"), r.get("outcome"), text


def failed_filter(directory):
    names = sorted({m for m, _, outcome, _ in load(directory) if outcome == "Failed"})
    return "|".join(f"FullyQualifiedName={n}" for n in names)


def summary(status, directory, rerun=None):
    first = list(load(directory))
    passed = sum(1 for r in first if r[2] == "Passed")
    skipped = sum(1 for r in first if r[2] not in ("Passed", "Failed"))
    failed_first = [r for r in first if r[2] == "Failed"]
    failed, flaky = failed_first, []
    if rerun is not None and failed_first:
        again = {}
        for method, name, outcome, msg in load(rerun):
            again[name] = (outcome, msg)
        failed, flaky = [], []
        for r in failed_first:
            outcome = again.get(r[1], ("NotRun", ""))[0]
            (flaky if outcome == "Passed" else failed).append(r)
        passed += len(flaky)
    for method, name, _, msg in failed:
        print(f"FAILED {name}\n    {msg[:600].replace(chr(10), chr(10) + '    ')}")
    for method, name, _, msg in flaky:
        first_line = msg.splitlines()[0] if msg else ""
        print(f"FLAKY (failed, then passed when rerun once) {name}: {first_line[:300]}")
    n_failed = len(failed)
    if status != 0 and not failed_first:
        print(f"dotnet test exited with {status} and no failed test result: a build error or a crashed test host")
        n_failed = max(n_failed, 1)
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
