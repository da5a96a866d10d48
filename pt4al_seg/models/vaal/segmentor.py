from typing import Optional

from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS

from ..unlabelled import split_unlabelled
from .module import VAALModule, ddp_ignored, vaal_settings


@MODELS.register_module()
class VAALEncoderDecoder(EncoderDecoder):
    """mmseg's EncoderDecoder trained beside VAAL's VAE and discriminator
    (:class:`VAALModule`, on the input images: nothing of VAAL reaches the
    task model's weights).

    Training batches hold labelled images and, from ``UnlabelledBatchHook``,
    unlabelled ones (metainfo ``unlabelled``): the task model trains on the
    labelled ones (mmseg's losses, the run's optimizer), VAAL on both with its
    own optimizers (:meth:`VAALModule.train_iteration`; logged as
    ``vaal_vae``, ``vaal_dsc``). Prediction attaches ``vaal_prob``, the
    discriminator's probability that the image is labelled, what the
    ``VAAL`` query scores.

    Args:
        vaal (dict, optional): See :func:`vaal_settings`.
        **kwargs: See ``EncoderDecoder``.
    """

    def __init__(self, vaal: Optional[dict] = None, **kwargs):
        super().__init__(**kwargs)
        self.vaal = VAALModule(kwargs['backbone'].get('in_channels', 3),
                               vaal_settings(vaal))
        self._ddp_params_and_buffers_to_ignore = ddp_ignored(self)

    def loss(self, inputs, data_samples) -> dict:
        lab, unl = split_unlabelled(data_samples)
        losses = super().loss(inputs[lab], [data_samples[i] for i in lab])
        if unl:
            losses.update(self.vaal.train_iteration(inputs[lab], inputs[unl]))
        return losses

    def predict(self, inputs, data_samples=None):
        results = super().predict(inputs, data_samples)
        for sample, prob in zip(results, self.vaal.prob_labelled(inputs)):
            sample.vaal_prob = prob
        return results
