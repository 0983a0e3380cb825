"""Which input rows and columns an output region of a layer reads: the halo arithmetic of
patch-based inference.

Along one axis an op is a window: output index o reads input indices
o * stride - before + d * dilation for d in 0..kernel-1, where `before` is the padding on
the low side. TFLite's SAME padding pads (out - 1) * stride + effective_kernel - in in
total and puts the smaller half before (TFLM's ComputePaddingHeightWidth): a stride-2 3x3
convolution of an even-sized input pads 0 rows above and 1 below. Indices outside the
input are padding, which TFLite fills with the input's zero point (real 0).
"""

from __future__ import annotations

from dataclasses import dataclass

SAME, VALID = 0, 1  # the tflite Padding enum


@dataclass(frozen=True, order=True)
class Span:
    """Indices lo..hi-1 along one axis (hi > lo); may reach past a tensor's edges."""

    lo: int
    hi: int

    @property
    def size(self) -> int:
        return self.hi - self.lo

    def hull(self, other: Span) -> Span:
        return Span(min(self.lo, other.lo), max(self.hi, other.hi))

    def clip(self, length: int) -> Span | None:
        """The part inside 0..length-1 (None when nothing is)."""
        lo, hi = max(self.lo, 0), min(self.hi, length)
        return Span(lo, hi) if hi > lo else None

    def shift(self, by: int) -> Span:
        return Span(self.lo + by, self.hi + by)


@dataclass(frozen=True, order=True)
class Region:
    """A rectangle of a feature map: rows x cols (every channel)."""

    rows: Span
    cols: Span

    @property
    def height(self) -> int:
        return self.rows.size

    @property
    def width(self) -> int:
        return self.cols.size

    def hull(self, other: Region) -> Region:
        return Region(self.rows.hull(other.rows), self.cols.hull(other.cols))

    def clip(self, height: int, width: int) -> Region | None:
        rows, cols = self.rows.clip(height), self.cols.clip(width)
        return Region(rows, cols) if rows and cols else None

    def shift(self, rows: int, cols: int) -> Region:
        return Region(self.rows.shift(rows), self.cols.shift(cols))

    def inside(self, height: int, width: int) -> bool:
        return self.clip(height, width) == self

    def as_tuple(self) -> tuple[int, int, int, int]:
        """(first row, first col, height, width)."""
        return self.rows.lo, self.cols.lo, self.height, self.width


@dataclass(frozen=True)
class AxisWindow:
    """What one op reads along one axis."""

    kernel: int = 1
    stride: int = 1
    dilation: int = 1
    before: int = 0  # padding on the low side

    @property
    def effective_kernel(self) -> int:
        return (self.kernel - 1) * self.dilation + 1

    def reads(self, out: Span) -> Span:
        """The input indices output indices out.lo..out.hi-1 read (padding included)."""
        return Span(out.lo * self.stride - self.before,
                    (out.hi - 1) * self.stride - self.before + self.effective_kernel)


IDENTITY = AxisWindow()


def same_padding_before(size: int, kernel: int, stride: int, dilation: int, out: int) -> int:
    """Rows (or columns) TFLite's SAME padding puts before the input: the smaller half."""
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2


def axis_window(padding: int, size: int, kernel: int, stride: int, dilation: int,
                out: int) -> AxisWindow:
    before = same_padding_before(size, kernel, stride, dilation, out) if padding == SAME else 0
    return AxisWindow(kernel, stride, dilation, before)


def split_axis(length: int, parts: int) -> list[Span]:
    """length indices in `parts` consecutive spans whose sizes differ by at most one (the
    first ones one longer)."""
    base, extra = divmod(length, parts)
    spans, lo = [], 0
    for k in range(parts):
        hi = lo + base + (1 if k < extra else 0)
        spans.append(Span(lo, hi))
        lo = hi
    return spans


def tiles(height: int, width: int, grid: int) -> list[tuple[int, int, Region]]:
    """(row, col, region) of the grid x grid tiles of a height x width map, row by row."""
    return [(r, c, Region(rows, cols))
            for r, rows in enumerate(split_axis(height, grid))
            for c, cols in enumerate(split_axis(width, grid))]
