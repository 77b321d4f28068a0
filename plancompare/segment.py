"""Word segmentation with jieba, the codebook's terms loaded as user words so that they stay whole."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    import jieba

logger = logging.getLogger(__name__)

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


def joined_tokens(texts: Iterable[str], user_words: Iterable[str] = ()) -> list[str]:
    """Return each text's words joined by single spaces (the sentence table's tokens column)."""
    return [" ".join(words) for words in segment_all(texts, user_words)]


def _load(user_words: tuple[str, ...]) -> float:
    """Load jieba's dictionary and these user words; return this process's CPU seconds so far."""
    tokenizer(user_words)
    return time.process_time()


def _start_helper(user_words: tuple[str, ...]) -> None:
    """Begin a helper process: exit when the run that started it is gone, then load jieba."""
    parent = os.getppid()

    def watch() -> None:
        # A run killed outright (SIGKILL, SIGTERM) cannot shut its pool down, and a helper
        # holds both ends of its task queue, so it would wait forever: the parent is polled.
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    _load(user_words)


@dataclass
class _Helpers:
    """The helper processes `helpers` allows: started by the first text to segment."""

    n: int
    words: tuple[str, ...]
    lock: threading.Lock = field(default_factory=threading.Lock)
    pool: ProcessPoolExecutor | None = None
    starting: list[Future] = field(default_factory=list)

    def get_pool(self) -> ProcessPoolExecutor:
        """Return the pool, starting it (and every helper's dictionary load) on first use."""
        with self.lock:
            if self.pool is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                context = multiprocessing.get_context("spawn")
                self.pool = ProcessPoolExecutor(
                    self.n, mp_context=context, initializer=_start_helper, initargs=(self.words,)
                )
                # One task per helper spawns them all now, not one by one as work arrives.
                self.starting = [self.pool.submit(_load, self.words) for _ in range(self.n)]
            return self.pool


_helpers: _Helpers | None = None


@contextmanager
def helpers(n: int, user_words: Iterable[str] = ()) -> Iterator[None]:
    """Segment in n helper processes while the context is open; n < 1 segments in this process.

    jieba is pure Python and holds the GIL, so threads cannot segment while a run codes and
    extracts indicators; helper processes can, on the other cores. They start with the first
    text to segment (a run whose plans are all cached starts none), are spawned, not forked
    (the run has threads), and each loads jieba's dictionary as it starts.
    """
    global _helpers
    if n < 1 or _helpers is not None:
        yield
        return
    _helpers = state = _Helpers(n, tuple(sorted(set(user_words))))
    try:
        yield
    finally:
        _helpers = None
        if state.pool is not None:
            state.pool.shutdown(wait=True, cancel_futures=True)


def wait_for_helpers() -> list[float]:
    """Start the helpers and wait for them; return their CPU seconds by then (for benchmarks)."""
    state = _helpers
    if state is None:
        return []
    state.get_pool()
    return [future.result() for future in state.starting]


def submit(texts: Iterable[str], user_words: Iterable[str] = ()) -> Callable[[], list[str]]:
    """Start segmenting texts (in a helper when `helpers` runs); return what gives `joined_tokens`.

    A helper that dies is not fatal: its texts are segmented here instead.
    """
    from concurrent.futures.process import BrokenProcessPool

    texts, words = list(texts), tuple(sorted(set(user_words)))
    state = _helpers
    if state is None:
        return lambda: joined_tokens(texts, words)
    try:
        future = state.get_pool().submit(joined_tokens, texts, words)
    except (BrokenProcessPool, RuntimeError) as exc:
        logger.warning("segmentation helper unavailable (%s); segmenting here", exc)
        return lambda: joined_tokens(texts, words)

    def result() -> list[str]:
        try:
            return future.result()
        except BrokenProcessPool as exc:
            logger.warning("segmentation helper stopped (%s); segmenting here", exc)
            return joined_tokens(texts, words)

    return result


def jieba_version() -> str:
    """Return the version of jieba in use (for the methods section), without importing it."""
    import importlib.metadata

    return importlib.metadata.version("jieba")
