"""`python -m tinyml_lab capture audio|camera` without a board: a Python stand-in answers the
commands as audio_capture and camera_capture do (their C++ is checked against the same reader
in test_capture_sketches.py), through an object with read/write and through a real
pseudo-terminal. What is saved is what the chapters' folder loaders read."""

import os
import threading
import time
import zlib

import numpy as np
import pytest

from tinyml_lab.chapters.person_detection import camera
from tinyml_lab.chapters.person_detection.capture import capture_camera
from tinyml_lab.chapters.person_detection.data import load_image_96
from tinyml_lab.chapters.wake_word.audio import read_wav
from tinyml_lab.chapters.wake_word.capture import capture_audio, next_clip_path
from tinyml_lab.cli import main
from tinyml_lab.core.serial_capture import SerialCaptureError


def audio_block(samples: np.ndarray, rate: int = 16000, damage: bool = False) -> bytes:
    data = samples.astype("<i2").tobytes()
    crc = zlib.crc32(data)
    if damage:
        data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
    return f"AUDIO {rate} {len(samples)} {crc:08x}\r\n".encode() + data + b"\r\nEND\r\n"


def frame_block(frame: np.ndarray) -> bytes:
    data = camera.frame_to_bytes(frame)
    return (f"FRAME 176 144 RGB565 {zlib.crc32(data):08x}\r\n".encode() + data
            + b"\r\nEND\r\n")


def word(n: int, loudness: float, seed: int = 0) -> np.ndarray:
    """A noisy burst in the middle of the clip, at `loudness` of full scale."""
    rng = np.random.default_rng(seed)
    envelope = np.exp(-(((np.arange(n) - n / 2) / (n / 6)) ** 2))
    return np.clip(rng.normal(0, 1, n) * envelope * loudness * 32767, -32768, 32767).astype(
        np.int16)


class FakeBoard:
    """Answers capture commands from a script of replies: each `record`/`frame` command takes
    the next block in `blocks`; `gain N` answers as the sketch does."""

    def __init__(self, blocks, greeting=b"audio_capture ready; 16000 Hz, gain 20\r\n"):
        self.blocks, self.out, self.commands = list(blocks), greeting, []

    def write(self, data: bytes) -> None:
        for line in data.decode().splitlines():
            self.commands.append(line)
            if line.startswith("gain "):
                self.out += f"{line}\r\n".encode()
            elif line.startswith("record"):
                self.out += f"recording {line.split()[1]} ms\r\n".encode() + self.blocks.pop(0)
            elif line == "frame":
                self.out += self.blocks.pop(0)

    def read(self, n: int) -> bytes:
        chunk, self.out = self.out[:n], self.out[n:]
        return chunk


def test_audio_clips_are_checked_then_saved_where_load_folder_reads_them(tmp_path):
    n = 16000
    board = FakeBoard([audio_block(word(n, 0.3, 1)), audio_block(word(n, 0.002, 2)),
                       audio_block(np.full(n, 32767, np.int16)), audio_block(word(n, 0.25, 3))])
    said = []
    result = capture_audio(board, tmp_path, "yes", "alice", count=2, gain=35, pause_s=0,
                           echo=said.append, timeout_s=0.5)
    assert board.commands == ["gain 35"] + ["record 1000"] * 4
    assert [p.name for p in result.saved] == ["alice_nohash_0.wav", "alice_nohash_1.wav"]
    assert result.skipped == 2
    text = "\n".join(said)
    assert "too quiet" in text and "clipped" in text and "[2/2] now: say 'yes'" in text
    assert np.array_equal(read_wav(result.saved[1]).samples, word(n, 0.25, 3))
    assert next_clip_path(tmp_path / "yes", "alice").name == "alice_nohash_2.wav"


def test_silence_clips_may_be_quiet(tmp_path):
    board = FakeBoard([audio_block(word(16000, 0.001))])
    result = capture_audio(board, tmp_path, "silence", "room", count=1, pause_s=0,
                           echo=lambda _: None, timeout_s=0.5)
    assert len(result.saved) == 1


@pytest.mark.parametrize("block, problem", [
    (audio_block(word(16000, 0.3), damage=True), "arrived damaged"),
    (audio_block(word(8000, 0.3), rate=8000), "asked for 16000 at 16000 Hz"),
    (frame_block(np.zeros((144, 176), np.uint16)), "Expected a AUDIO block"),
    (b"error: could not start the PDM microphone\r\n", "could not start the PDM"),
    (b"", "sent nothing for 0.2 s"),
])
def test_a_bad_or_missing_recording_is_an_error_with_the_reason(tmp_path, block, problem):
    with pytest.raises(SerialCaptureError, match=problem):
        capture_audio(FakeBoard([block]), tmp_path, "yes", "bob", count=1, pause_s=0,
                      echo=lambda _: None, timeout_s=0.2)
    assert not list((tmp_path / "yes").glob("*.wav"))  # nothing half-saved


@pytest.mark.parametrize("kwargs, problem", [
    (dict(label="Yes!"), "not usable in a file name"), (dict(count=0), "at least 1"),
    (dict(clip_ms=5000), "100..2000"), (dict(gain=99), "0..80")])
def test_audio_options_are_checked_before_recording(tmp_path, kwargs, problem):
    args = dict(label="yes", speaker="bob") | kwargs
    with pytest.raises(SerialCaptureError, match=problem):
        capture_audio(FakeBoard([]), tmp_path, pause_s=0, echo=lambda _: None, **args)


def photo() -> np.ndarray:
    rng = np.random.default_rng(4)
    return camera.rgb565(rng.integers(0, 256, (144, 176, 3), dtype=np.uint8))


def test_camera_frames_become_pngs_the_camera_path_reads_back_exactly(tmp_path):
    frame = photo()
    flat = np.full((144, 176), camera.rgb565(np.array([9, 9, 9], np.uint8)), np.uint16)
    board = FakeBoard([frame_block(frame), frame_block(flat), frame_block(frame)], b"")
    said = []
    result = capture_camera(board, tmp_path, "person", count=2, interval_s=0,
                            echo=said.append, timeout_s=0.5)
    assert [p.name for p in result.saved] == ["person_0001.png", "person_0002.png"]
    assert result.skipped == 1 and any("one flat colour" in s for s in said)
    assert sum(len(s) == 48 and s.startswith("    ") for s in said) == 2 * 18  # previews
    from PIL import Image

    from tinyml_lab.chapters.person_detection.images import read_image

    assert Image.open(result.saved[0]).size == (176, 144)
    assert np.array_equal(camera.image_to_frame(read_image(result.saved[0])), frame)
    assert np.array_equal(load_image_96(result.saved[0]), camera.gray96(frame))


def test_a_label_the_notebook_ignores_is_said(tmp_path):
    said = []
    capture_camera(FakeBoard([frame_block(photo())], b""), tmp_path, "cat", count=1,
                   interval_s=0, preview=False, echo=said.append, timeout_s=0.5)
    assert any("will be ignored" in s for s in said)


def _board_on_a_pty(replies):
    """A thread playing audio_capture on the board side of a pseudo-terminal."""
    master, slave = os.openpty()
    os.set_blocking(master, False)
    stop = threading.Event()
    board = FakeBoard(replies)

    def serve():
        while not stop.is_set():
            try:
                data = os.read(master, 1024)
                board.write(data)
            except BlockingIOError:
                pass
            out = board.read(1024)
            while out and not stop.is_set():
                try:
                    out = out[os.write(master, out):]
                except BlockingIOError:
                    time.sleep(0.01)
            time.sleep(0.01)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return master, slave, stop, thread


def test_cli_records_keyword_clips_from_a_pseudo_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("tinyml_lab.chapters.wake_word.capture.time.sleep", lambda _: None)
    master, slave, stop, thread = _board_on_a_pty(
        [audio_block(word(16000, 0.3, k)) for k in range(2)])
    try:
        code = main(["capture", "audio", "--port", os.ttyname(slave), "--label", "no",
                     "--speaker", "carol", "--count", "2", "--out", str(tmp_path / "kw")])
    finally:
        stop.set()
        thread.join(timeout=5)
        os.close(master)
        os.close(slave)
    assert code == 0
    printed = capsys.readouterr().out
    assert "2 clip(s) saved in" in printed and "data_source" in printed
    assert sorted(p.name for p in (tmp_path / "kw" / "no").iterdir()) == [
        "carol_nohash_0.wav", "carol_nohash_1.wav"]


def test_cli_capture_says_what_is_missing(capsys, tmp_path):
    assert main(["capture", "audio", "--port", "loop://", "--label", "yes"]) == 2
    assert "capture audio needs --speaker" in capsys.readouterr().err
    assert main(["capture", "camera", "--port", str(tmp_path / "nope"), "--label",
                 "person"]) == 2
    err = capsys.readouterr().err
    assert "Cannot open serial port" in err and "camera_capture" in err
    assert main(["capture", "--port", "loop://"]) == 2  # the gesture form, as before
    assert "capture imu needs --gesture" in capsys.readouterr().err
