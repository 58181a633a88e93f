from __future__ import annotations

import pytest
import torch
from slm_recipes.modules.schedules import WarmupDecayLR


def lrs(decay: str, steps: int = 20, warmup: int = 4) -> list[float]:
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    schedule = WarmupDecayLR(optimizer, num_training_steps=steps, warmup_steps=warmup, decay=decay)
    values = []
    for _ in range(steps):
        values.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    return values


@pytest.mark.parametrize("decay", ["cosine", "linear"])
def test_warmup_rises_then_decays_towards_zero(decay):
    values = lrs(decay)
    assert values[:5] == sorted(values[:5]) and values[4] == pytest.approx(1.0)
    assert values[4:] == sorted(values[4:], reverse=True) and values[-1] < 0.1


def test_constant_after_warmup_and_cosine_midpoint():
    assert set(lrs("constant")[4:]) == {1.0}
    assert lrs("cosine", steps=24, warmup=4)[14] == pytest.approx(0.5)
