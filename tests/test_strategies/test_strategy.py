import pytest

from pt4al_seg.strategies import Strategy


@pytest.mark.parametrize(
    'picker,query,needs_model',
    [
        ('TopK', 'LeastConfidence', True),
        ('TopK', 'Random', False),  # scores from ids alone
        ('EveryNth', None, False),  # PT4AL's cold start
        ('ClassBalanced', 'Random', True),  # predicted classes need the model
        ('KCenterGreedy', None, True),  # features need the model
    ])
def test_what_a_strategy_needs_from_the_model(picker, query, needs_model):
    s = Strategy(
        dict(type=picker), None if query is None else dict(type=query))
    assert s.needs_model is needs_model


def test_a_score_picker_needs_a_query_and_names_are_checked():
    with pytest.raises(ValueError, match='al.cold_start: TopK picks by score'):
        Strategy(dict(type='TopK'), None, 'al.cold_start')
    with pytest.raises(ValueError, match="al.picker: unknown picker 'Best'"):
        Strategy(dict(type='Best'), dict(type='Random'))
    with pytest.raises(ValueError, match="al.query: unknown query 'Oracle'"):
        Strategy(dict(type='TopK'), dict(type='Oracle'))
    with pytest.raises(
            ValueError,
            match=r'al.query: LeastConfidence\(\) takes no arguments'):
        Strategy(
            dict(type='TopK'), dict(type='LeastConfidence', temperature=2))
