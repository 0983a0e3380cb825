"""Why int8: the energy (and silicon area) of arithmetic and memory access, per inference.

The per-operation figures are the 45 nm measurements of Horowitz ("Computing's energy
problem", ISSCC 2014), as tabulated by Fournarakis (2021, "A practical guide to neural network
quantization") and reproduced in Y. Chaigneau's lecture slides "Tiny ML: Machine learning for
embedded systems" (GreenAI UPPA, 2022), section "Quantization", Figure 8. They are not the
nRF52840's own figures: they say which part of an inference costs what, not what the board's
battery will read.

The estimate counts, from the .tflite file itself:
- arithmetic: one multiply and one add per multiply-accumulate, in the precision the
  model computes in (int8 for a full-integer model, float32 otherwise);
- memory: every weight byte read once and every activation byte an op reads or writes,
  in 64-bit accesses, at the energy of one access to a memory of the given size.
Both are lower bounds of a sort: real kernels re-read inputs and keep partial sums.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.report import op_macs
from tinyml_lab.core.tflite_file import TFLiteModel

KIB = 1024
# picojoules per operation, 45 nm (Horowitz 2014 via Fournarakis 2021, reference Figure 8)
ADD_PJ = {"int8": 0.03, "float32": 0.9}
MULTIPLY_PJ = {"int8": 0.2, "float32": 3.7}
# picojoules per 64-bit access of a memory of this size (cache/SRAM); DRAM is 1300-2600 pJ
MEMORY_ACCESS_PJ = ((8 * KIB, 10.0), (32 * KIB, 20.0), (1024 * KIB, 100.0))
DRAM_ACCESS_PJ = (1300.0, 2600.0)
# square micrometres per adder (the multiplier areas are not legible in our copy of the table)
ADD_AREA_UM2 = {"int8": 36, "float32": 4184}
NANO33BLE_SRAM_BYTES = 256 * KIB
ACCESS_BYTES = 8  # the table's accesses are 64 bits wide

_WEIGHT_OPS = ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D")


def access_energy_pj(memory_bytes: int) -> float:
    """Energy of one 64-bit access to the smallest listed memory at least this large."""
    if memory_bytes <= 0:
        raise TinyMLError(f"Memory size must be positive, got {memory_bytes} bytes.")
    for size, energy in MEMORY_ACCESS_PJ:
        if memory_bytes <= size:
            return energy
    raise TinyMLError(
        f"No on-chip figure for {memory_bytes:,} B: the table stops at 1 MB of cache, and "
        f"beyond it is DRAM at {DRAM_ACCESS_PJ[0]:.0f}-{DRAM_ACCESS_PJ[1]:.0f} pJ per access.")


@dataclass(frozen=True)
class EnergyEstimate:
    """Estimated energy of one inference, split into arithmetic and memory traffic."""

    precision: str
    macs: int
    arithmetic_pj: float
    memory_bytes_moved: int
    memory_pj: float

    @property
    def total_pj(self) -> float:
        return self.arithmetic_pj + self.memory_pj

    @property
    def total_uj(self) -> float:
        return self.total_pj * 1e-6


def compute_precision(model: TFLiteModel) -> str:
    """int8 when the weight ops take integer activations, float32 when they take floats."""
    kinds = {model.tensors[op.inputs[0]].dtype for op in model.operators
             if op.name in _WEIGHT_OPS}
    if kinds <= {"int8"} and kinds:
        return "int8"
    if kinds <= {"float32"} and kinds:
        return "float32"
    raise TinyMLError(
        f"Cannot tell the arithmetic precision: weight ops take {sorted(kinds) or 'no'} inputs. "
        "The estimate covers float32 and full-int8 models with Dense/Conv layers.")


def estimate_energy(model: TFLiteModel, memory_bytes: int = NANO33BLE_SRAM_BYTES
                    ) -> EnergyEstimate:
    """Energy per inference from the model's MACs and the bytes its ops move."""
    precision = compute_precision(model)
    macs = sum(m for _, m in op_macs(model))
    arithmetic = macs * (MULTIPLY_PJ[precision] + ADD_PJ[precision])
    moved = 0
    for op in model.operators:
        for index in op.inputs + op.outputs:
            if index >= 0:
                moved += model.tensors[index].nbytes
    accesses = -(-moved // ACCESS_BYTES)
    return EnergyEstimate(precision, int(macs), float(arithmetic), int(moved),
                          float(accesses * access_energy_pj(memory_bytes)))
