import pytest

from tinyml_lab.core import boards, report
from tinyml_lab.core.errors import BoardFitError
from tinyml_lab.core.tflite_file import read_model


def test_nano33_budgets_match_the_datasheet():
    b = boards.get_board("nano33ble")
    assert (b.flash_bytes, b.ram_bytes, b.clock_mhz) == (1024 * 1024, 256 * 1024, 64)
    assert 0 < b.model_flash_budget < b.flash_bytes and 0 < b.arena_ram_budget < b.ram_bytes


def test_fit_and_misfit():
    b = boards.get_board()
    assert boards.check_fit(2000, 2000).fits
    over_flash = boards.check_fit(b.model_flash_budget + 1, 100)
    assert not over_flash.fits and not over_flash.flash_ok and over_flash.ram_ok
    with pytest.raises(BoardFitError, match="Arena too big for RAM by 1 B"):
        boards.require_fit(100, b.arena_ram_budget + 1)
    with pytest.raises(BoardFitError, match="Unknown board"):
        boards.get_board("uno")


def test_macs_of_the_sine_model(sine_int8):
    assert [m for _, m in report.op_macs(read_model(sine_int8))] == [16, 256, 16]


def test_estimated_cost_is_the_fitted_line_and_says_so(sine_int8):
    from tinyml_lab.core import cost

    estimate = cost.inference_cost(read_model(sine_int8), measure=False)
    expected = 288 * cost.INSTRUCTIONS_PER_MAC + 3 * cost.INSTRUCTIONS_PER_OP
    assert not estimate.measured and estimate.instructions == round(expected)
    assert estimate.min_latency_ms == pytest.approx(round(expected) / 64e3)
    text = report.size_report(read_model(sine_int8), 1184)
    assert "instructions per inference (estimated)" in text and cost.ESTIMATED in text


def test_summary_round_trip_and_table(tmp_path, sine_int8):
    s = report.summarize("01_hello_sine", "hello_sine", "mae", 0.02, read_model(sine_int8), 1936)
    assert s.fits and s.int8_bytes == len(sine_int8)
    s.save(tmp_path)
    assert report.ChapterSummary.load(tmp_path / "summary.json") == s
    table = report.summary_table([s])
    assert "hello_sine" in table and "1,936" in table and "yes" in table
