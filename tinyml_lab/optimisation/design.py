"""Design a model for the board: a search over an architecture family under a budget.

MicroNets' recipe without the differentiable part: every candidate is first sized from its
layers (tinyml_lab.optimisation.architecture) and its latency read off a line fitted to
measured instructions (tinyml_lab.optimisation.latency); candidates clearly over the budget
are dropped before any training. The rest are trained briefly, converted to int8, sized
exactly (the file, the arena of the board build) and scored on held-out data in TFLM. Each
result is stored by candidate, so a second search, or the same one under a tighter budget,
only trains what it has not seen.

The search knows nothing of any chapter: it takes a builder (params -> Keras model), a
training function, an evaluation of the int8 model, representative inputs and a Budget.
"""

from __future__ import annotations

import dataclasses
import itertools
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tinyml_lab.core import convert
from tinyml_lab.core.arena import sketch_arena_bytes
from tinyml_lab.core.boards import Board, get_board
from tinyml_lab.core.errors import BoardFitError, TinyMLError
from tinyml_lab.core.metrics import paired_difference
from tinyml_lab.core.tflite_file import TFLiteModel, read_model
from tinyml_lab.core.training import seed_everything
from tinyml_lab.optimisation.architecture import predict_cost
from tinyml_lab.optimisation.cache import ResultCache


@dataclass(frozen=True)
class Budget:
    """What a model may take on a board: flash for the model, RAM for the tensor arena,
    and instructions per inference (None: no latency limit)."""

    board: Board
    flash_bytes: int
    arena_bytes: int
    max_instructions: int | None = None
    notes: tuple[str, ...] = ()

    @classmethod
    def for_board(cls, board: Board | str, sketch_flash_bytes: int = 0,
                  sketch_ram_bytes: int = 0, max_instructions: int | None = None) -> Budget:
        """The board's flash and RAM after its stated reserve (the Arduino core and mbed
        OS, which cannot be measured here) and after the sketch's own code and buffers
        (which can: `python -m tinyml_lab profile --sketch DIR`)."""
        board = get_board(board) if isinstance(board, str) else board
        flash = board.model_flash_budget - int(sketch_flash_bytes)
        arena = board.arena_ram_budget - int(sketch_ram_bytes)
        if flash <= 0 or arena <= 0:
            raise BoardFitError(
                f"The sketch alone ({sketch_flash_bytes:,} B of code, {sketch_ram_bytes:,} B "
                f"of buffers) leaves no room for a model on {board.name}: shrink its buffers "
                "or choose a bigger board.")
        notes = (
            (f"flash: {board.flash_bytes:,} B - {board.reserved_flash_bytes:,} B reserved for "
             f"the core and mbed OS - {sketch_flash_bytes:,} B of the sketch's own code"),
            (f"RAM: {board.ram_bytes:,} B - {board.reserved_ram_bytes:,} B reserved for the "
             f"core, mbed OS, stacks and heap - {sketch_ram_bytes:,} B of the sketch's buffers"),
        )
        return cls(board, flash, arena, max_instructions, notes)

    def replace(self, **changes) -> Budget:
        """The same budget with some limits changed (e.g. arena_bytes=half)."""
        return dataclasses.replace(self, **changes)

    @property
    def max_latency_ms(self) -> float | None:
        if self.max_instructions is None:
            return None
        return self.max_instructions / (self.board.clock_mhz * 1000.0)

    def violations(self, flash_bytes: int, arena_bytes: int, instructions: float) -> tuple:
        """What is over the budget, in words; empty when everything fits."""
        over = []
        if flash_bytes > self.flash_bytes:
            over.append(f"flash {flash_bytes:,} B > {self.flash_bytes:,} B")
        if arena_bytes > self.arena_bytes:
            over.append(f"arena {arena_bytes:,} B > {self.arena_bytes:,} B")
        if self.max_instructions is not None and instructions > self.max_instructions:
            over.append(f"{instructions:,.0f} instructions > {self.max_instructions:,}")
        return tuple(over)

    def describe(self) -> str:
        lines = [(f"{self.board.name}: model flash <= {self.flash_bytes:,} B, tensor arena "
                  f"<= {self.arena_bytes:,} B")]
        if self.max_instructions is not None:
            lines[0] += (f", <= {self.max_instructions:,} instructions per inference "
                         f"(at least {self.max_latency_ms:.1f} ms at "
                         f"{self.board.clock_mhz} MHz)")
        return "\n".join(lines + [f"  {n}" for n in self.notes])


@dataclass(frozen=True)
class Candidate:
    """One architecture of the family: predicted and (when trained) exact figures."""

    params: dict
    key: str
    macs: int
    predicted_flash_bytes: int   # weights + biases + quantization, from the layers
    predicted_arena_bytes: int   # activations + persistent, from the layers
    instructions: int            # per inference, from the latency line
    flash_bytes: int | None = None   # the int8 file (None: not trained)
    arena_bytes: int | None = None   # the sketch's arena on the board build, exact
    metric: float | None = None      # on held-out data, int8 in TFLM
    skipped: str | None = None       # why it was not trained
    train_seconds: float = 0.0
    model_file: str | None = None

    @property
    def trained(self) -> bool:
        return self.metric is not None

    @property
    def label(self) -> str:
        return " ".join(f"{k}={_short(v)}" for k, v in self.params.items())

    def fits(self, budget: Budget) -> bool:
        """Exact flash and arena, and the predicted instructions, within the budget."""
        return self.trained and not budget.violations(self.flash_bytes, self.arena_bytes,
                                                      self.instructions)

    def latency_ms(self, clock_mhz: int = 64) -> float:
        """Instructions at one per cycle: the least time an inference takes."""
        return self.instructions / (clock_mhz * 1000.0)

    def model(self) -> TFLiteModel:
        """The trained int8 model (kept beside the cache record)."""
        if self.model_file is None or not Path(self.model_file).is_file():
            raise TinyMLError(f"Candidate {self.label} has no stored model: it was "
                              f"{'skipped (' + self.skipped + ')' if self.skipped else 'not kept'}"
                              "; give the search a cache folder to keep its models.")
        return read_model(Path(self.model_file).read_bytes())


def assess(params: dict, model: TFLiteModel, metric: float, instructions: int,
           label: str = "") -> Candidate:
    """A Candidate for a model trained outside the search (a finalist, a reference): its
    file and exact arena read from the int8 model, its metric and instructions as given
    (e.g. test accuracy and instructions measured on the board build)."""
    return Candidate(params=dict(params), key=label, macs=0, predicted_flash_bytes=0,
                     predicted_arena_bytes=0, instructions=int(instructions),
                     flash_bytes=model.size_bytes, arena_bytes=sketch_arena_bytes(model),
                     metric=float(metric))


def _short(value) -> str:
    if isinstance(value, (list, tuple)):
        return "x".join(str(v) for v in value)
    return str(value)


def grid(space: dict[str, Iterable]) -> list[dict]:
    """Every combination of the options: {"filters": [16, 32], "blocks": [2, 3]} -> 4."""
    keys = list(space)
    return [dict(zip(keys, values)) for values in itertools.product(*space.values())]


class DesignSearch:
    """Evaluate candidates of one family under a budget, keeping every result on disk.

    build(**params) -> Keras model; train(model, params) trains it in place;
    evaluate(int8 TFLiteModel) -> metric on held-out data (higher is better);
    latency(macs) -> instructions per inference (a fitted LineFit.predict);
    `salt` names what else the results depend on (training recipe, data), so a change of
    either is never answered from the old records. Candidates predicted to exceed the
    budget by more than `margin` are not trained. Without `cache_dir`, results and models
    go to a temporary folder and last for this session only."""

    def __init__(self, build: Callable[..., object], train: Callable[[object, dict], object],
                 evaluate: Callable[[TFLiteModel], float], budget: Budget,
                 representative, latency: Callable[[int], float],
                 cache_dir: str | Path | None = None, salt: str = "", seed: int = 0,
                 margin: float = 0.1, echo: Callable[[str], None] = print):
        self.build, self.train, self.evaluate = build, train, evaluate
        self.budget, self.representative, self.latency = budget, representative, latency
        if cache_dir is None:  # still keep the models, for this session
            cache_dir = tempfile.mkdtemp(prefix="tinyml_design_")
        self.cache = ResultCache(cache_dir, salt)
        self.seed, self.margin, self.echo = seed, margin, echo

    def _predicted_over(self, predicted_flash: int, predicted_arena: int,
                        instructions: int) -> tuple:
        b, m = self.budget, 1 + self.margin
        return b.replace(flash_bytes=int(b.flash_bytes * m), arena_bytes=int(b.arena_bytes * m),
                         max_instructions=None if b.max_instructions is None
                         else int(b.max_instructions * m)).violations(
            predicted_flash, predicted_arena, instructions)

    def candidate(self, params: dict, force: bool = False) -> Candidate:
        """One candidate: from the cache, or sized, (trained,) converted and scored.
        `force` trains it whatever the prediction says (a reference model)."""
        spec = {"params": params, "seed": self.seed}
        record = self.cache.get(spec)
        if record is None or (force and record.get("metric") is None):
            record = self._evaluate(spec, params, force)
        path = self.cache.path(spec, ".tflite")
        kept = str(path) if path is not None and path.is_file() else None
        return Candidate(**dict(record, params=params, model_file=kept))

    def _evaluate(self, spec: dict, params: dict, force: bool) -> dict:
        import keras

        keras.backend.clear_session()
        seed_everything(self.seed)
        model = self.build(**params)
        cost = predict_cost(model)
        instructions = round(float(self.latency(cost.macs)))
        record = {"params": params, "key": self.cache.key(spec), "macs": cost.macs,
                  "predicted_flash_bytes": cost.payload_bytes,
                  "predicted_arena_bytes": cost.sram_bytes, "instructions": instructions}
        over = self._predicted_over(cost.payload_bytes, cost.sram_bytes, instructions)
        if over and not force:
            record["skipped"] = "predicted over the budget: " + "; ".join(over)
            return self.cache.put(spec, record)
        start = time.perf_counter()
        self.train(model, params)
        seconds = time.perf_counter() - start
        data = convert.to_int8(model, self.representative)
        tflite = read_model(data)
        record.update(flash_bytes=tflite.size_bytes, arena_bytes=sketch_arena_bytes(tflite),
                      metric=float(self.evaluate(tflite)), train_seconds=round(seconds, 1))
        return self.cache.put(spec, record, {".tflite": data})

    def run(self, candidates: Iterable[dict], force: Iterable[dict] = ()) -> list[Candidate]:
        """Every candidate (and every `force`d reference), with a line of progress each."""
        force = [dict(p) for p in force]
        todo = force + [dict(p) for p in candidates if dict(p) not in force]
        results = []
        for i, params in enumerate(todo, 1):
            start = time.perf_counter()
            c = self.candidate(params, force=params in force)
            took = time.perf_counter() - start
            what = (f"metric {c.metric:.3f}, arena {c.arena_bytes:,} B, flash {c.flash_bytes:,} B"
                    if c.trained else f"skipped: {c.skipped}")
            self.echo(f"[{i}/{len(todo)}] {c.label}: {c.instructions:,} instructions "
                      f"(predicted); {what} ({took:.0f} s)")
            results.append(c)
        return results


def search(build, train, budget: Budget, candidates: Iterable[dict], *, evaluate,
           representative, latency, force: Iterable[dict] = (), **options) -> list[Candidate]:
    """DesignSearch(...).run(candidates, force): the one-call form."""
    return DesignSearch(build, train, evaluate, budget, representative, latency,
                        **options).run(candidates, force)


# ------------------------------------------------------------------ choosing

def best_under(candidates: Iterable[Candidate], budget: Budget) -> Candidate | None:
    """The most accurate trained candidate that fits; ties go to the smaller arena, then
    the fewer instructions. None when nothing fits."""
    fitting = [c for c in candidates if c.fits(budget)]
    return max(fitting, key=lambda c: (c.metric, -c.arena_bytes, -c.instructions), default=None)


AXES = (("metric", +1), ("arena_bytes", -1), ("instructions", -1))
SAME_METRIC_P = 0.05  # a metric gap with a paired p at or above this is not a difference


def compare(a: Candidate, b: Candidate, correct_a=None, correct_b=None) -> dict[str, str]:
    """a against b on each axis: "better", "same" or "worse". Given each model's right/wrong
    on the same test examples, a metric gap the test set cannot tell from chance (exact
    McNemar p >= SAME_METRIC_P) is "same": sizes and instructions are exact, accuracy on a
    finite test set is not."""
    out = {}
    for name, sign in AXES:
        diff = sign * (getattr(a, name) - getattr(b, name))
        out[name] = "better" if diff > 0 else "worse" if diff < 0 else "same"
    if correct_a is not None or correct_b is not None:
        if paired_difference(correct_a, correct_b).p >= SAME_METRIC_P:
            out["metric"] = "same"
    return out


def beats(a: Candidate, b: Candidate, correct_a=None, correct_b=None) -> bool:
    """a is better than b on at least one of metric, arena and instructions, and worse on
    none (Pareto dominance; the metric compared as in `compare`)."""
    verdict = compare(a, b, correct_a, correct_b).values()
    return "worse" not in verdict and "better" in verdict


def pareto_front(candidates: Iterable[Candidate], cost: str = "arena_bytes") -> list[Candidate]:
    """The trained candidates no other beats on (metric, `cost`), cheapest first."""
    trained = [c for c in candidates if c.trained]

    def dominated(c):
        return any(o.metric >= c.metric and getattr(o, cost) <= getattr(c, cost)
                   and (o.metric > c.metric or getattr(o, cost) < getattr(c, cost))
                   for o in trained)

    return sorted((c for c in trained if not dominated(c)), key=lambda c: getattr(c, cost))


def candidate_rows(candidates: Iterable[Candidate], budget: Budget) -> list[list]:
    rows = []
    for c in candidates:
        rows.append([c.label, f"{c.macs:,}", f"{c.instructions:,}",
                     f"{c.arena_bytes:,}" if c.trained else f"~{c.predicted_arena_bytes:,}",
                     f"{c.flash_bytes:,}" if c.trained else f"~{c.predicted_flash_bytes:,}",
                     f"{c.metric:.3f}" if c.trained else "-",
                     "yes" if c.fits(budget) else ("no" if c.trained else "skipped")])
    return rows


CANDIDATE_HEADERS = ["candidate", "MACs", "instructions (line)", "arena (B)", "flash (B)",
                     "metric", "fits"]


def plot_pareto(candidates: list[Candidate], budget: Budget, reference: Candidate | None = None,
                chosen: Candidate | None = None, metric_name: str = "accuracy",
                title: str = ""):
    """Metric against arena and against latency: every trained candidate, the Pareto front
    of each view, the budget's limits, and the reference and chosen models ringed."""
    import matplotlib.pyplot as plt

    trained = [c for c in candidates if c.trained]
    clock = budget.board.clock_mhz
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.4), sharey=True)
    views = (("arena_bytes", "tensor arena on the board build (KiB)", 1 / 1024,
              budget.arena_bytes),
             ("instructions", f"latency at {clock} MHz, at least (ms, from the fitted line)",
              1 / (clock * 1000.0), budget.max_instructions))
    for ax, (field, label, scale, limit) in zip(axes, views):
        fits = [c for c in trained if c.fits(budget)]
        over = [c for c in trained if not c.fits(budget)]
        for group, style, name in ((fits, "o", "fits the budget"), (over, "x", "over budget")):
            ax.plot([getattr(c, field) * scale for c in group],
                    [100 * c.metric for c in group], style, color="tab:blue", alpha=0.7,
                    label=name)
        front = pareto_front(trained, field)
        ax.step([getattr(c, field) * scale for c in front], [100 * c.metric for c in front],
                where="post", color="tab:green", lw=1.2, label="Pareto front")
        if limit is not None:
            ax.axvline(limit * scale, color="tab:red", ls="--", lw=1, label="budget")
        for c, colour, name in ((reference, "black", "reference"), (chosen, "tab:red", "chosen")):
            if c is not None and c.trained:
                ax.plot(getattr(c, field) * scale, 100 * c.metric, "o", ms=13, mfc="none",
                        mec=colour, mew=2, label=name)
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"{metric_name} (%), int8 in TFLM")
    axes[1].legend(fontsize=8, loc="lower right")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
