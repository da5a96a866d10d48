"""The README's "Adding a dataset" config, extracted from README.md and run for
two tiny cycles from a folder outside the repository, on a dataset in its
layout (JPEG images, `_mask.png` label maps in another folder, 7 classes)."""
import os
import os.path as osp
import re
import subprocess
import sys

import cv2
import numpy as np

from pt4al_seg.utils import read_ids
from .conftest import REPO, check_contract


def readme_config(name: str) -> str:
    text = open(osp.join(REPO, 'README.md')).read()
    m = re.search(
        rf'<!-- README-CONFIG {re.escape(name)} -->\n```python\n(.*?)```',
        text, re.S)
    assert m, f'README.md has no config block marked {name}'
    return m.group(1)


def foreign_layout(scenes: str, root: str) -> None:
    """images/{train,val}/NAME.jpg and masks/{train,val}/NAME_mask.png, the
    FashionScenes classes folded into 7."""
    for split in ('train', 'val'):
        os.makedirs(osp.join(root, 'images', split))
        os.makedirs(osp.join(root, 'masks', split))
        for name in sorted(os.listdir(osp.join(scenes, 'img_dir', split))):
            stem = name[:-4]
            img = cv2.imread(osp.join(scenes, 'img_dir', split, name))
            cv2.imwrite(osp.join(root, 'images', split, f'{stem}.jpg'), img)
            label = cv2.imread(
                osp.join(scenes, 'ann_dir', split, name), cv2.IMREAD_UNCHANGED)
            folded = np.where((label > 0) & (label < 255), (label - 1) % 6 + 1,
                              label).astype(np.uint8)
            cv2.imwrite(
                osp.join(root, 'masks', split, f'{stem}_mask.png'), folded)


def test_readme_dataset_config_runs_from_a_users_folder(tiny_scenes, tmp_path):
    data = tmp_path / 'my_data'
    foreign_layout(tiny_scenes, str(data))
    project = tmp_path / 'my_project'
    project.mkdir()
    (project / 'my_data.py').write_text(readme_config('my_data.py'))
    wd = tmp_path / 'run'
    cmd = [
        sys.executable,
        osp.join(REPO, 'tools', 'train_al.py'), 'my_data.py', '--work-dir',
        str(wd), '--cfg-options', f'data_root={data}',
        'model.data_preprocessor.size=(32,32)', 'train_cfg.max_iters=6',
        'pretext.train_cfg.max_iters=4', 'pretext.batch_size=8',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False', 'al.num_cycles=2',
        'al.budget=5'
    ]
    proc = subprocess.run(
        cmd, cwd=str(project), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert len(read_ids(str(wd / 'pool.txt'))) == 60
    check_contract(wd)
    config = (wd / 'cycle_01' / 'config.py').read_text()
    assert "seg_map_suffix='_mask.png'" in config and str(data) in config
