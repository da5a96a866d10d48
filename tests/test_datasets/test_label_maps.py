"""Label maps as labelling tools export them
(pt4al_seg/datasets/label_maps.py), on hand-made maps whose class indices are
known."""
import io

import cv2
import numpy as np
import pytest
from mmseg.datasets.transforms import LoadAnnotations
from PIL import Image

from pt4al_seg.datasets.label_maps import (LabelMapError, LoadLabelMap,
                                           decode_label_map, normalize_palette)

# 2 x 3 map: classes 0, 1, 2 and the ignore index
INDICES = np.array([[0, 1, 2], [2, 255, 0]], np.uint8)
PALETTE = {0: (10, 20, 30), 1: (200, 0, 0), 2: (0, 0, 255), 255: (0, 0, 0)}


def png(array: np.ndarray, mode=None, palette=None) -> bytes:
    img = Image.fromarray(array, mode) if mode else Image.fromarray(array)
    if palette is not None:
        img.putpalette(palette)
    buf = io.BytesIO()
    img.save(buf, format='PNG')
    return buf.getvalue()


def coloured() -> np.ndarray:
    """INDICES drawn in PALETTE's colours (RGB)."""
    rgb = np.zeros(INDICES.shape + (3, ), np.uint8)
    for index, colour in PALETTE.items():
        rgb[INDICES == index] = colour
    return rgb


def test_one_channel_maps_are_read_as_they_are():
    assert (decode_label_map(png(INDICES)) == INDICES).all()
    wide = INDICES.astype(np.uint16) * 300  # 16-bit: values not cast here
    out = decode_label_map(cv2.imencode('.png', wide)[1].tobytes())
    assert out.dtype != np.uint8 and (out == wide).all()


def test_equal_channels_are_read_as_the_first():
    rgb = np.repeat(INDICES[..., None], 3, axis=2)
    assert (decode_label_map(png(rgb)) == INDICES).all()
    rgba = np.concatenate(
        [rgb, np.full(INDICES.shape + (1, ), 255, np.uint8)], 2)
    assert (decode_label_map(png(rgba, 'RGBA')) == INDICES).all()


def test_colours_without_a_palette_are_refused_with_how_to_convert():
    with pytest.raises(LabelMapError) as e:
        decode_label_map(png(coloured()))
    assert str(e.value).startswith(
        'label map has 3 channels of different values (colour-coded?); '
        'save single-channel PNGs')
    assert 'al.label_palette' in str(e.value)


def test_colours_become_classes_through_the_palette():
    assert (decode_label_map(png(coloured()), PALETTE) == INDICES).all()
    rgb = coloured()
    rgb[0, 1] = (1, 2, 3)
    rgb[1, 0] = (4, 5, 6)
    with pytest.raises(
            LabelMapError,
            match=r'colours \[\(1, 2, 3\), '
            r'\(4, 5, 6\)\] are in no class'):
        decode_label_map(png(rgb), PALETTE)


def test_palette_pngs_are_indices_unless_a_palette_is_given():
    # a VOC-style palette PNG: its indices are the classes, its colours
    # anything
    shuffled = np.zeros((256, 3), np.uint8)
    for index, colour in PALETTE.items():
        shuffled[index] = colour
    data = png(INDICES, 'P', shuffled.flatten().tolist())
    assert (decode_label_map(data) == INDICES).all()
    # with a palette, its colours count: swap classes 1 and 2
    swapped = {0: PALETTE[0], 1: PALETTE[2], 2: PALETTE[1], 255: PALETTE[255]}
    expected = INDICES.copy()
    expected[INDICES == 1], expected[INDICES == 2] = 2, 1
    assert (decode_label_map(data, swapped) == expected).all()


def test_palette_forms_and_errors():
    assert normalize_palette([(1, 2, 3), [4, 5, 6]]) == {
        0: (1, 2, 3),
        1: (4, 5, 6)
    }
    assert normalize_palette(None) is None
    for bad, message in [
        ('red', 'al.label_palette must be a list'),
        ([(1, 2, 3), (1, 2, 3)], r'colour \(1, 2, 3\) is given to classes 0 '
         'and 1'),
        ([(1, 2)], r'the colour of class 0 must be \(r, g, b\)'),
        ([(1, 2, 300)], 'the colour of class 0'),
        ({
            256: (1, 2, 3)
        }, 'class 256 is not an index'),
        ([], 'is empty'),
    ]:
        with pytest.raises(ValueError, match=message):
            normalize_palette(bad)


@pytest.mark.parametrize('reduce_zero_label', [False, True])
def test_load_label_map_equals_load_annotations(tmp_path, reduce_zero_label):
    one = tmp_path / 'one.png'
    three = tmp_path / 'three.png'
    colour = tmp_path / 'colour.png'
    cv2.imwrite(str(one), INDICES)
    cv2.imwrite(str(three), np.repeat(INDICES[..., None], 3, axis=2))
    colour.write_bytes(png(coloured()))

    def load(transform, path):
        return transform(
            dict(
                seg_map_path=str(path),
                reduce_zero_label=reduce_zero_label,
                seg_fields=[]))['gt_seg_map']

    expected = load(LoadAnnotations(), one)
    assert expected.dtype == np.uint8
    for path, palette in ((one, None), (three, None), (colour, PALETTE)):
        got = load(LoadLabelMap(palette=palette), path)
        assert got.dtype == np.uint8 and (got == expected).all(), path
    with pytest.raises(LabelMapError, match='colour.png: label map has 3'):
        load(LoadLabelMap(), colour)
