"""The background-everywhere floor (``background_mIoU`` in the state, the
last line of a run's console) on hand-made label maps with a hand-computed
answer."""
import cv2
import numpy as np
import pytest
from PIL import Image

import pt4al_seg  # noqa: F401 (registers FashionScenesDataset)
from pt4al_seg.evaluation import constant_prediction_miou

# two 2x2 maps; 255 = ignore
MAPS = dict(
    a=np.array([[0, 0], [1, 255]], np.uint8),
    b=np.array([[2, 2], [0, 0]], np.uint8))


def dataset(tmp_path, write):
    for name, label in MAPS.items():
        (tmp_path / 'img').mkdir(exist_ok=True)
        (tmp_path / 'ann').mkdir(exist_ok=True)
        cv2.imwrite(
            str(tmp_path / 'img' / f'{name}.png'), np.zeros((2, 2, 3),
                                                            np.uint8))
        write(str(tmp_path / 'ann' / f'{name}.png'), label)
    return dict(
        type='FashionScenesDataset',
        data_root=str(tmp_path),
        data_prefix=dict(img_path='img', seg_map_path='ann'))


def test_background_miou_by_hand(tmp_path):
    cfg = dataset(tmp_path, cv2.imwrite)
    # background on the 7 labelled pixels: class 0 is right on its 4 (IoU
    # 4/7), classes 1 and 2 (1 and 2 pixels) get IoU 0; the other 8 classes
    # appear nowhere (no union: left out of the mean)
    assert constant_prediction_miou(cfg) == round(100 * (4 / 7) / 3, 2)
    # class 2 everywhere: right on 2 of 7 pixels (2/7), 0 and 1 get nothing
    assert constant_prediction_miou(
        cfg, label=2) == round(100 * (0 + 0 + 2 / 7) / 3, 2)


@pytest.mark.parametrize('export', ['three_channels', 'colours'])
def test_background_miou_reads_label_maps_as_exported(tmp_path, export):
    palette = {0: (9, 9, 9), 1: (200, 0, 0), 2: (0, 0, 200), 255: (0, 0, 0)}

    def write(path, label):
        if export == 'three_channels':
            cv2.imwrite(path, np.repeat(label[..., None], 3, axis=2))
        else:
            rgb = np.zeros(label.shape + (3, ), np.uint8)
            for c, colour in palette.items():
                rgb[label == c] = colour
            Image.fromarray(rgb).save(path)

    cfg = dataset(tmp_path, write)
    assert constant_prediction_miou(
        cfg,
        palette=palette if export == 'colours' else None) == 19.05  # as above
