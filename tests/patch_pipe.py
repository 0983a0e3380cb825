"""A host C++ program driving a patch schedule with patch_runner.h, its models run in Python.

The C++ side's Runner (PIPE_RUNNER below) asks over its stdout for each model to be set up
('B', model index: the reply is its input and output sizes) and invoked ('I' and the input
bytes: the reply is the output bytes); 'E' ends a model, 'S' carries a result the program
reports (scores or an output), 'Q' ends the run. `serve` answers with the models in the
tflite_micro wheel and records every input the C++ side sent, so the tests compare both
the driver's patch inputs and its results with the Python twin's.
"""

from __future__ import annotations

import struct
import subprocess
from dataclasses import dataclass, field

import numpy as np

PIPE_RUNNER = r"""
#include <cstdint>
#include <cstdio>
#include <vector>

namespace pipe_runner {
inline void WriteInt(int32_t v) { std::fwrite(&v, 4, 1, stdout); }
inline int32_t ReadInt() {
  int32_t v = 0;
  if (std::fread(&v, 4, 1, stdin) != 1) v = -1;
  return v;
}
// patch_runner's Runner: the models are run by the Python test on the other end.
class PipeRunner {
 public:
  bool Begin(int model) {
    std::putchar('B');
    WriteInt(model);
    std::fflush(stdout);
    const int32_t in = ReadInt(), out = ReadInt();
    if (in < 0 || out < 0) return false;
    in_.assign(in, 0);
    out_.assign(out, 0);
    return true;
  }
  int8_t* Input() { return in_.data(); }
  size_t InputBytes() { return in_.size(); }
  const int8_t* Output() { return out_.data(); }
  size_t OutputBytes() { return out_.size(); }
  bool Invoke() {
    std::putchar('I');
    std::fwrite(in_.data(), 1, in_.size(), stdout);
    std::fflush(stdout);
    return std::fread(out_.data(), 1, out_.size(), stdin) == out_.size();
  }
  void End() {
    std::putchar('E');
    std::fflush(stdout);
  }

 private:
  std::vector<int8_t> in_, out_;
};
inline void Report(const void* data, int32_t bytes) {
  std::putchar('S');
  WriteInt(bytes);
  std::fwrite(data, 1, bytes, stdout);
  std::fflush(stdout);
}
inline void Quit() {
  std::putchar('Q');
  std::fflush(stdout);
}
}  // namespace pipe_runner
"""


@dataclass
class PipeSession:
    """What one run of the program did: the models' inputs in order (model, bytes), what it
    reported ('S' records) and the order models were set up."""

    inputs: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    begun: list = field(default_factory=list)


def serve(command: list[str], interpreters: list, timeout: float = 120) -> PipeSession:
    """Run the program, answering its requests with `interpreters` (stage models, then the
    rest: MicroInterpreter objects, indexed as patch_runner numbers them)."""
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    session, current = PipeSession(), None
    try:
        while True:
            kind = proc.stdout.read(1)
            if kind in (b"", b"Q"):
                break
            if kind == b"B":
                (m,) = struct.unpack("<i", proc.stdout.read(4))
                current = interpreters[m]
                session.begun.append(m)
                proc.stdin.write(struct.pack("<ii", current.input.nbytes, current.output.nbytes))
                proc.stdin.flush()
            elif kind == b"I":
                data = proc.stdout.read(current.input.nbytes)
                session.inputs.append((session.begun[-1], data))
                sample = np.frombuffer(data, dtype=np.int8).reshape(current.input.shape)
                proc.stdin.write(current.invoke_raw(sample).astype(np.int8).tobytes())
                proc.stdin.flush()
            elif kind == b"S":
                (size,) = struct.unpack("<i", proc.stdout.read(4))
                session.reports.append(proc.stdout.read(size))
            elif kind != b"E":
                raise AssertionError(f"unexpected request {kind!r} from the C++ program")
        code = proc.wait(timeout)
    finally:
        proc.kill()
    assert code == 0, f"the C++ program exited with {code}"
    return session
