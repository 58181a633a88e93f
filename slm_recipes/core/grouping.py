"""The one splitter by group (source chunk, or a fact's variants): all items of a group land in the same split."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence


def split_groups(groups: Sequence[str], held_out: Sequence[float], seed: int) -> dict[str, int]:
    """Group name -> split index: 0 is the training split, 1.. the held-out splits in the order of `held_out`.

    Deterministic: the sorted names are shuffled with `seed`; each held-out split with a non-zero share
    takes the next ceil(share x groups) names, at least one, and training keeps at least one. With
    fewer groups than splits asked for there is nothing to split: every group trains.
    """
    names = sorted(set(groups))
    random.Random(seed).shuffle(names)
    wanted = [k for k, share in enumerate(held_out) if share > 0]
    if len(names) <= len(wanted):
        return {name: 0 for name in names}
    sizes = [max(1, math.ceil(share * len(names) - 1e-9)) if share > 0 else 0 for share in held_out]
    while sum(sizes) > len(names) - 1:  # the largest held-out split gives one back, the first of equals first
        sizes[max(wanted, key=lambda k: (sizes[k], -k))] -= 1
    assignment = {name: 0 for name in names}
    start = 0
    for split, size in enumerate(sizes, start=1):
        for name in names[start:start + size]:
            assignment[name] = split
        start += size
    return assignment
