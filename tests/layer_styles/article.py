"""The article's code as published, for the conventions tests: the one copy of it is
tests/styles/article_as_published.py (its constructor cannot build a network without a hidden layer)."""

import sys
from pathlib import Path

STYLES = str(Path(__file__).resolve().parents[1] / "styles")
if STYLES not in sys.path:
    sys.path.insert(0, STYLES)

from article_as_published import NeuralNetwork, make  # noqa: E402

__all__ = ["NeuralNetwork", "make"]
