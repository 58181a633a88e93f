"""Each key's state at the end of a distill run (cooling until, disabled and why), kept for `slm keys` and the next run.

A key is recorded by a fingerprint (the first 16 hex digits of its SHA-256), never by any of its
characters. The next run honours a cool-down that has not ended yet; a disabled key is tried again
(it may have been fixed), while `slm keys` shows how the last run left it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from pathlib import Path

from slm_recipes.core.atomic import write_text_atomically
from slm_recipes.distill.keys import KeyPool


def fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


def save_key_states(path: str | Path, pools: Iterable[KeyPool]) -> None:
    """Merge the pools' key states into `path` (other providers' records stay)."""
    path = Path(path)
    records = _read(path)
    now_wall, now = time.time(), None
    for pool in pools:
        now = pool.now()
        for key in pool.keys:
            records[fingerprint(key.secret)] = {
                "provider": key.provider, "disabled": key.disabled_kind if key.disabled else "",
                "cooling_until": now_wall + (key.cooldown_until - now) if key.cooldown_until > now else 0.0,
                "at": now_wall}
    write_text_atomically(path, json.dumps(records, indent=1, sort_keys=True))


def load_key_states(path: str | Path, pools: Iterable[KeyPool], disabled: bool) -> None:
    """Put the recorded cool-downs (and, with `disabled`, the disabled states) back on the pools' keys."""
    records = _read(Path(path))
    now_wall = time.time()
    for pool in pools:
        now = pool.now()
        for key in pool.keys:
            record = records.get(fingerprint(key.secret))
            if record is None:
                continue
            left = float(record.get("cooling_until") or 0.0) - now_wall
            if left > 0:
                key.cooldown_until = max(key.cooldown_until, now + left)
            if disabled and record.get("disabled"):
                stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(record.get("at", now_wall))))
                key.disabled = f"in the run of {stamp}"
                key.disabled_kind = str(record["disabled"])


def _read(path: Path) -> dict:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return records if isinstance(records, dict) else {}
