"""The in-process timing the benchmark drivers share: medians after a warm-up, and ratios of
two calls timed in alternation, so that a machine whose load changes during the run moves both
sides of a ratio alike."""

import statistics
import time


def seconds(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def median_time(fn, repeat=5):
    """The median wall time of `repeat` calls of fn, after one call not counted."""
    fn()
    return statistics.median(seconds(fn) for _ in range(repeat))


def ratio(fn, base, repeat=21):
    """(median time of fn, median time of base, their ratio), the two called in alternation
    after a warm-up call of each."""
    fn()
    base()
    pairs = [(seconds(fn), seconds(base)) for _ in range(repeat)]
    a = statistics.median(p[0] for p in pairs)
    b = statistics.median(p[1] for p in pairs)
    return a, b, a / b
