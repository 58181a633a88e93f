"""API keys per provider: where they come from, which one to use next, and each key's state.

Keys come from environment variables (`GEMINI_API_KEYS=k1,k2` or `GEMINI_API_KEY`, ...) and from a
keys file outside the git work tree (TOML, plain `provider = key1, key2` lines, or shell / dotenv lines
`export OPENAI_API_KEY=sk-...`). A key goes only to the provider it is named for; a bare key in the
file is used only when the recipe has one API teacher. A key is never printed, logged or put in an
exception: only the provider, its index and at most its last 2 characters.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from slm_recipes.core.errors import RecipeError
from slm_recipes.distill.teacher import TeacherFailed

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: plain `provider = key1, key2` lines only
    tomllib = None

log = logging.getLogger("slm_recipes.distill.keys")

# provider -> (list variable, single-key variables)
ENV_VARS: dict[str, tuple[str, ...]] = {
    "gemini": ("GEMINI_API_KEYS", "GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "zhipu": ("ZHIPUAI_API_KEYS", "ZHIPUAI_API_KEY"),
    "openai_compatible": ("OPENAI_API_KEYS", "OPENAI_API_KEY"),
}
ALIASES = {"gemini": "gemini", "google": "gemini", "zhipu": "zhipu", "zhipuai": "zhipu", "glm": "zhipu",
           "openai": "openai_compatible", "openai_compatible": "openai_compatible"}


KEYLIKE = re.compile(r"[A-Za-z0-9._\-+/=]{6,}")
HTTP_STATUS = re.compile(r"HTTP (\d{3})")
ALL_COOLING_WARNING_EVERY_S = 60.0


class NoUsableKey(TeacherFailed):
    """No key of the provider can be used for the rest of the run (rejected, out of quota, or rate-limited past
    `distill.max_wait_s`): every further request would fail the same way, so the stage stops at once."""


def mask(secret: str) -> str:
    """At most the last 2 characters, and none for short keys."""
    return f"…{secret[-2:]}" if len(secret) >= 12 else "…"


@dataclass(eq=False)
class Key:
    provider: str
    index: int  # 1-based, as shown to the user
    secret: str = field(repr=False)
    source: str = ""  # "GEMINI_API_KEYS", "keys file", ...
    requests: int = 0
    failures: int = 0
    cooldown_until: float = 0.0
    rate_limits_in_a_row: int = 0
    disabled: str = ""  # why, when disabled
    disabled_kind: str = ""  # "rejected (401)", "out of quota": the summary when no key is left

    @property
    def label(self) -> str:
        return f"{self.provider} key #{self.index} ({mask(self.secret)})"

    def __str__(self) -> str:  # never the secret
        return self.label


class KeyPool:
    """Thread-safe rotation over one provider's keys with a cool-down per key.

    `acquire` hands out the next ready key round-robin; `rate_limited` cools a key down (the server's
    Retry-After when given, else `cooldown` doubling per rate limit in a row, capped at `max_cooldown`);
    `rejected` disables a key for the rest of the run with a message saying which one (masked).
    """

    def __init__(self, provider: str, secrets: Iterable[str | tuple[str, str]] = (), *, cooldown: float = 20.0,
                 max_cooldown: float = 600.0, max_wait: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.provider = provider
        self.cooldown = cooldown
        self.max_cooldown = max_cooldown
        self.max_wait = max_wait  # longest stretch with every key cooling and no success (distill.max_wait_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._next = 0
        self._waiting_since: float | None = None
        self._warned_at = float("-inf")
        self.keys: list[Key] = []
        for item in secrets:
            secret, source = (item, "") if isinstance(item, str) else item
            if secret and all(k.secret != secret for k in self.keys):
                self.keys.append(Key(provider, len(self.keys) + 1, secret, source))

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return f"KeyPool({self.provider!r}, {len(self.keys)} keys)"

    @classmethod
    def from_sources(cls, provider: str, keys_file: str | None = None, *, environ: dict[str, str] | None = None,
                     bare_keys: bool = True, **kwargs) -> KeyPool:
        """The provider's keys from its environment variables and the keys file (deduplicated, file first).

        `bare_keys`: also take the file's keys named for no provider (only when one provider asks).
        """
        provider = ALIASES.get(provider, provider)
        env = os.environ if environ is None else environ
        found: list[tuple[str, str]] = []
        if keys_file:
            in_file = read_keys_file(keys_file)
            found += [(k, "keys file") for k in in_file.get(provider, []) + (in_file.get("*", []) if bare_keys else [])]
        for var in ENV_VARS.get(provider, ()):
            found += [(k, var) for k in split_keys(env.get(var, ""))]
        return cls(provider, found, **kwargs)

    def require(self, hint: str = "") -> KeyPool:
        """Stop with a clear message when no key was configured."""
        if not self.keys:
            names = " or ".join(ENV_VARS.get(self.provider, ()))
            raise RecipeError(f"no API key for the {self.provider} teacher: set {names} (several keys comma-separated), "
                              f"or `{self.provider} = key1, key2` in a keys file outside the repository (distill.keys_file){hint}")
        return self

    # --- rotation -------------------------------------------------------------------------------
    def acquire(self) -> Key | float:
        """The next ready key, or the seconds until one is ready when all are cooling down (said at WARNING).

        Raises NoUsableKey when every key is disabled, or when every key has been cooling for longer than
        `max_wait` seconds without a success.
        """
        with self._lock:
            live = [k for k in self.keys if not k.disabled]
            if not live:
                kinds = Counter(k.disabled_kind or "rejected" for k in self.keys)
                raise NoUsableKey(f"no usable key for {self.provider}: "
                                  + ", ".join(f"{n} {kind}" for kind, n in kinds.items()))
            now = self._clock()
            for step in range(len(self.keys)):
                key = self.keys[(self._next + step) % len(self.keys)]
                if not key.disabled and key.cooldown_until <= now:
                    self._next = (key.index) % len(self.keys)
                    key.requests += 1
                    return key
            wait = max(0.0, min(k.cooldown_until for k in live) - now)
            if self._waiting_since is None:
                self._waiting_since = now
            waited = now - self._waiting_since
            warn = now - self._warned_at >= ALL_COOLING_WARNING_EVERY_S
            if warn:
                self._warned_at = now
            too_long = self.max_wait is not None and waited + wait > self.max_wait
        if warn:
            log.warning("all %d %s key(s) are cooling down after rate limits; next try in %.0f s (waiting for %.0f s so far)",
                        len(live), self.provider, wait, waited)
        if too_long:
            raise NoUsableKey(f"no usable key for {self.provider}: all {len(live)} rate-limited for over "
                              f"{self.max_wait:g} s (distill.max_wait_s); try later or add keys")
        return wait

    def succeeded(self, key: Key) -> None:
        with self._lock:
            key.rate_limits_in_a_row = 0
            self._waiting_since = None

    def failed(self, key: Key) -> None:
        with self._lock:
            key.failures += 1

    def rate_limited(self, key: Key, retry_after: float | None = None, why: str = "rate limit") -> None:
        with self._lock:
            key.failures += 1
            now = self._clock()
            if key.cooldown_until > now and not retry_after:
                return  # a request sent before this key's cool-down began: no further doubling
            key.rate_limits_in_a_row += 1
            wait = retry_after if retry_after else self.cooldown * 2 ** (key.rate_limits_in_a_row - 1)
            wait = min(wait, self.max_cooldown)
            key.cooldown_until = max(key.cooldown_until, now + wait)
        log.info("%s hit a %s; cooling down for %.0f s", key.label, why, wait)

    def rejected(self, key: Key, why: str) -> None:
        status = HTTP_STATUS.search(why)
        self._disable(key, why, f"rejected ({status.group(1) if status else '401/403'})",
                      "was rejected by the server ({why}) and is disabled for this run; replace or remove it")

    def exhausted(self, key: Key, why: str) -> None:
        """A used-up quota: waiting does not help within a run, so the key is set aside."""
        self._disable(key, why, "out of quota", "is out of quota ({why}) and is set aside for this run")

    def _disable(self, key: Key, why: str, kind: str, message: str) -> None:
        with self._lock:
            key.failures += 1
            first = not key.disabled
            key.disabled, key.disabled_kind = why, kind
        if first:
            log.warning("%s %s", key.label, message.format(why=why))

    def scrub(self, text: str) -> str:
        """`text` with every key of this pool, and every word sharing 6 characters in a row with one, masked.

        Servers often echo a key back, whole or in part ("sk-abc*****wxyz"); none of it may leave.
        """
        secrets = [k.secret for k in self.keys if k.secret]
        for secret in secrets:
            text = text.replace(secret, mask(secret))

        def hide(word: re.Match) -> str:
            w = word.group(0)
            return "…" if any(w[i:i + 6] in s for s in secrets for i in range(len(w) - 5)) else w

        return KEYLIKE.sub(hide, text)

    def now(self) -> float:
        """The pool's clock (monotonic seconds), for states saved and loaded across runs."""
        return self._clock()

    # --- reporting -------------------------------------------------------------------------------
    def states(self) -> list[dict[str, object]]:
        """One row per key, safe to print: provider, index, last 2 characters at most, state, cool-down left, counts."""
        with self._lock:
            now = self._clock()
            rows = []
            for k in self.keys:
                left = max(0.0, k.cooldown_until - now)
                state = f"disabled: {k.disabled_kind}" if k.disabled else "cooling down" if left > 0 else "ready"
                rows.append({"provider": k.provider, "index": k.index, "key": mask(k.secret), "source": k.source,
                             "state": state, "cooldown_left_s": round(left, 1), "requests": k.requests,
                             "failures": k.failures, "reason": k.disabled})
            return rows


EXPORT = re.compile(r"^export\s+")


def split_keys(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    parts = value if isinstance(value, list) else re.split(r"[,\s]+", value)
    parts = [p.strip().strip("[]\"'") for p in parts if p]
    return [p for p in parts if p]


def provider_name(name: str) -> str | None:
    """"gemini", "GEMINI_API_KEYS", "zhipuai", "openai" ... → the provider; None for anything else."""
    return ALIASES.get(name.strip().lower().removesuffix("_api_keys").removesuffix("_api_key"))


def git_work_tree(path: Path) -> Path | None:
    """The git work tree holding `path`, if any (a `.git` folder or file in it or a parent)."""
    for folder in [path, *path.parents]:
        if (folder / ".git").exists():
            return folder
    return None


def read_keys_file(keys_file: str | Path) -> dict[str, list[str]]:
    """`{provider: [keys]}` from TOML (`gemini = ["k1", "k2"]`, `gemini = "k1, k2"` or `[gemini] keys = [...]`)
    or from plain lines: `provider = key1, key2`, or a bare key (under "*": for any provider).
    Refuses a file inside a git work tree."""
    path = Path(keys_file).expanduser().resolve()
    repo = git_work_tree(path.parent)
    if repo is not None:
        raise RecipeError(f"keys file {keys_file} is inside the git work tree {repo}; keys there are one `git add` away "
                          "from being committed. Move it outside the repository (e.g. ~/.config/slm/keys.toml) "
                          "and point distill.keys_file at it")
    if not path.is_file():
        raise RecipeError(f"keys file {keys_file} not found")
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text) if tomllib else None
    except tomllib.TOMLDecodeError:
        raw = None
    if raw is None:
        raw = {}
        for line in text.splitlines():
            line = EXPORT.sub("", line.split("#", 1)[0].strip())  # `export NAME=value` as in a shell profile
            name, _, value = line.partition("=")
            if value and provider_name(name):
                raw.setdefault(name.strip(), []).extend(split_keys(value.strip()))
            elif line:  # a bare key (it may itself hold "="): for the recipe's one API teacher
                raw.setdefault("*", []).extend(split_keys(line))
    keys: dict[str, list[str]] = {}
    for name, value in raw.items():
        if isinstance(value, dict):
            value = value.get("keys", value.get("api_keys", value.get("key", [])))
        provider = "*" if name == "*" else provider_name(name) or name
        keys.setdefault(provider, []).extend(split_keys(value))
    return keys
