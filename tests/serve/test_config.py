"""The serve: section checks itself, and knows a loopback address when it sees one."""

from __future__ import annotations

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.serve.config import ServeConfig


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True),
                                            ("::1", True), ("0.0.0.0", False), ("192.168.1.5", False), ("::", False)])
def test_loopback(host, loopback):
    assert ServeConfig(host=host).loopback is loopback


@pytest.mark.parametrize("values, said", [({"max_batch": 0}, "serve.max_batch must be at least 1, got 0"),
                                          ({"port": 70000}, "serve.port must be a TCP port"),
                                          ({"request_timeout_s": 0}, "serve.request_timeout_s above 0")])
def test_bad_values_are_refused_naming_the_key(values, said):
    with pytest.raises(RecipeError, match=said):
        ServeConfig(**values)
