"""The real annotation loop: ask for labels after a selection, take them when
they arrive.

In ``al.mode='annotate'`` the pool is images only. After each selection the run
writes ``cycle_XX/to_label.txt`` (``id<TAB>image path`` per line), a contact
sheet ``cycle_XX/to_label.png`` and, with ``al.export_dir``, a copy of the
images; then it stops (:class:`AwaitingLabels`, exit code 0). ``--resume``
continues once a label map exists for every requested image, at the path the
dataset expects (mmseg layout).
"""
import math
import os
import os.path as osp
import shutil
from typing import Dict, List, Optional

import cv2
import numpy as np

from ..utils import atomic_write


class AwaitingLabels(Exception):
    """Raised to stop a run cleanly until the requested label maps exist."""

    def __init__(self, cycle: int, request_file: str, label_maps: Dict[str,
                                                                       str]):
        self.cycle, self.request_file = cycle, request_file
        self.label_maps = label_maps
        folders = sorted({osp.dirname(p) for p in label_maps.values()})
        example = next(iter(label_maps.values()))
        super().__init__(
            f'cycle {cycle:02d}: {len(label_maps)} images to label are listed '
            'in '
            f'{request_file} (contact sheet: '
            f'{osp.splitext(request_file)[0]}.png). Save each '
            'label map where the dataset reads it (mmseg layout: a PNG of '
            'class indices, '
            f'255 = ignore, the size of its image), e.g. {example}' +
            (f' (folder {folders[0]})' if len(folders) == 1 else '') +
            '; then run the same command with --resume.')


def missing_label_maps(label_maps: Dict[str, str]) -> List[str]:
    """Ids whose label map file does not exist yet."""
    return [i for i, path in label_maps.items() if not osp.isfile(path)]


def contact_sheet(image_paths: Dict[str, str],
                  out_file: str,
                  thumb: int = 96,
                  columns: int = 8,
                  limit: int = 200) -> None:
    """A PNG grid of the images (at most ``limit``), each captioned with its
    id."""
    items = list(image_paths.items())[:limit]
    rows = max(1, math.ceil(len(items) / columns))
    cell_h = thumb + 16
    sheet = np.full(
        (rows * cell_h, min(columns, max(len(items), 1)) * thumb, 3), 255,
        np.uint8)
    for k, (img_id, path) in enumerate(items):
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            continue
        scale = thumb / max(img.shape[:2])
        img = cv2.resize(img, (max(1, int(
            img.shape[1] * scale)), max(1, int(img.shape[0] * scale))))
        y, x = (k // columns) * cell_h, (k % columns) * thumb
        sheet[y:y + img.shape[0], x:x + img.shape[1]] = img
        cv2.putText(sheet, img_id[-14:], (x + 2, y + thumb + 12),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.35, (0, 0, 0), 1, cv2.LINE_AA)
    tmp = f'{out_file}.tmp{os.getpid()}.png'
    cv2.imwrite(tmp, sheet)
    os.replace(tmp, out_file)


def write_request(cycle_dir: str,
                  image_paths: Dict[str, str],
                  export_dir: Optional[str] = None) -> str:
    """Write ``to_label.txt`` and ``to_label.png`` (and the export copy);
    returns the txt."""
    os.makedirs(cycle_dir, exist_ok=True)
    if export_dir:
        dest = osp.join(export_dir, osp.basename(cycle_dir))
        for img_id, path in image_paths.items():
            target = osp.join(dest, img_id + osp.splitext(path)[1])
            os.makedirs(osp.dirname(target), exist_ok=True)
            shutil.copy2(path, target)
    contact_sheet(image_paths, osp.join(cycle_dir, 'to_label.png'))
    request = osp.join(cycle_dir, 'to_label.txt')
    atomic_write(request,
                 ''.join(f'{i}\t{p}\n' for i, p in image_paths.items()))
    return request
