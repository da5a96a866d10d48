from typing import Optional

from torch import Tensor

from ...registry import QUERIES
from .base import BaseQuery

NO_VAAL = ("VAAL scores with a model's VAE and discriminator: set "
           "model.type='VAALEncoderDecoder'")


@QUERIES.register_module()
class VAAL(BaseQuery):
    """VAAL (Sinha et al., ICCV 2019): an image's score is 1 - the
    discriminator's probability that it is labelled (``vaal_prob``, from
    ``VAALEncoderDecoder``), so ``TopK`` takes those it
    takes most for unlabelled, as the authors' sampler does. An image-level
    score: it reads no logits (``al.region_mask`` does not apply). Training
    feeds unlabelled batches to the model (``UnlabelledDataHook``, added to
    the run for this query)."""

    al_hooks = [dict(type='UnlabelledDataHook')]
    model_type = 'VAALEncoderDecoder'

    def score_sample(self, sample, valid: Optional[Tensor] = None) -> float:
        if 'vaal_prob' not in sample:
            raise RuntimeError(NO_VAAL)
        return 1.0 - float(sample['vaal_prob'])
