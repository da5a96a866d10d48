# VAAL (Sinha et al., ICCV 2019): a VAE and a discriminator learn what the
# labelled images do not cover; the pool images the discriminator takes most
# for unlabelled.
_base_ = ['./pool.py']
al = dict(query=dict(type='VAAL'), model=dict(type='VAALEncoderDecoder'))
