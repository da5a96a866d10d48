# SimSiam pretext for the classification family: views made at 32x32; the
# rest as the rotation pretext there.
_base_ = ['./rotation_cls.py']
pretext = dict(
    model=dict(
        type='SimSiamPretext', size=32, dim=512, pred_dim=128, score_pairs=4))
