#!/usr/bin/env bash
# The test command: installs what the tests need (Debian packages, via apt-get as root or sudo), builds the
# solution, lists every test project's tests, runs them all with `dotnet test`, and ends with the line
# "N passed, N failed, N skipped". A test that fails is run once more on its own; if it passes then, it is
# counted as passed and named as FLAKY above the last line (so a flake is visible, never silent); failures are
# listed with their messages. Whatever the reruns say, the run fails on a build error, a crashed or aborted test
# host, a result other than passed/failed/skipped-with-a-reason, or a project that ran fewer tests than it has;
# each cause is printed on its own line above the last line (scripts/test-report.py).
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

./scripts/install-deps.sh

results="${TEST_RESULTS:-$PWD/TestResults}"
rm -rf "$results"
mkdir -p "$results/discovered"

build=0
dotnet build NasNotebooks.sln -c Release 2>&1 | tee "$results/build.log" || build=$?
echo "$build" > "$results/build-status"

# The tests each project has (every test project of the solution, found by its Microsoft.NET.Test.Sdk reference),
# listed in parallel; test-report.py fails the run when a project ran fewer.
pids=()
while IFS= read -r proj; do
  grep -q 'Microsoft.NET.Test.Sdk' "$proj" || continue
  name=$(basename "$proj" .csproj)
  dotnet test "$proj" -c Release --no-build --list-tests > "$results/discovered/$name.txt" 2>&1 &
  pids+=($!)
done < <(dotnet sln NasNotebooks.sln list | grep '\.csproj$')
for p in "${pids[@]}"; do wait "$p" || true; done

status=0
dotnet test NasNotebooks.sln -c Release --no-build --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?

rerun=()
if [ "$status" -ne 0 ]; then
  filter=$(/usr/bin/python3 scripts/test-report.py filter "$results")
  if [ -n "$filter" ]; then
    echo "Rerunning the failed tests once: $filter"
    dotnet test NasNotebooks.sln -c Release --no-build --filter "$filter" --logger "trx" --logger "console;verbosity=normal" --results-directory "$results/rerun" || true
    rerun=("$results/rerun")
  fi
fi
/usr/bin/python3 scripts/test-report.py summary "$status" "$results" "${rerun[@]}"
