"""The in-process timing the benchmark drivers share: medians after a warm-up, and ratios of
two calls timed in alternation. Times are the process's CPU time (time.process_time), not wall
time: on a loaded machine a long call is preempted more often than a short one, which would
inflate a ratio; alternation keeps slower drift (frequency, caches) alike on both sides."""

import statistics
import time


def seconds(fn):
    """CPU seconds of one call of fn."""
    t = time.process_time()
    fn()
    return time.process_time() - t


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
