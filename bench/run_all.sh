#!/usr/bin/env bash
# Every benchmark in one command, each printing its figures side by side:
#   bash bench/run_all.sh [cpu|cuda]        (PY=python3 to use another interpreter, e.g. on a GPU machine)
# Run it on a quiet machine; the figures in docs/performance.md were made this way.
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICE=${1:-cpu}
PY=${PY:-.venv/bin/python}
echo "== library vs bare PyTorch loop ($DEVICE)"
$PY bench/library_overhead.py --device "$DEVICE"
echo "== fast path vs naive DataLoader loop ($DEVICE)"
if [ "$DEVICE" = cuda ]; then
  $PY bench/fast_path.py --device cuda --variants naive,fp32,cudnn,channels_last,bf16,compile,cudagraphs
else
  $PY bench/fast_path.py --device cpu --steps 20 --variants naive,fp32,channels_last,bf16
fi
echo "== step time and memory by batch and resolution ($DEVICE)"
if [ "$DEVICE" = cuda ]; then
  $PY bench/batch_resolution.py --device cuda --batches 32,64,128,256,512
else
  $PY bench/batch_resolution.py --device cpu --batches 32,64 --steps 5
fi
echo "== Inception feature extraction ($DEVICE)"
if [ "$DEVICE" = cuda ]; then
  $PY bench/inception_throughput.py --device cuda --batches 16,64,256,512 --images 4096 --compare-cpu 32
else
  $PY bench/inception_throughput.py --device cpu --batches 8,32 --images 64 --fid-n 0
fi
echo "== one job across torchrun world sizes ($DEVICE)"
$PY bench/scaling.py --device "$DEVICE"
echo "== tempering lens step time"
$PY bench/lens_step_time.py
echo "== GLO code table: sparse vs dense"
$PY bench/glo_code_table.py
