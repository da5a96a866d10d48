"""Write the offline data sets built from Fashion-MNIST to disk.

* ``scenes``: FashionScenes in mmseg layout (``img_dir/{train,val}``,
  ``ann_dir/{train,val}``, PNG label maps, 0 = background, 1-10 = item
  classes); with ``layout='cityscapes'``, the same scenes in mmseg's Cityscapes
  layout instead (see ``CITIES``): 2:1 images of two scenes side by side, label
  maps in Cityscapes train ids (0-10 used of 19, 255 = ignore on a bottom band,
  as Cityscapes ignores the ego vehicle), so the Cityscapes configs run as they
  are on any machine.
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

from .idx import DEFAULT_SOURCE, load_fashion_mnist
from .synth import class_probs, compose_image, index_by_class

SPLIT_CODES = {'train': 0, 'val': 1}
# Cityscapes layout:
# leftImg8bit/<split>/<city>/<city>_<n>_000019_leftImg8bit.png
# and gtFine/<split>/<city>/<city>_<n>_000019_gtFine_labelTrainIds.png,
# images given to the split's (real Cityscapes) cities in turn.
CITIES = {
    'train': ('aachen', 'bochum', 'bremen'),
    'val': ('frankfurt', 'lindau', 'munster')
}
MAX_CITYSCAPES_HEIGHT = 1024  # 2048x1024, Cityscapes' own size
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
    compose = (
        _compose_wide if p.get('layout') == 'cityscapes' else compose_image)
    img, label, classes = compose(rng, _STATE['items'], _STATE['labels'],
                                  _STATE['by_class'], **kwargs)
    if p['view'] == 'cls':
        cv2.imwrite(osp.join(out, split, name + '.png'), img[:, :, ::-1])
        return name, classes[0]
    if p.get('layout') == 'cityscapes':
        city = CITIES[split][index % len(CITIES[split])]
        stem = f'{city}/{city}_{index:06d}_000019'
        cv2.imwrite(
            osp.join(out, 'leftImg8bit', split, stem + '_leftImg8bit.png'),
            img[:, :, ::-1])
        cv2.imwrite(
            osp.join(out, 'gtFine', split, stem + '_gtFine_labelTrainIds.png'),
            label)
        return name, classes
    cv2.imwrite(
        osp.join(out, 'img_dir', split, name + '.png'), img[:, :, ::-1])
    cv2.imwrite(osp.join(out, 'ann_dir', split, name + '.png'), label)
    return name, classes


def _compose_wide(rng, items, item_labels, by_class, size, probs):
    """Two scenes of side ``size`` side by side (Cityscapes' 2:1), the bottom
    sixteenth a dark band labelled 255 (ignored, like Cityscapes' ego
    vehicle)."""
    halves = [
        compose_image(rng, items, item_labels, by_class, size, probs=probs)
        for _ in range(2)
    ]
    img = np.concatenate([h[0] for h in halves], axis=1)
    label = np.concatenate([h[1] for h in halves], axis=1)
    band = max(1, size // 16)
    img[-band:] = (img[-band:] * 0.2).astype(np.uint8)
    label[-band:] = 255
    return img, label, halves[0][2] + halves[1][2]


def build(out: str,
          view: str = 'scenes',
          source: str = DEFAULT_SOURCE,
          size: int = 128,
          num_train: int = 2000,
          num_val: int = 500,
          seed: int = 0,
          imbalance: float = 1.0,
          workers: int = 0,
          layout: str = 'mmseg') -> dict:
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
        layout (str): ``'mmseg'`` (``img_dir``/``ann_dir``) or, for scenes,
            ``'cityscapes'``: mmseg's Cityscapes layout, images
            ``2 * size`` wide and ``size`` high (at most 2048x1024).
            Defaults to ``'mmseg'``.

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
    if layout not in ('mmseg', 'cityscapes'):
        raise ValueError(f'layout must be mmseg or cityscapes, got {layout!r}')
    if layout == 'cityscapes' and (view != 'scenes'
                                   or size > MAX_CITYSCAPES_HEIGHT):
        raise ValueError(
            'the cityscapes layout holds scenes of at most 2048x1024 '
            f'(--size {MAX_CITYSCAPES_HEIGHT}), got view {view!r}, '
            f'size {size}')
    params = dict(
        view=view,
        size=28 if view == 'plain' else size,
        num_train=num_train,
        num_val=num_val,
        seed=seed,
        imbalance=imbalance)
    if layout == 'cityscapes':
        params.update(layout=layout, width=2 * size, height=size)
    tmp = f'{out.rstrip("/")}.tmp{os.getpid()}'
    shutil.rmtree(tmp, ignore_errors=True)
    counts = {}
    try:
        for split, n in (('train', num_train), ('val', num_val)):
            if layout == 'cityscapes':
                for city in CITIES[split]:
                    os.makedirs(osp.join(tmp, 'leftImg8bit', split, city))
                    os.makedirs(osp.join(tmp, 'gtFine', split, city))
            elif view == 'scenes':
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
