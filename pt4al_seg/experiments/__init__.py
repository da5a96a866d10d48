"""Experiment tooling beside the library: comparing strategies over seeds,
benchmarking the machinery. The library never imports it."""
