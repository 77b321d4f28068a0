"""Word segmentation with jieba, the codebook's terms loaded as user words so that they stay whole."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

# Frequency given to user words: high enough that jieba keeps each term whole.
USER_WORD_FREQ = 200_000


@lru_cache(maxsize=4)
def tokenizer(user_words: tuple[str, ...] = ()) -> jieba.Tokenizer:
    """Return a jieba tokenizer (shipped dictionary, works offline) with these user words added."""
    import jieba  # here, not at the top: report kernels import this package but never segment

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    for word in user_words:
        tok.add_word(word, freq=USER_WORD_FREQ)
    return tok


def segment(text: str, user_words: Iterable[str] = ()) -> list[str]:
    """Return the words of a text (precise mode, no HMM for unknown words, white space dropped)."""
    return segment_all([text], user_words)[0]


def segment_all(texts: Iterable[str], user_words: Iterable[str] = ()) -> list[list[str]]:
    """Return the words of each text, with one tokenizer looked up for them all."""
    tok = tokenizer(tuple(sorted(set(user_words))))
    return [[w for w in tok.lcut(text, HMM=False) if w.strip()] for text in texts]


def jieba_version() -> str:
    """Return the version of jieba in use (for the methods section), without importing it."""
    import importlib.metadata

    return importlib.metadata.version("jieba")
