"""Anneal: a Discord study-group tutor for PyTorch learning-rate schedulers."""

__version__ = "0.1.0"
