"""tools/train.py (full supervision) and
tools/dataset_converters/fashion_scenes.py from the command line."""
import json
import subprocess
import sys

from mmengine.config import Config

from .conftest import REPO, run_in_process
from .oracles import miou_by_hand


def test_full_supervision_train_and_test(tiny_scenes, tmp_path):
    cmd = [
        sys.executable, 'tools/train.py',
        'configs/fullsup/deeplabv3_r18-d8_1k_fashion-scenes-64x64.py',
        '--work-dir',
        str(tmp_path), '--cfg-options', f'data_root={tiny_scenes}',
        'train_cfg.max_iters=2', 'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'model.data_preprocessor.size=(32,32)'
    ]
    proc = subprocess.run(
        cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.load(open(tmp_path / 'metrics.json'))
    assert (tmp_path / 'model.pth').is_file()
    cfg = Config.fromfile(cmd[2])
    cfg.model.data_preprocessor.size = (32, 32)
    assert metrics['mIoU'] == miou_by_hand(cfg, str(tmp_path / 'model.pth'),
                                           f'{tiny_scenes}/img_dir/val',
                                           f'{tiny_scenes}/ann_dir/val', 11)


def test_build_tool_cli(idx_source, tmp_path):
    out = tmp_path / 'scenes'
    cmd = [
        sys.executable, 'tools/dataset_converters/fashion_scenes.py',
        str(out), '--source', idx_source, '--size', '24', '--num-train', '5',
        '--num-val', '2', '--workers', '1'
    ]
    proc = subprocess.run(
        cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert '5 train + 2 val scenes images of 24x24' in proc.stdout
    again = run_in_process(cmd[1:])
    assert again.returncode != 0 and 'exists already' in again.stderr
    missing = run_in_process(
        [cmd[1], str(tmp_path / 'x'), '--source',
         str(tmp_path)])
    assert missing.returncode != 0
    assert 'dataset-fashion-mnist' in missing.stderr
