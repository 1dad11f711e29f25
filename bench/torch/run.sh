#!/usr/bin/env bash
# Training throughput on digits, TorchSharp trainer vs PyTorch, side by side in one run.
# Usage: bench/torch/run.sh [--epochs E] [--repeats R] [--threads T]   (defaults 5, 5, 2)
# Needs /usr/bin/python3 with torch (Debian: apt-get install -y python3-torch).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="${NAS_DIGITS_PATH:-$root/data/digits.csv.gz}"
args=("$@")
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

dotnet build -c Release "$root/bench/Bench" -v q -nologo >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
bench=("dotnet" "$root/bench/Bench/bin/Release/net10.0/NasNotebooks.Bench.dll" "torch-train" "--data" "$data")

# Alternate the two sides per model so drift on a shared machine hits both equally.
for model in mlp cnn; do
  /usr/bin/python3 "$root/bench/torch/train_bench.py" --data "$data" --model "$model" "${args[@]}" | tee -a "$out/py.txt"
  "${bench[@]}" --model "$model" "${args[@]}" | tee -a "$out/cs.txt"
done

echo
printf '%-5s %14s %14s %14s %8s %10s\n' model "trainer/s" "raw TS loop/s" "PyTorch/s" ratio "raw ratio"
for model in mlp cnn; do
  cs=$(awk -v m="$model" '$1=="RESULT" && $2==m {print $3}' "$out/cs.txt")
  py=$(awk -v m="$model" '$1=="RESULT" && $2==m {print $3}' "$out/py.txt")
  raw=$(awk -v m="$model-raw" '$1=="RESULT" && $2==m {print $3}' "$out/cs.txt")
  awk -v m="$model" -v cs="$cs" -v raw="$raw" -v py="$py" 'BEGIN { printf "%-5s %14.0f %14.0f %14.0f %8.3f %10.3f\n", m, cs, raw, py, cs / py, raw / py }'
done
echo "(ratio = NasNotebooks TorchTrainer samples/s ÷ PyTorch 1.13 samples/s; raw ratio = hand-written TorchSharp loop ÷ PyTorch;"
echo " 1.0 = parity, goal ≥ 0.9. TorchSharp 0.107 runs libtorch 2.10, Debian's PyTorch is 1.13: the kernels differ.)"
