from .base import (BaseQuery, StackedQuery, entropy, masked_mean, region_valid,
                   sample_logits)
from .committee import (COD, TOD, CommitteeQuery, ConsensusKL, MemberQuery,
                        VoteEntropy)
from .entropy import Entropy
from .least_confidence import LeastConfidence
from .margin import Margin
from .mc_dropout import BALD, MCDropoutQuery, MeanStd, VariationRatio
from .mcdal import MCDAL
from .predicted_loss import PredictedLoss
from .random import Random
from .vaal import VAAL

__all__ = [
    'BaseQuery', 'masked_mean', 'region_valid', 'LeastConfidence', 'Entropy',
    'Margin', 'Random', 'PredictedLoss', 'MCDropoutQuery', 'BALD',
    'VariationRatio', 'MeanStd', 'StackedQuery', 'entropy', 'sample_logits',
    'MemberQuery', 'CommitteeQuery', 'VoteEntropy', 'ConsensusKL', 'TOD',
    'COD', 'MCDAL', 'VAAL'
]
