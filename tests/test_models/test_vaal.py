"""VAAL: settings, the autoencoder's shapes, the losses' known answers and
what reaches which weights, the query, and a run end to end (scores
recomputed from the checkpoint with mmseg's inference API)."""
import math
import os.path as osp

import pytest
import torch
from mmengine.registry import init_default_scope

from pt4al_seg.models.vaal import VAALModule, vaal_settings
from pt4al_seg.registry import QUERIES
from pt4al_seg.utils import read_ids, read_scores
from ..conftest import (CONFIG, check_contract, labelled_unlabelled_batch,
                        refusal, run_al)
from ..test_engine.test_committee import highest

SMALL = dict(image_size=32, channels=(8, 16, 32, 64))


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmseg')
    torch.manual_seed(0)


def test_settings():
    assert vaal_settings(None) == dict(
        image_size=64,
        z_dim=32,
        channels=(128, 256, 512, 1024),
        beta=1.0,
        adversary_weight=1.0,
        lr=5e-4)
    with pytest.raises(ValueError, match='unknown keys'):
        vaal_settings(dict(latent=3))
    with pytest.raises(ValueError, match='multiple of 16'):
        vaal_settings(dict(image_size=40))


@pytest.mark.parametrize('size', [32, 64])
def test_autoencoder_shapes(size):
    m = VAALModule(3, vaal_settings(dict(SMALL, image_size=size))).eval()
    recon, mu, logvar = m.vae(torch.randn(2, 3, size, size))
    assert recon.shape == (2, 3, size, size)
    assert mu.shape == logvar.shape == (2, 32)
    # other input sizes are resized for it
    assert m.prob_labelled(torch.randn(2, 3, 48, 40)).shape == (2, )


def constant_discriminator(m, bias):
    last = m.discriminator.net[-1]
    torch.nn.init.zeros_(last.weight)
    torch.nn.init.constant_(last.bias, bias)


def test_discriminator_losses_known_answers():
    """With D(mu) = sigmoid(b) for every image: the discriminator's loss is
    -log s(b) - log(1 - s(b)), the adversary's part of the VAE's loss is
    -2 log s(b) (both batches called labelled)."""
    m = VAALModule(3, vaal_settings(SMALL)).eval()  # deterministic VAE
    constant_discriminator(m, 0.7)
    x, u = torch.randn(3, 3, 32, 32), torch.randn(2, 3, 32, 32)
    s = 1 / (1 + math.exp(-0.7))
    assert m.discriminator_loss(x, u).item() == pytest.approx(
        -math.log(s) - math.log(1 - s), rel=1e-5)
    m.cfg['adversary_weight'] = 0.0
    without = m.vae_loss(x, u).item()
    m.cfg['adversary_weight'] = 1.0
    assert m.vae_loss(x, u).item() - without == pytest.approx(
        -2 * math.log(s), rel=1e-4)


def test_each_loss_trains_only_its_part():
    m = VAALModule(3, vaal_settings(SMALL)).train()
    x, u = torch.randn(3, 3, 32, 32), torch.randn(3, 3, 32, 32)
    m.discriminator_loss(x, u).backward()
    assert all(p.grad is None for p in m.vae.parameters())
    assert all(p.grad.abs().sum() > 0 for p in m.discriminator.parameters())
    m.zero_grad(set_to_none=True)
    m.vae_loss(x, u).backward()
    assert all(p.grad is None for p in m.discriminator.parameters())
    assert m.vae.fc_mu.weight.grad.abs().sum() > 0


def test_training_iteration_steps_its_own_optimizers():
    m = VAALModule(3, vaal_settings(SMALL)).train()
    x, u = torch.randn(3, 3, 32, 32), torch.randn(3, 3, 32, 32)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    with torch.no_grad():  # the preflight: losses only
        out = m.train_iteration(x, u)
    assert set(out) == {'vaal_vae', 'vaal_dsc'}
    assert all(
        torch.equal(before[k], v) for k, v in m.state_dict().items()
        if 'running' not in k and 'batches' not in k)
    out = m.train_iteration(x, u)
    assert not out['vaal_vae'].requires_grad
    after = dict(m.named_parameters())
    for part in ('vae.fc_mu.weight', 'discriminator.net.0.weight'):
        assert not torch.equal(before[part], after[part]), part
    assert all(p.grad is None for p in m.parameters())
    assert [o.param_groups[0]['lr'] for o in m._optimizers] == [5e-4] * 2


def seg_model_and_batch(labelled=2, unlabelled=2):
    return labelled_unlabelled_batch(
        dict(type='VAALEncoderDecoder', vaal=SMALL), labelled, unlabelled)


def test_segmentor_keeps_the_task_model_apart():
    """VAAL's step leaves no gradient anywhere; the task model's loss
    reaches none of VAAL's weights; DDP leaves VAAL's parameters alone."""
    model, inputs, samples = seg_model_and_batch()
    vae_weight = model.vaal.vae.fc_mu.weight.clone()
    losses = model.train().loss(inputs, samples)
    assert {'decode.loss_ce', 'vaal_vae', 'vaal_dsc'} <= set(losses)
    assert not any('loss' in k for k in losses if k.startswith('vaal'))
    assert not torch.equal(vae_weight, model.vaal.vae.fc_mu.weight)
    assert all(p.grad is None for p in model.parameters())
    losses['decode.loss_ce'].backward()
    assert all(p.grad is None for p in model.vaal.parameters())
    assert model.backbone.stem[0].weight.grad.abs().sum() > 0
    ignored = set(model._ddp_params_and_buffers_to_ignore)
    assert 'vaal.vae.fc_mu.weight' in ignored
    assert not [n for n in ignored if not n.startswith('vaal.')]
    out = model.eval().predict(inputs[:2], samples[:2])
    assert 0 < float(out[0].vaal_prob) < 1


def test_classification_family_trains_beside_vaal():
    """The same segmentor on the classification family's model (a classifier
    is an EncoderDecoder whose head pools the image)."""
    from ..conftest import labelled_unlabelled_cls_batch
    model, inputs, samples = labelled_unlabelled_cls_batch(
        dict(type='VAALEncoderDecoder', vaal=dict(SMALL, image_size=32)))
    losses = model.train().loss(inputs, samples)
    assert {'decode.loss_ce', 'vaal_vae', 'vaal_dsc'} <= set(losses)
    out = model.eval().predict(inputs[2:], samples[2:])
    assert out[0].vaal_prob.shape == ()
    assert out[0].seg_logits.data.shape == (10, 32, 32)


def test_query():
    q = QUERIES.build(dict(type='VAAL'))
    assert q.score_sample(dict(vaal_prob=torch.tensor(0.25))) == 0.75
    assert q.al_hooks == [dict(type='UnlabelledDataHook')]
    with pytest.raises(RuntimeError, match='VAALEncoderDecoder'):
        q.score_sample(dict(seg_logits=dict(data=torch.zeros(3, 1, 1))))


def test_vaal_segmentation_run(tiny_scenes, tmp_path):
    from mmseg.apis import inference_model, init_model
    wd = tmp_path / 'vaal'
    run_al(
        wd,
        tiny_scenes,
        strategy='vaal',
        options=[
            'model.vaal.image_size=32', 'model.vaal.channels=(8,16,32,64)'
        ])
    cycle = wd / 'cycle_01'
    labelled = read_ids(str(cycle / 'labelled.txt'))
    pool = read_ids(str(wd / 'pool.txt'))
    assert read_ids(str(
        cycle / 'unlabelled.txt')) == [i for i in pool if i not in labelled]
    logs = ''.join(open(p).read() for p in cycle.glob('2*/2*.log'))
    assert 'vaal_dsc' in logs and 'vaal_vae' in logs
    scores = read_scores(str(cycle / 'scores.csv'), 'score')
    model = init_model(
        str(wd / 'cycle_00' / 'config.py'),
        str(wd / 'cycle_00' / 'model.pth'),
        device='cpu')
    img_dir = osp.join(tiny_scenes, 'img_dir', 'train')
    for i in sorted(scores)[:4]:
        out = inference_model(model, osp.join(img_dir, f'{i}.png'))
        assert scores[i] == pytest.approx(
            1 - float(out.vaal_prob), rel=1e-5, abs=1e-6), i
    assert read_ids(str(cycle / 'selected.txt')) == highest(scores, 5)
    check_contract(wd, '--pool')


def test_vaal_under_ddp(tiny_scenes, tmp_path):
    """Two gloo processes: with VAAL's parameters left out of DDP and
    stepped inside the forward, the run trains and finishes with the
    contract met (no reducer error). That the ranks stay equal is not
    checked here: only rank 0 saves."""
    from ..conftest import tiny_options
    from ..test_engine.test_distributed import torchrun
    wd = tmp_path / 'ddp'
    torchrun(2, 'tools/train_al.py', CONFIG, '--launcher', 'pytorch',
             '--work-dir', str(wd), '--strategy', 'vaal',
             *tiny_options(tiny_scenes), 'model.vaal.image_size=32',
             'model.vaal.channels=(8,16,32,64)')
    logs = ''.join(open(p).read() for p in (wd / 'cycle_00').glob('2*/2*.log'))
    assert 'vaal_dsc' in logs
    check_contract(wd, '--pool')


def test_vaal_training_is_in_the_preflight(tiny_scenes, tmp_path):
    """The preflight's cycle training gets the unlabelled batches the
    strategy trains on: VAAL's step fails there, before any work (at 16x16
    its encoder ends at 1x1, and batches of one image per part leave
    BatchNorm a single value per channel)."""
    line = refusal(
        tmp_path / 'refused',
        tiny_scenes,
        ['model.vaal.image_size=16', 'train_dataloader.batch_size=1'],
        strategy='vaal')
    assert line.startswith(
        'train_al.py: error: preflight of cycle training failed: '
        'ValueError: Expected more than 1 value per channel'), line
