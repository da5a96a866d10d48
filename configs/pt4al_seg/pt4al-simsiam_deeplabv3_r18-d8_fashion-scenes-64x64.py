# The demo with the SimSiam pretext (the pretext-choice ablation): the
# rotation variant's RGB pipelines, a SimSiam model with its defaults (views
# at 64x64, projector 512, predictor 128).
_base_ = ['./pt4al-rotation_deeplabv3_r18-d8_fashion-scenes-64x64.py']
pretext = dict(model=dict(type='SimSiamPretext'))
