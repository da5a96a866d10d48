#!/usr/bin/env bash
# Create or complete the project's environment in .venv/ (idempotent).
#
#   bash tools/setup_env.sh                  # what `make env` runs: CPU torch
#   CUDA=1 bash tools/setup_env.sh           # `make env CUDA=1`: the CUDA build of torch
#   TORCH=system PYTHON=/path/to/python bash tools/setup_env.sh
#                                            # `make env TORCH=system`: that interpreter's torch
#
# Which torch (TORCH=cpu|cuda|system, CUDA=1 is TORCH=cuda): what is asked; else what
# .venv was made with (.venv/.pt4al_torch); else cuda where `nvidia-smi -L` lists a GPU;
# else cpu. The choice is printed. Each step checks what is already there first, so on a
# ready machine this does nothing but a few version checks. mmcv 2.1.0 has no wheel for
# these torches on PyPI and mmseg cannot import without its compiled ops (mmcv-lite lacks
# mmcv.ops), so it is built from the sdist once and the wheel is kept in
# $PT4AL_WHEEL_CACHE, keyed by the torch version it was built against (pip's own cache
# keys it by the sdist only: after a torch change it would hand back a wheel with
# undefined symbols).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
MMCV_VERSION=2.1.0
SETUPTOOLS_VERSION=69.5.1
CACHE=${PT4AL_WHEEL_CACHE:-$HOME/.cache/pt4al_seg/wheels}
KIND_FILE=$VENV/.pt4al_torch
MMCV_TORCH_FILE=$VENV/.pt4al_mmcv_torch

die() { echo "[setup] error: $*" >&2; exit 1; }

# 0. Which torch.
if [ -n "${TORCH:-}" ]; then
    KIND=$TORCH; WHY="TORCH=$TORCH"
elif [ -n "${CUDA:-}" ]; then
    case "$CUDA" in 1) KIND=cuda ;; 0) KIND=cpu ;; *) die "CUDA must be 1 or 0, got '$CUDA'" ;; esac
    WHY="CUDA=$CUDA"
elif [ -f "$KIND_FILE" ]; then
    KIND=$(cat "$KIND_FILE"); WHY="what $VENV was made with"
elif [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import torch" 2>/dev/null; then
    # a venv made before the choice was recorded: keep the torch it has
    KIND=$("$VENV/bin/python" -c "import os, sys, torch
inside = os.path.realpath(torch.__file__).startswith(os.path.realpath(sys.prefix) + os.sep)
print('system' if not inside else 'cuda' if torch.version.cuda else 'cpu')")
    WHY="the torch $VENV has"
elif command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep GPU >/dev/null; then
    KIND=cuda; WHY="nvidia-smi lists a GPU"
else
    KIND=cpu; WHY="the default: no NVIDIA GPU seen"
fi
case "$KIND" in
    cpu) TORCH_REQ=requirements/torch-cpu.txt ;;
    cuda) TORCH_REQ=requirements/torch-cuda.txt ;;
    system) TORCH_REQ= ;;
    *) die "TORCH must be cpu, cuda or system, got '$KIND'" ;;
esac
echo "[setup] torch: $KIND ($WHY)"
if [ -f "$KIND_FILE" ] && [ "$(cat "$KIND_FILE")" != "$KIND" ] &&
   { [ "$KIND" = system ] || [ "$(cat "$KIND_FILE")" = system ]; }; then
    die "$VENV was made for torch '$(cat "$KIND_FILE")'; remove $VENV to switch to '$KIND'"
fi

if [ ! -x "$VENV/bin/python" ]; then
    if [ "$KIND" = system ]; then
        "$PY" -c "import torch" 2>/dev/null ||
            die "TORCH=system: $PY cannot import torch (set PYTHON=/path/to/python with torch)"
        echo "[setup] creating $VENV with $($PY --version) and its site-packages"
        "$PY" -m venv --system-site-packages "$VENV"
    else
        echo "[setup] creating $VENV with $($PY --version)"
        "$PY" -m venv "$VENV"
    fi
fi
VPY="$PWD/$VENV/bin/python"
PIP=("$VPY" -m pip --disable-pip-version-check)

if [ "$KIND" = system ] && ! "$VPY" -c "import torch" 2>/dev/null; then
    # $PY is itself a venv (or its torch is elsewhere): its site-packages are not the
    # base interpreter's, so a .pth file puts the folder holding its torch on the path
    # (after this venv's own packages, as --system-site-packages would).
    SITE=$("$PY" -c "import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))")
    VSITE=$("$VPY" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    echo "$SITE" > "$VSITE/_pt4al_system_torch.pth"
    "$VPY" -c "import torch" 2>/dev/null || die "TORCH=system: $VENV cannot import torch from $SITE"
fi

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

# 1. torch and the build tools (needed by mmcv's setup.py, hence installed before it).
TORCH_CHANGED=0
if [ -n "$TORCH_REQ" ] && ! satisfied "$TORCH_REQ"; then
    echo "[setup] installing torch ($TORCH_REQ)"
    "${PIP[@]}" install -r "$TORCH_REQ"
    TORCH_CHANGED=1
fi
if ! satisfied requirements/build.txt; then
    echo "[setup] installing build requirements"
    "${PIP[@]}" install -r requirements/build.txt
fi
# mmcv 2.1.0's setup.py imports pkg_resources, which setuptools >= 70 no longer ships.
# torch declares setuptools>=77 (for its own cpp_extension builds); pip only warns about
# the conflict and nothing in torch's runtime needs the newer one, so it is installed on
# its own, after torch, where the resolver cannot refuse it.
if ! "$VPY" -c "import setuptools, sys; sys.exit(setuptools.__version__ != '$SETUPTOOLS_VERSION')" 2>/dev/null; then
    "${PIP[@]}" install "setuptools==$SETUPTOOLS_VERSION"
fi

# 2. mmcv with compiled ops, built against this torch.
TORCH_VERSION=$("$VPY" -c "import torch; print(torch.__version__)")
MMCV_OK=0
if "$VPY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null; then
    # an mmcv that imports, built against this torch (as recorded; unrecorded: trusted
    # unless this run just changed torch)
    BUILT=$(cat "$MMCV_TORCH_FILE" 2>/dev/null || echo "$TORCH_VERSION")
    [ "$BUILT" = "$TORCH_VERSION" ] && [ "$TORCH_CHANGED" = 0 ] && MMCV_OK=1
fi
if [ "$MMCV_OK" = 0 ]; then
    PYTAG=$("$VPY" -c "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')")
    WHEEL_DIR="$CACHE/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-$PYTAG"
    if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
        echo "[setup] building mmcv $MMCV_VERSION against torch $TORCH_VERSION (about 10 minutes on 2 cores)"
        TMP=$(mktemp -d)
        SRC="mmcv==$MMCV_VERSION"
        # torch >= 2.14's headers demand C++20; mmcv 2.1.0's setup.py asks for C++17.
        if "$VPY" -c "import sys, torch; v = torch.__version__.split('+')[0].split('.'); sys.exit(not (int(v[0]), int(v[1])) >= (2, 14))"; then
            echo "[setup] torch $TORCH_VERSION needs C++20: building mmcv's sdist with -std=c++20"
            "${PIP[@]}" download --no-deps --no-binary :all: --no-build-isolation -d "$TMP/src" "$SRC"
            tar -xzf "$TMP"/src/mmcv-"$MMCV_VERSION".tar.gz -C "$TMP/src"
            SRC="$TMP/src/mmcv-$MMCV_VERSION"
            sed -i "s/-std=c++17/-std=c++20/g" "$SRC/setup.py"
            grep -q -- "-std=c++20" "$SRC/setup.py" || die "mmcv's setup.py has no -std=c++17 to change"
        fi
        # --no-build-isolation: mmcv's setup.py imports torch and pkg_resources from this venv.
        # --no-cache-dir: never take a wheel pip cached for another torch (ABI trap above).
        # MMCV_WITH_OPS=1: build mmcv.ops (mmseg imports mmcv.ops.point_sample at import time).
        # CUDA_VISIBLE_DEVICES= : only mmcv's CPU ops are built, also on GPU machines (minutes,
        # not an hour): DeepLab and ResNet use no compiled mmcv CUDA op.
        CUDA_VISIBLE_DEVICES= MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} "${PIP[@]}" wheel --no-deps \
            --no-build-isolation --no-cache-dir --no-binary mmcv -w "$TMP" "$SRC"
        mkdir -p "$WHEEL_DIR"
        mv "$TMP"/mmcv-*.whl "$WHEEL_DIR"/   # appears only once complete
        rm -rf "$TMP"
    fi
    "${PIP[@]}" install --no-deps --force-reinstall "$WHEEL_DIR"/mmcv-*.whl
    # mmcv's own runtime dependencies (its wheel was installed with --no-deps).
    "${PIP[@]}" install addict packaging Pillow pyyaml yapf
fi
echo "$TORCH_VERSION" > "$MMCV_TORCH_FILE"

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
echo "$KIND" > "$KIND_FILE"
"$VPY" -c "import torch, mmcv, mmengine, mmseg, mmcv.ops, pt4al_seg; \
cuda = f'CUDA {torch.version.cuda}, {torch.cuda.device_count()} GPU(s) visible' if torch.version.cuda else 'CPU build'; \
print(f'[setup] ready ($KIND): torch {torch.__version__} ({cuda}) from {torch.__path__[0]}, mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, mmseg {mmseg.__version__}')"
