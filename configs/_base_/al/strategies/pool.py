# The base of pool strategies: every cycle picks from the whole unlabelled
# pool, no pretext stage. With al's defaults (pt4al_seg/engine/settings.py):
# cycle 0 a random pick seeded with the run's seed, later cycles the budget
# images the previous cycle's model is least confident about (LC).
runner_type = 'ActiveLearningRunner'
al_hooks = dict(pretext=None)
