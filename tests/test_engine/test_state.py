import json

import pytest

from pt4al_seg.engine.state import ALState, flatten, settings_snapshot


def test_roundtrip_and_atomic_file(tmp_path):
    path = str(tmp_path / 'al_state.json')
    state = ALState(path)
    state.settings = {'al.budget': '5'}
    state.pool_size = 10
    state.record_cycle(0, num_labelled=5, fraction=0.5)
    state.mark('ranked')
    again = ALState.load(path)
    assert again.state_dict() == state.state_dict()
    assert again.done('ranked') and not again.done('cycle_00.selected')
    assert [p.name for p in tmp_path.iterdir()] == ['al_state.json'
                                                    ]  # no temp file left


def test_bad_state_file(tmp_path):
    path = tmp_path / 'al_state.json'
    path.write_text(json.dumps({'version': 99}))
    with pytest.raises(ValueError, match='version'):
        ALState.load(str(path))


def test_settings_diff_names_keys():
    a = settings_snapshot({
        'al': {
            'budget': 5,
            'num_cycles': 3
        },
        'work_dir': 'x',
        'model': {
            'backbone': {
                'depth': 18
            }
        }
    })
    b = settings_snapshot({
        'al': {
            'budget': 6,
            'num_cycles': 3
        },
        'work_dir': 'y',
        'model': {
            'backbone': {
                'depth': 18
            }
        }
    })
    state = ALState('unused')
    state.settings = a
    assert state.diff_settings(b) == ['al.budget: 5 -> 6']
    assert flatten({'p': [dict(type='A'), dict(type='B')]}) == {
        'p.0.type': "'A'",
        'p.1.type': "'B'"
    }


def test_settings_a_newer_version_adds_with_their_default_are_no_difference():
    old = settings_snapshot({'al': {'budget': 5, 'num_cycles': 3}})
    new = settings_snapshot({
        'al': {
            'budget': 5,
            'num_cycles': 3,
            'score_batch_size': 4,
            'bf16': False,
            'metric': 'mIoU',
            'picker': {
                'type': 'TopK'
            }
        },
        'al_hooks': []
    })
    state = ALState('unused')
    state.settings = old
    assert state.diff_settings(new) == []
    changed = dict(
        new, **{
            'al.score_batch_size': '16',
            'al.picker.type': "'ClassBalanced'"
        })
    assert state.diff_settings(changed) == [
        "al.picker.type: 'TopK' -> 'ClassBalanced'",
        'al.score_batch_size: 4 -> 16'
    ]


V1_PT4AL = {
    "al.budget": "5",
    "al.mode": "'simulate'",
    "al.num_cycles": "2",
    "al.order": "'descending'",
    "al.pick.type": "'TopK'",
    "al.seed": "0",
    "al.selector.type": "'LeastConfidence'",
    "al.strategy": "'pt4al'"
}


def test_state_files_of_version_1_are_upgraded(tmp_path):
    path = tmp_path / 'al_state.json'
    phases = [
        'pretext.trained', 'pretext.scored', 'ranked', 'cycle_00.selected',
        'cycle_00.trained', 'cycle_01.selected'
    ]
    path.write_text(
        json.dumps(
            dict(
                version=1,
                settings=V1_PT4AL,
                phases=phases,
                cycles={},
                pool_size=60)))
    state = ALState.load(str(path))
    assert state.phases == [
        'pretext.trained', 'pretext.scored', 'ranked', 'cycle_00.selected',
        'cycle_00.labelled', 'cycle_00.trained', 'cycle_01.selected',
        'cycle_01.labelled'
    ]
    assert state.settings == {
        'al.budget': '5',
        'al.mode': "'simulate'",
        'al.num_cycles': '2',
        'al.picker.type': "'TopK'",
        'al.query.type': "'LeastConfidence'",
        'al.cold_start.picker.type': "'EveryNth'",
        'al_hooks.PretextBatchHook.type': "'PretextBatchHook'",
        'al_hooks.PretextBatchHook.order': "'descending'"
    }
    pool = dict(
        V1_PT4AL, **{
            'al.strategy': "'pool'",
            'al.seed': '3',
            'al.selector.type': "'Random'",
            'al.selector.seed': '3',
            'al.mode': "'annotate'"
        })
    path.write_text(
        json.dumps(
            dict(
                version=1,
                settings=pool,
                phases=phases[3:],
                cycles={},
                pool_size=60)))
    state = ALState.load(str(path))
    assert state.phases == phases[
        3:]  # annotation runs recorded their labels already
    assert state.settings['al.cold_start.query.seed'] == '3'
    assert state.settings['al.query.seed'] == '3'
    assert not [k for k in state.settings if k.startswith('al_hooks')]
    assert 'al.seed' not in state.settings


def test_state_files_of_version_2_are_upgraded(tmp_path):
    """Version 2 recorded al_hooks as a list (``al_hooks.0.type``); version 3
    keys them by type, and PretextBatchHook's embedding argument, now a hook
    of its own that changes no result, is no setting."""
    path = tmp_path / 'al_state.json'
    settings = {
        'al.budget': '5',
        'al_hooks.0.type': "'PretextBatchHook'",
        'al_hooks.0.order': "'ascending'",
        'al_hooks.0.embedding': 'False',
        'al_hooks.1.type': "'CommitteeHook'",
        'al_hooks.2.type': "'CommitteeHook'",
        'al_hooks.2.seeds': '2'
    }
    path.write_text(
        json.dumps(
            dict(
                version=2,
                settings=settings,
                phases=[],
                cycles={},
                pool_size=60)))
    assert ALState.load(str(path)).settings == {
        'al.budget': '5',
        'al_hooks.PretextBatchHook.type': "'PretextBatchHook'",
        'al_hooks.PretextBatchHook.order': "'ascending'",
        'al_hooks.CommitteeHook.type': "'CommitteeHook'",
        'al_hooks.CommitteeHook#2.type': "'CommitteeHook'",
        'al_hooks.CommitteeHook#2.seeds': '2'
    }
    settings = {'al.budget': '5', 'al_hooks': '[]'}
    path.write_text(
        json.dumps(
            dict(
                version=2,
                settings=settings,
                phases=[],
                cycles={},
                pool_size=60)))
    state = ALState.load(str(path))
    assert state.settings == {'al.budget': '5'}
    assert state.diff_settings(settings_snapshot(
        dict(al_hooks={}))) == ['al.budget: 5 -> <unset>']
