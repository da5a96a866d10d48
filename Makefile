# pt4al_seg: `make demo` and `make test` set up everything they need (idempotent).
PY        := .venv/bin/python
ENV_STAMP := .venv/.pt4al_env
FMNIST    ?= /usr/share/datasets/fashion-mnist
DEMO_DATA := data/fashion_scenes_64
CLS_DATA  := data/fashion_cls_32
LT_DATA   := data/fashion_scenes_64_lt

.PHONY: env test lint format lint-env demo demo-cls fullsup data data-lt data-cls fashion-mnist clean-demo

# The environment: torch, mmcv built from source against it, OpenMMLab, this package
# (editable). Which torch: `make env` the CPU build (or what .venv was made with, or the
# CUDA build where nvidia-smi lists a GPU); `make env CUDA=1` the CUDA build;
# `make env TORCH=system PYTHON=/path/to/python` that interpreter's own torch.
# tools/setup_env.sh checks each piece first, so re-running it on a ready machine only
# costs a few version checks; naming a torch always runs it.
export CUDA TORCH PYTHON
ifneq ($(strip $(CUDA)$(TORCH)),)
ENV_FORCE := env-force
endif
.PHONY: env-force
$(ENV_STAMP): requirements/torch-cpu.txt requirements/torch-cuda.txt requirements/build.txt \
              requirements/runtime.txt tools/setup_env.sh setup.py $(ENV_FORCE)
	bash tools/setup_env.sh
	touch $@

env: $(ENV_STAMP)

test: env
	$(PY) -m pytest tests

# Formatting as mmseg configures it (setup.cfg, .pre-commit-config.yaml).
LINTED := pt4al_seg tools tests configs
lint-env: env
	$(PY) -m pip install --disable-pip-version-check -q -r requirements/lint.txt

lint: lint-env
	.venv/bin/flake8 $(LINTED)
	.venv/bin/isort --check-only --diff $(LINTED)
	.venv/bin/yapf --diff --recursive $(LINTED)

format: lint-env
	.venv/bin/isort $(LINTED)
	.venv/bin/yapf -i --recursive $(LINTED)

# Fashion-MNIST IDX files from the Debian package (MIT licence), when missing and possible.
fashion-mnist:
	@if [ ! -e $(FMNIST)/train-images-idx3-ubyte.gz ] && [ ! -e $(FMNIST)/train-images-idx3-ubyte ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist; \
	  else \
	    echo "Fashion-MNIST not found in $(FMNIST): install the Debian package dataset-fashion-mnist" \
	         "or pass FMNIST=/folder/with/idx/files"; exit 1; \
	  fi; \
	fi

$(DEMO_DATA)/meta.json: | env
	$(MAKE) fashion-mnist
	$(PY) tools/dataset_converters/fashion_scenes.py $(DEMO_DATA) --source $(FMNIST) --size 64 \
	    --num-train 1000 --num-val 200 --seed 0

data: $(DEMO_DATA)/meta.json

# The long-tailed variant of the demo data (configs/pt4al_seg/demo_long-tailed.py).
$(LT_DATA)/meta.json: | env
	$(MAKE) fashion-mnist
	$(PY) tools/dataset_converters/fashion_scenes.py $(LT_DATA) --source $(FMNIST) --size 64 \
	    --num-train 1000 --num-val 200 --seed 0 --imbalance 10

data-lt: $(LT_DATA)/meta.json

$(CLS_DATA)/meta.json: | env
	$(MAKE) fashion-mnist
	$(PY) tools/dataset_converters/fashion_scenes.py $(CLS_DATA) --view cls --source $(FMNIST) --size 32 \
	    --num-train 3000 --num-val 1000 --seed 0

data-cls: $(CLS_DATA)/meta.json

# The main job on the embedded default: PT4AL (colorization) on FashionScenes 64x64.
# --resume makes it idempotent: a finished run only prints its summary again.
demo: env data
	$(PY) tools/train_al.py configs/pt4al_seg/demo.py --work-dir work_dirs/demo --resume

# The classification demo: PT4AL (rotation) on the tinted-items view, ResNet-18 (CIFAR form).
demo-cls: env data-cls
	$(PY) tools/train_al.py configs/pt4al_cls/demo.py --work-dir work_dirs/demo_cls --resume

# The full-supervision upper bound for the demo's curve.
fullsup: env data
	$(PY) tools/train.py configs/fullsup/deeplabv3_r18-d8_1k_fashion-scenes-64x64.py \
	    --work-dir work_dirs/fullsup_demo

clean-demo:
	rm -rf work_dirs/demo work_dirs/demo_cls
