from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor, nn

from .base import BasePretext, unpadded_squares


def draw_views(num: int, generator: np.random.Generator,
               scale=(0.2, 1.0)) -> np.ndarray:
    """Parameters of ``num`` augmented views, one row each: crop box (y0, x0,
    h, w as fractions of the image; area in ``scale``, aspect ratio in
    [3/4, 4/3] as torchvision's RandomResizedCrop), horizontal flip (0/1),
    brightness shift and contrast factor (colour jitter 0.4, on the
    normalised image) and grayscale (0/1, probability 0.2)."""
    area = generator.uniform(scale[0], scale[1], num)
    ratio = np.exp(generator.uniform(np.log(3 / 4), np.log(4 / 3), num))
    h = np.clip(np.sqrt(area / ratio), 0.05, 1.0)
    w = np.clip(np.sqrt(area * ratio), 0.05, 1.0)
    y0 = generator.uniform(0, 1, num) * (1 - h)
    x0 = generator.uniform(0, 1, num) * (1 - w)
    flip = generator.uniform(0, 1, num) < 0.5
    bright = generator.uniform(-0.4, 0.4, num)
    contrast = generator.uniform(0.6, 1.4, num)
    grey = generator.uniform(0, 1, num) < 0.2
    return np.stack([y0, x0, h, w, flip, bright, contrast, grey], 1)


def augment(squares: Tensor, views: Tensor, size: int) -> Tensor:
    """Each square (B, C, S, S) under its view's parameters (B, 8) (see
    :func:`draw_views`), resized to (B, C, size, size)."""
    side = squares.shape[-1]
    out = []
    for img, v in zip(squares, views.tolist()):
        y0, x0 = int(v[0] * side), int(v[1] * side)
        h, w = max(1, round(v[2] * side)), max(1, round(v[3] * side))
        crop = F.interpolate(
            img[None, :, y0:y0 + h, x0:x0 + w], (size, size),
            mode='bilinear',
            align_corners=False)[0]
        if v[4]:
            crop = crop.flip(-1)
        mean = crop.mean()
        crop = (crop - mean) * v[6] + mean + v[5]
        if v[7]:
            crop = crop.mean(0, keepdim=True).expand_as(crop)
        out.append(crop)
    return torch.stack(out)


def neg_cosine(p: Tensor, z: Tensor) -> Tensor:
    """SimSiam's D(p, z) per row: −cos(p, stopgrad(z))."""
    return -F.cosine_similarity(p, z.detach(), dim=1)


@MODELS.register_module()
class SimSiamPretext(BasePretext):
    """SimSiam (Chen & He, 2021): two augmented views of an image, a
    projector and a predictor, stop-gradient; the loss is the symmetric
    negative cosine ``D(p1, z2)/2 + D(p2, z1)/2``.

    Views are made here, on the batch, from each image's unpadded part
    resized to ``size`` x ``size`` (padding excluded): a random resized crop,
    a horizontal flip, brightness/contrast jitter and grayscale on the
    normalised image (no hue or saturation jitter and no Gaussian blur, the
    paper's other augmentations: the image is normalised already, and the
    loss only has to rank images). Both views go through the network as one
    batch, so the projector's BatchNorm sees them together (the reference
    code passes each view separately). Training draws new views
    per image and step; an image's score is the loss averaged over
    ``score_pairs`` view pairs drawn once with ``seed``, the same for every
    image and every scoring pass (deterministic). In eval mode the backbone
    first sees the whole resized image (what ``al.features='pretext'``
    keeps).

    Sizes are the paper's structure made small: projector 3 layers of
    ``dim`` (BN, the last without affine), predictor bottleneck
    ``pred_dim``.

    Args:
        backbone (dict): Backbone config.
        size (int): Side of the square the views are made at. Defaults to 64.
        dim (int): Projector width and output. Defaults to 512.
        pred_dim (int): Predictor hidden width. Defaults to 128.
        score_pairs (int): View pairs an image is scored on. Defaults to 4.
        in_channels (int, optional): Channels of the backbone's last output;
            None reads its ``feat_dim``. Defaults to None.
        seed (int): Seed of the scoring views. Defaults to 0.
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 size: int = 64,
                 dim: int = 512,
                 pred_dim: int = 128,
                 score_pairs: int = 4,
                 in_channels: Optional[int] = None,
                 seed: int = 0,
                 data_preprocessor=None,
                 init_cfg=None):
        super().__init__(backbone, data_preprocessor, init_cfg)
        if score_pairs < 1:
            raise ValueError(
                f'simsiam score_pairs must be >= 1, got {score_pairs}')
        self.size = size
        channels = in_channels or self.feat_channels
        self.projector = nn.Sequential(
            nn.Linear(channels, dim, bias=False), nn.BatchNorm1d(dim),
            nn.ReLU(inplace=True), nn.Linear(dim, dim, bias=False),
            nn.BatchNorm1d(dim), nn.ReLU(inplace=True),
            nn.Linear(dim, dim, bias=False), nn.BatchNorm1d(dim, affine=False))
        self.predictor = nn.Sequential(
            nn.Linear(dim, pred_dim, bias=False), nn.BatchNorm1d(pred_dim),
            nn.ReLU(inplace=True), nn.Linear(pred_dim, dim))
        views = draw_views(2 * score_pairs, np.random.default_rng(seed))
        self.register_buffer(
            'score_views',
            torch.tensor(views, dtype=torch.float32).view(score_pairs, 2, 8),
            False)

    def project(self, views: Tensor) -> tuple:
        """(z, p) of a batch of views."""
        feat = F.adaptive_avg_pool2d(self.extract_feat(views), 1).flatten(1)
        z = self.projector(feat)
        return z, self.predictor(z)

    def pair_losses(self, squares: Tensor, first: Tensor,
                    second: Tensor) -> Tensor:
        """(B,) symmetric loss of each image under its two views' parameters
        (B, 8) each; both views go through the network as one batch."""
        b = len(squares)
        views = torch.cat([
            augment(squares, first, self.size),
            augment(squares, second, self.size)
        ])
        z, p = self.project(views)
        z1, z2, p1, p2 = z[:b], z[b:], p[:b], p[b:]
        return (neg_cosine(p1.float(), z2.float()) +
                neg_cosine(p2.float(), z1.float())) / 2

    def image_losses(self, inputs: Tensor, data_samples=None) -> Tensor:
        squares = unpadded_squares(inputs, data_samples, self.size)
        b = len(squares)
        if self.training:
            gen = np.random.default_rng(int(torch.randint(
                2**31, (1, ))))  # follows torch's seed
            views = torch.tensor(draw_views(2 * b, gen), dtype=torch.float32)
            return self.pair_losses(squares, views[:b], views[b:])
        self.extract_feat(squares)  # the image's features (see the class)
        losses = [
            self.pair_losses(squares, pair[0].expand(b, 8),
                             pair[1].expand(b, 8)) for pair in self.score_views
        ]
        return torch.stack(losses).mean(0)
