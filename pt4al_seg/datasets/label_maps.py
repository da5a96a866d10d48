"""Label maps as labelling tools export them, read into class indices.

mmseg reads a label map as one channel of class indices. Tools also export
3-channel maps (the index repeated in every channel) and colour-coded maps.
:func:`decode_label_map` reads all three:

* one channel (grey or 16-bit PNG): the values are the classes, as in mmseg;
* a palette PNG without a palette in the config: its indices are the classes
  (mmseg and Pascal VOC read them so);
* 3 (or 4, with alpha) channels that are equal: the first channel;
* colours (RGB, or a palette PNG) with a palette in the config: each colour
  becomes its class; a colour the palette lacks is refused.

Anything else is refused with a line that says how to convert it.
"""
import io
from typing import Dict, Optional, Sequence, Union

import mmcv
import numpy as np
from mmengine import fileio
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS
from PIL import Image

Palette = Dict[int, tuple]

HOW_TO = ('save single-channel PNGs of class indices (255 = ignore), or give '
          'the colour of each class in al.label_palette=[(r, g, b), ...] '
          '(or a dict class -> (r, g, b), 255 for ignore)')

#: The transforms that read an image's label (a pipeline over unlabelled
#: images has none of them).
LABEL_LOADERS = ('LoadAnnotations', 'mmseg.LoadAnnotations', 'LoadLabelMap',
                 'LoadClsLabel')


class LabelMapError(ValueError):
    """A label map that cannot be read as class indices."""


def normalize_palette(palette: Union[Sequence, Dict, None],
                      name: str = 'al.label_palette') -> Optional[Palette]:
    """``{class index: (r, g, b)}`` from a list of colours (index = class) or
    a dict; None stays None. Raises ``ValueError`` naming ``name`` for
    anything else, or one colour given to two classes."""
    if palette is None:
        return None
    items = palette.items() if isinstance(
        palette,
        dict) else enumerate(palette) if isinstance(palette,
                                                    (list, tuple)) else None
    if items is None:
        raise ValueError(f'{name} must be a list of (r, g, b) colours or a '
                         f'dict class -> (r, g, b), got {palette!r}')
    out, owner = {}, {}
    for index, colour in items:
        if isinstance(
                index,
                bool) or not isinstance(index, int) or not 0 <= index <= 255:
            raise ValueError(f'{name}: class {index!r} is not an index in '
                             '0..255')
        if not isinstance(colour, (list, tuple)) or len(colour) != 3 or any(
                isinstance(c, bool) or not isinstance(c, int)
                or not 0 <= c <= 255 for c in colour):
            raise ValueError(f'{name}: the colour of class {index} must be '
                             f'(r, g, b) in 0..255, got {colour!r}')
        colour = tuple(colour)
        if colour in owner:
            raise ValueError(f'{name}: colour {colour} is given to classes '
                             f'{owner[colour]} and {index}')
        owner[colour] = index
        out[index] = colour
    if not out:
        raise ValueError(f'{name} is empty')
    return out


def decode_label_map(data: bytes,
                     palette: Optional[Palette] = None,
                     backend: str = 'pillow') -> np.ndarray:
    """The class indices (H x W, not cast) of an encoded label map.

    Args:
        data (bytes): The file's bytes.
        palette (dict, optional): ``{class: (r, g, b)}``: colours become
            classes. Defaults to None.
        backend (str): mmcv's decoding backend for index maps, as
            ``LoadAnnotations.imdecode_backend``. Defaults to 'pillow'.

    Raises:
        LabelMapError: The map cannot be read as indices (the message says
            how to convert it).
    """
    if palette is not None:
        with Image.open(io.BytesIO(data)) as img:
            if img.mode in ('P', 'PA', 'RGB', 'RGBA'):
                return colours_to_classes(
                    np.asarray(img.convert('RGB')), palette)
    label = mmcv.imfrombytes(data, flag='unchanged', backend=backend)
    if label is None:
        raise LabelMapError('unreadable label map')
    label = label.squeeze()
    if label.ndim == 2:
        return label
    channels = label[..., :3]
    if (channels == channels[..., :1]).all():
        return label[..., 0]
    raise LabelMapError(f'label map has {label.shape[2]} channels of '
                        'different values (colour-coded?); ' + HOW_TO)


def colours_to_classes(rgb: np.ndarray, palette: Palette) -> np.ndarray:
    """Each pixel's class from its colour (``rgb``: H x W x 3, RGB order)."""
    codes = _colour_codes(rgb.reshape(-1, 3))
    keys = _colour_codes(np.array(list(palette.values())))
    order = np.argsort(keys)
    keys, classes = keys[order], np.array(list(palette), np.uint8)[order]
    pos = np.minimum(np.searchsorted(keys, codes), len(keys) - 1)
    found = keys[pos] == codes
    if not found.all():
        unknown = np.unique(codes[~found])
        colours = [((c >> 16) & 255, (c >> 8) & 255, c & 255)
                   for c in unknown[:3].tolist()]
        raise LabelMapError(
            f'colours {colours}' +
            (f' and {len(unknown) - 3} more' if len(unknown) > 3 else '') +
            ' are in no class of the label palette; add them to '
            'al.label_palette (255 = ignore)')
    return classes[pos].reshape(rgb.shape[:2])


def _colour_codes(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype(np.int64)
    return (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]


def read_label_map(path: str,
                   palette: Optional[Palette] = None,
                   backend: str = 'pillow',
                   backend_args: Optional[dict] = None) -> np.ndarray:
    """:func:`decode_label_map` of the file at ``path``."""
    return decode_label_map(
        fileio.get(path, backend_args=backend_args), palette, backend)


@TRANSFORMS.register_module()
class LoadLabelMap(LoadAnnotations):
    """mmseg's ``LoadAnnotations`` for label maps as tools export them (see
    this module): 3-channel maps with equal channels, and colour-coded maps
    given a palette. One-channel maps load exactly as with
    ``LoadAnnotations``.

    Args:
        palette (list | dict, optional): The colour of each class (see
            :func:`normalize_palette`). Defaults to None.
        **kwargs: As for ``LoadAnnotations``.
    """

    def __init__(self, palette: Union[Sequence, Dict, None] = None, **kwargs):
        super().__init__(**kwargs)
        self.palette = normalize_palette(palette, 'LoadLabelMap.palette')

    def _load_seg_map(self, results: dict) -> None:
        path = results['seg_map_path']
        try:
            label = read_label_map(path, self.palette, self.imdecode_backend,
                                   self.backend_args)
        except LabelMapError as e:
            raise LabelMapError(f'{path}: {e}') from e
        # what LoadAnnotations does with the indices it decoded
        gt = label.astype(np.uint8)
        if self.reduce_zero_label is None:
            self.reduce_zero_label = results['reduce_zero_label']
        if self.reduce_zero_label:
            gt[gt == 0] = 255
            gt = gt - 1
            gt[gt == 254] = 255
        if results.get('label_map', None) is not None:
            copy = gt.copy()
            for old_id, new_id in results['label_map'].items():
                gt[copy == old_id] = new_id
        results['gt_seg_map'] = gt
        results['seg_fields'].append('gt_seg_map')

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f', palette={self.palette})'


def use_label_loader(pipeline: list, palette: Optional[Palette]) -> list:
    """``pipeline`` with mmseg's ``LoadAnnotations`` replaced by
    :class:`LoadLabelMap` (same arguments, plus ``palette``)."""
    out = []
    for t in pipeline:
        if isinstance(t, dict) and t.get('type') in ('LoadAnnotations',
                                                     'mmseg.LoadAnnotations'):
            t = dict(t, type='LoadLabelMap', palette=palette)
        out.append(t)
    return out
