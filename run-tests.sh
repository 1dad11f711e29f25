#!/usr/bin/env bash
# The test command: installs what the tests need (Debian packages, via apt-get as root or sudo),
# runs every test project with `dotnet test`, and ends with the line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

./scripts/install-deps.sh

results="${TEST_RESULTS:-$PWD/TestResults}"
rm -rf "$results"
status=0
dotnet test NasNotebooks.sln -c Release --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?

passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); passed=$((passed + ${p:-0}))
  x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line"); failed=$((failed + ${x:-0}))
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$line"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$line")
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "dotnet test exited with $status (build error or crashed test host)"; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
