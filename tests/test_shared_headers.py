"""Headers that several sketches share. The Arduino IDE compiles only a sketch's own folder, so
a header two sketches use lives in both folders (and the board runner's firmware keeps its own
copy of patch_runner.h). The copies must stay byte-identical: a fix made in one folder and not
the others would give two boards two behaviours. This test finds every such header by name, so
a header copied into a new sketch is checked without editing a list."""

from collections import defaultdict
from pathlib import Path

from tinyml_lab.core.export import GENERATED_FILES

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (ROOT / "arduino_sketches", ROOT / "tinyml_lab" / "core" / "board" / "firmware")


def shared_headers() -> dict[str, list[Path]]:
    """Hand-written headers found in more than one folder (the per-model generated files,
    different in every sketch by design, are left out)."""
    found = defaultdict(list)
    for folder in FOLDERS:
        for header in folder.rglob("*.h"):
            if header.name not in GENERATED_FILES:
                found[header.name].append(header)
    return {name: sorted(paths) for name, paths in found.items() if len(paths) > 1}


def test_every_copy_of_a_shared_header_is_identical():
    differing = []
    for paths in shared_headers().values():
        first = paths[0].read_bytes()
        differing += [f"{p.relative_to(ROOT)} differs from {paths[0].relative_to(ROOT)}"
                      for p in paths[1:] if p.read_bytes() != first]
    assert not differing, "copy the fixed header into every folder:\n" + "\n".join(differing)


def test_the_known_shared_headers_are_found():
    """Guards the discovery itself: if it found nothing the test above could not fail."""
    found = shared_headers()
    expected = {"imu_reader.h": 3, "imu_gesture.h": 2, "camera_preprocess.h": 2,
                "capture_protocol.h": 2, "sound_level.h": 2, "patch_runner.h": 2}
    assert {name: len(found.get(name, ())) for name in expected} == expected
