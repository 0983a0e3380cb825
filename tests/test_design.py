"""Chapter 08's tools: the closed forms against the exact figures, the latency line, the
result cache, the budget and the search (tinyml_lab.optimisation.architecture / latency /
cache / design), and the exercise checks that grade them."""

import json

import numpy as np
import pytest

from tinyml_lab import checks
from tinyml_lab.chapters.wake_word import cadence
from tinyml_lab.chapters.wake_word.sketch_budget import (SKETCH_BUFFER_BYTES, SKETCH_CODE_BYTES,
                                                         nano_budget)
from tinyml_lab.core.boards import get_board
from tinyml_lab.core import metrics
from tinyml_lab.core.errors import BoardFitError, TinyMLError
from tinyml_lab.optimisation import design, latency
from tinyml_lab.optimisation.cache import ResultCache

SMALL = dict(input_shape=(16, 10, 1), classes=3, filters=8, blocks=1, first_kernel=(4, 2))


def small_ds_cnn(**params):
    from tinyml_lab.chapters.wake_word.model import ds_cnn

    return ds_cnn(**{**SMALL, **params})


# ------------------------------------------------------------------ closed forms

@pytest.mark.parametrize("params", [dict(blocks=2, first_stride=(1, 2)),
                                    dict(filters=12, first_stride=(2, 4))])
def test_the_closed_form_predicts_payload_exactly_and_arena_closely(params):
    from tinyml_lab.core import convert
    from tinyml_lab.core.arena import estimate_arena
    from tinyml_lab.core.report import op_macs
    from tinyml_lab.core.tflite_file import read_model
    from tinyml_lab.optimisation.architecture import file_payload_bytes, predict_cost
    from tinyml_lab.optimisation.characterise import like_trained, random_inputs

    model = small_ds_cnn(**params)
    predicted = predict_cost(model)
    samples = random_inputs(SMALL["input_shape"], count=8)
    like_trained(model, samples)
    tflite = read_model(convert.to_int8(model, samples, count=len(samples)))
    assert predicted.payload_bytes == file_payload_bytes(tflite)
    exact = estimate_arena(tflite, "cortex-m-cmsis-nn").used_bytes
    # what it leaves out is the kernels' scratch: a few hundred bytes, a few % of a real model
    assert abs(predicted.sram_bytes - exact) <= max(0.05 * exact, 256)
    assert predicted.macs == sum(m for _, m in op_macs(tflite))


def test_the_closed_form_refuses_a_layer_it_does_not_model():
    import keras

    from tinyml_lab.optimisation.architecture import ArchitectureError, predict_cost

    inputs = keras.Input((8, 8, 1))
    model = keras.Model(inputs, keras.layers.LayerNormalization()(inputs))
    with pytest.raises(ArchitectureError, match="estimate_arena"):
        predict_cost(model)


# ------------------------------------------------------------------ latency line

def test_a_line_is_recovered_and_its_error_reported():
    macs = np.array([1e5, 3e5, 1e6, 4e6])
    fit = latency.fit_line(macs, 4 * macs + 2e5, "exact")
    assert fit.slope == pytest.approx(4) and fit.intercept == pytest.approx(2e5)
    assert fit.worst_error < 1e-9
    noisy = latency.fit_line(macs, (4 * macs + 2e5) * np.array([1.1, 0.9, 1.0, 1.0]))
    assert 0.04 < noisy.mean_error < 0.1 and noisy.worst_error >= noisy.mean_error


def test_the_relative_fit_serves_small_models_better_than_plain_least_squares():
    macs = np.array([1e4, 2e4, 1e6, 2e6])
    instructions = np.array([1e5, 1.6e5, 4.1e6, 7.9e6])
    relative = latency.fit_line(macs, instructions)
    plain = latency.fit_line(macs, instructions, relative=False)
    assert abs(relative.errors()[0]) < abs(plain.errors()[0])


def test_one_line_for_two_backbones_misses_more_than_their_own():
    a = np.array([1e5, 5e5, 2e6])
    b = np.array([2e5, 8e5, 3e6])
    lines = latency.compare_backbones({"A": (a, 3 * a + 1e5), "B": (b, 9 * b + 4e5)})
    assert lines.per_backbone["A"].slope == pytest.approx(3)
    assert lines.per_backbone["B"].slope == pytest.approx(9)
    assert lines.pooled_is_worse()
    assert lines.pooled_mean_error("A") > 0.1
    same = latency.compare_backbones({"A": (a, 3 * a + 1e5), "B": (b, 3 * b + 1e5)})
    assert same.pooled_mean_error("A") < 1e-9 and same.pooled_mean_error("B") < 1e-9


@pytest.mark.parametrize("macs, instructions, message", [
    ([1, 2, 3], [1, 2], "one MAC count per instruction"),
    ([5, 5], [10, 20], "two models with different MAC"),
    ([1, 2], [0, 5], "must be positive"),
])
def test_a_line_refuses_bad_points(macs, instructions, message):
    with pytest.raises(TinyMLError, match=message):
        latency.fit_line(macs, instructions)


# ------------------------------------------------------------------ cache

def test_the_cache_returns_what_was_stored_and_nothing_for_another_salt(tmp_path):
    cache = ResultCache(tmp_path, salt="recipe A")
    spec = {"params": {"filters": 16, "kernel": (10, 4)}, "seed": 0}
    assert cache.get(spec) is None
    stored = cache.put(spec, {"metric": np.float32(0.5), "shape": (1, 2)}, {".bin": b"xyz"})
    assert stored == {"metric": 0.5, "shape": [1, 2]}
    assert cache.get(spec) == stored
    assert cache.path(spec, ".bin").read_bytes() == b"xyz"
    assert ResultCache(tmp_path, salt="recipe B").get(spec) is None
    assert cache.get({**spec, "seed": 1}) is None


def test_a_damaged_record_is_recomputed_not_trusted(tmp_path):
    cache = ResultCache(tmp_path)
    spec = {"params": {}}
    cache.put(spec, {"metric": 1})
    cache.path(spec).write_text('{"metric": 1')
    assert cache.get(spec) is None
    assert ResultCache(None).put(spec, {"a": (1,)}) == {"a": [1]}  # caching off


# ------------------------------------------------------------------ budget

def test_the_nano_budget_leaves_room_for_the_core_and_the_sketch():
    board = get_board("nano33ble")
    budget = nano_budget(rows=5)
    assert budget.flash_bytes == board.model_flash_budget - SKETCH_CODE_BYTES
    assert budget.arena_bytes == board.arena_ram_budget - SKETCH_BUFFER_BYTES
    assert budget.max_instructions == cadence.max_invoke_instructions(5)
    assert nano_budget().max_instructions is None
    assert budget.violations(budget.flash_bytes, budget.arena_bytes, budget.max_instructions) == ()
    over = budget.violations(budget.flash_bytes + 1, budget.arena_bytes + 1,
                             budget.max_instructions + 1)
    assert [o.split()[0] for o in over] == ["flash", "arena", f"{budget.max_instructions + 1:,}"]
    assert "every 5 rows" in budget.describe()


def test_a_sketch_that_fills_the_board_is_refused():
    with pytest.raises(BoardFitError, match="leaves no room"):
        design.Budget.for_board("nano33ble", sketch_ram_bytes=10**6)


def test_the_latency_budget_is_the_inverse_of_the_cadence():
    for rows in (1, 2, 5, 10, 40):
        limit = cadence.max_invoke_instructions(rows)
        assert cadence.rows_per_invoke(limit) <= rows < cadence.rows_per_invoke(limit + 1000)
    with pytest.raises(TinyMLError, match="at least one row"):
        cadence.max_invoke_instructions(0)


# ------------------------------------------------------------------ choosing

def candidate(metric, arena, instructions, flash=10_000, **params):
    return design.Candidate(params=params, key="", macs=0, predicted_flash_bytes=0,
                            predicted_arena_bytes=0, instructions=instructions,
                            flash_bytes=flash, arena_bytes=arena, metric=metric)


def test_best_under_a_budget_pareto_front_and_dominance():
    budget = nano_budget().replace(arena_bytes=20_000, max_instructions=2_000_000)
    a = candidate(0.90, 15_000, 1_000_000, name="a")
    b = candidate(0.95, 19_000, 1_500_000, name="b")
    c = candidate(0.97, 25_000, 1_200_000, name="c")   # over the arena
    d = candidate(0.93, 16_000, 1_800_000, name="d")   # slower than b and c, less accurate
    assert design.best_under([a, b, c, d], budget) is b
    assert design.best_under([c], budget) is None
    assert [x.params["name"] for x in design.pareto_front([a, b, c, d])] == ["a", "d", "b", "c"]
    assert [x.params["name"] for x in design.pareto_front([a, b, c, d], "instructions")] == \
        ["a", "c"]
    assert design.beats(candidate(0.95, 15_000, 1_500_000), b)
    assert not design.beats(a, b) and not design.beats(b, b)
    assert design.compare(a, b) == {"metric": "worse", "arena_bytes": "better",
                                    "instructions": "better"}
    assert len(design.grid({"x": [1, 2, 3], "y": [(1, 2), (3, 4)]})) == 6


def test_an_accuracy_gap_the_test_set_cannot_tell_from_chance_is_not_a_loss():
    """Chapter 08's full run: 0.837 against 0.849 on 1,200 clips, 64 clips only the searched
    model got right and 79 only chapter 02's: p = 0.24, so half the arena and half the
    instructions win. A gap of 5 clips against 45 is a real loss."""
    rng = np.random.default_rng(0)
    both = rng.random(1200) < 0.78
    ref, new = both.copy(), both.copy()
    only = np.flatnonzero(~both)
    ref[only[:79]] = True
    new[only[79:79 + 64]] = True
    b = candidate(float(ref.mean()), 24_496, 6_894_982)
    a = candidate(float(new.mean()), 14_416, 3_450_906)
    assert a.metric < b.metric and not design.beats(a, b)  # strictly, it is worse
    expected = metrics.PairedDifference(64, 79, pytest.approx(0.2416, abs=1e-4))
    assert metrics.paired_difference(new, ref) == expected
    assert design.compare(a, b, new, ref)["metric"] == "same"
    assert design.beats(a, b, new, ref)
    lopsided = both.copy()
    lopsided[only[79:79 + 5]] = True
    ref2 = both.copy()
    ref2[only[:45]] = True
    assert metrics.paired_difference(lopsided, ref2).p < 1e-6
    assert not design.beats(candidate(float(lopsided.mean()), 14_416, 3_450_906),
                            candidate(float(ref2.mean()), 24_496, 6_894_982), lopsided, ref2)


def test_the_paired_test_refuses_mismatched_examples_and_agrees_with_itself():
    assert metrics.paired_difference([True, False], [True, False]).p == 1.0
    one_way = metrics.paired_difference([True] * 6, [False] * 6)
    assert one_way.p == pytest.approx(2 / 64)
    other_way = metrics.paired_difference([False] * 6, [True] * 6)
    assert (one_way.only_a, one_way.only_b) == (other_way.only_b, other_way.only_a) == (6, 0)
    assert one_way.p == other_way.p
    with pytest.raises(TinyMLError, match="same examples"):
        metrics.paired_difference([True, False], [True])
    with pytest.raises(TinyMLError, match="same examples"):
        design.compare(candidate(0.9, 1, 1), candidate(0.8, 1, 1), [True], None)


def test_the_budget_choice_check_names_what_is_wrong(capsys):
    budget = nano_budget().replace(arena_bytes=20_000)
    a, b = candidate(0.90, 15_000, 10, name="a"), candidate(0.95, 19_000, 10, name="b")
    c = candidate(0.99, 30_000, 10, name="c")
    assert checks.check_budget_choice(b, [a, b, c], budget)
    assert not checks.check_budget_choice(a, [a, b, c], budget)
    assert "name=b also fits" in capsys.readouterr().out
    assert not checks.check_budget_choice(c, [a, b, c], budget)
    assert "over the budget" in capsys.readouterr().out
    assert not checks.check_budget_choice(None, [a], budget)


def test_the_line_fit_check_catches_swapped_and_wrong_answers(capsys):
    def right(x, y):
        fit = latency.fit_line(x, y, relative=False)
        return fit.slope, fit.intercept

    assert checks.check_line_fit(right)
    assert not checks.check_line_fit(lambda x, y: right(x, y)[::-1])
    assert "swapped" in capsys.readouterr().out
    assert not checks.check_line_fit(lambda x, y: (np.mean(y / x), 0.0))
    assert "cov(x, y)" in capsys.readouterr().out


def test_the_activation_peak_check_hints_at_alignment(capsys):
    from tinyml_lab.optimisation.architecture import predict_cost

    cost = predict_cost(small_ds_cnn())
    cases = [(cost.working_sets(), cost.activation_bytes)]

    def aligned(ops):
        return max(-(-i // 16) * 16 + -(-o // 16) * 16 for i, o in ops)

    assert checks.check_activation_peak(aligned, cases)
    odd = [([(100, 3), (3, 3)], 112 + 16)]
    assert not checks.check_activation_peak(lambda ops: max(i + o for i, o in ops), odd)
    assert "16-byte boundary" in capsys.readouterr().out
    assert not checks.check_activation_peak(lambda ops: max(i for i, _ in ops), odd)
    assert "input and its output" in capsys.readouterr().out


# ------------------------------------------------------------------ the search

def test_the_search_skips_what_cannot_fit_trains_the_rest_once_and_reuses_them(tmp_path):
    from tinyml_lab.core.training import seed_everything
    from tinyml_lab.optimisation.architecture import predict_cost
    from tinyml_lab.optimisation.footprint import classification_accuracy, tflm_predict

    seed_everything(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, *SMALL["input_shape"])).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0).astype(np.int64) + (x[:, :8].mean(axis=(1, 2, 3)) > 0.1)
    trained = []

    def train(model, params):
        trained.append(dict(params))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=1, batch_size=16, verbose=0)

    def evaluate(tflite):
        return classification_accuracy(y, tflm_predict(tflite, x))

    big = dict(filters=64)
    arena = predict_cost(small_ds_cnn(filters=8)).sram_bytes * 1.3
    budget = nano_budget().replace(arena_bytes=int(arena))
    lines = []

    def run():
        return design.search(small_ds_cnn, train, budget, [{}, big],
                             evaluate=evaluate, representative=x, latency=lambda m: 3 * m,
                             cache_dir=tmp_path, salt="test", echo=lines.append)

    first = run()
    assert trained == [{}]
    assert first[1].skipped.startswith("predicted over the budget: arena")
    assert not first[1].trained and not first[1].fits(budget)
    c = first[0]
    assert c.trained and 0 <= c.metric <= 1 and c.fits(budget)
    assert c.instructions == 3 * c.macs
    assert c.model().size_bytes == c.flash_bytes
    assert c.predicted_arena_bytes <= c.arena_bytes  # no scratch; the sketch's margin
    assert len(lines) == 2 and "skipped" in lines[1]
    again = run()
    assert trained == [{}]  # every record came from the cache
    assert [c.metric for c in again] == [c.metric for c in first]
    forced = design.DesignSearch(small_ds_cnn, train, evaluate, budget, x, lambda m: 3 * m,
                                 cache_dir=tmp_path, salt="test", echo=lines.append)
    assert forced.run([], force=[big])[0].trained  # a reference trains whatever it costs
    assert trained[-1] == big
    records = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert len(records) == 2


def test_a_skipped_candidate_has_no_model_and_says_why():
    c = design.Candidate(params={"filters": 64}, key="k", macs=1, predicted_flash_bytes=1,
                         predicted_arena_bytes=1, instructions=1, skipped="predicted over")
    with pytest.raises(TinyMLError, match="skipped"):
        c.model()


# ------------------------------------------------------------------ on the board build

def test_the_sketch_overhead_constants_are_what_the_board_build_measures(board_runner):
    from tinyml_lab.chapters.wake_word.sketch_budget import measure_overhead

    overhead = measure_overhead()
    assert overhead.code_bytes == SKETCH_CODE_BYTES
    assert overhead.buffer_bytes == SKETCH_BUFFER_BYTES
