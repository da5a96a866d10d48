"""VAAL (Sinha et al., ICCV 2019): a VAE and a discriminator trained
adversarially on labelled and unlabelled images beside the task model; the
images the discriminator takes most for unlabelled are picked. For both
families."""
from .classifier import VAALClassifier
from .module import VAALModule, vaal_settings
from .segmentor import VAALEncoderDecoder

__all__ = [
    'VAALClassifier', 'VAALEncoderDecoder', 'VAALModule', 'vaal_settings'
]
