# The classification demo with the SimSiam pretext instead of rotation: views
# made at 32x32.
_base_ = ['./demo.py']
pretext = dict(model=dict(type='SimSiamPretext', size=32))
