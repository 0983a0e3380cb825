"""The course's plots say what they show: losses on a log axis and accuracies on a linear
one, every axis labelled, op names in full."""

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

from tinyml_lab.core import report  # noqa: E402
from tinyml_lab.core.arena import estimate_arena  # noqa: E402
from tinyml_lab.core.tflite_file import read_model  # noqa: E402


def test_history_puts_only_losses_on_a_log_axis():
    history = SimpleNamespace(history={"loss": [1.0, 0.1], "val_loss": [1.2, 0.2],
                                       "accuracy": [0.5, 0.9], "mae": [0.3, 0.1]})
    fig = report.plot_history(history, ("loss", "accuracy", "mae"))
    assert [ax.get_yscale() for ax in fig.axes] == ["log", "linear", "linear"]
    assert all(ax.get_xlabel() == "epoch" for ax in fig.axes)
    forced = report.plot_history(history, ("accuracy",), log=True)
    assert forced.axes[0].get_yscale() == "log"


def test_memory_plots_label_both_axes_and_name_every_op_in_full(sine_int8):
    estimate = estimate_arena(read_model(sine_int8), "cortex-m-cmsis-nn")
    for fig in (report.plot_memory_plan(estimate), report.plot_live_bytes(estimate)):
        ax = fig.axes[0]
        assert ax.get_xlabel() and ax.get_ylabel()
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert ticks == ["in", "0:FULLY_CONNECTED", "1:FULLY_CONNECTED", "2:FULLY_CONNECTED"]
