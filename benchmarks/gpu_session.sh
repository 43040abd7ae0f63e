#!/usr/bin/env bash
# One GPU-machine session in one command: versions, the CUDA tests, then benchmarks/gpu.py.
# Usage (repo root, python3 with numpy, cupy, torch, pytest, pytest-xdist, pytest-timeout):
#   bash benchmarks/gpu_session.sh [gpu.py sections ...]
# Logs go to $OUT (default ./gpu_out): tests.log and bench.log. TEST_S / BENCH_S cap each part;
# LCE_S=300 also runs benchmarks/linear_cross_entropy.py on CUDA (lce.log).
set -u
OUT=${OUT:-gpu_out}
mkdir -p "$OUT"
export PYTHONPATH=.${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -c "import numpy, cupy, torch; print('numpy', numpy.__version__, 'cupy', cupy.__version__,
'torch', torch.__version__, 'cuda', cupy.cuda.runtime.runtimeGetVersion())"
if [ "${SKIP_TESTS:-0}" != 1 ]; then
  timeout "${TEST_S:-250}" python3 -m pytest -m cuda -n "${WORKERS:-8}" --timeout 150 \
    -p no:cacheprovider -rfE --tb=short ${PYTEST_ARGS:-} tests >"$OUT/tests.log" 2>&1
  echo "pytest exit: $?"
  grep -E "^(FAILED|ERROR)|passed|failed" "$OUT/tests.log" | tail -40
fi
if [ "${SKIP_BENCH:-0}" != 1 ]; then
  timeout "${BENCH_S:-300}" python3 benchmarks/gpu.py "$@" 2>&1 | tee "$OUT/bench.log"
fi
if [ "${LCE_S:-0}" != 0 ]; then      # issue 18's shapes; LCE_S=300 to run (minutes on an H200)
  timeout "$LCE_S" python3 benchmarks/linear_cross_entropy.py --device cuda --repeat 2 \
    --shapes 8192x2048x256000,16384x4096x128256 2>&1 | tee "$OUT/lce.log"
fi
