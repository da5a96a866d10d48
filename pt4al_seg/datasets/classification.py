"""Classification datasets: an image folder with a label file, and CIFAR-10's
python format.

Both give every image an ``img_id`` (the AL id) and take ``ann_file``, a list
of ids, to restrict themselves to a subset (a cycle's labelled images, a batch
to score), and ``class_counts`` for imbalanced variants (the first ``n_c``
images of class ``c``).
"""
import os.path as osp
import pickle
from typing import List, Optional, Sequence

import numpy as np
from mmengine.dataset import BaseDataset
from mmseg.registry import DATASETS

FASHION_CLASSES = ('t-shirt/top', 'trouser', 'pullover', 'dress', 'coat',
                   'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot')
CIFAR10_CLASSES = ('airplane', 'automobile', 'bird', 'cat', 'deer', 'dog',
                   'frog', 'horse', 'ship', 'truck')
# The paper's imbalanced CIFAR-10 training split: 500, 1,000, ..., 5,000 images
# per class.
CIFAR10_IMBALANCED = tuple(500 * (c + 1) for c in range(10))


def _restrict(entries: List[dict], ann_file: str,
              class_counts: Optional[Sequence[int]],
              num_classes: int) -> List[dict]:
    if class_counts is not None:
        if len(class_counts) != num_classes:
            raise ValueError(
                f'class_counts has {len(class_counts)} entries for '
                f'{num_classes} classes')
        seen = [0] * num_classes
        kept = []
        for e in entries:
            if seen[e['gt_label']] < class_counts[e['gt_label']]:
                seen[e['gt_label']] += 1
                kept.append(e)
        short = [c for c in range(num_classes) if seen[c] < class_counts[c]]
        if short:
            raise ValueError(
                f'class_counts asks for more images of classes {short} than '
                'exist')
        entries = kept
    if ann_file:
        by_id = {e['img_id']: e for e in entries}
        with open(ann_file) as f:
            ids = [line.split('\t')[0].strip() for line in f if line.strip()]
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise ValueError(
                f'{ann_file}: {len(unknown)} ids are not in the dataset, '
                f'e.g. {unknown[0]!r}')
        entries = [by_id[i] for i in ids]
    return entries


@DATASETS.register_module()
class ImageListClsDataset(BaseDataset):
    """Images in ``data_prefix.img_path`` listed with their class in a label
    file (``name.png <class>`` lines, mmpretrain's ``CustomDataset`` format);
    the id of an image is its name without ``img_suffix``.

    Args:
        label_file (str): The label file, relative to ``data_root`` or
            absolute.
        ann_file (str): Optional list of ids to keep. Defaults to ''.
        img_suffix (str): Defaults to '.png'.
        class_counts (Sequence[int], optional): Keep the first n_c images of
            class c. Defaults to None.
        **kwargs: See ``BaseDataset``.
    """
    METAINFO = dict(classes=FASHION_CLASSES)

    def __init__(self,
                 label_file: str,
                 ann_file: str = '',
                 img_suffix: str = '.png',
                 class_counts: Optional[Sequence[int]] = None,
                 **kwargs):
        self.label_file, self.img_suffix = label_file, img_suffix
        self.class_counts = class_counts
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        label_file = self.label_file if osp.isabs(self.label_file) \
            else osp.join(self.data_root, self.label_file)
        img_dir = self.data_prefix.get('img_path', '')
        entries = []
        with open(label_file) as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                name, label = line.rsplit(maxsplit=1)
                if not name.endswith(self.img_suffix) or not label.isdigit():
                    raise ValueError(
                        f'{label_file}:{n}: expected "<name>{self.img_suffix} '
                        f'<class>", got {line.strip()!r}')
                if int(label) >= len(self.metainfo['classes']):
                    raise ValueError(
                        f'{label_file}:{n}: class {label} out of range')
                img_id = name[:len(name) - len(self.img_suffix)]
                entries.append(
                    dict(
                        img_path=osp.join(img_dir, name),
                        gt_label=int(label),
                        img_id=img_id))
        return _restrict(entries, self.ann_file, self.class_counts,
                         len(self.metainfo['classes']))


@DATASETS.register_module()
class CIFAR10Dataset(BaseDataset):
    """CIFAR-10 from its python format (``cifar-10-batches-py``), read from
    disk only.

    Images are kept as BGR arrays (as ``LoadImageFromFile`` gives) in the data
    list; the id of an image is ``<split>_<index:05d>``.

    Args:
        data_root (str): ``cifar-10-batches-py`` or the folder that holds it.
        split (str): ``'train'`` (``data_batch_1..5``) or ``'test'``. Defaults
            to 'train'.
        ann_file (str): Optional list of ids to keep. Defaults to ''.
        class_counts (Sequence[int], optional): e.g. ``CIFAR10_IMBALANCED``.
            Defaults to None.
        **kwargs: See ``BaseDataset``.
    """
    METAINFO = dict(classes=CIFAR10_CLASSES)
    FILES = dict(
        train=[f'data_batch_{i}' for i in range(1, 6)], test=['test_batch'])

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 ann_file: str = '',
                 class_counts: Optional[Sequence[int]] = None,
                 **kwargs):
        if split not in self.FILES:
            raise ValueError(f'split must be train or test, got {split!r}')
        self.split, self.class_counts = split, class_counts
        super().__init__(data_root=data_root, ann_file=ann_file, **kwargs)

    def _folder(self) -> str:
        for folder in (osp.join(self.data_root,
                                'cifar-10-batches-py'), self.data_root):
            if osp.isfile(osp.join(folder, self.FILES[self.split][0])):
                return folder
        raise FileNotFoundError(
            f'{self.data_root}: no {self.FILES[self.split][0]} in it or '
            'in its cifar-10-batches-py/ (CIFAR-10 python version)')

    def load_data_list(self) -> List[dict]:
        folder, entries = self._folder(), []
        for name in self.FILES[self.split]:
            path = osp.join(folder, name)
            try:
                with open(path, 'rb') as f:
                    batch = pickle.load(f, encoding='bytes')
                data = np.asarray(batch[b'data'],
                                  np.uint8).reshape(-1, 3, 32, 32)
                labels = list(batch[b'labels'])
            except (OSError, KeyError, ValueError, pickle.UnpicklingError,
                    EOFError) as e:
                raise ValueError(
                    f'{path}: not a CIFAR-10 python batch ({e})') from e
            for img, label in zip(data, labels):
                entries.append(
                    dict(
                        img=np.ascontiguousarray(
                            img.transpose(1, 2, 0)[:, :, ::-1]),
                        gt_label=int(label),
                        img_id=f'{self.split}_{len(entries):05d}'))
        return _restrict(entries, self.ann_file, self.class_counts, 10)
