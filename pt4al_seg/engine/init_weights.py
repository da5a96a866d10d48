"""Initialise a cycle's segmentor from the pretext model's backbone."""
from ..utils.checkpoint import load_checkpoint, save_weights


def pretext_backbone_checkpoint(pretext_ckpt: str, out_file: str) -> None:
    """Write a checkpoint holding only the pretext model's ``backbone.*``
    weights.

    A colorization backbone reads one channel (L): its stem weights are
    repeated over the three colour channels and divided by three, so that a
    grey RGB image gives the stem the response L gave it. The segmentor loads
    the file with ``load_from`` (non-strict: its heads start from their own
    initialisation).

    Args:
        pretext_ckpt (str): The pretext stage's ``model.pth``.
        out_file (str): Where to write.
    """
    state = load_checkpoint(pretext_ckpt)['state_dict']
    backbone, first_conv = {}, True
    for key, value in state.items():
        if not key.startswith('backbone.'):
            continue
        if first_conv and value.dim() == 4:  # the stem's (first) convolution
            first_conv = False
            if value.shape[1] == 1:
                value = value.repeat(1, 3, 1, 1) / 3
        backbone[key] = value
    save_weights(out_file, backbone, dict(source=pretext_ckpt))
