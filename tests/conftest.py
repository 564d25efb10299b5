"""Settings shared by the whole suite."""

from __future__ import annotations

import os

from hypothesis import settings

# Locally, every run explores new seeds and workloads. In CI the examples are
# derived from the test itself, so a run is reproducible and never flaky.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
