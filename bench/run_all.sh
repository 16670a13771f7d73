#!/usr/bin/env bash
# Every benchmark in one command, each printing its figures side by side:
#   bash bench/run_all.sh [cpu|cuda]
# Run it on a quiet machine; the figures in docs/performance.md were made this way.
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICE=${1:-cpu}
PY=.venv/bin/python
echo "== library vs bare PyTorch loop ($DEVICE)"
$PY bench/library_overhead.py --device "$DEVICE"
echo "== one job across torchrun world sizes ($DEVICE)"
$PY bench/scaling.py --device "$DEVICE"
echo "== tempering lens step time"
$PY bench/lens_step_time.py
echo "== GLO code table: sparse vs dense"
$PY bench/glo_code_table.py
