"""A running `slm serve` for the module's tests."""

from __future__ import annotations

import pytest

from serve.site import start_site


@pytest.fixture(scope="module")
def site(tmp_path_factory, tiny_qwen2):
    yield from start_site(tmp_path_factory.mktemp("serve"), tiny_qwen2)
