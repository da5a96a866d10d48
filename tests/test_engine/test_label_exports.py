"""Label maps as labelling tools export them train exactly as single-channel
maps of the same classes: the run picks the same images and measures the same
mIoU as the session's `finished_run` on the original maps."""
import glob
import shutil

import cv2
import numpy as np
from PIL import Image

from ..conftest import CONFIG, REPO, run_al

COMPARED = [
    'pretext/losses.csv', 'cycle_00/selected.txt', 'cycle_01/scores.csv',
    'cycle_01/selected.txt', 'summary.csv'
]
# a colour per class of FashionScenes (11) and for the ignore index
COLOURS = {c: (20 * c, 255 - 20 * c, (70 * c) % 256) for c in range(11)}
COLOURS[255] = (0, 0, 0)


def converted_copy(tiny_scenes, tmp_path, convert):
    root = tmp_path / 'data'
    shutil.copytree(tiny_scenes, root)
    for path in glob.glob(str(root / 'ann_dir' / '*' / '*.png')):
        label = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        assert label.ndim == 2
        convert(path, label)
    return root


def assert_same_run(work_dir, finished_run):
    for rel in COMPARED:
        assert (work_dir /
                rel).read_text() == open(f'{finished_run}/{rel}').read(), rel


def test_three_channel_maps_give_the_same_run(finished_run, tiny_scenes,
                                              tmp_path):
    root = converted_copy(
        tiny_scenes, tmp_path, lambda path, label: cv2.imwrite(
            path, np.repeat(label[..., None], 3, axis=2)))
    run_al(tmp_path / 'wd', str(root))
    assert_same_run(tmp_path / 'wd', finished_run)


def test_colour_coded_maps_through_the_palette_give_the_same_run(
        finished_run, tiny_scenes, tmp_path):
    """Training maps as RGB colours, validation maps as palette PNGs whose
    index order is not the class order; ``al.label_palette`` names the colour
    of each class (255: ignore)."""
    shuffle = {c: (c * 7 + 3) % 256 for c in range(256)}  # index -> slot
    slots = np.zeros((256, 3), np.uint8)
    for c, colour in COLOURS.items():
        slots[shuffle[c]] = colour

    def convert(path, label):
        if '/train/' in path:
            rgb = np.zeros(label.shape + (3, ), np.uint8)
            for c, colour in COLOURS.items():
                rgb[label == c] = colour
            Image.fromarray(rgb).save(path)
        else:
            img = Image.fromarray(
                np.vectorize(shuffle.get)(label).astype(np.uint8), 'P')
            img.putpalette(slots.flatten().tolist())
            img.save(path)

    root = converted_copy(tiny_scenes, tmp_path, convert)
    cfg = tmp_path / 'palette.py'
    cfg.write_text(f"_base_ = ['{REPO}/{CONFIG}']\n"
                   f'al = dict(label_palette={COLOURS!r})\n')
    run_al(tmp_path / 'wd', str(root), config=str(cfg))
    assert_same_run(tmp_path / 'wd', finished_run)
    # without the palette such maps are refused before any work (test_bad_input
    # .py, test_cli_any_bad_label_map_fails_before_the_pretext_stage)
