"""Figures of a run: where its picks fall on the pool's pretext features."""
