"""The real annotation loop: two rounds on tiny data, labels placed between the
rounds."""
import csv
import json
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest

from pt4al_seg.utils import read_ids
from ..conftest import REPO, run_al, run_in_process

ANNOTATE = ['al.mode=annotate']


def status(wd):
    proc = run_in_process(['tools/al_status.py', str(wd), '--json'])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def refused_resume(wd, data):
    """A --resume that must stop at the label check (in this process)."""
    proc = run_al(
        wd,
        str(data),
        '--resume',
        check=False,
        in_process=True,
        options=ANNOTATE)
    assert proc.returncode != 0
    return proc


def place(oracle, data, ids):
    for i in ids:
        shutil.copy(oracle / f'{i}.png',
                    data / 'ann_dir' / 'train' / f'{i}.png')


def test_two_annotation_rounds(tiny_scenes, tmp_path):
    data = tmp_path / 'data'
    shutil.copytree(tiny_scenes, data)
    oracle = tmp_path / 'oracle'
    shutil.move(str(data / 'ann_dir' / 'train'), str(oracle))
    shutil.rmtree(data / 'ann_dir' /
                  'val')  # no labelled validation split either
    (data / 'ann_dir' / 'train').mkdir()
    wd = tmp_path / 'run'

    # round 1: pretext, ranking, cycle 0's selection, then a clean stop
    proc = run_al(
        wd,
        str(data),
        options=ANNOTATE + [f'al.export_dir={tmp_path / "export"}'])
    assert 'cycle 00: 5 images to label are listed in' in proc.stdout
    assert '--resume' in proc.stdout.strip().splitlines()[-1]
    lines = open(wd / 'cycle_00' / 'to_label.txt').read().splitlines()
    sel0 = read_ids(str(wd / 'cycle_00' / 'selected.txt'))
    assert [ln.split('\t')[0] for ln in lines] == sel0 and len(sel0) == 5
    assert all(osp.isfile(ln.split('\t')[1]) for ln in lines)
    assert (wd / 'cycle_00' / 'to_label.png').read_bytes()[:4] == b'\x89PNG'
    exported = (tmp_path / 'export' / 'cycle_00').iterdir()
    assert sorted(p.name for p in exported) == sorted(f'{i}.png' for i in sel0)
    assert not (wd / 'cycle_00' / 'labelled.txt').exists()
    st = status(wd)
    assert st['waiting_for_labels']['missing'] == 5 and st['cycles_done'] == 0
    assert st['next_action'].startswith('label 5 of the 5 images')

    # missing, wrong-size and unknown-class label maps: one line, state
    # unchanged
    state = (wd / 'al_state.json').read_bytes()
    place(oracle, data, sel0[:4])
    proc = refused_resume(wd, data)
    assert '1 of the 5 images' in proc.stderr.strip().splitlines()[-1]
    assert sel0[4] in proc.stderr.strip().splitlines()[-1]
    cv2.imwrite(
        str(data / 'ann_dir' / 'train' / f'{sel0[4]}.png'),
        np.zeros((8, 8), np.uint8))
    proc = refused_resume(wd, data)
    assert 'label map is 8x8, its image 32x32' in proc.stderr
    bad = cv2.imread(str(oracle / f'{sel0[4]}.png'), cv2.IMREAD_UNCHANGED)
    bad[0, 0] = 42
    cv2.imwrite(str(data / 'ann_dir' / 'train' / f'{sel0[4]}.png'), bad)
    proc = refused_resume(wd, data)
    assert 'label values [42]' in proc.stderr.strip().splitlines()[-1]
    assert (wd / 'al_state.json').read_bytes() == state
    assert not (wd / 'cycle_00' / 'labelled.txt').exists()

    # round 2: labels in place -> cycle 0 trains, cycle 1 is selected, stop
    # again
    place(oracle, data, sel0)
    proc = run_al(wd, str(data), '--resume', options=ANNOTATE)
    assert 'cycle 01: 5 images to label' in proc.stdout
    assert read_ids(str(wd / 'cycle_00' / 'labelled.txt')) == sel0
    assert str(wd / 'cycle_00' / 'labelled.txt') in open(wd / 'cycle_00' /
                                                         'config.py').read()
    sel1 = read_ids(str(wd / 'cycle_01' / 'selected.txt'))
    assert not set(sel1) & set(sel0)
    assert status(wd)['waiting_for_labels']['cycle'] == 1

    place(oracle, data, sel1)
    run_al(wd, str(data), '--resume', options=ANNOTATE)
    assert read_ids(str(wd / 'cycle_01' / 'labelled.txt')) == sel0 + sel1
    rows = list(csv.DictReader(open(wd / 'summary.csv')))
    assert [r['num_labelled'] for r in rows] == ['5', '10']
    assert [r['mIoU'] for r in rows] == ['',
                                         '']  # no labelled validation split
    st = status(wd)
    assert st['cycles_done'] == 2 and st['num_labelled'] == 10
    assert st['next_action'].startswith('finished')


def test_annotation_mode_needs_segmentation_label_files():
    from mmengine.config import Config

    from pt4al_seg.engine import ALConfigError, ALSettings
    cfg = Config.fromfile(f'{REPO}/configs/pt4al_seg/demo.py')
    cfg.al.mode = 'labels-please'
    with pytest.raises(
            ALConfigError, match='al.mode must be one of simulate, annotate'):
        ALSettings.from_config(cfg)
