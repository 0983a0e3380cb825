"""Flash, RAM and clock budgets of the boards the course targets, and the fit check.

Numbers are from the vendors' datasheets. `reserved_*` is what the Arduino core, the
TFLM library and the sketch itself take before the model: a measured-on-device figure
is not available here, so the reserve is a stated assumption a learner can change.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinyml_lab.core.errors import BoardFitError


@dataclass(frozen=True)
class Board:
    key: str
    name: str
    mcu: str
    core: str
    clock_mhz: int
    flash_bytes: int
    ram_bytes: int
    reserved_flash_bytes: int
    reserved_ram_bytes: int

    @property
    def model_flash_budget(self) -> int:
        return self.flash_bytes - self.reserved_flash_bytes

    @property
    def arena_ram_budget(self) -> int:
        return self.ram_bytes - self.reserved_ram_bytes


KIB = 1024

# Reserves: an mbed-core sketch with Serial and the TFLM interpreter links to roughly
# 150-200 KiB of flash and uses roughly 40-60 KiB of RAM on the Nano 33 BLE Sense
# (mbed OS, USB serial, heap and stacks). We reserve the upper ends.
BOARDS = {
    b.key: b
    for b in [
        Board("nano33ble", "Arduino Nano 33 BLE Sense (Rev1/Rev2)", "nRF52840",
              "Cortex-M4F", 64, 1024 * KIB, 256 * KIB, 200 * KIB, 64 * KIB),
        Board("pico", "Raspberry Pi Pico", "RP2040", "Cortex-M0+ (dual)", 133,
              2048 * KIB, 264 * KIB, 120 * KIB, 32 * KIB),
        Board("esp32s3", "ESP32-S3 DevKitC-1 (no PSRAM)", "ESP32-S3", "Xtensa LX7 (dual)",
              240, 8192 * KIB, 512 * KIB, 300 * KIB, 96 * KIB),
        Board("portenta_h7", "Arduino Portenta H7 (M7 core)", "STM32H747", "Cortex-M7",
              480, 2048 * KIB, 1024 * KIB, 250 * KIB, 96 * KIB),
        Board("stm32f746_disco", "STM32F746G-DISCO", "STM32F746NG", "Cortex-M7", 216,
              1024 * KIB, 320 * KIB, 120 * KIB, 48 * KIB),
    ]
}

DEFAULT_BOARD = "nano33ble"


def get_board(key: str = DEFAULT_BOARD) -> Board:
    try:
        return BOARDS[key]
    except KeyError:
        raise BoardFitError(
            f"Unknown board {key!r}. Known boards: {', '.join(sorted(BOARDS))}."
        ) from None


@dataclass(frozen=True)
class Fit:
    board: Board
    model_bytes: int
    arena_bytes: int

    @property
    def flash_ok(self) -> bool:
        return self.model_bytes <= self.board.model_flash_budget

    @property
    def ram_ok(self) -> bool:
        return self.arena_bytes <= self.board.arena_ram_budget

    @property
    def fits(self) -> bool:
        return self.flash_ok and self.ram_ok

    @property
    def flash_fraction(self) -> float:
        return self.model_bytes / self.board.model_flash_budget

    @property
    def ram_fraction(self) -> float:
        return self.arena_bytes / self.board.arena_ram_budget

    def explain(self) -> str:
        b = self.board
        lines = [
            f"{b.name}: model {self.model_bytes:,} B of {b.model_flash_budget:,} B flash "
            f"budget ({self.flash_fraction:.1%}), arena {self.arena_bytes:,} B of "
            f"{b.arena_ram_budget:,} B RAM budget ({self.ram_fraction:.1%})."
        ]
        if not self.flash_ok:
            lines.append(
                f"Too big for flash by {self.model_bytes - b.model_flash_budget:,} B: "
                "quantize to int8, prune channels, or use a smaller architecture."
            )
        if not self.ram_ok:
            lines.append(
                f"Arena too big for RAM by {self.arena_bytes - b.arena_ram_budget:,} B: shrink "
                "the first layers' activations (lower input resolution, fewer early channels, "
                "stride earlier) or try patch-based inference."
            )
        return " ".join(lines)


def check_fit(model_bytes: int, arena_bytes: int, board: str = DEFAULT_BOARD) -> Fit:
    """Compare a model's flash and arena needs with a board's budgets."""
    if model_bytes <= 0 or arena_bytes < 0:
        raise BoardFitError(
            f"Sizes must be positive (model {model_bytes} B, arena {arena_bytes} B)."
        )
    return Fit(get_board(board), int(model_bytes), int(arena_bytes))


def require_fit(model_bytes: int, arena_bytes: int, board: str = DEFAULT_BOARD) -> Fit:
    """check_fit, raising BoardFitError (with the numbers and the fix) when it does not fit."""
    fit = check_fit(model_bytes, arena_bytes, board)
    if not fit.fits:
        raise BoardFitError(fit.explain())
    return fit
