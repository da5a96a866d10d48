"""Score with the checkpoints of a finished run, on however many processes torchrun gives.

    torchrun --nproc_per_node=N tests/dist_score.py CONFIG RUN_DIR OUT_DIR OPTIONS_JSON

Writes OUT_DIR/pretext/losses.csv (pretext/model.pth over the pool) and
OUT_DIR/cycle_01/scores.csv (cycle_00/model.pth over batch 1). Used by
tests/test_engine/test_distributed.py to compare 1 and 2 processes.
"""
import json
import os.path as osp
import sys

from mmengine.config import Config
from mmengine.runner import Runner

from pt4al_seg.engine import phase_configs as pc
from pt4al_seg.engine.dist import setup_dist, teardown_dist
from pt4al_seg.utils.config import propagate_data_root


def main():
    config, run_dir, out_dir, options = sys.argv[1:5]
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(json.load(open(options)))
    cfg.launcher = 'pytorch'
    propagate_data_root(cfg)
    setup_dist('pytorch', {})
    c = pc.pretext_config(cfg, osp.join(out_dir, 'pretext'), osp.join(run_dir, 'pool.txt'),
                          train=False)
    c['load_from'] = osp.join(run_dir, 'pretext', 'model.pth')
    Runner.from_cfg(Config(c)).test()
    c = pc.score_config(cfg, osp.join(out_dir, 'cycle_01'),
                        osp.join(run_dir, 'pretext', 'batches', 'batch_01.txt'),
                        osp.join(out_dir, 'cycle_01', 'scores.csv'),
                        osp.join(run_dir, 'cycle_00', 'model.pth'))
    Runner.from_cfg(Config(c)).test()
    teardown_dist()


if __name__ == '__main__':
    main()
