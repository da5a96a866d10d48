"""The unlabelled pool: listing the training images and checking their files.
"""
import copy
import os
import os.path as osp
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterable, List, Optional

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.dist import is_main_process
from mmengine.fileio import list_dir_or_file
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar
from PIL import Image

from ..datasets.ids import image_id
from ..datasets.label_maps import (LabelMapError, Palette, normalize_palette,
                                   read_label_map)
from ..utils.config import dataset_dirs
from ..utils.errors import ALConfigError


class Pool:
    """Every training image of a run: ids in dataset order and their data
    infos.

    Args:
        ids (list): Image ids.
        infos (dict): Id to the dataset's data info (``img_path``,
            ``seg_map_path``...).
        img_dir (str): The image folder ('' for in-memory datasets).
        classes (tuple): Class names of the dataset.
        ignore_index (int, optional): The label maps' ignore value
            (segmentation).
        reduce_zero_label (bool): Whether label 0 is ignored and the others
            shift down.
        img_suffix (str, optional): The image suffix (None for in-memory
            datasets).
        seg_dir (str): The label-map folder ('' if none). Defaults to ''.
        seg_suffix (str): The label-map suffix. Defaults to ''.
        palette (dict, optional): ``{class: (r, g, b)}`` of colour-coded label
            maps. Defaults to None.
    """

    def __init__(self,
                 ids: List[str],
                 infos: Dict[str, dict],
                 img_dir: str,
                 classes: tuple,
                 ignore_index: Optional[int] = None,
                 reduce_zero_label: bool = False,
                 img_suffix: Optional[str] = None,
                 seg_dir: str = '',
                 seg_suffix: str = '',
                 palette: Optional[Palette] = None):
        self.ids, self.infos, self.img_dir = ids, infos, img_dir
        self.classes, self.num_classes, self.ignore_index = classes, len(
            classes), ignore_index
        self.reduce_zero_label = reduce_zero_label
        self.img_suffix = img_suffix
        self.seg_dir, self.seg_suffix = seg_dir, seg_suffix
        self.palette = palette

    @property
    def background(self) -> List[int]:
        """``[0]`` when class 0 is named 'background' (class-balanced picking
        leaves it out of an image's class), else ``[]``."""
        return [0] if self.classes and str(
            self.classes[0]).lower() == 'background' else []

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def has_label_maps(self) -> bool:
        return any('seg_map_path' in info for info in self.infos.values())

    def check_images(self, workers: int = 8) -> None:
        """Every image file decodes to its end (truncated or unreadable files
        are named)."""
        paths = [
            info['img_path'] for info in self.infos.values()
            if 'img_path' in info
        ]
        with ThreadPoolExecutor(workers) as ex:
            for path, ok in zip(paths, ex.map(_readable, paths)):
                if not ok:
                    raise ALConfigError(
                        f'{path}: unreadable or truncated image')

    def check_label_files(self) -> None:
        """Every image has its label map, and every label map its image."""
        seg_dir, seg_suffix = self.seg_dir, self.seg_suffix
        if not self.has_label_maps:
            return
        for img_id in self.ids:
            seg = self.infos[img_id].get('seg_map_path')
            if seg and not osp.isfile(seg):
                raise ALConfigError(
                    f'image {self.infos[img_id]["img_path"]} has no label map '
                    f'({seg} is missing)')
        if osp.isdir(seg_dir):
            known = set(self.ids)
            for name in list_dir_or_file(
                    seg_dir, list_dir=False, suffix=seg_suffix,
                    recursive=True):
                if name[:len(name) - len(seg_suffix)] not in known:
                    raise ALConfigError(
                        f'label map {osp.join(seg_dir, name)} has no image '
                        f'in {self.img_dir}')

    def check_label_maps(self,
                         ids: Iterable[str],
                         workers: int = 8,
                         progress: bool = False) -> None:
        """The label maps of ``ids`` are single-channel, match their image's
        size and hold only known classes or the ignore index; checked in
        parallel, the first bad one (in ``ids`` order) named."""
        if not self.has_label_maps:
            return
        ids = list(ids)
        bar = ProgressBar(len(ids)) if progress and is_main_process() else None
        with ThreadPoolExecutor(workers) as ex:
            for problem in ex.map(self._label_map_problem, ids):
                if bar is not None:
                    bar.update()
                if problem:
                    raise ALConfigError(problem)
        if bar is not None:
            print()

    def image_class(self, img_id: str) -> Optional[int]:
        """The image's true class: a classifier dataset's ``gt_label``; for
        segmentation the class on most pixels of its label map, not counting
        the ignore index or the background (:attr:`background`), or the most
        frequent class when there is nothing else (as class-balanced picking
        reads a prediction). None when the image has no label (yet)."""
        info = self.infos[img_id]
        if 'gt_label' in info:
            return int(info['gt_label'])
        path = info.get('seg_map_path')
        if not path or not osp.isfile(path):
            return None
        label = read_label_map(path, self.palette).astype(np.int64)
        if self.ignore_index is not None:
            label[label == self.ignore_index] = -1
        if self.reduce_zero_label:
            label = np.where(label == 0, -1, label - 1)
        label = label[(label >= 0) & (label < self.num_classes)]
        counts = np.bincount(label, minlength=self.num_classes)
        if not counts.any():
            return None
        kept = counts.copy()
        kept[self.background] = 0
        return int(kept.argmax() if kept.any() else counts.argmax())

    def image_classes(self, workers: int = 8) -> Dict[str, int]:
        """:meth:`image_class` of every image that has one, read in
        parallel."""
        with ThreadPoolExecutor(workers) as ex:
            found = ex.map(self.image_class, self.ids)
            return {i: c for i, c in zip(self.ids, found) if c is not None}

    def _label_map_problem(self, img_id: str) -> Optional[str]:
        info = self.infos[img_id]
        path = info['seg_map_path']
        if not _ends_complete(path):
            return f'{path}: unreadable or truncated label map'
        try:
            label = read_label_map(path, self.palette)
        except (LabelMapError, OSError) as e:
            return f'{path}: {e}'
        shape = _image_shape(info['img_path'])
        if label.shape != shape:
            return (f'{path}: label map is {label.shape[1]}x{label.shape[0]}, '
                    f'its image {shape[1]}x{shape[0]}')
        top = self.num_classes + (1 if self.reduce_zero_label else 0)
        bad = [
            int(v) for v in np.unique(label)
            if v >= top and v != self.ignore_index
        ]
        if bad:
            return (f'{path}: label values {bad[:5]} are neither classes '
                    f'0..{top - 1} nor the ignore index {self.ignore_index}')
        return None


# The bytes a complete file of these formats ends with (OpenCV decodes a
# truncated JPEG or PNG partially without complaint).
_END_MARKERS = {
    '.jpg': b'\xff\xd9',
    '.jpeg': b'\xff\xd9',
    '.png': b'IEND\xaeB`\x82'
}


def _ends_complete(path: str) -> bool:
    marker = _END_MARKERS.get(osp.splitext(path)[1].lower())
    if marker is None:
        return True
    with open(path, 'rb') as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - 64))
        return marker in f.read()


def _readable(path: str) -> bool:
    return _ends_complete(path) and \
        cv2.imread(path, cv2.IMREAD_UNCHANGED) is not None


def _image_shape(path: str) -> tuple:
    """(height, width) from the image header."""
    try:
        with Image.open(path) as img:
            return img.size[::-1]
    except OSError as e:
        raise ALConfigError(f'{path}: unreadable or truncated image') from e


def load_pool(cfg: Config, label_palette=None) -> Pool:
    """Build the training dataset (no pipeline) and list its images;
    ``label_palette`` (``al.label_palette``) is resolved against the dataset's
    declared palette."""
    from mmseg.registry import DATASETS
    scope = cfg.get('default_scope', 'mmseg')
    init_default_scope(scope)
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset.to_dict())
    img_dir, img_suffix = dataset_dirs(ds_cfg, scope)
    if img_suffix is not None:  # a dataset of image files
        if not osp.isdir(img_dir):
            raise ALConfigError(
                f'data root {ds_cfg.get("data_root")!r}: image folder '
                f'{img_dir} '
                'does not exist (set data_root with --cfg-options '
                'data_root=...)')
        if next(
                iter(
                    list_dir_or_file(
                        img_dir,
                        list_dir=False,
                        suffix=img_suffix,
                        recursive=True)), None) is None:
            raise ALConfigError(
                f'{img_dir} holds no images ending in {img_suffix!r}')
    ds_cfg['pipeline'] = []
    try:
        dataset = DATASETS.build(ds_cfg)
    except (OSError, ValueError) as e:
        raise ALConfigError(f'training dataset: {e}') from e
    ids, infos = [], {}
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        img_id = info.get('img_id') or image_id(info['img_path'], img_dir,
                                                img_suffix)
        if img_id in infos:
            raise ALConfigError(
                f'{img_dir}: the training set lists {img_id} twice')
        ids.append(img_id)
        infos[img_id] = info
    return Pool(
        ids, infos, img_dir if img_suffix is not None else '',
        tuple(dataset.metainfo['classes']),
        getattr(dataset, 'ignore_index', None),
        bool(getattr(dataset, 'reduce_zero_label', False)), img_suffix,
        dataset.data_prefix.get('seg_map_path', '') if hasattr(
            dataset, 'data_prefix') else '',
        getattr(dataset, 'seg_map_suffix', ''),
        _palette(label_palette, ds_cfg, dataset))


def _palette(label_palette, ds_cfg: dict, dataset) -> Optional[Palette]:
    """``al.label_palette`` as ``{class: (r, g, b)}``; ``'metainfo'`` is the
    palette the config's ``metainfo`` or the dataset class declares (mmseg
    makes up random colours for the others)."""
    if label_palette != 'metainfo':
        return normalize_palette(label_palette)
    declared = (ds_cfg.get('metainfo') or {}).get('palette') or getattr(
        dataset, 'METAINFO', {}).get('palette')
    if not declared:
        raise ALConfigError(
            f"al.label_palette='metainfo': {type(dataset).__name__} declares "
            'no palette (set metainfo=dict(classes=..., palette=...) in the '
            'training dataset, or give the colours in al.label_palette)')
    try:
        return normalize_palette(
            [tuple(c) for c in dataset.metainfo['palette']],
            'the dataset palette')
    except ValueError as e:
        raise ALConfigError(f"al.label_palette='metainfo': {e}") from e


def list_pool(cfg: Config) -> List[str]:
    """Ids of every training image (the unlabelled pool), in the dataset's
    order."""
    return load_pool(cfg).ids


def test_split_labelled(cfg: Config) -> bool:
    """Whether every image of the test split has its label map (annotation mode
    evaluates only then)."""
    from mmseg.registry import DATASETS
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    loader = cfg.get('test_dataloader')
    if loader is None:
        return False
    ds = copy.deepcopy(loader['dataset'].to_dict())
    ds['pipeline'] = []
    try:
        dataset = DATASETS.build(ds)
    except (OSError, ValueError, AssertionError):
        return False
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    return bool(infos) and all(
        osp.isfile(i.get('seg_map_path', '')) for i in infos)
