"""The in-process timing the benchmark drivers share: medians after a warm-up, and ratios of
two calls timed in alternation. Times are the process's CPU time (time.process_time), not wall
time: on a loaded machine a long call is preempted more often than a short one, which would
inflate a ratio; alternation keeps slower drift (frequency, caches) alike on both sides."""

import statistics
import time


def seconds(fn, calls=1):
    """CPU seconds of one call of fn (the mean of `calls` calls in a row, for short ones)."""
    t = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - t) / calls


def median_time(fn, repeat=5):
    """The median CPU time of `repeat` calls of fn, after one call not counted."""
    fn()
    return statistics.median(seconds(fn) for _ in range(repeat))


def ratio(fn, base, repeat=21, calls=1):
    """(median time of fn, median time of base, their ratio), the two called in alternation
    (`calls` calls of each a sample) after a warm-up call of each."""
    fn()
    base()
    pairs = [(seconds(fn, calls), seconds(base, calls)) for _ in range(repeat)]
    a = statistics.median(p[0] for p in pairs)
    b = statistics.median(p[1] for p in pairs)
    return a, b, a / b
