#!/usr/bin/env bash
# The main job: runs notebooks/01-quickstart.ipynb headless against the NasNotebooks Jupyter kernel
# (a real seeded search that trains MLPs with TorchSharp on the shipped digits data, on the CPU, with
# the study in a SQLite file) and writes the executed notebook and an HTML report with the plots to
# artifacts/quickstart/. Any argument names another notebook in notebooks/ to run instead.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
notebook="${1:-01-quickstart.ipynb}"
./scripts/install-deps.sh
echo "Building the kernel (Release, ReadyToRun: the first build compiles Roslyn, F# and the kernel to machine code, a few minutes)..."
dotnet build src/Kernel -c Release -v quiet -nologo -p:NasReadyToRun=true
prefix="$PWD/artifacts/jupyter"
dotnet src/Kernel/bin/Release/net10.0/nasnotebooks-kernel.dll kernel install --prefix "$prefix" --name nasnotebooks >/dev/null
export JUPYTER_PATH="$prefix/share/jupyter"
out="$PWD/artifacts/${notebook%.ipynb}"
mkdir -p "$out"
echo "Running notebooks/$notebook (this trains real networks; about a minute on 2 cores)..."
(cd notebooks && /usr/bin/python3 -m nbconvert --to notebook --execute "$notebook" --output-dir "$out" \
   --ExecutePreprocessor.timeout=1800 --ExecutePreprocessor.kernel_name=nasnotebooks --log-level=WARN)
/usr/bin/python3 -m nbconvert --to html "$out/$notebook" --output-dir "$out" --log-level=WARN
/usr/bin/python3 scripts/notebook-summary.py "$out/$notebook"
echo
echo "Executed notebook: $out/$notebook"
echo "HTML report:       $out/${notebook%.ipynb}.html"
