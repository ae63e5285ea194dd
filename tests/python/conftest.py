import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import pyjion_x64  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _jit_off_between_tests():
    """Every test starts and ends with the JIT disabled at the default threshold."""
    pyjion_x64.disable()
    yield
    pyjion_x64.disable()
