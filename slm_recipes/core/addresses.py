"""Whether an address to listen on is this machine only: `slm serve` and `slm ui` ask for a key off it."""

from __future__ import annotations

LOOPBACK = ("localhost", "::1")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    return host in LOOPBACK or host.startswith("127.")
