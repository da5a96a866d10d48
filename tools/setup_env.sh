#!/usr/bin/env bash
# Create or complete the project's environment in .venv/ (idempotent).
#
#   bash tools/setup_env.sh            # what `make env` runs
#
# Each step checks what is already there first, so on a ready machine this does nothing
# but a few version checks. mmcv 2.1.0 has no wheel for this torch on PyPI and mmseg
# cannot import without its compiled ops (mmcv-lite lacks mmcv.ops), so it is built from
# the sdist once and the wheel is kept in $PT4AL_WHEEL_CACHE, keyed by the torch version
# it was built against (pip's own cache keys it by the sdist only: after a torch change it
# would hand back a wheel with undefined symbols).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
MMCV_VERSION=2.1.0
SETUPTOOLS_VERSION=69.5.1
CACHE=${PT4AL_WHEEL_CACHE:-$HOME/.cache/pt4al_seg/wheels}

if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] creating $VENV with $($PY --version)"
    "$PY" -m venv "$VENV"
fi
VPY="$PWD/$VENV/bin/python"
PIP=("$VPY" -m pip --disable-pip-version-check)

satisfied() {  # satisfied REQFILE: every pinned line installed at its version?
    "$VPY" - "$1" <<'PYEOF'
import sys
from importlib.metadata import version, PackageNotFoundError
ok = True
for line in open(sys.argv[1]):
    line = line.split('#')[0].strip()
    if not line:
        continue
    name, want = line.split('==')
    try:
        have = version(name)
    except PackageNotFoundError:
        have = None
    if have is None or (have if '+' in want else have.split('+')[0]) != want:
        ok = False
sys.exit(0 if ok else 1)
PYEOF
}

# 1. Build tools and torch (needed by mmcv's setup.py, hence installed before it).
if ! satisfied requirements/build.txt; then
    echo "[setup] installing build requirements (torch CPU, setuptools<70, ...)"
    "${PIP[@]}" install -r requirements/build.txt
fi
# mmcv 2.1.0's setup.py imports pkg_resources, which setuptools >= 70 no longer ships.
# torch declares setuptools>=77 (for its own cpp_extension builds); pip only warns about
# the conflict and nothing in torch's runtime needs the newer one, so it is installed on
# its own, after torch, where the resolver cannot refuse it.
if ! "$VPY" -c "import setuptools, sys; sys.exit(setuptools.__version__ != '$SETUPTOOLS_VERSION')" 2>/dev/null; then
    "${PIP[@]}" install "setuptools==$SETUPTOOLS_VERSION"
fi

# 2. mmcv with compiled ops.
if ! "$VPY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null; then
    TORCH=$("$VPY" -c "import torch; print(torch.__version__)")
    PYTAG=$("$VPY" -c "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')")
    WHEEL_DIR="$CACHE/mmcv-$MMCV_VERSION-torch$TORCH-$PYTAG"
    if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
        echo "[setup] building mmcv $MMCV_VERSION against torch $TORCH (about 10 minutes on 2 cores)"
        TMP=$(mktemp -d)
        # --no-build-isolation: mmcv's setup.py imports torch and pkg_resources from this venv.
        # --no-cache-dir: never take a wheel pip cached for another torch (ABI trap above).
        # MMCV_WITH_OPS=1: build mmcv.ops (mmseg imports mmcv.ops.point_sample at import time).
        # Without a visible GPU only the CPU ops are built: DeepLab/ResNet need no CUDA op.
        MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} "${PIP[@]}" wheel --no-deps \
            --no-build-isolation --no-cache-dir --no-binary mmcv -w "$TMP" "mmcv==$MMCV_VERSION"
        mkdir -p "$WHEEL_DIR"
        mv "$TMP"/mmcv-*.whl "$WHEEL_DIR"/   # appears only once complete
        rm -rf "$TMP"
    fi
    "${PIP[@]}" install --no-deps --force-reinstall "$WHEEL_DIR"/mmcv-*.whl
    # mmcv's own runtime dependencies (its wheel was installed with --no-deps).
    "${PIP[@]}" install addict packaging Pillow pyyaml yapf
fi

# 3. OpenMMLab and the rest.
if ! satisfied requirements/runtime.txt; then
    echo "[setup] installing runtime requirements"
    "${PIP[@]}" install -r requirements/runtime.txt
fi

# 4. This package, editable.
# (checked from / so that the repository folder itself does not make it importable)
if ! (cd / && "$VPY" -c "import pt4al_seg") 2>/dev/null; then
    echo "[setup] installing pt4al_seg (editable)"
    "${PIP[@]}" install --no-deps --no-build-isolation -e .
fi
"$VPY" -c "import torch, mmcv, mmengine, mmseg, mmcv.ops, pt4al_seg; \
print(f'[setup] ready: torch {torch.__version__}, mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, mmseg {mmseg.__version__}')"
