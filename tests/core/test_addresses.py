"""Loopback is this machine only; anything else is reachable from others."""

from __future__ import annotations

import pytest

from slm_recipes.core.addresses import is_loopback


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True),
                                            ("::1", True), ("0.0.0.0", False), ("::", False), ("10.0.0.5", False)])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback
