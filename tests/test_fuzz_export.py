"""Fuzz: 300 single-byte changes of the committed gesture model through `export` and
`predict` (seeded, so every run tries the same ones). None may crash the process or give a
traceback; each is exported and predicted, or refused with a message. The loop runs in a
child process (tests/fuzz_flips.py) so that a crash is reported here with its case."""

import json
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
FLIPS = 300


def test_single_byte_changes_never_crash_and_never_raise():
    done = subprocess.run(
        [sys.executable, str(TESTS / "fuzz_flips.py"), "--flips", str(FLIPS), "--seed", "0",
         "--json", "--verbose"], capture_output=True, text=True, check=False, cwd=TESTS.parent)
    last_case = done.stderr.strip().splitlines()[-1:] or ["(none)"]
    assert done.returncode in (0, 1), (
        f"the fuzz process died (status {done.returncode}) at {last_case[0]}:\n"
        f"{done.stderr[-3000:]}")
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["failures"] == [], "\n\n".join(summary["failures"][:5])
    assert summary["flips"] == FLIPS
    assert summary["export_refused"] + summary["export_accepted"] == FLIPS
    assert summary["export_refused"] > 0 and summary["export_accepted"] > 0  # both paths ran
    assert summary["predicted"] + summary["predict_refused"] == summary["export_accepted"]
