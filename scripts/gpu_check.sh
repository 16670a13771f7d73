#!/usr/bin/env bash
# Check latentgan on a GPU machine in under 10 minutes and pack every result into ONE archive.
#
#   scripts/gpu_check.sh [--dry] [OUT_DIR]        (run from anywhere; OUT_DIR defaults to $OUT or /tmp/gpu-check)
#
# Jobs (each under its own timeout, all ended by DEADLINE seconds): every packaged config (latentgan/configs/*.yaml)
# trained for a few hundred steps on cuda, resumed, sampled and evaluated; the explorer's endpoints on one run;
# scripts/check_no_sync.py; the benches (fast path vs the naive loop, library overhead, the lens's step cost,
# batch x resolution with peak memory); the test suite with CUDA visible. Output: OUT_DIR/gpu_check_results.tar.gz
# holding results/summary.txt (one line per job: rc and seconds) and each job's log.
#
# --dry (or DRY=1) runs the same commands on the CPU with tiny budgets, to check them before spending GPU time.
# Environment: PY (python, default python3), DEADLINE (seconds, default 540), CONFIGS (space-separated config
# names, default all), JOBS (space-separated subset of: configs explore nosync bench tests; default all).
set -u
DRY=${DRY:-0}
while [ $# -gt 0 ]; do
  case "$1" in
    --dry) DRY=1 ;;
    -h|--help) sed -n 2,15p "$0"; exit 0 ;;
    *) OUT="$1" ;;
  esac
  shift
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/gpu-check}
R="$OUT/results"; W="$OUT/work"
rm -rf "$R" "$W"; mkdir -p "$R" "$W"
PY=${PY:-python3}
DEADLINE=${DEADLINE:-540}
JOBS=${JOBS:-configs explore nosync bench tests}
CONFIGS=${CONFIGS:-$(cd "$ROOT/latentgan/configs" && ls *.yaml | sed 's/\.yaml$//' | tr '\n' ' ')}
DEV=cuda; [ "$DRY" = 1 ] && DEV=cpu
START=$(date +%s)
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 MPLBACKEND=Agg
cd "$ROOT"

S() { if [ "$DRY" = 1 ]; then echo "$2"; else echo "$1"; fi; }   # S FULL DRY
left() { echo $(( DEADLINE - ($(date +%s) - START) )); }
want() { case " $JOBS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
# run NAME SECONDS CMD...: CMD under a timeout (never past the deadline), its output in results/NAME.txt.
run() {
  local name=$1 limit=$2; shift 2
  local budget; budget=$(left)
  [ "$limit" -gt "$budget" ] && limit=$budget
  if [ "$limit" -le 0 ]; then echo "$name rc=skipped (deadline)" >> "$R/summary.txt"; return; fi
  local t0; t0=$(date +%s)
  timeout "$limit" "$@" > "$R/$name.txt" 2>&1
  local rc=$?
  echo "$name rc=$rc ${limit}s-limit $(( $(date +%s) - t0 ))s" >> "$R/summary.txt"
}

{ echo "dry=$DRY device=$DEV jobs=[$JOBS]"; date -u; nvidia-smi --query-gpu=name,memory.total,driver_version \
    --format=csv 2>/dev/null || echo "no nvidia-smi"; nproc
  $PY -c "import sys, torch; print(sys.version.split()[0], torch.__version__, torch.cuda.is_available(),
torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"; } > "$R/machine.txt" 2>&1

LG="$PY -m latentgan.cli"
COMMON="--set train.progress=false --set train.log_every=$(S 50 2) --set train.sample_every=$(S 100 2) \
--set train.checkpoint_every=$(S 100 2)"
# A tiny budget still goes through every code path: the batch and widths shrink only in the dry mode.
DRYSET=$(S "" "--set train.batch_size=8 --set data.limit=64")

if want configs; then
  for c in $CONFIGS; do
    out="$W/$c"
    run "config_${c}_train" $(S 120 60) $LG train --config "$c" --steps $(S 300 4) --device $DEV $COMMON $DRYSET --out "$out"
    run "config_${c}_resume" $(S 60 60) $LG resume "$out" --steps $(S 400 6) --device $DEV
    run "config_${c}_sample" $(S 30 60) $LG sample "$out" --n 16 --out "$R/sample_$c.png" --device $DEV
    run "config_${c}_eval" $(S 60 60) $LG eval "$out" --n $(S 500 32) --device $DEV
  done
fi
if want explore; then
  # The explorer shows image models: a small DCGAN on scikit-learn's digits (no download needed).
  run explore_train $(S 60 60) $LG train --model gan --data digits --set data.resize=28 --set model.width=16 \
      --steps $(S 100 4) --device $DEV $COMMON $DRYSET --out "$W/explore-run"
  run explore_endpoints $(S 60 60) $PY scripts/explore_endpoints.py "$W/explore-run" --device $DEV
fi
if want nosync; then
  run check_no_sync $(S 90 120) $PY scripts/check_no_sync.py --device $DEV --steps $(S 20 2)
fi
if want bench; then
  run bench_fast_path $(S 150 120) $PY bench/fast_path.py --device $DEV --models gan,ali,glo \
      --variants $(S naive,fp32,bf16,compile,cudagraphs naive,fp32) $(S "--steps 40 --rounds 3" "--steps 2 --rounds 1 --warmup 1 --batch 8")
  run bench_library_overhead $(S 60 120) $PY bench/library_overhead.py --device $DEV $(S "" "--models gan --steps 2 --rounds 1 --batch 8")
  run bench_lens_step_time $(S 60 120) $PY bench/lens_step_time.py --device $DEV $(S "--steps 30 --rounds 5" "--steps 1 --rounds 1 --batch 8")
  run bench_batch_resolution $(S 120 120) $PY bench/batch_resolution.py --device $DEV $(S "--preset gpu --steps 10" "--preset tiny --steps 1 --width 8")
fi
if want tests; then
  # With CUDA visible; the default suite (slow tests excluded), in parallel when pytest-xdist is there.
  XDIST=$($PY -c "import xdist" 2>/dev/null && echo "-n 8")
  run tests $(S 300 120) $PY -m pytest -q -x -m "not slow" $XDIST $(S "" "tests/test_rng.py")
fi

echo "total $(( $(date +%s) - START ))s" >> "$R/summary.txt"
tar czf "$OUT/gpu_check_results.tar.gz" -C "$OUT" results
echo "$OUT/gpu_check_results.tar.gz"
cat "$R/summary.txt"
