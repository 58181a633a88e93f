"""The charts read the run's TensorBoard event files as Lightning writes them."""

from __future__ import annotations

from torch.utils.tensorboard import SummaryWriter

from slm_recipes.ui.scalars import chart_rows, read_scalars


def test_scalars_are_read_from_the_event_files_and_grouped_by_chart(tmp_path):
    assert read_scalars(tmp_path) == []
    writer = SummaryWriter(str(tmp_path))
    for step, loss in enumerate([2.0, 1.5, 1.25]):
        writer.add_scalar("train/loss_step", loss, step)
        writer.add_scalar("lr-AdamW", 1e-3 * step, step)
    writer.add_scalar("val/loss", 1.75, 2)
    writer.add_scalar("qa/numeric_strict", 0.25, 2)
    writer.flush()
    rows = read_scalars(tmp_path)
    loss = chart_rows(rows, "loss")
    assert [(r["tag"], r["step"], r["value"]) for r in loss] == [
        ("train/loss_step", 0, 2.0), ("train/loss_step", 1, 1.5), ("train/loss_step", 2, 1.25), ("val/loss", 2, 1.75)]
    assert [r["step"] for r in chart_rows(rows, "learning rate")] == [0, 1, 2]
    assert chart_rows(rows, "QA metrics")[0]["value"] == 0.25
    writer.add_scalar("train/loss_step", 1.0, 3)  # the run goes on: the next read sees it
    writer.flush()
    assert [r["step"] for r in chart_rows(read_scalars(tmp_path), "loss") if r["tag"] == "train/loss_step"] == [0, 1, 2, 3]
    writer.close()
