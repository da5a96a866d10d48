"""Bad input: one clear line naming the culprit, a non-zero exit, no state
written or changed. (Settings errors are covered in test_al_settings.py.)"""
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from pt4al_seg.engine import ALConfigError, load_pool
from ..conftest import CONFIG, REPO, point_to, run_al, run_in_process


@pytest.fixture
def data_copy(tiny_scenes, tmp_path):
    root = tmp_path / 'data'
    shutil.copytree(tiny_scenes, root)
    return root


def pool_of(root):
    cfg = Config.fromfile(f'{REPO}/{CONFIG}')
    point_to(cfg, root)
    return load_pool(cfg)


def last_line(proc):
    return proc.stderr.strip().splitlines()[-1]


def test_cli_missing_data_root(tmp_path):
    # a new process, as a user runs it (the other cases run in this one)
    proc = run_al(tmp_path / 'wd', str(tmp_path / 'nowhere'), check=False)
    assert proc.returncode != 0
    assert last_line(proc).startswith('train_al.py: error: data root')
    assert 'nowhere' in last_line(proc)
    assert not (tmp_path / 'wd').exists()


def test_cli_image_without_label_map(data_copy, tmp_path):
    os.remove(data_copy / 'ann_dir' / 'train' / '00007.png')
    proc = run_al(
        tmp_path / 'wd', str(data_copy), check=False, in_process=True)
    assert proc.returncode != 0
    assert 'img_dir/train/00007.png has no label map' in last_line(proc)
    assert not (tmp_path / 'wd' / 'al_state.json').exists()


def test_label_map_without_image(data_copy):
    os.remove(data_copy / 'img_dir' / 'train' / '00003.png')
    pool = pool_of(data_copy)
    with pytest.raises(
            ALConfigError, match='ann_dir/train/00003.png has no image'):
        pool.check_label_files()


def test_truncated_and_unreadable_images(data_copy):
    path = data_copy / 'img_dir' / 'train' / '00011.png'
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(
            ALConfigError, match='00011.png: unreadable or truncated image'):
        pool_of(data_copy).check_images()
    path.write_bytes(b'not an image')
    with pytest.raises(
            ALConfigError, match='00011.png: unreadable or truncated image'):
        pool_of(data_copy).check_images()


def test_label_values_and_size(data_copy):
    ann = data_copy / 'ann_dir' / 'train'
    label = cv2.imread(str(ann / '00004.png'), cv2.IMREAD_UNCHANGED)
    pool = pool_of(data_copy)
    pool.check_label_maps(['00004', '00005'])
    bad = label.copy()
    bad[0, 0] = 77
    cv2.imwrite(str(ann / '00004.png'), bad)
    with pytest.raises(ALConfigError, match=r'00004.png: label values \[77\]'):
        pool.check_label_maps(['00004'])
    ignored = label.copy()
    ignored[0, 0] = 255  # the ignore index is allowed
    cv2.imwrite(str(ann / '00004.png'), ignored)
    pool.check_label_maps(['00004'])
    cv2.imwrite(str(ann / '00005.png'), np.zeros((16, 32), np.uint8))
    with pytest.raises(
            ALConfigError,
            match='00005.png: label map is 32x16, its image 32x32'):
        pool.check_label_maps(['00005'])


def test_cli_unknown_selector_and_bad_budget(tiny_scenes, tmp_path):
    for option, message in (('al.query.type=Confusion',
                             "al.query: unknown query 'Confusion'"),
                            ('al.budget=0',
                             'al.budget must be a positive integer'),
                            ('al.budget=31',
                             'exceeds the smallest cycle batch'),
                            ('al.num_cycles=0',
                             'al.num_cycles must be a positive integer')):
        proc = run_al(
            tmp_path / 'wd',
            tiny_scenes,
            check=False,
            in_process=True,
            options=[option])
        assert proc.returncode != 0, option
        assert message in last_line(proc), (option, last_line(proc))
        assert not (tmp_path / 'wd').exists()


def test_cli_missing_per_loader_data_root(tiny_scenes, tmp_path):
    proc = run_al(
        tmp_path / 'wd',
        tiny_scenes,
        check=False,
        in_process=True,
        options=['train_dataloader.dataset.data_root=/missing'])
    assert proc.returncode != 0
    assert "data root '/missing'" in last_line(proc)
    assert not (tmp_path / 'wd').exists()


def test_per_loader_data_root_wins(tmp_path):
    """--cfg-options data_root=A reaches every loader but the one given its
    own root on the command line; the AL runner keeps that choice too (as
    when mmseg's own tools/train.py builds it from the merged config)."""
    import argparse

    from mmengine.config import DictAction

    from pt4al_seg.engine import ActiveLearningRunner
    from pt4al_seg.utils.cli import add_common_args, load_config
    from pt4al_seg.utils.config import data_roots
    parser = add_common_args(argparse.ArgumentParser())
    parser.add_argument('config')
    args = parser.parse_args([
        f'{REPO}/{CONFIG}', '--cfg-options', f'data_root={tmp_path}/a',
        f'train_dataloader.dataset.data_root={tmp_path}/b'
    ])
    assert isinstance(parser._option_string_actions['--cfg-options'],
                      DictAction)
    cfg = load_config(args, 'test')
    roots = dict(
        train_dataloader=f'{tmp_path}/b',
        val_dataloader=f'{tmp_path}/a',
        test_dataloader=f'{tmp_path}/a')
    assert data_roots(cfg) == roots
    cfg.work_dir = str(tmp_path / 'wd')
    assert data_roots(ActiveLearningRunner(cfg).cfg) == roots
    # as mmseg's tools/train.py hands it over: options merged, nothing else
    raw = Config.fromfile(f'{REPO}/{CONFIG}')
    raw.merge_from_dict({
        'data_root': f'{tmp_path}/a',
        'train_dataloader.dataset.data_root': f'{tmp_path}/b',
        'work_dir': str(tmp_path / 'wd')
    })
    assert data_roots(ActiveLearningRunner(raw).cfg) == roots


def test_cli_config_syntax_error_names_file_and_line(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text("_base_ = ['x.py']\nal = dict(budget=5,\nmodel = 3\n")
    proc = run_in_process(['tools/train_al.py', str(bad)])
    assert proc.returncode == 2
    assert proc.stderr.count('\n') == 1, proc.stderr
    assert last_line(proc).startswith(f'train_al.py: error: {bad}:')
    assert 'Traceback' not in proc.stderr


def test_cli_work_dir_below_a_file(tiny_scenes, tmp_path):
    (tmp_path / 'plain').write_text('x')
    proc = run_al(
        tmp_path / 'plain' / 'wd', tiny_scenes, check=False, in_process=True)
    assert proc.returncode == 2
    assert last_line(proc) == (f'train_al.py: error: work dir '
                               f'{tmp_path}/plain/wd: {tmp_path}/plain is a '
                               'file, not a folder')


def test_cli_missing_region_mask_fails_before_any_work(tiny_scenes, tmp_path):
    proc = run_al(
        tmp_path / 'wd',
        tiny_scenes,
        check=False,
        in_process=True,
        options=['al.region_mask=/missing.png'])
    assert proc.returncode == 2
    assert last_line(proc) == ('train_al.py: error: al.region_mask: '
                               '/missing.png does not exist')
    assert not (tmp_path / 'wd').exists()


@pytest.mark.parametrize('damage,message', [
    ('value', 'label values [77] are neither classes 0..10'),
    ('size', 'label map is 32x16, its image 32x32'),
    ('channels', 'label map has 3 channels of different values '
     '(colour-coded?); save single-channel PNGs'),
])
def test_cli_any_bad_label_map_fails_before_the_pretext_stage(
        damage, message, data_copy, tmp_path):
    """Every label map a simulated run may read is checked at its start, not
    when its image is selected (image 00037 is in no cycle-0 selection)."""
    path = data_copy / 'ann_dir' / 'train' / '00037.png'
    label = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if damage == 'value':
        label[0, 0] = 77
    elif damage == 'size':
        label = label[:16]
    else:  # colours: one channel shifted
        label = np.repeat(label[..., None], 3, axis=2)
        label[..., 1] += 1
    cv2.imwrite(str(path), label)
    proc = run_al(
        tmp_path / 'wd', str(data_copy), check=False, in_process=True)
    assert proc.returncode == 2
    assert message in last_line(proc) and '00037.png' in last_line(proc)
    assert not (tmp_path / 'wd').exists()


def test_truncated_jpeg_is_caught(data_copy):
    """OpenCV decodes a JPEG cut mid-file partially without complaint."""
    src = data_copy / 'img_dir' / 'train' / '00011.png'
    img = cv2.imread(str(src))
    jpg = data_copy / 'cut.jpg'
    cv2.imwrite(str(jpg), img)
    data = jpg.read_bytes()
    jpg.write_bytes(data[:int(len(data) * 0.8)])
    assert cv2.imread(str(jpg)) is not None  # what OpenCV alone would accept
    from pt4al_seg.engine.pool import _readable
    assert not _readable(str(jpg))
    jpg.write_bytes(data)
    assert _readable(str(jpg))


def test_readme_config_without_crop_size_fails_in_preflight(
        tiny_scenes, tmp_path, monkeypatch):
    """The README's dataset config with its crop size removed: one line from
    the preflight, in seconds, before the pretext stage trains."""
    import time

    from ..test_readme_dataset import foreign_layout, readme_config
    text = readme_config('my_data.py').replace(
        'data_preprocessor=dict(size=crop_size),', '')
    assert 'data_preprocessor' not in text
    data = tmp_path / 'data'
    foreign_layout(tiny_scenes, str(data))
    (tmp_path / 'my_data.py').write_text(text)
    start = time.time()
    monkeypatch.chdir(tmp_path)  # the user's folder
    proc = run_in_process([
        osp.join(REPO, 'tools', 'train_al.py'),
        str(tmp_path / 'my_data.py'), '--work-dir',
        str(tmp_path / 'wd'), '--cfg-options', f'data_root={data}',
        'al.num_cycles=2', 'al.budget=5', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False'
    ])
    assert proc.returncode == 2
    assert last_line(proc).startswith(
        'train_al.py: error: preflight of cycle training failed: '
        'data_preprocessor has neither size nor size_divisor')
    assert time.time() - start < 120
    assert not (tmp_path / 'wd' / 'al_state.json').exists()
    assert not (tmp_path / 'wd' / 'pretext').exists()
