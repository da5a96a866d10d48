#!/usr/bin/env bash
# The GPU checks (issue #18) in one short, prepared script for a lent GPU
# machine where nothing can be fetched (../shared/ENVIRONMENT.md).
#
# Here, where PyPI is reachable (once; both folders are git-ignored):
#   bash tools/gpu_checks.sh prepare   # .whl/: the wheels the GPU image lacks
#                                      # and mmcv's sdist; .gpu_data/: the
#                                      # Fashion-MNIST IDX files
# There (the device tool's `run`, carry .whl and .gpu_data; OUT is set), in
# two calls that each fit the 10-minute command limit (the second on the warm
# machine, where /tmp/site and /tmp/pt4al_data are still there):
#   bash tools/gpu_checks.sh run env data pytest demo
#   bash tools/gpu_checks.sh run cityscapes benchmark
# Steps (default: all, in this order): env (install into /tmp/site, build
# mmcv once: its wheel goes to $OUT/wheels, carry it back in .whl to skip the
# build next time), data, pytest (the GPU-only tests), demo (fp32, then --amp
# with al.bf16=True: selections and mIoU side by side), cityscapes (a
# 2048x1024 Cityscapes-layout stand-in, the colorization config cut short,
# torchrun with one process: NCCL DDP and mmseg's SyncBN), benchmark
# (tools/benchmark.py on the demo). Each step logs to $OUT/<step>.log and its
# wall seconds to $OUT/steps.csv; a failed step does not stop the next ones,
# and makes the exit status 1.
set -uo pipefail
cd "$(dirname "$0")/.."
MMCV=mmcv-2.1.0
FMNIST_SRC=${FMNIST:-/usr/share/datasets/fashion-mnist}
# pure-Python wheels the GPU image lacks, at the versions of requirements/
WHEELS="mmengine==0.10.7 mmsegmentation==1.2.2 addict==2.4.0 yapf==0.43.0
platformdirs==4.14.9 termcolor==3.3.0 prettytable==3.18.0 wcwidth==0.9.5
ftfy==6.3.1 setuptools==69.5.1"

prepare() {
    mkdir -p .whl .gpu_data/fashion-mnist
    python3 -m pip download -q --no-deps --only-binary=:all: \
        --python-version 3.12 --implementation cp --platform manylinux2014_x86_64 \
        --platform any -d .whl $WHEELS || exit 1
    if [ ! -f ".whl/$MMCV.tar.gz" ]; then
        .venv/bin/python -m pip download -q --no-deps --no-binary=:all: \
            --no-build-isolation -d .whl "${MMCV/-/==}" || exit 1
    fi
    cp "$FMNIST_SRC"/*-ubyte.gz .gpu_data/fashion-mnist/ || exit 1
    du -sh .whl .gpu_data
}

step_env() {
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --upgrade --target /tmp/site .whl/*.whl || return 1
    if ! python3 -c "import mmcv.ops" 2>/dev/null; then
        # CPU ops only (all DeepLab and ResNet need); CUDA hidden for the build
        mkdir -p "$OUT/wheels"
        CUDA_VISIBLE_DEVICES= MMCV_WITH_OPS=1 MAX_JOBS=16 python3 -m pip wheel \
            -q --no-index --no-deps --no-build-isolation -w "$OUT/wheels" \
            ".whl/$MMCV.tar.gz" || return 1
        python3 -m pip install -q --no-index --no-deps --target /tmp/site \
            "$OUT"/wheels/mmcv-*.whl || return 1
    fi
    python3 -c "import torch, mmcv, mmcv.ops, mmengine, mmseg, sklearn
print('torch', torch.__version__, 'cuda', torch.version.cuda,
      torch.cuda.get_device_name(0))
print('mmcv', mmcv.__version__, 'mmengine', mmengine.__version__,
      'mmseg', mmseg.__version__, 'sklearn', sklearn.__version__)" || return 1
    nvidia-smi -L
}

step_data() {
    rm -rf "$DATA"
    python3 tools/dataset_converters/fashion_scenes.py "$DATA/fashion_scenes_64" \
        --source .gpu_data/fashion-mnist --size 64 --num-train 1000 \
        --num-val 200 --seed 0 --workers 16 || return 1
    python3 tools/dataset_converters/fashion_scenes.py "$DATA/cityscapes" --layout cityscapes \
        --source .gpu_data/fashion-mnist --size 1024 --num-train 200 \
        --num-val 50 --seed 0 --workers 16
}

step_pytest() {
    python3 -m pytest -q -p no:cacheprovider tests/test_strategies/test_pickers.py
}

step_demo() {
    local data="data_root=$DATA/fashion_scenes_64"
    python3 tools/train_al.py configs/pt4al_seg/demo.py \
        --work-dir "$OUT/demo_fp32" --cfg-options "$data" || return 1
    python3 tools/train_al.py configs/pt4al_seg/demo.py --amp \
        --work-dir "$OUT/demo_amp_bf16" --cfg-options "$data" al.bf16=True ||
        return 1
    python3 - "$OUT" <<'EOF'
import csv, os.path as osp, sys
out = sys.argv[1]
runs = {name: osp.join(out, name) for name in ('demo_fp32', 'demo_amp_bf16')}
for cycle in range(3):
    sel = [set(open(osp.join(wd, f'cycle_{cycle:02d}', 'selected.txt')).read()
               .split()) for wd in runs.values()]
    miou = [r['mIoU'] for wd in runs.values() for r in
            csv.DictReader(open(osp.join(wd, 'summary.csv')))
            if int(r['cycle']) == cycle]
    print(f'cycle {cycle}: mIoU fp32 {miou[0]}, amp+bf16 {miou[1]}; '
          f'{len(sel[0] & sel[1])} of {len(sel[0])} picks shared')
EOF
}

step_cityscapes() {
    local cfg=configs/pt4al_seg/pt4al-colorization_deeplabv3_r50-d8_4xb2-20k_cityscapes-512x1024.py
    python3 -m torch.distributed.run --nproc_per_node=1 --master_port=29511 \
        tools/train_al.py "$cfg" \
        --launcher pytorch --work-dir "$OUT/cityscapes" --cfg-options \
        data_root="$DATA/cityscapes" train_cfg.max_iters=100 \
        pretext.train_cfg.max_iters=50 \
        default_hooks.checkpoint.interval=100 default_hooks.logger.interval=10 \
        al.num_cycles=2 al.budget=20 || return 1
    python3 -c "import torch.distributed as d; print('nccl', d.is_nccl_available())"
}

step_benchmark() {
    python3 tools/benchmark.py configs/pt4al_seg/demo.py \
        --work-dir "$OUT/benchmark" --pool-sizes 10000 100000 \
        --cfg-options data_root="$DATA/fashion_scenes_64"
}

run() {
    : "${OUT:?set OUT to the folder that comes back}"
    export PYTHONPATH=/tmp/site:$PWD
    DATA=/tmp/pt4al_data
    local all=(env data pytest demo cityscapes benchmark) steps=("$@") s
    [ ${#steps[@]} -eq 0 ] && steps=("${all[@]}")
    for s in "${steps[@]}"; do
        if [[ " ${all[*]} " != *" $s "* ]]; then
            echo "gpu_checks.sh: unknown step $s; steps: ${all[*]}" >&2
            exit 2
        fi
    done
    echo "step,seconds,status" >"$OUT/steps.csv"
    local failed=0
    for s in "${steps[@]}"; do
        local start=$SECONDS status=ok
        echo "== $s"
        "step_$s" >"$OUT/$s.log" 2>&1 || { status=failed; failed=1; }
        echo "$s,$((SECONDS - start)),$status" | tee -a "$OUT/steps.csv"
        tail -n 5 "$OUT/$s.log"
        # checkpoints stay there (too large to bring back)
        find "$OUT" -name '*.pth' -delete
    done
    return $failed
}

case "${1:-}" in
    prepare) prepare ;;
    run) shift; run "$@"; exit $? ;;
    *) echo "usage: bash tools/gpu_checks.sh prepare | run [STEP ...]" >&2; exit 2 ;;
esac
