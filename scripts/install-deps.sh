#!/usr/bin/env bash
# Installs the Debian packages the tests and notebooks use, when missing:
# a real Jupyter client (jupyter_client, nbclient, nbconvert), PostgreSQL 15 for multi-worker tests,
# Optuna/ipykernel for side-by-side benchmarks, patchelf; Chromium and the classic Jupyter Notebook for the
# browser tests (the dashboard's pages, and the kernel in a real front end; Playwright drives /usr/bin/chromium,
# it never downloads a browser).
set -euo pipefail
pkgs=(python3 python3-jupyter-client python3-nbclient python3-nbformat jupyter-nbconvert python3-ipykernel python3-zmq postgresql patchelf chromium jupyter-notebook)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The server package starts a cluster on some systems; the tests start their own on a free port.
if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
  $sudo pg_ctlcluster --force 15 main stop >/dev/null 2>&1 || true
fi
