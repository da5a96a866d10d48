from typing import Optional

from mmseg.registry import MODELS

from ..classifier import ImageClassifier
from ..unlabelled import split_unlabelled
from .module import VAALModule, ddp_ignored, vaal_settings


@MODELS.register_module()
class VAALClassifier(ImageClassifier):
    """``ImageClassifier`` trained beside VAAL's VAE and discriminator; see
    :class:`VAALEncoderDecoder`. ``vaal.image_size`` defaults to 32 here."""

    def __init__(self,
                 backbone: dict,
                 *args,
                 vaal: Optional[dict] = None,
                 **kwargs):
        super().__init__(backbone, *args, **kwargs)
        self.vaal = VAALModule(
            backbone.get('in_channels', 3),
            vaal_settings(dict(dict(image_size=32), **(vaal or {}))))
        self._ddp_params_and_buffers_to_ignore = ddp_ignored(self)

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode != 'loss':
            out = super().forward(inputs, data_samples, mode)
            if mode == 'predict':
                for sample, prob in zip(out, self.vaal.prob_labelled(inputs)):
                    sample.vaal_prob = prob
            return out
        lab, unl = split_unlabelled(data_samples)
        losses = super().forward(inputs[lab], [data_samples[i] for i in lab],
                                 'loss')
        if unl:
            losses.update(self.vaal.train_iteration(inputs[lab], inputs[unl]))
        return losses
