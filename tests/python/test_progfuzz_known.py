"""progfuzz's known divergence classes (fuzz/progfuzz/runner.known_class) judge outputs the
child cut short (child.clean keeps 200 characters and a digest of longer ones) by the shape
the child sends along (child.out_shape), as they judge whole outputs."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'fuzz', 'progfuzz'))

import child  # noqa: E402
import runner  # noqa: E402

SOURCE = 'import sys\nsys.setprofile(PROFILER)\n'


def record(text):
    rec = {'case': 'probe:f', 'kind': 'ok', 'out': child.clean(text)}
    if len(text) > child.LONG:
        rec['out_shape'] = child.out_shape(text)
    return rec


def classify(a, b, source=SOURCE):
    ra, rb = record(a), record(b)
    diffs = [f for f in runner.FIELDS if ra.get(f) != rb.get(f)]
    assert diffs == ['out']
    return runner.known_class(ra, rb, diffs, source)


def long_output(order):
    return 'x' * (child.LONG + 10) + '\n' + '\n'.join('del n%d' % i for i in order) + '\n'


def test_reordered_long_output_is_known():
    assert classify(long_output([82, 81, 83]), long_output([81, 82, 83])) == 'tracing-toggled'


def test_reordered_short_output_is_known():
    assert classify('del a\ndel b\n', 'del b\ndel a\n') == 'tracing-toggled'


def test_long_output_with_profile_events_is_known():
    a = long_output([1]) + 'P call f 3 None\n'
    b = long_output([2]) + 'P call f 3 None\n'
    assert classify(a, b) == 'tracing-toggled'


def test_other_long_differences_stay_divergences():
    assert classify(long_output([1, 2]), long_output([1, 3])) is None


def test_without_tracing_calls_nothing_is_known():
    assert classify(long_output([82, 81]), long_output([81, 82]), source='pass\n') is None
