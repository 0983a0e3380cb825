"""Drawing with signed distances: soft-edged, shaded shapes on a grayscale canvas.

Every shape is a signed distance d (pixels, negative inside) evaluated only over its bounding
box; coverage is clip(0.5 - d, 0, 1), which anti-aliases edges like a camera's pixels do.
Round shapes get darker towards their rims (the shading of a lit cylinder or ball), so limbs,
heads and bottles look like solids, not flat cut-outs: the scene generator uses the same
primitives for people and for the things that are not people, so a model cannot tell the
classes apart by how they are drawn.
"""

from __future__ import annotations

import numpy as np


class Canvas:
    """A float32 grayscale picture in [0, 1] that shapes are painted onto."""

    def __init__(self, size: int, fill: float | np.ndarray = 0.5):
        self.size = size
        self.img = np.empty((size, size), np.float32)
        self.img[...] = fill

    def _window(self, x0, x1, y0, y1):
        """Pixel-centre grids of the part of a bounding box that is on the canvas."""
        n = self.size
        c0, c1 = max(int(np.floor(x0)), 0), min(int(np.ceil(x1)) + 1, n)
        r0, r1 = max(int(np.floor(y0)), 0), min(int(np.ceil(y1)) + 1, n)
        if c0 >= c1 or r0 >= r1:
            return None
        ys, xs = np.mgrid[r0:r1, c0:c1].astype(np.float32) + 0.5
        return (slice(r0, r1), slice(c0, c1)), xs, ys

    def paint(self, d, window, tone, opacity: float = 1.0) -> None:
        """Blend tone (scalar or array) where the distance field d says the shape is."""
        region, _, _ = window
        alpha = np.clip(0.5 - d, 0.0, 1.0) * opacity
        self.img[region] += alpha * (tone - self.img[region])


def rim_shade(d, radius, tone, roundness):
    """Darken towards the rim as a lit cylinder does: depth u = -d / radius in [0, 1]."""
    u = np.clip(-d / np.maximum(radius, 1e-3), 0.0, 1.0)
    return tone * (1.0 - roundness * (1.0 - np.sqrt(u)))


def capsule(canvas: Canvas, p0, p1, r0: float, r1: float | None = None, tone: float = 0.5,
            roundness: float = 0.35, opacity: float = 1.0) -> None:
    """A limb, pole or stroke: a segment p0-p1 thickened to radius r0 at p0 and r1 at p1."""
    r1 = r0 if r1 is None else r1
    rmax = max(r0, r1) + 1.0
    (x0, y0), (x1, y1) = p0, p1
    w = canvas._window(min(x0, x1) - rmax, max(x0, x1) + rmax,
                       min(y0, y1) - rmax, max(y0, y1) + rmax)
    if w is None:
        return
    _, xs, ys = w
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = np.zeros_like(xs) if length2 < 1e-9 else np.clip(
        ((xs - x0) * dx + (ys - y0) * dy) / length2, 0.0, 1.0)
    radius = r0 + (r1 - r0) * t
    d = np.hypot(xs - (x0 + t * dx), ys - (y0 + t * dy)) - radius
    canvas.paint(d, w, rim_shade(d, np.maximum(radius, 0.5), tone, roundness), opacity)


def ellipse(canvas: Canvas, centre, rx: float, ry: float, angle: float = 0.0,
            tone: float = 0.5, roundness: float = 0.35, opacity: float = 1.0,
            texture=None) -> None:
    """A head, ball, body or leaf: an ellipse rotated by angle (radians)."""
    cx, cy = centre
    r = max(rx, ry) + 1.0
    w = canvas._window(cx - r, cx + r, cy - r, cy + r)
    if w is None:
        return
    _, xs, ys = w
    c, s = np.cos(angle), np.sin(angle)
    u, v = (xs - cx) * c + (ys - cy) * s, -(xs - cx) * s + (ys - cy) * c
    rx, ry = max(rx, 0.3), max(ry, 0.3)
    k = np.hypot(u / rx, v / ry)
    d = (k - 1.0) * min(rx, ry)
    tone = rim_shade(d, min(rx, ry), tone, roundness)
    if texture is not None:
        tone = tone + texture(xs, ys)
    canvas.paint(d, w, tone, opacity)


def polygon(canvas: Canvas, points, tone: float = 0.5, roundness: float = 0.15,
            opacity: float = 1.0, texture=None) -> None:
    """A convex polygon (torso, coat, chair back, door): the largest edge distance."""
    pts = np.asarray(points, np.float32)
    w = canvas._window(pts[:, 0].min() - 1, pts[:, 0].max() + 1,
                       pts[:, 1].min() - 1, pts[:, 1].max() + 1)
    if w is None:
        return
    _, xs, ys = w
    centre = pts.mean(axis=0)
    d = np.full(xs.shape, -np.inf, np.float32)
    for a, b in zip(pts, np.roll(pts, -1, axis=0)):
        nx, ny = b[1] - a[1], a[0] - b[0]
        norm = np.hypot(nx, ny)
        if norm < 1e-6:
            continue
        nx, ny = nx / norm, ny / norm
        if (centre[0] - a[0]) * nx + (centre[1] - a[1]) * ny > 0:  # make the normal point out
            nx, ny = -nx, -ny
        d = np.maximum(d, (xs - a[0]) * nx + (ys - a[1]) * ny)
    inner = max(1.0, float(np.min(np.ptp(pts, axis=0))) / 2)
    tone = rim_shade(d, inner, tone, roundness)
    if texture is not None:
        tone = tone + texture(xs, ys)
    canvas.paint(d, w, tone, opacity)


def rect(canvas: Canvas, x0, y0, x1, y1, tone: float = 0.5, roundness: float = 0.1,
         opacity: float = 1.0, texture=None) -> None:
    polygon(canvas, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], tone, roundness, opacity, texture)


def stripes(period: float, angle: float, amplitude: float):
    """A texture function: clothing stripes, planks, blinds."""
    c, s = np.cos(angle), np.sin(angle)
    return lambda xs, ys: amplitude * np.sin((xs * c + ys * s) * (2 * np.pi / period))


def smooth_noise(rng: np.random.Generator, size: int, cells: int,
                 cells_x: int | None = None) -> np.ndarray:
    """Value noise: a random grid of cells (rows) x cells_x (columns, default the same)
    bilinearly enlarged to size x size. Unequal cells stretch it into streaks (grass, bark)."""
    cells_x = cells if cells_x is None else cells_x
    grid = rng.random((cells + 1, cells_x + 1)).astype(np.float32)

    def axis(n):
        pos = np.linspace(0, n, size, dtype=np.float32)
        i = np.minimum(pos.astype(int), n - 1)
        return i, pos - i

    iy, fy = axis(cells)
    ix, fx = axis(cells_x)
    rows = grid[iy] * (1 - fy)[:, None] + grid[iy + 1] * fy[:, None]
    return rows[:, ix] * (1 - fx)[None, :] + rows[:, ix + 1] * fx[None, :]


def grain(rng: np.random.Generator, size: int) -> np.ndarray:
    """Fine natural texture in [-0.5, 0.5]: gravel, pebbles, grass, foliage, fabric, coins.
    Real scenes are full of such high-frequency detail with no person in it."""
    kind = rng.integers(3)
    if kind == 0:  # blobs: gravel, pebbles, leaves
        cells = int(rng.integers(12, 40))
        noise = smooth_noise(rng, size, cells)
        return np.tanh(rng.uniform(4, 12) * (noise - 0.5)) / 2
    if kind == 1:  # streaks: grass, bark, hair-like fibres, wood
        long, short = int(rng.integers(3, 8)), int(rng.integers(24, 48))
        noise = smooth_noise(rng, size, long, short)
        return (noise - 0.5) if rng.random() < 0.5 else (noise - 0.5).T
    cells = int(rng.integers(20, 48))  # speckle: sand, asphalt, stars, fabric weave
    return (smooth_noise(rng, size, cells) - 0.5) * 1.5


def fractal_noise(rng: np.random.Generator, size: int, octaves: int = 4,
                  persistence: float = 0.55) -> np.ndarray:
    """Roughly 1/f texture in [-0.5, 0.5]: the statistics of natural surfaces."""
    total = np.zeros((size, size), np.float32)
    amp, norm = 1.0, 0.0
    for o in range(octaves):
        total += amp * (smooth_noise(rng, size, 2 ** (o + 1)) - 0.5)
        norm += amp
        amp *= persistence
    return total / norm


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur with edge padding (out-of-focus or moving camera)."""
    if sigma < 0.3:
        return img
    r = int(np.ceil(2.5 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2).astype(np.float32)
    k /= k.sum()
    out = img
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (r, r)
        padded = np.pad(out, pad, mode="edge")
        n = out.shape[axis]
        out = sum(k[j] * np.take(padded, np.arange(j, j + n), axis=axis) for j in range(2 * r + 1))
    return out.astype(np.float32)
