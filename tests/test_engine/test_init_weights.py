import torch
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmseg.registry import MODELS

from pt4al_seg.engine.init_weights import pretext_backbone_checkpoint

BACKBONE = dict(
    type='ResNetV1c',
    depth=18,
    num_stages=4,
    out_indices=(0, 1, 2, 3),
    dilations=(1, 1, 2, 4),
    strides=(1, 2, 1, 1),
    norm_cfg=dict(type='BN'),
    contract_dilation=True)
SEGMENTOR = dict(
    type='EncoderDecoder',
    backbone=BACKBONE,
    decode_head=dict(
        type='FCNHead',
        in_channels=512,
        channels=16,
        num_classes=3,
        num_convs=1,
        norm_cfg=dict(type='BN')))


def test_colorization_backbone_initialises_segmentor(tmp_path):
    init_default_scope('mmseg')
    pretext = MODELS.build(
        dict(type='ColorizationPretext', backbone=BACKBONE, channels=8))
    src = tmp_path / 'pretext.pth'
    torch.save(dict(state_dict=pretext.state_dict()), src)
    out = tmp_path / 'init.pth'
    pretext_backbone_checkpoint(str(src), str(out))
    state = torch.load(out)['state_dict']
    assert all(k.startswith('backbone.') for k in state)
    stem = pretext.state_dict()[
        'backbone.stem.0.weight']  # (32, 1, 3, 3) for L input
    assert stem.shape[1] == 1 and state['backbone.stem.0.weight'].shape[1] == 3
    assert torch.allclose(state['backbone.stem.0.weight'].sum(1, keepdim=True),
                          stem)
    seg = MODELS.build(SEGMENTOR)
    load_checkpoint(seg, str(out), strict=False)
    layer = 'backbone.layer4.1.conv2.weight'
    assert torch.equal(seg.state_dict()[layer], pretext.state_dict()[layer])
    # a grey image gives the converted stem the response L gave the pretext
    # stem
    grey = torch.rand(1, 1, 8, 8)
    conv = torch.nn.functional.conv2d
    assert torch.allclose(
        conv(grey.repeat(1, 3, 1, 1), state['backbone.stem.0.weight']),
        conv(grey, stem),
        atol=1e-5)
