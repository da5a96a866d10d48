_base_ = ['mmseg::_base_/default_runtime.py']
# Register pt4al_seg's data sets, transforms, models, metrics and loops.
custom_imports = dict(imports=['pt4al_seg'], allow_failed_imports=False)
# A fixed seed: every phase of an active-learning run is reproducible on CPU.
randomness = dict(seed=0)
