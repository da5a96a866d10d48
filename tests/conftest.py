"""Shared fixtures: tiny Fashion-MNIST IDX files and tiny data sets made from
them, so no test depends on the Debian package or on data/."""
import contextlib
import gzip
import io
import os
import os.path as osp
import runpy
import struct
import subprocess
import sys

import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CHECKER = osp.join(osp.dirname(REPO), 'shared', 'tools', 'check_run.py')


def check_contract(wd, *flags, min_cycles=2):
    """Run shared/tools/check_run.py on a work dir: it must exist and pass."""
    if not osp.isfile(CHECKER):
        message = f'{CHECKER} is missing: the output contract is unchecked'
        assert not os.environ.get('CI'), message
        pytest.skip(message)
    res = subprocess.run([
        sys.executable, CHECKER,
        str(wd), '--min-cycles',
        str(min_cycles), *flags
    ],
                         capture_output=True,
                         text=True,
                         timeout=120)
    assert res.returncode == 0, res.stdout


def write_idx(path: str, array: np.ndarray) -> None:
    header = struct.pack('>BBBB', 0, 0, 0x08, array.ndim)
    header += b''.join(struct.pack('>I', d) for d in array.shape)
    with gzip.open(path, 'wb') as f:
        f.write(header + array.astype(np.uint8).tobytes())


def fake_items(n_per_class: int, seed: int) -> tuple:
    """28x28 grey items whose shape depends on the class (a filled box of
    class-specific width and height), with jitter."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for cls in range(10):
        for _ in range(n_per_class):
            img = np.zeros((28, 28), np.uint8)
            h, w = 8 + cls, 20 - cls
            y, x = rng.integers(0, 28 - h), rng.integers(0, 28 - w)
            img[y:y + h, x:x + w] = rng.integers(120, 255)
            images.append(img)
            labels.append(cls)
    return np.stack(images), np.array(labels, np.uint8)


@pytest.fixture(scope='session')
def idx_source(tmp_path_factory):
    """A folder with the four Fashion-MNIST IDX files, fake and tiny."""
    src = tmp_path_factory.mktemp('fmnist')
    for split, stems, seed in (('train', ('train-images-idx3-ubyte',
                                          'train-labels-idx1-ubyte'), 0),
                               ('test', ('t10k-images-idx3-ubyte',
                                         't10k-labels-idx1-ubyte'), 1)):
        images, labels = fake_items(6, seed)
        write_idx(osp.join(src, stems[0] + '.gz'), images)
        write_idx(osp.join(src, stems[1] + '.gz'), labels)
    return str(src)


@pytest.fixture(scope='session')
def tiny_scenes(idx_source, tmp_path_factory):
    """FashionScenes at 32x32: 60 train + 12 val images."""
    from pt4al_seg.experiments.fashion import build
    out = osp.join(tmp_path_factory.mktemp('data'), 'scenes')
    build(
        out,
        'scenes',
        idx_source,
        size=32,
        num_train=60,
        num_val=12,
        seed=0,
        workers=1)
    return out


@pytest.fixture(autouse=True)
def _cwd_repo(monkeypatch):
    monkeypatch.chdir(REPO)
    if 'OMP_NUM_THREADS' not in os.environ:
        monkeypatch.setenv('OMP_NUM_THREADS', '2')


def point_to(cfg, root):
    """Set the config's ``data_root`` as ``--cfg-options data_root=...`` does:
    the loaders that follow the top-level root take the new one."""
    from pt4al_seg.utils.config import propagate_data_root
    cfg.data_root = str(root)
    propagate_data_root(cfg)


CONFIG = 'configs/pt4al_seg/demo.py'


def tiny_options(data_root, budget=5):
    return [
        '--cfg-options', f'data_root={data_root}', 'crop_size=(32,32)',
        'model.data_preprocessor.size=(32,32)', 'train_cfg.max_iters=6',
        'pretext.train_cfg.max_iters=4', 'pretext.batch_size=8',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False', 'al.num_cycles=2',
        f'al.budget={budget}', 'default_hooks.checkpoint.interval=2'
    ]


def run_al(work_dir,
           data_root,
           *extra,
           budget=5,
           check=True,
           options=(),
           config=CONFIG,
           tool='tools/train_al.py',
           in_process=False,
           strategy=None):
    """Run ``tool`` on the tiny data (``strategy``: a named strategy instead
    of the config's), in a new process (a user's command), or with
    ``in_process`` in this one: for runs that fail before any work, which
    then cost a fraction of a second instead of a new process's imports."""
    cmd = [
        sys.executable, tool, config, '--work-dir',
        str(work_dir), *extra, *(['--strategy', strategy] if strategy else []),
        *tiny_options(data_root, budget), *options
    ]
    if in_process:
        proc = run_in_process(cmd[1:])
    else:
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(
                p for p in (REPO, os.environ.get('PYTHONPATH'))
                if p))  # tests.fault_hook
        proc = subprocess.run(
            cmd,
            cwd=REPO,
            capture_output=True,
            text=True,
            env=env,
            timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{cmd} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


def refusal(work_dir, data_root, options, strategy=None) -> str:
    """The error line of a run that must fail before any work (run in this
    process); nothing of it may be written."""
    proc = run_al(
        work_dir,
        data_root,
        check=False,
        in_process=True,
        options=options,
        strategy=strategy)
    assert proc.returncode != 0
    assert not osp.exists(osp.join(work_dir, 'al_state.json'))
    return proc.stderr.strip().splitlines()[-1]


def assert_refusals(tool_argv, cases):
    """Each ``(argv, error)`` of ``cases``: ``python *tool_argv *argv`` (in
    this process) exits with status 2 and the one line
    ``<tool>: error: <error>``."""
    prog = os.path.basename(tool_argv[0])
    for argv, error in cases:
        proc = run_in_process(list(tool_argv) + list(argv))
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip() == f'{prog}: error: {error}'


def run_in_process(argv):
    """``python *argv`` in this process: the tool's ``__main__`` with
    ``sys.argv`` set, its output captured, its exit status returned as a
    ``subprocess.CompletedProcess``; ``sys.argv`` and the environment are
    restored after."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv, dict(os.environ)
    sys.argv, code = list(argv), 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            runpy.run_path(argv[0], run_name='__main__')
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else int(e.code is not None)
    finally:
        sys.argv = saved[0]
        os.environ.clear()
        os.environ.update(saved[1])
    return subprocess.CompletedProcess(argv, code, out.getvalue(),
                                       err.getvalue())


@pytest.fixture(scope='session')
def finished_run(tiny_scenes, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('run') / 'demo'
    proc = run_al(work_dir, tiny_scenes)
    # what a user sees on the console (test_end_to_end checks it)
    (work_dir.parent / 'console.txt').write_text(proc.stdout + proc.stderr)
    return str(work_dir)


def labelled_unlabelled_batch(model: dict, labelled=2, unlabelled=2):
    """The demo's segmentation model with ``model`` changed in its config
    (e.g. ``dict(type='MCDALEncoderDecoder')``), and a random 32x32 batch of
    ``labelled`` samples with label maps then ``unlabelled`` ones marked so
    (what ``UnlabelledBatchHook`` makes)."""
    import torch
    from mmengine.config import Config
    from mmengine.structures import PixelData
    from mmseg.registry import MODELS
    from mmseg.structures import SegDataSample
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    net = MODELS.build(dict(cfg.model, **model))
    samples = []
    for k in range(labelled + unlabelled):
        s = SegDataSample(
            metainfo=dict(
                img_shape=(32, 32),
                ori_shape=(32, 32),
                pad_shape=(32, 32),
                unlabelled=k >= labelled))
        if k < labelled:
            s.gt_sem_seg = PixelData(
                data=torch.randint(0, 11, (1, 32, 32), dtype=torch.long))
        samples.append(s)
    return net, torch.randn(labelled + unlabelled, 3, 32, 32), samples


CLS_CONFIG = 'configs/pt4al_cls/demo.py'


def labelled_unlabelled_cls_batch(model: dict, labelled=2, unlabelled=2):
    """The classification demo's model (an EncoderDecoder with ImageClsHead)
    with ``model`` changed in its config, and a random 32x32 batch of
    ``labelled`` samples with their class as a one-pixel label map (as
    ``LoadClsLabel`` gives) then ``unlabelled`` ones marked so."""
    import torch
    from mmengine.config import Config
    from mmengine.structures import PixelData
    from mmseg.registry import MODELS
    from mmseg.structures import SegDataSample
    cfg = Config.fromfile(osp.join(REPO, CLS_CONFIG))
    cfg.merge_from_dict(dict(model=model))
    net = MODELS.build(cfg.model)
    samples = []
    for k in range(labelled + unlabelled):
        s = SegDataSample(
            metainfo=dict(
                img_shape=(32, 32),
                ori_shape=(32, 32),
                pad_shape=(32, 32),
                unlabelled=k >= labelled))
        if k < labelled:
            s.gt_sem_seg = PixelData(
                data=torch.tensor([[[k % 10]]], dtype=torch.long))
        samples.append(s)
    return net, torch.randn(labelled + unlabelled, 3, 32, 32), samples
