# The demo with the SimSiam pretext (the pretext-choice ablation): the
# rotation variant's RGB pipelines, a SimSiam model with views at 64x64.
_base_ = ['./pt4al-rotation_deeplabv3_r18-d8_fashion-scenes-64x64.py']
pretext = dict(
    model=dict(
        type='SimSiamPretext', size=64, dim=512, pred_dim=128, score_pairs=4))
