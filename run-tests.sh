#!/usr/bin/env bash
# The test command: installs what the tests need (Debian packages, via apt-get as root or sudo),
# runs every test project with `dotnet test`, and ends with the line "N passed, N failed, N skipped".
# A test that fails is run once more on its own; if it passes then, it is counted as passed and
# named as FLAKY above the last line (so a flake is visible, never silent); failures are listed
# with their messages.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

./scripts/install-deps.sh

results="${TEST_RESULTS:-$PWD/TestResults}"
rm -rf "$results"
status=0
dotnet test NasNotebooks.sln -c Release --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?

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
