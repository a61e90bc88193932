"""Layer kinds. Importing this package registers every kind; add a kind by adding a module here."""

from . import conv, dense, elementwise, norm, padding, pool, rearrange, scale, upsample
from .base import ALIASES, REGISTRY, Calc, Layer, Shape, lookup, register
from .merge import MERGES

__all__ = [
    "ALIASES",
    "MERGES",
    "REGISTRY",
    "Calc",
    "Layer",
    "Shape",
    "conv",
    "dense",
    "elementwise",
    "lookup",
    "norm",
    "padding",
    "pool",
    "rearrange",
    "register",
    "scale",
    "upsample",
]
