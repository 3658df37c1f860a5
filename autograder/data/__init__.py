"""Data shipped with the workbook (the chapter's examples)."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np


def load_word_vectors() -> dict[str, np.ndarray]:
    """Return the chapter's six toy 4-d word vectors (section "3.1 ベクトル").

    Returns:
        A new ``dict`` mapping each word (str: king, queen, man, woman, prince, princess) to a
        fresh ``numpy.ndarray`` of shape (4,), dtype float64. Callers may modify the result.
    """
    text = resources.files(__package__).joinpath("word_vectors.json").read_text(encoding="utf-8")
    raw = json.loads(text)["vectors"]
    return {word: np.array(values, dtype=np.float64) for word, values in raw.items()}
