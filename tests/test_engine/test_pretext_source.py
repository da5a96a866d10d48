"""A run taking another run's pretext stage (AdoptPretextHook): which settings
decide the stage, what a source must have, what is copied."""
import os.path as osp

import pytest

from pt4al_seg.engine.pretext_source import (SHARED_FILES, adopt_pretext,
                                             check_pretext_source,
                                             pretext_settings, pretext_source,
                                             pretext_stage_key)
from pt4al_seg.engine.settings import ALConfigError
from pt4al_seg.engine.state import ALState, settings_snapshot
from pt4al_seg.experiments.compare import (merged_config, run_config,
                                           write_config)
from ..conftest import CONFIG, REPO, refusal

SETTINGS = {
    'pretext.model.type': "'ColorizationPretext'",
    'pretext.train_cfg.max_iters': '200',
    'model.backbone.depth': '18',
    'model.type': "'EncoderDecoder'",
    'model.decode_head.num_classes': '11',
    'train_dataloader.num_workers': '2',
    'randomness.seed': '0',
    'al.score_batch_size': '4',
    'al.budget': '100',
    'al.init': "'scratch'",
    'pretextual': '1',
}
POOL = ['a', 'b', 'c']


def test_the_settings_that_decide_the_stage():
    kept = pretext_settings(SETTINGS)
    assert sorted(kept) == [
        'al.score_batch_size', 'model.backbone.depth', 'pretext.model.type',
        'pretext.train_cfg.max_iters', 'randomness.seed',
        'train_dataloader.num_workers'
    ]
    # where a stage came from is no setting a resumed run compares
    snapshot = settings_snapshot(
        dict(
            al_hooks=dict(
                pretext=dict(type='PretextBatchHook'),
                adopt_pretext=dict(type='AdoptPretextHook', source='/r/x')),
            al=dict(budget=5)))
    assert snapshot == {
        'al.budget': '5',
        'al_hooks.PretextBatchHook.type': "'PretextBatchHook'"
    }


def make_source(root,
                settings=SETTINGS,
                phases=('pretext.trained', 'pretext.scored')):
    root.mkdir(parents=True)
    (root / 'pretext').mkdir()
    for i, f in enumerate(SHARED_FILES):
        (root / 'pretext' / f).write_bytes(bytes([i]) * 10)
    (root / 'pool.txt').write_text(''.join(f'{i}\n' for i in POOL))
    state = ALState(str(root / 'al_state.json'))
    state.settings, state.pool_size = dict(settings), len(POOL)
    state.phases = list(phases)
    state.save()
    return str(root)


def test_a_source_is_refused_with_its_fault_named(tmp_path):
    src = make_source(tmp_path / 'src')
    here = str(tmp_path / 'here')
    # other strategy, other cycles, other init: the same stage
    other = dict(SETTINGS, **{'al.budget': '50', 'al.init': "'pretext'"})
    check_pretext_source(src, here, other, POOL)
    cases = [
        (src, src, SETTINGS, POOL, 'is this run itself'),
        (str(tmp_path / 'none'), here, SETTINGS, POOL, 'holds no run'),
        (src, here, dict(SETTINGS, **{'randomness.seed': '1'}), POOL,
         r'1 differ: randomness.seed: 0 -> 1$'),
        (src, here, dict(SETTINGS, **{'pretext.model.type': "'X'"}), POOL,
         "pretext.model.type: 'ColorizationPretext' -> 'X'"),
        (src, here, SETTINGS, ['a',
                               'b'], r'pool.txt\) is not this run\'s \(2\)'),
    ]
    for source, work_dir, settings, pool, message in cases:
        with pytest.raises(ALConfigError, match=message):
            check_pretext_source(source, work_dir, settings, pool)
    unfinished = make_source(
        tmp_path / 'unfinished', phases=('pretext.trained', ))
    with pytest.raises(ALConfigError, match='has not finished: run it first'):
        check_pretext_source(unfinished, here, SETTINGS, POOL)
    (tmp_path / 'src' / 'pretext' / 'features.npz').unlink()
    with pytest.raises(ALConfigError, match='pretext/features.npz is missing'):
        check_pretext_source(src, here, SETTINGS, POOL)


def test_adopted_files_are_the_sources(tmp_path):
    src = make_source(tmp_path / 'src')
    pretext_dir = tmp_path / 'here' / 'pretext'
    assert pretext_source(str(tmp_path / 'here')) is None
    for _ in range(2):  # again (a resumed copy) replaces them
        adopt_pretext(src, str(pretext_dir))
    for f in SHARED_FILES:
        assert (pretext_dir / f).read_bytes() == (tmp_path / 'src' /
                                                  'pretext' / f).read_bytes()
    assert sorted(p.name for p in pretext_dir.iterdir()) == sorted(
        SHARED_FILES + ('source.txt', ))  # no temporary file left
    assert pretext_source(str(tmp_path / 'here')) == src


def test_which_strategies_share_a_stage(tmp_path):
    """tools/compare.py's grouping: a stage per seed and pretext; the
    strategies that only change what happens after it share it."""

    def key(strategy, seed=0):
        config = write_config(
            run_config(osp.join(REPO, CONFIG), strategy), str(tmp_path),
            strategy)
        return pretext_stage_key(
            merged_config(config, [f'randomness.seed={seed}']))

    pt4al = key('pt4al')
    assert pt4al is not None
    for same in ('pt4al-init-pretext', 'pt4al-ascending', 'typiclust',
                 'pt4al-probcover-start', 'pt4al-colorization'):
        assert key(same) == pt4al, same
    assert key('pt4al', 1) != pt4al
    assert key('pt4al-rotation') != pt4al
    assert key('pt4al-rotation') == key('pt4al-rotation-init-pretext')
    assert key('random') is None and key('coreset') is None


def test_the_runner_refuses_a_source_before_any_work(finished_run, tiny_scenes,
                                                     tmp_path):
    """train_al.py with another seed than the source's, or a source that is
    not a run: one line naming the fault, nothing written."""
    adopt = 'al_hooks.adopt_pretext.type=AdoptPretextHook'
    line = refusal(tmp_path / 'seed1', tiny_scenes, [
        'randomness.seed=1', adopt,
        f'al_hooks.adopt_pretext.source={finished_run}'
    ])
    assert line.endswith(f'AdoptPretextHook.source: {finished_run} '
                         'trained its pretext model with other settings; 1 '
                         'differ: randomness.seed: 0 -> 1'), line
    line = refusal(tmp_path / 'none', tiny_scenes,
                   [adopt, f'al_hooks.adopt_pretext.source={tmp_path}'])
    assert line.endswith(f'{tmp_path} holds no run (no al_state.json)'), line
