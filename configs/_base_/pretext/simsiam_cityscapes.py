# SimSiam pretext at Cityscapes scale: views made at 224x224 from each image
# (scored at half resolution as the rotation pretext there).
_base_ = ['./rotation_cityscapes.py']
pretext = dict(
    model=dict(
        type='SimSiamPretext', size=224, dim=2048, pred_dim=512,
        score_pairs=4))
