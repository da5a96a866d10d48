# PT4AL: the pretext loss ranks the pool into one batch per cycle (hardest first); cycle 0
# takes every N-th image of batch 0, cycle i>0 the `budget` images of batch i that the
# previous cycle's model is least sure of.
al = dict(
    mode='simulate',          # 'annotate': stop after each selection for human labels
    seed=0,                   # seed of the random first selection of pool strategies
    export_dir=None,          # annotate: copy the images to label into this folder
    strategy='pt4al',         # 'pt4al' (pretext batches) or 'pool' (whole unlabelled pool)
    num_cycles=10,            # K: cycles, and the number of pretext batches
    budget=None,              # images labelled per cycle (set in the leaf config)
    selector=dict(type='LeastConfidence'),  # or Entropy, Margin, Random
    pick=dict(type='TopK'),   # or ClassBalanced (equal picks per predicted class),
                              # KCenterGreedy (Core-Set on pooled backbone features)
    order='descending',       # 'ascending' is the ablation
    init='scratch',           # 'scratch' (paper), 'previous' (official code) or 'pretext'
    score_batch_size=4,       # images per scoring batch (same size within a batch)
    region_mask=None,         # image file; 0-valued pixels are left out of scores
    bf16=False,               # bf16 autocast while scoring (GPU only)
    resume_training='restart',  # --resume: redo an interrupted training phase from its
                              # start (identical results) or 'checkpoint' (mmengine resume)
    metric='mIoU',            # summary.csv's metric column
    references=None,          # e.g. {'full supervision': 71.2}: lines in summary.png
)
