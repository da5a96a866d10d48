"""VAAL (Sinha et al., ICCV 2019): a variational autoencoder and a
discriminator, as the authors' ``model.py`` and ``solver.py`` build and train
them, trained adversarially on labelled and unlabelled images beside the task
model; the images the discriminator takes most for unlabelled are picked."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from torch import Tensor, nn
from torch.func import functional_call

from .unlabelled import split_unlabelled

DEFAULTS = dict(
    image_size=64,
    z_dim=32,
    channels=(128, 256, 512, 1024),
    beta=1.0,
    adversary_weight=1.0,
    lr=5e-4)


def vaal_settings(cfg: Optional[dict]) -> dict:
    """The ``vaal`` settings of a task model with VAAL's parts, defaults
    filled in (the authors': latent 32, channels 128-1024, beta 1,
    adversary weight 1, Adam at lr 5e-4); ``image_size`` is what images are
    resized to for the autoencoder, a multiple of 16."""
    out = dict(DEFAULTS)
    unknown = set(cfg or {}) - set(out)
    if unknown:
        raise ValueError(
            f'vaal: unknown keys {sorted(unknown)} ({", ".join(out)})')
    out.update(cfg or {})
    if out['image_size'] % 16:
        size = out['image_size']
        raise ValueError(
            f'vaal.image_size must be a multiple of 16, got {size}')
    return out


def _from_rank0(module: nn.Module) -> None:
    from mmengine.dist import broadcast, get_world_size
    if get_world_size() > 1:
        for t in list(module.parameters()) + list(module.buffers()):
            broadcast(t.data, src=0)


def _average_over_ranks(module: nn.Module) -> None:
    from mmengine.dist import all_reduce, get_world_size
    if get_world_size() > 1:
        for p in module.parameters():
            if p.grad is not None:
                all_reduce(p.grad, op='mean')


def ddp_ignored(model: nn.Module, prefix: str = 'vaal') -> list:
    """The names of ``model``'s VAAL parameters and buffers, for DDP to leave
    alone (``_ddp_params_and_buffers_to_ignore``): VAAL's own optimizers
    step them inside the forward, after averaging their gradients."""
    return [
        n for n, _ in list(model.named_parameters()) +
        list(model.named_buffers()) if n.startswith(f'{prefix}.')
    ]


def _block(conv: nn.Module, channels: int) -> nn.Sequential:
    return nn.Sequential(conv, nn.BatchNorm2d(channels), nn.ReLU(True))


class VAE(nn.Module):
    """The authors' VAE: four stride-2 4x4 convolutions (BN, ReLU) to
    ``image_size / 16``, linear maps to the latent mean and log-variance; a
    linear map back to ``image_size / 8``, three stride-2 transposed
    convolutions (BN, ReLU) and a 1x1 transposed convolution to the image.
    """

    def __init__(self, in_channels: int, image_size: int, z_dim: int,
                 channels: Sequence[int]):
        super().__init__()
        c = list(channels)
        self.enc_size, self.dec_size = image_size // 16, image_size // 8
        self.encoder = nn.Sequential(*[
            _block(nn.Conv2d(i, o, 4, 2, 1, bias=False), o)
            for i, o in zip([in_channels] + c[:-1], c)
        ])
        flat = c[-1] * self.enc_size**2
        self.fc_mu, self.fc_logvar = nn.Linear(flat,
                                               z_dim), nn.Linear(flat, z_dim)
        self.fc_dec = nn.Linear(z_dim, c[-1] * self.dec_size**2)
        rev = c[::-1]
        self.decoder = nn.Sequential(
            *[
                _block(nn.ConvTranspose2d(i, o, 4, 2, 1, bias=False), o)
                for i, o in zip(rev[:-1], rev[1:])
            ], nn.ConvTranspose2d(rev[-1], in_channels, 1))
        self.top = c[-1]

    def forward(self, x: Tensor):
        h = self.encoder(x).flatten(1)
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp() \
            if self.training else mu
        recon = self.decoder(
            self.fc_dec(z).view(-1, self.top, self.dec_size, self.dec_size))
        return recon, mu, logvar


class Discriminator(nn.Module):
    """The authors' discriminator on the latent mean: 512-512-1 with ReLU;
    returns the logit of "labelled"."""

    def __init__(self, z_dim: int, hidden: int = 512):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(z_dim, hidden), nn.ReLU(True), nn.Linear(hidden, hidden),
            nn.ReLU(True), nn.Linear(hidden, 1))

    def forward(self, mu: Tensor) -> Tensor:
        return self.net(mu).squeeze(1)


class VAALModule(nn.Module):
    """VAE and discriminator on the task model's (normalised) input images,
    resized to ``image_size``; independent of the task model's weights and
    trained by their own optimizers (:meth:`train_iteration`).

    Args:
        in_channels (int): Image channels.
        settings (dict): :func:`vaal_settings`.
    """

    def __init__(self, in_channels: int, settings: dict):
        super().__init__()
        self.cfg = settings
        self.vae = VAE(in_channels, settings['image_size'], settings['z_dim'],
                       settings['channels'])
        self.discriminator = Discriminator(settings['z_dim'])
        self._optimizers: Optional[list] = None

    def _resize(self, x: Tensor) -> Tensor:
        size = self.cfg['image_size']
        x = x.detach().float()
        if tuple(x.shape[-2:]) != (size, size):
            x = F.interpolate(
                x, size=(size, size), mode='bilinear', align_corners=False)
        return x

    def _vae_loss(self, x: Tensor):
        recon, mu, logvar = self.vae(x)
        kld = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum()
        return F.mse_loss(recon, x) + self.cfg['beta'] * kld, mu

    def _bce(self, mu: Tensor, target: float, params=None) -> Tensor:
        logit = self.discriminator(mu) if params is None else functional_call(
            self.discriminator, params, (mu, ))
        return F.binary_cross_entropy_with_logits(
            logit, torch.full_like(logit, target))

    def vae_loss(self, labelled: Tensor, unlabelled: Tensor) -> Tensor:
        """The authors' VAE objective: reconstruction (MSE) + beta x KL
        (summed over the batch, as their code) on both batches, +
        adversary_weight x BCE(D(mu), labelled) for both (the VAE learns to
        make unlabelled images look labelled); D's weights are constants
        here."""
        vae_l, mu_l = self._vae_loss(self._resize(labelled))
        vae_u, mu_u = self._vae_loss(self._resize(unlabelled))
        frozen = {
            k: v.detach()
            for k, v in self.discriminator.named_parameters()
        }
        adversary = self._bce(mu_l, 1.0, frozen) + self._bce(mu_u, 1.0, frozen)
        return vae_l + vae_u + self.cfg['adversary_weight'] * adversary

    def discriminator_loss(self, labelled: Tensor,
                           unlabelled: Tensor) -> Tensor:
        """BCE(D(mu_l), 1) + BCE(D(mu_u), 0), the VAE's means computed
        without gradient (only D learns from it)."""
        with torch.no_grad():
            mu_l = self.vae(self._resize(labelled))[1]
            mu_u = self.vae(self._resize(unlabelled))[1]
        return self._bce(mu_l, 1.0) + self._bce(mu_u, 0.0)

    def train_iteration(self, labelled: Tensor,
                        unlabelled: Tensor) -> Dict[str, Tensor]:
        with torch.autocast(labelled.device.type, enabled=False):
            return self._train_iteration(labelled, unlabelled)

    def _train_iteration(self, labelled: Tensor,
                         unlabelled: Tensor) -> Dict[str, Tensor]:
        """One training iteration of the authors' solver with their own
        optimizers (Adam, ``lr``): a VAE step, then a discriminator step
        (their code takes 2 VAE steps on fresh batches; here one per training
        batch). Gradients are averaged over ranks; none is left on the
        parameters for the run's optimizer. Without gradient (e.g. the
        preflight) the losses are only computed. Returns them, detached, for
        the log (keys without ``loss``: the run does not optimise them).
        Always in float32, outside any autocast (``--amp`` scales only the
        run's loss). Under DDP the first iteration copies rank 0's weights
        and buffers to every rank (DDP leaves them alone)."""
        if not torch.is_grad_enabled():
            return dict(
                vaal_vae=self.vae_loss(labelled, unlabelled),
                vaal_dsc=self.discriminator_loss(labelled, unlabelled))
        if self._optimizers is None:
            _from_rank0(self)
            self._optimizers = [
                torch.optim.Adam(part.parameters(), lr=self.cfg['lr'])
                for part in (self.vae, self.discriminator)
            ]
        out = {}
        steps = zip(('vaal_vae', 'vaal_dsc'),
                    (self.vae_loss, self.discriminator_loss),
                    (self.vae, self.discriminator), self._optimizers)
        for name, loss_fn, part, optimizer in steps:
            loss = loss_fn(labelled, unlabelled)
            optimizer.zero_grad()
            loss.backward()
            _average_over_ranks(part)
            optimizer.step()
            out[name] = loss.detach()
        self.zero_grad(set_to_none=True)
        return out

    def prob_labelled(self, x: Tensor) -> Tensor:
        """(B,) the discriminator's probability that each image is labelled
        (its latent mean; the VAE as in evaluation)."""
        training = self.training
        self.eval()
        try:
            with torch.autocast(x.device.type, enabled=False):
                _, mu, _ = self.vae(self._resize(x))
                return torch.sigmoid(self.discriminator(mu)).detach().float()
        finally:
            self.train(training)


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
