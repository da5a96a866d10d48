"""Unlabelled images in each training batch of a cycle, for strategies that
train on them (MCDAL's discrepancy, VAAL's adversary)."""
import copy

from mmengine.hooks import Hook
from mmseg.registry import HOOKS

from ...datasets.label_maps import LABEL_LOADERS
from ...models.unlabelled import UNLABELLED
from ..phase_configs import subset_dataset


def unlabelled_pipeline(pipeline: list) -> list:
    """A training pipeline for images without labels: the label loaders
    dropped, ``RandomCrop``'s ``cat_max_ratio`` (which reads the label map)
    set to 1."""
    out = []
    for t in copy.deepcopy(pipeline):
        kind = t.get('type') if isinstance(t, dict) else None
        if kind in LABEL_LOADERS:
            continue
        if kind in ('RandomCrop', 'mmseg.RandomCrop'):
            t['cat_max_ratio'] = 1.0
        out.append(t)
    return out


def unlabelled_loader(cfg, ids_file: str) -> dict:
    """The training dataloader over ``ids_file`` with the unlabelled pipeline,
    sampled endlessly."""

    loader = copy.deepcopy(cfg.to_dict()['train_dataloader'])
    dataset = subset_dataset(
        cfg, ids_file, unlabelled_pipeline(loader['dataset']['pipeline']))
    loader.update(
        dataset=dataset,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        persistent_workers=False)
    loader.pop('batch_sampler', None)
    return loader


@HOOKS.register_module()
class UnlabelledBatchHook(Hook):
    """Adds a batch of unlabelled images (as many as the training batch, their
    samples' metainfo ``unlabelled=True``) to every training batch before the
    model sees it.

    Args:
        dataloader (dict): Dataloader config over the unlabelled images
            (:func:`unlabelled_loader`).
    """

    def __init__(self, dataloader: dict):
        self.dataloader = dataloader
        self._batches = None

    def before_train(self, runner) -> None:
        self._batches = iter(
            runner.build_dataloader(self.dataloader, seed=runner.seed))

    def after_train(self, runner) -> None:
        self._batches = None  # its workers end before the cycle's test

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        extra = next(self._batches)
        for sample in extra['data_samples']:
            sample.set_metainfo({UNLABELLED: True})
        inputs = data_batch['inputs']
        data_batch['inputs'] = list(inputs) + list(extra['inputs'])
        data_batch['data_samples'] = list(data_batch['data_samples']) + list(
            extra['data_samples'])
