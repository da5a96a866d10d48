import os.path as osp
import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, MODELS

from pt4al_seg.datasets import CIFAR10_IMBALANCED, LoadClsLabel, RandomCropPad

PIPE = [
    dict(type='LoadClsImage'),
    dict(type='LoadClsLabel'),
    dict(type='PackSegInputs', meta_keys=('img_id', 'img_path', 'img_shape'))
]


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmseg')


def write_fake_cifar(root, per_batch=30, seed=0):
    """cifar-10-batches-py with tiny batches in the python (pickle) format."""
    rng = np.random.default_rng(seed)
    folder = osp.join(root, 'cifar-10-batches-py')
    import os
    os.makedirs(folder, exist_ok=True)
    for name in [f'data_batch_{i}' for i in range(1, 6)] + ['test_batch']:
        data = rng.integers(0, 255, (per_batch, 3072), dtype=np.uint8)
        labels = [int(x) for x in rng.integers(0, 10, per_batch)]
        labels[:10] = list(range(10))
        with open(osp.join(folder, name), 'wb') as f:
            pickle.dump(
                {
                    b'data': data,
                    b'labels': labels,
                    b'batch_label': name.encode()
                }, f)
    return folder


def test_cifar_python_format(tmp_path):
    folder = write_fake_cifar(str(tmp_path))
    ds = DATASETS.build(
        dict(type='CIFAR10Dataset', data_root=str(tmp_path), pipeline=PIPE))
    assert len(ds) == 150
    raw = pickle.load(
        open(osp.join(folder, 'data_batch_1'), 'rb'), encoding='bytes')
    sample = ds[0]
    rgb = raw[b'data'][0].reshape(3, 32, 32)
    # BGR like LoadImageFromFile: channel 0 of the input is CIFAR's blue plane
    assert torch.equal(sample['inputs'][0], torch.from_numpy(rgb[2]))
    # the class as a one-pixel label map
    assert sample['data_samples'].gt_sem_seg.data.tolist() == [[[
        raw[b'labels'][0]
    ]]]
    assert sample['data_samples'].img_id == 'train_00000'
    test = DATASETS.build(
        dict(
            type='CIFAR10Dataset',
            data_root=folder,
            split='test',
            pipeline=PIPE))
    assert len(test) == 30
    ids = tmp_path / 'ids.txt'
    ids.write_text('train_00003\ntrain_00001\n')
    sub = DATASETS.build(
        dict(
            type='CIFAR10Dataset',
            data_root=folder,
            ann_file=str(ids),
            pipeline=PIPE))
    assert [sub.get_data_info(i)['img_id']
            for i in range(2)] == ['train_00003', 'train_00001']
    with pytest.raises(FileNotFoundError, match='cifar-10-batches-py'):
        DATASETS.build(
            dict(type='CIFAR10Dataset', data_root=str(tmp_path / 'none')))


def test_imbalanced_counts(tmp_path):
    write_fake_cifar(str(tmp_path), per_batch=60)
    counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    ds = DATASETS.build(
        dict(
            type='CIFAR10Dataset',
            data_root=str(tmp_path),
            class_counts=counts,
            pipeline=PIPE))
    labels = [ds.get_data_info(i)['gt_label'] for i in range(len(ds))]
    assert np.bincount(labels, minlength=10).tolist() == counts
    assert list(CIFAR10_IMBALANCED) == [500 * k for k in range(1, 11)]
    with pytest.raises(ValueError, match='more images of classes'):
        DATASETS.build(
            dict(
                type='CIFAR10Dataset',
                data_root=str(tmp_path),
                class_counts=[1000] * 10,
                pipeline=PIPE))


def test_image_list_dataset(idx_source, tmp_path):
    from pt4al_seg.experiments.fashion import build
    out = str(tmp_path / 'cls')
    build(out, 'cls', idx_source, size=32, num_train=12, num_val=4, workers=1)
    ds = DATASETS.build(
        dict(
            type='ImageListClsDataset',
            data_root=out,
            label_file='meta/train.txt',
            data_prefix=dict(img_path='train'),
            pipeline=PIPE))
    assert len(ds) == 12
    sample = ds[5]
    assert tuple(sample['inputs'].shape) == (3, 32, 32)
    assert sample['data_samples'].img_id == '00005'


def test_label_as_a_one_pixel_map_and_crop():
    results = dict(img=np.zeros((32, 32, 3), np.uint8), gt_label=3, img_id='a')
    out = LoadClsLabel()(dict(results))
    assert out['gt_seg_map'].tolist() == [[3]]
    assert out['gt_seg_map'].dtype == np.uint8
    assert 'seg_fields' not in out  # geometric transforms leave it alone
    img = np.arange(32 * 32 * 3, dtype=np.uint8).reshape(32, 32, 3)
    out = RandomCropPad(32, 4)(dict(img=img))
    assert out['img'].shape == (32, 32, 3)


def test_resnet18_cifar_form_and_classifier():
    """The classification family's model: mmseg's EncoderDecoder whose head
    pools the last stage and classifies it with a 1x1 convolution (a linear
    layer, initialised as one); its loss is the image's cross-entropy, its
    seg_logits the class logits at every pixel."""
    from ..conftest import labelled_unlabelled_cls_batch
    model, x, samples = labelled_unlabelled_cls_batch({}, 4, 0)
    assert model.backbone.conv1.kernel_size == (
        3, 3) and model.backbone.conv1.stride == (1, 1)
    assert isinstance(model.backbone.maxpool, torch.nn.Identity)
    feats = model.backbone(x)
    assert feats[-1].shape[
        -1] == 4  # 32 / 8: three stride-2 stages, no stem downsampling
    head = model.decode_head
    logits = head.forward(feats)
    assert logits.shape == (4, 10, 1, 1)
    pooled = feats[-1].mean((2, 3))
    linear = pooled @ head.conv_seg.weight.flatten(1).T + head.conv_seg.bias
    assert torch.allclose(logits.flatten(1), linear, atol=1e-5)
    labels = torch.tensor([k % 10 for k in range(4)])
    loss = model.loss(x, samples)['decode.loss_ce']
    assert loss.item() == pytest.approx(
        F.cross_entropy(logits.flatten(1), labels).item(), rel=1e-5)
    # a linear layer's initialisation: U(-1/sqrt(D), 1/sqrt(D)), D = 128
    bound = 1 / 128**0.5
    assert head.conv_seg.weight.abs().max() <= bound
    assert head.conv_seg.weight.std() > bound / 3
    out = model.eval().predict(x, samples)
    assert out[0].seg_logits.data.shape == (10, 32, 32)


def test_rotation_loss_per_image_on_cifar_backbone():
    model = MODELS.build(
        dict(
            type='RotationPretext',
            backbone=dict(
                type='ResNetCIFAR', depth=18, base_channels=8,
                stem_channels=8))).eval()
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        losses = model.image_losses(x)
        manual = sum(
            F.cross_entropy(
                model.rotation_logits(x, k),
                torch.full((3, ), k),
                reduction='none') for k in range(4)) / 4
    assert torch.allclose(losses, manual, atol=1e-6)


def test_colorization_pretext_selectable_for_classification(
        idx_source, tmp_path):
    from mmengine.config import Config

    from pt4al_seg.engine import ALSettings, load_pool
    from pt4al_seg.engine.phase_configs import pretext_config
    from pt4al_seg.experiments.fashion import build
    from ..conftest import REPO, point_to
    out = str(tmp_path / 'cls')
    build(out, 'cls', idx_source, size=32, num_train=8, num_val=2, workers=1)
    cfg = Config.fromfile(f'{REPO}/configs/pt4al_cls/demo.py')
    cfg.pretext = Config.fromfile(
        f'{REPO}/configs/_base_/pretext/colorization_cls.py').pretext
    point_to(cfg, out)
    pool = tmp_path / 'pool.txt'
    pool.write_text(''.join(f'{i:05d}\n' for i in range(8)))
    cfg.al = ALSettings.from_config(cfg).to_dict()
    c = pretext_config(
        cfg, load_pool(cfg), str(tmp_path / 'pretext'), str(pool), train=True)
    model = MODELS.build(c['model']).eval()
    item = DATASETS.build(c['test_dataloader']['dataset'])[3]
    assert item['data_samples'].img_id == '00003'
    with torch.no_grad():
        data = model.data_preprocessor(
            dict(inputs=[item['inputs']], data_samples=[item['data_samples']]))
        out = model(data['inputs'], data['data_samples'], mode='predict')
    assert torch.isfinite(out[0].pretext_loss)
