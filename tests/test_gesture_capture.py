"""`python -m tinyml_lab capture` without a board: pyserial's loop:// URL and a
pseudo-terminal stand in for the USB serial port of a board running imu_capture."""

import os
import threading
import time

import numpy as np
import pytest

from tinyml_lab.chapters.gesture.capture import (
    GestureCollector,
    SerialCaptureError,
    capture,
    open_port,
)
from tinyml_lab.chapters.gesture.data import (
    format_block,
    format_sample,
    read_recordings,
    write_recordings,
)
from tinyml_lab.cli import main


def gestures(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (n, 119, 6))
    x[..., 3:] *= 250
    return np.round(x, 3).astype(np.float32)


def board_output(blocks, extra_first=""):
    """What imu_capture prints: the header, then each gesture and a blank line."""
    return (extra_first + "aX,aY,aZ,gX,gY,gZ\r\n"
            + "".join(format_block(b).replace("\n", "\r\n") for b in blocks)).encode()


def play_in_background(port, data: bytes) -> threading.Thread:
    """Write what the board prints into a loop:// port while capture reads it (the loop's
    buffer holds only 4 KiB; a write that cannot finish times out once capture stops)."""
    port.write_timeout = 1.0

    def board():
        try:
            for start in range(0, len(data), 512):
                port.write(data[start : start + 512])
        except Exception:  # capture stopped reading: the rest is not needed
            pass

    thread = threading.Thread(target=board, daemon=True)
    thread.start()
    return thread


def test_collector_keeps_whole_gestures_and_explains_the_rest():
    collector = GestureCollector()
    good = gestures(2)
    lines = (["IMU ready", "aX,aY,aZ,gX,gY,gZ"]
             + [format_sample(s) for s in good[0][:50]]  # cut short by a restart
             + ["aX,aY,aZ,gX,gY,gZ"]
             + [format_sample(s) for s in good[0]] + [""]
             + [format_sample(s) for s in good[1][:30]] + ["nan,0,0,0,0,0"]
             + [format_sample(s) for s in good[1][31:]] + [""]
             + [format_sample(s) for s in good[1][:10]] + [""]
             + [format_sample(s) for s in good[1]] + [""])
    events = [e for e in (collector.feed(line) for line in lines) if e is not None]
    kinds = [e[0] for e in events]
    assert kinds == ["message", "header", "skipped", "gesture", "skipped", "skipped",
                     "gesture"]
    assert "50 samples; the board restarted" in events[2][1]
    assert "bad sample" in events[4][1]  # the rest of that gesture is dropped quietly
    assert "10 of 119" in events[5][1]
    assert np.array_equal(events[3][1], good[0]) and np.array_equal(events[6][1], good[1])


def test_capture_from_pyserial_loop_appends_whole_gestures_with_a_live_count(tmp_path):
    port = open_port("loop://")
    blocks = gestures(3)
    board = play_in_background(
        port, board_output(blocks, extra_first="13 gestures to go\r\n")[:-500])  # 3rd cut off
    out = tmp_path / "punch.csv"
    write_recordings(out, gestures(1, seed=9))  # one from an earlier session
    said = []
    result = capture(port, out, "punch", seconds=2.0, echo=said.append)
    board.join(timeout=5)
    port.close()
    assert (result.new, result.total) == (2, 3)
    assert np.array_equal(read_recordings(out)[1:], blocks[:2])
    assert "punch: 2 in punch.csv (1 new)" in said and "punch: 3 in punch.csv (2 new)" in said
    assert "board: 13 gestures to go" in said


def test_capture_stops_after_count(tmp_path):
    port = open_port("loop://")
    board = play_in_background(port, board_output(gestures(4)))
    result = capture(port, tmp_path / "wave.csv", "wave", count=2, seconds=30,
                     echo=lambda _: None)
    board.join(timeout=5)
    port.close()
    assert result.new == 2 and len(read_recordings(tmp_path / "wave.csv")) == 2


def test_capture_refuses_a_wrong_name_a_broken_file_and_a_missing_port(tmp_path):
    with pytest.raises(SerialCaptureError, match="file named flex.csv"):
        capture(None, tmp_path / "punch.csv", "flex")
    (tmp_path / "flex.csv").write_text("aX,aY,aZ,gX,gY,gZ\n1,2,3\n")
    with pytest.raises(SerialCaptureError, match="Not appending to a broken"):
        capture(None, tmp_path / "flex.csv", "flex")
    write_recordings(tmp_path / "flex.csv", np.zeros((2, 119, 6)))
    (tmp_path / "flex.csv").write_text((tmp_path / "flex.csv").read_text() + "1,2,3\n")
    with pytest.raises(SerialCaptureError, match="broken .*line 242: 3 values"):
        capture(None, tmp_path / "flex.csv", "flex")
    with pytest.raises(SerialCaptureError, match="Cannot open serial port .*Serial Monitor"):
        open_port(str(tmp_path / "no-such-port"))


def test_cli_captures_from_a_pseudo_terminal(tmp_path, capsys):
    """The real command on a real tty device: the board's side of a pty plays imu_capture,
    repeating its output until the command has what it asked for."""
    master, slave = os.openpty()
    os.set_blocking(master, False)
    data = board_output(gestures(3, seed=4))
    stop = threading.Event()

    def board():
        while not stop.is_set():
            view = memoryview(data)
            while view and not stop.is_set():
                try:
                    view = view[os.write(master, view[:1024]):]
                except BlockingIOError:
                    time.sleep(0.01)
            time.sleep(0.2)

    thread = threading.Thread(target=board, daemon=True)
    thread.start()
    out = tmp_path / "flex.csv"
    try:
        code = main(["capture", "--port", os.ttyname(slave), "--gesture", "flex",
                     "--out", str(out), "--count", "2", "--seconds", "60"])
    finally:
        stop.set()
        thread.join(timeout=5)
        os.close(master)
        os.close(slave)
    assert code == 0
    printed = capsys.readouterr().out
    assert "2 new flex gesture(s); 2 in" in printed
    recorded = read_recordings(out)
    sent = gestures(3, seed=4)
    assert len(recorded) == 2
    for block in recorded:
        assert any(np.array_equal(block, s) for s in sent)


def test_cli_capture_errors_are_clear(tmp_path, capsys):
    assert main(["capture", "--port", "loop://", "--gesture", "Punch!",
                 "--out", str(tmp_path / "x.csv")]) == 2
    assert "not usable as a class label" in capsys.readouterr().err
    assert main(["capture", "--port", str(tmp_path / "ttyNONE"), "--gesture", "punch",
                 "--out", str(tmp_path / "punch.csv")]) == 2
    assert "Cannot open serial port" in capsys.readouterr().err
