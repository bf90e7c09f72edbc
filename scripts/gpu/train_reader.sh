#!/usr/bin/env bash
# Train two reader variants side by side on a lent GPU machine (the device tool), from the repo root:
#   python scripts/gpu/prepare.py                       # here, once: packs .gpu/
#   device run, carry [".gpu"]:  bash scripts/gpu/train_reader.sh MINUTES
#   python scripts/gpu/shards.py unpack FILES_AT a RUN  # here, per variant, then evaluate and export
# MINUTES is each variant's training time; the LR schedule is fitted to it (--time-budget-minutes).
# EXTRA adds train options to both variants (a smoke run here: EXTRA="--limit-examples 64 --max-steps 4");
# VARIANT_A / VARIANT_B replace a variant's own options (the defaults made reader v4 from v3).
set -u
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export PYTHONPATH=$PWD/.gpu/site:$PWD
PY=${PY:-python3}
OUT=${OUT:-/tmp/gpu-out}
RUNS=${RUNS:-/tmp/gpu-runs}
mkdir -p "$OUT" "$RUNS" /tmp/gpu-qa
$PY -c "import tarfile; tarfile.open('.gpu/data.tar.xz').extractall('/tmp/gpu-qa')"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || echo "no GPU"
common="--data /tmp/gpu-qa/train --init-from models/reader --batch-size 32 --distractors 0.5 --checkpoint-minutes 1000 --threads 8 --time-budget-minutes ${1:-5} ${EXTRA:-}"
variant() {
  local name=$1; shift
  $PY -m newsqa.training.train --out "$RUNS/$name" $common "$@" > "$OUT/$name.log" 2>&1 \
    && $PY scripts/gpu/shards.py pack "$RUNS/$name" "$OUT" "$name" >> "$OUT/$name.log" 2>&1
  echo "variant $name exit $?"
}
variant a ${VARIANT_A:---epochs 2 --lr 5e-5 --seed 21} &
variant b ${VARIANT_B:---epochs 3 --lr 1e-4 --seed 22} &
wait
ls -la "$OUT"
