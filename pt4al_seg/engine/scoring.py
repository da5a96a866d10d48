"""A cycle's one scoring pass: exactly what its strategy's query and picker
declared; and how any scoring pass resumes after a kill."""
import os.path as osp
import shutil
from typing import List, Optional, Set, Tuple

from mmengine.dist import barrier, is_main_process, master_only

from ..evaluation.score_shards import shard_dir_of, shard_rows
from ..evaluation.strategy_outputs import HEAD_OUTPUTS
from ..strategies import Candidates, Strategy
from ..utils import read_column, read_features, read_scores
from . import phase_configs as pc
from .dist import sync_buffers


def left_to_score(runner, out_dir: str,
                  ids: List[str]) -> Tuple[Optional[str], int]:
    """Before the scoring pass of ``out_dir`` over ``ids``: the file of the ids
    an interrupted pass left unscored (its shards hold the others) and their
    number; ``(None, len(ids))`` when no pass was interrupted."""
    done = shard_rows(shard_dir_of(out_dir))
    if not done:
        return None, len(ids)
    left = [i for i in ids if i not in done]
    left_file = osp.join(shard_dir_of(out_dir), 'left.txt')
    runner.files.write_ids(left_file, left)
    runner.log(f'{osp.basename(out_dir)}: {len(done)} images were scored '
               f'before the interruption, {len(left)} left')
    return left_file, len(left)


@master_only
def drop_shards(out_dir: str) -> None:
    """Forget the scores an interrupted pass of ``out_dir`` kept (before the
    model they came from is trained again)."""
    shutil.rmtree(shard_dir_of(out_dir), ignore_errors=True)


def run_scoring(runner,
                c: dict,
                phase: str,
                num_left: int,
                phase_runner=None) -> None:
    """Run the scoring pass of config ``c`` (on ``phase_runner`` if one is
    built); when an interrupted pass left nothing to score (``num_left``
    0), its metric writes the outputs from the shards alone."""
    from mmseg.registry import METRICS
    if not num_left:
        if is_main_process():
            METRICS.build(c['test_evaluator']).compute_metrics([])
        barrier()  # every rank reads what rank 0 wrote
        return
    if phase_runner is not None:  # the model that just trained
        sync_buffers(phase_runner.model)
    (phase_runner or runner.run_phase(c, phase)).test()


def outputs_metric(needs: Set[str],
                   query: Optional[dict] = None,
                   scores_file: Optional[str] = None,
                   features_file: Optional[str] = None,
                   region_mask: Optional[str] = None,
                   background: Optional[list] = None) -> dict:
    """The config of the metric that collects, in one scoring pass, what a
    strategy's parts ``needs`` (:class:`StrategyOutputsMetric`): ``query``'s
    score per image (into ``scores_file``; a ``class`` column, ``background``
    not counted, when classes are needed), and the pooled features and
    last-layer outputs (into ``features_file``); ``al.region_mask``'s pixels
    left out."""
    head = [n for n in HEAD_OUTPUTS if n in needs]
    features = bool(set(needs) & {'feature', 'labelled_feature'})
    return dict(
        type='StrategyOutputsMetric',
        query=query if 'score' in needs else None,
        region_mask=region_mask,
        image_class=dict(
            exclude=list(background)) if 'class' in needs else None,
        features_file=features_file if features or head else None,
        head_outputs=head,
        scores_file=scores_file)


def score_candidates(runner,
                     cycle: int,
                     strategy: Strategy,
                     ids: List[str],
                     checkpoint: Optional[str] = None,
                     members: Optional[List[str]] = None) -> Candidates:
    """Collect what ``strategy`` needs to pick from ``ids`` in cycle ``cycle``.

    With a model (``checkpoint``, by default the previous cycle's
    ``model.pth``) it is one test run over the candidates (preceded by the
    labelled images when the picker needs their features, listed in
    ``cycle_XX/candidates.txt``) writing ``scores.csv`` (query scores, a
    ``class`` column when classes are needed) and ``features.npz`` (pooled
    features, what the last layer gives); ``members`` (by default the
    committee's, :meth:`RunFiles.members`) run beside it for a query that
    compares models. A query that needs no model scores the ids directly;
    features of another source (``al.features``) come from its file. No
    label of a candidate is read.

    Args:
        runner (ActiveLearningRunner): The run.
        cycle (int): The cycle that picks.
        strategy (Strategy): Its query and picker.
        ids (list): The candidate ids.
        checkpoint (str, optional): The scoring model. Defaults to None.
        members (list, optional): Its members' checkpoints. Defaults to
            None.

    Returns:
        Candidates: What the picker gets.
    """
    files, needs = runner.files, set(strategy.needs)
    out = Candidates(
        ids=list(ids),
        labelled=files.labelled(cycle - 1),
        num_classes=runner.pool.num_classes)
    with_features = strategy.model_features
    if strategy.needs_features and not with_features:  # another source's
        path = runner.feature_source.features_file(runner, cycle)
        out.features = read_features(path, out.ids)
        if 'labelled_feature' in needs:
            out.labelled_features = read_features(path, out.labelled)
    scores_file = files.cycle(cycle, 'scores.csv')
    if not strategy.needs_model:
        if 'score' in needs:
            out.scores = dict(zip(ids, strategy.query.score_ids(ids)))
            files.write_scores(scores_file, out.scores)
        return out
    head = [n for n in HEAD_OUTPUTS if n in needs]
    images = (out.labelled if with_features and 'labelled_feature' in needs
              else []) + out.ids
    ids_file = files.cycle(cycle, 'candidates.txt')
    files.write_ids(ids_file, images)
    left_file, num_left = left_to_score(runner, files.cycle(cycle), images)
    metric = outputs_metric(
        needs if with_features else needs - {'feature', 'labelled_feature'},
        strategy.query_cfg, scores_file, files.cycle(cycle, 'features.npz'),
        runner.settings.region_mask, runner.pool.background)
    if members is None and 'score' in needs and hasattr(
            strategy.query, 'committee'):
        members = files.members(strategy.query.committee, cycle)
    missing = [m for m in members or [] if not osp.isfile(m)]
    if missing:
        raise RuntimeError(f'{missing[0]} does not exist: '
                           f'{type(strategy.query).__name__} compares cycle '
                           f'{cycle - 1}\'s model with it')
    if checkpoint is None:
        checkpoint = files.cycle(cycle - 1, 'model.pth')
    c = pc.score_config(runner.cfg, runner.pool, files.cycle(cycle), ids_file,
                        checkpoint, metric, with_features, left_file, members,
                        bool(head))
    run_scoring(runner, c, f'score_{cycle:02d}', num_left)
    if 'score' in needs:
        out.scores = read_scores(scores_file, 'score')
        if set(out.scores) != set(ids):
            raise RuntimeError(
                f'{scores_file} scores {len(out.scores)} images, expected '
                f'{len(ids)}')
    if 'class' in needs:
        out.classes = {
            i: int(c)
            for i, c in read_column(scores_file, 'class').items()
        }
    path = metric['features_file']
    for name in head:
        array = HEAD_OUTPUTS[name][0]
        setattr(out, array, read_features(path, out.ids, array))
    if with_features:
        out.features = read_features(path, out.ids)
        if 'labelled_feature' in needs:
            out.labelled_features = read_features(path, out.labelled)
    return out
