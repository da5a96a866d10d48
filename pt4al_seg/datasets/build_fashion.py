"""Write the offline data sets built from Fashion-MNIST to disk.

* ``scenes``: FashionScenes in mmseg layout (``img_dir/{train,val}``,
  ``ann_dir/{train,val}``, PNG label maps, 0 = background, 1-10 = item
  classes).
* ``cls``: the classification view, one tinted item per textured image, in
  mmpretrain's ``CustomDataset`` layout (``{train,val}/NNNNN.png`` and
  ``meta/{train,val}.txt`` with ``NNNNN.png <class>`` lines); ``plain`` writes
  upright grey Fashion-MNIST the same way.

Train images use Fashion-MNIST's train items, val images its test items. Output
is written to a temporary folder beside ``out`` and renamed into place when
complete, so a crash never leaves a half-built data set that looks finished;
``meta.json`` records how it was made.
"""
import json
import os
import os.path as osp
import shutil
from multiprocessing import Pool

import cv2
import numpy as np

from .fashion_synth import class_probs, compose_image, index_by_class
from .idx import DEFAULT_SOURCE, load_fashion_mnist

SPLIT_CODES = {'train': 0, 'val': 1}
_STATE = {}


def _init(items, labels, params):
    _STATE.update(
        items=items,
        by_class=index_by_class(labels),
        labels=labels,
        params=params)


def _write_one(job):
    split, index, out = job
    p = _STATE['params']
    name = f'{index:05d}'
    rng = np.random.default_rng([p['seed'], SPLIT_CODES[split], index])
    if p['view'] == 'plain':
        i = int(rng.integers(len(_STATE['items'])))
        cv2.imwrite(osp.join(out, split, name + '.png'), _STATE['items'][i])
        return name, int(_STATE['labels'][i])
    probs = class_probs(10, p['imbalance']) if split == 'train' else None
    kwargs = dict(size=p['size'], probs=probs)
    if p['view'] == 'cls':
        kwargs.update(num_items=(1, 1), centred=True, scale_range=(0.6, 0.95))
    img, label, classes = compose_image(rng, _STATE['items'], _STATE['labels'],
                                        _STATE['by_class'], **kwargs)
    if p['view'] == 'cls':
        cv2.imwrite(osp.join(out, split, name + '.png'), img[:, :, ::-1])
        return name, classes[0]
    cv2.imwrite(
        osp.join(out, 'img_dir', split, name + '.png'), img[:, :, ::-1])
    cv2.imwrite(osp.join(out, 'ann_dir', split, name + '.png'), label)
    return name, classes


def build(out: str,
          view: str = 'scenes',
          source: str = DEFAULT_SOURCE,
          size: int = 128,
          num_train: int = 2000,
          num_val: int = 500,
          seed: int = 0,
          imbalance: float = 1.0,
          workers: int = 0) -> dict:
    """Build one data set folder.

    Args:
        out (str): The folder to create. Must not exist yet.
        view (str): ``'scenes'``, ``'cls'`` or ``'plain'``. Defaults to
            ``'scenes'``.
        source (str): Folder with Fashion-MNIST's IDX files. Defaults to the
            Debian package's.
        size (int): Canvas side in pixels (``plain`` is always 28). Defaults to
            128.
        num_train (int): Training images. Defaults to 2000.
        num_val (int): Validation images. Defaults to 500.
        seed (int): Seed; the same seed gives the same files. Defaults to 0.
        imbalance (float): Commonest / rarest item class frequency in the train
            split (10 for the long-tailed variant); val stays balanced.
            Defaults to 1.0.
        workers (int): Processes; 0 uses every core. Defaults to 0.

    Returns:
        dict: The ``meta.json`` written, with per-split class counts.
    """
    if view not in ('scenes', 'cls', 'plain'):
        raise ValueError(f'view must be scenes, cls or plain, got {view!r}')
    if osp.exists(out):
        raise FileExistsError(f'{out} exists already; remove it to rebuild')
    if min(size, num_train, num_val) <= 0 or imbalance < 1:
        raise ValueError(
            'size, num_train, num_val must be positive and imbalance >= 1, '
            'got '
            f'{size}, {num_train}, {num_val}, {imbalance}')
    params = dict(
        view=view,
        size=28 if view == 'plain' else size,
        num_train=num_train,
        num_val=num_val,
        seed=seed,
        imbalance=imbalance)
    tmp = f'{out.rstrip("/")}.tmp{os.getpid()}'
    shutil.rmtree(tmp, ignore_errors=True)
    counts = {}
    try:
        for split, n in (('train', num_train), ('val', num_val)):
            if view == 'scenes':
                os.makedirs(osp.join(tmp, 'img_dir', split))
                os.makedirs(osp.join(tmp, 'ann_dir', split))
            else:
                os.makedirs(osp.join(tmp, split), exist_ok=True)
                os.makedirs(osp.join(tmp, 'meta'), exist_ok=True)
            items, labels = load_fashion_mnist(
                source, 'train' if split == 'train' else 'test')
            jobs = [(split, i, tmp) for i in range(n)]
            nproc = workers or os.cpu_count() or 1
            if nproc > 1 and n >= 64:
                with Pool(nproc, _init, (items, labels, params)) as pool:
                    results = pool.map(_write_one, jobs, chunksize=32)
            else:
                _init(items, labels, params)
                results = [_write_one(j) for j in jobs]
            hist = np.zeros(10, int)
            for _, cls in results:
                np.add.at(hist, cls, 1)
            counts[split] = hist.tolist()
            if view != 'scenes':
                with open(osp.join(tmp, 'meta', f'{split}.txt'), 'w') as f:
                    f.writelines(f'{name}.png {cls}\n'
                                 for name, cls in results)
        meta = dict(
            params,
            source=osp.abspath(source),
            item_counts=counts,
            labels='composed from Fashion-MNIST items, not human annotation')
        with open(osp.join(tmp, 'meta.json'), 'w') as f:
            json.dump(meta, f, indent=2)
        os.rename(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return meta
