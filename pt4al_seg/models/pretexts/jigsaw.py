import itertools
from functools import lru_cache
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor, nn

from .base import BasePretext, unpadded_squares


@lru_cache(maxsize=8)
def hamming_permutations(num: int, grid: int = 3, seed: int = 0) -> np.ndarray:
    """A set of ``num`` permutations of ``grid * grid`` tiles far apart in
    Hamming distance: starting from a seeded random permutation, each next
    one is the permutation whose *smallest* Hamming distance to those chosen
    is largest (ties: the seeded generator draws among them). A variant of
    Noroozi & Favaro's (2016) Algorithm 1, which takes the largest *average*
    distance: max-min guarantees the spacing of every pair. 100 of 3x3 stay
    at least 6 apart (random ones: 3); about 2 s, cached per arguments.

    Returns:
        np.ndarray: (num, grid * grid) int64, row i the tile order of
        permutation i (``shuffled[j] = tiles[perm[j]]``).
    """
    n = grid * grid
    if grid < 2 or n > 9:
        raise ValueError(f'jigsaw grid must be 2 or 3, got {grid}')
    every = np.array(list(itertools.permutations(range(n))), np.int8)
    if not 2 <= num <= len(every):
        raise ValueError(f'jigsaw num_permutations must be in 2..{len(every)} '
                         f'for a {grid}x{grid} grid, got {num}')
    rng = np.random.default_rng(seed)
    chosen = [int(rng.integers(len(every)))]
    min_dist = (every != every[chosen[0]]).sum(1)
    for _ in range(num - 1):
        best = np.flatnonzero(min_dist == min_dist.max())
        i = int(best[rng.integers(len(best))])
        chosen.append(i)
        np.minimum(min_dist, (every != every[i]).sum(1), out=min_dist)
    perms = every[chosen].astype(np.int64)
    perms.flags.writeable = False
    return perms


def cut_tiles(images: Tensor, grid: int, tile: int, offsets: Tensor) -> Tensor:
    """Cut (B, C, grid*cell, grid*cell) images into (B, grid*grid, C, tile,
    tile) tiles in row-major order, tile j taken at ``offsets[b, j]`` (dy,
    dx) inside its cell (cell = side / grid)."""
    b, c, side, _ = images.shape
    cell = side // grid
    tiles = []
    for j in range(grid * grid):
        y0, x0 = (j // grid) * cell, (j % grid) * cell
        tiles.append(
            torch.stack([
                images[i, :, y0 + dy:y0 + dy + tile, x0 + dx:x0 + dx + tile]
                for i, (dy, dx) in enumerate(offsets[:, j].tolist())
            ]))
    return torch.stack(tiles, 1)


def assemble_tiles(tiles: Tensor, grid: int) -> Tensor:
    """Inverse of :func:`cut_tiles` with no gap: (B, grid*grid, C, t, t) in
    row-major order back to (B, C, grid*t, grid*t)."""
    b, _, c, t, _ = tiles.shape
    rows = tiles.view(b, grid, grid, c, t, t).permute(0, 3, 1, 4, 2, 5)
    return rows.reshape(b, c, grid * t, grid * t)


@MODELS.register_module()
class JigsawPretext(BasePretext):
    """Predict which permutation shuffled an image's tiles (Noroozi & Favaro,
    2016).

    Each image (its size before batch padding) is resized to a square of
    ``grid`` x ``grid`` cells of ``cell`` pixels; a tile of ``cell - jitter``
    pixels is cut from each cell (at a random offset while training, the
    centre while scoring, so no tile edges line up); the tiles are shuffled
    by one of a fixed set of permutations far apart in Hamming distance
    (:func:`hamming_permutations`) and each goes through the backbone (shared
    weights); the pooled tile features, concatenated in shuffled order, go to
    an MLP that predicts the permutation. Training draws one permutation per
    image; an image's score is the mean cross-entropy over ``score_perms``
    permutations drawn once with ``seed`` (the same for every image and every
    scoring pass: deterministic). In eval mode the backbone first sees the
    whole resized image, unshuffled, so the pooled features a scoring pass
    keeps (``al.features='pretext'``) describe the image, not a tile.

    Not from the paper: each tile is not normalised to its own mean and std,
    and there is no guard against chromatic aberration (the paper's, for
    ImageNet photographs); the image is squeezed to a square (Cityscapes'
    2:1 frames change aspect).

    Args:
        backbone (dict): Backbone config.
        num_permutations (int): Size of the permutation set (classes).
            Defaults to 100.
        grid (int): Tiles per side. Defaults to 3.
        cell (int): Side of a cell in pixels. Defaults to 21 (64x64 images).
        jitter (int): Cell minus tile side, the room for random offsets.
            Defaults to 3.
        score_perms (int): Permutations an image is scored under. Defaults
            to 4.
        hidden (int): Width of the MLP's hidden layer. Defaults to 512.
        in_channels (int, optional): Channels of the backbone's last output;
            None reads its ``feat_dim``. Defaults to None.
        seed (int): Seed of the permutation set and the scoring draws.
            Defaults to 0.
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 num_permutations: int = 100,
                 grid: int = 3,
                 cell: int = 21,
                 jitter: int = 3,
                 score_perms: int = 4,
                 hidden: int = 512,
                 in_channels: Optional[int] = None,
                 seed: int = 0,
                 data_preprocessor=None,
                 init_cfg=None):
        super().__init__(backbone, data_preprocessor, init_cfg)
        if not 0 <= jitter < cell:
            raise ValueError(
                f'jigsaw jitter must be in 0..cell-1 ({cell - 1}), got '
                f'{jitter}')
        if not 1 <= score_perms <= num_permutations:
            raise ValueError(f'jigsaw score_perms must be in '
                             f'1..{num_permutations}, got {score_perms}')
        self.grid, self.cell, self.jitter = grid, cell, jitter
        perms = hamming_permutations(num_permutations, grid, seed)
        self.register_buffer('permutations', torch.tensor(perms), False)
        draw = np.random.default_rng(seed + 1).choice(
            num_permutations, score_perms, replace=False)
        self.register_buffer('score_indices', torch.from_numpy(draw), False)
        channels = in_channels or self.feat_channels
        self.head = nn.Sequential(
            nn.Linear(grid * grid * channels, hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, num_permutations))

    def squares(self, inputs: Tensor, data_samples=None) -> Tensor:
        """Each image's unpadded part resized to (grid*cell)^2."""
        return unpadded_squares(inputs, data_samples, self.grid * self.cell)

    def permutation_logits(self, tiles: Tensor, perm_idx: Tensor) -> Tensor:
        """(B, num_permutations) logits for each image's tiles (B, n, C, t, t)
        shuffled by its permutation ``perm_idx[b]``."""
        order = self.permutations[perm_idx]  # (B, n)
        shuffled = tiles[torch.arange(len(tiles))[:, None], order]
        b, n = shuffled.shape[:2]
        feat = self.extract_feat(shuffled.flatten(0, 1))
        return self.head(F.adaptive_avg_pool2d(feat, 1).view(b, -1))

    def permutation_losses(self, tiles: Tensor, perm_idx: Tensor) -> Tensor:
        """(B,) cross-entropy of naming each image's permutation."""
        return F.cross_entropy(
            self.permutation_logits(tiles, perm_idx).float(),
            perm_idx,
            reduction='none')

    def image_losses(self, inputs: Tensor, data_samples=None) -> Tensor:
        squares = self.squares(inputs, data_samples)
        b, n = len(squares), self.grid * self.grid
        device, tile = squares.device, self.cell - self.jitter
        if self.training:
            idx = torch.randint(len(self.permutations), (b, ), device=device)
            offsets = torch.randint(self.jitter + 1, (b, n, 2), device=device)
            return self.permutation_losses(
                cut_tiles(squares, self.grid, tile, offsets), idx)
        self.extract_feat(squares)  # the image's features (see the class)
        tiles = cut_tiles(squares, self.grid, tile,
                          torch.full((b, n, 2),
                                     self.jitter // 2,
                                     device=device))  # cut once
        return torch.stack([
            self.permutation_losses(
                tiles, torch.full((b, ), k, dtype=torch.long, device=device))
            for k in self.score_indices.tolist()
        ]).mean(0)
