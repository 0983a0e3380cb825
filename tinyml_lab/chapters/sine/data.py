"""The hello-world dataset: noisy samples of y = sin(x) on [0, 2*pi].

Generated, so it is the same offline and online; the noise makes the model learn the
curve rather than memorise points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinyml_lab.core.errors import TinyMLError

SOURCE = "generated: y = sin(x) + Gaussian noise, x uniform on [0, 2*pi]"


@dataclass(frozen=True)
class Split:
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class SineData:
    train: Split
    val: Split
    test: Split
    source: str = SOURCE


def make_sine_data(
    samples: int = 2000, noise: float = 0.1, seed: int = 0, fractions=(0.6, 0.2, 0.2)
) -> SineData:
    """Noisy sine samples split into train / validation / test (shapes (n, 1), float32)."""
    if samples < 10:
        raise TinyMLError(f"Need at least 10 samples to split, got {samples}.")
    if noise < 0:
        raise TinyMLError(f"Noise must be >= 0, got {noise}.")
    if len(fractions) != 3 or abs(sum(fractions) - 1.0) > 1e-6:
        raise TinyMLError(f"Split fractions must be three numbers summing to 1, got {fractions}.")
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 2.0 * np.pi, size=(samples, 1)).astype(np.float32)
    y = (np.sin(x) + noise * rng.standard_normal(size=x.shape)).astype(np.float32)
    n_train = int(round(fractions[0] * samples))
    n_val = int(round(fractions[1] * samples))
    cut = (n_train, n_train + n_val)
    return SineData(
        Split(x[: cut[0]], y[: cut[0]]),
        Split(x[cut[0] : cut[1]], y[cut[0] : cut[1]]),
        Split(x[cut[1] :], y[cut[1] :]),
    )


def sine_grid(points: int = 1000) -> np.ndarray:
    """Evenly spaced x over [0, 2*pi], shape (points, 1): where the model is judged."""
    return np.linspace(0.0, 2.0 * np.pi, points, dtype=np.float32).reshape(-1, 1)
