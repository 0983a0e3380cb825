"""The synthetic IMU generator: physics that holds (gravity follows the orientation, the gyro
agrees with the orientation change), sensor limits, people who differ, determinism."""

import dataclasses

import numpy as np
import pytest

from tinyml_lab.chapters.gesture import synthetic as synth
from tinyml_lab.chapters.gesture.data import load_recordings, read_recordings
from tinyml_lab.chapters.gesture.features import capture_windows
from tinyml_lab.core.errors import TinyMLError


def test_a_resting_board_measures_gravity_in_its_own_axes():
    R = np.repeat(synth.random_rotation(np.random.default_rng(0))[None], 50, axis=0)
    P = np.zeros((50, 3))
    f = synth.specific_force(P, R, 0.01)
    assert np.allclose(f, R[0].T @ np.array([0, 0, 1.0]))
    assert np.allclose(synth.angular_velocity(R, 0.01), 0)


def test_linear_acceleration_adds_to_gravity():
    t = np.arange(0, 1, 0.001)
    P = 0.5 * 2 * synth.G * t[:, None] ** 2 * np.array([1.0, 0, 0])  # 2 g forwards
    R = np.repeat(np.eye(3)[None], len(t), axis=0)
    f = synth.specific_force(P, R, 0.001)
    assert np.allclose(f[5:-5], [2.0, 0.0, 1.0], atol=1e-6)


def test_gyro_of_a_known_rotation_and_integration_back_to_the_path():
    dt = 0.001
    t = np.arange(0, 1, dt)
    R = synth.rot_z(2.0 * t)  # 2 rad/s about the vertical
    w = synth.angular_velocity(R, dt)
    assert np.allclose(w[1:-1], [0, 0, 2.0], atol=1e-5)
    # an arbitrary smooth path: integrating the body rates rebuilds the orientation
    R = synth.forearm_frame(1.2 * synth.min_jerk(t), 0.5 * np.sin(3 * t), 2.0 * t ** 2)
    w = synth.angular_velocity(R, dt)
    rebuilt = R[0].copy()
    for k in range(len(t) - 1):
        rebuilt = rebuilt @ synth.rotation_from_vector(0.5 * (w[k] + w[k + 1]) * dt)
    assert np.abs(rebuilt - R[-1]).max() < 2e-3


def test_smooth_moves_start_and_end_at_rest():
    x = np.linspace(0, 1, 10001)
    for rise, fall in [(2, 2), (2, 5), (4, 2)]:
        s = synth.smooth_move(x, rise, fall)
        assert s[0] == 0 and s[-1] == pytest.approx(1)
        v = np.gradient(s, x)
        assert abs(v[0]) < 1e-3 and abs(v[-1]) < 1e-3 and np.all(v > -1e-9)
    assert np.allclose(synth.min_jerk(x), 10 * x**3 - 15 * x**4 + 6 * x**5)


def quiet(person):
    """The same person with a perfect board: no bias, gain error or noise, right-handed."""
    board = dataclasses.replace(person.board, accel_bias=np.zeros(3), gyro_bias=np.zeros(3),
                                accel_gain=np.ones(3), gyro_gain=np.ones(3), accel_noise=0.0,
                                gyro_noise=0.0, mirrored_axes=False)
    return dataclasses.replace(person, board=board)


@pytest.mark.parametrize("gesture", synth.GESTURES)
def test_the_gyro_explains_how_gravity_turned(gesture):
    """Integrate the 119 Hz gyro over the stream: the rotation it gives must carry gravity as
    measured before the gesture onto gravity as measured after it (to a few degrees, the
    cost of integrating filtered 119 Hz samples; it measures about half a degree)."""
    person = quiet(synth.make_person(5, 2))
    stream, rate = synth.simulate_stream(gesture, person, np.random.default_rng(1))
    accel, gyro = stream[:, :3].astype(np.float64), np.radians(stream[:, 3:].astype(np.float64))
    start, end = accel[:10].mean(0), accel[-10:].mean(0)
    R = np.eye(3)
    for k in range(5, len(stream) - 5):
        R = R @ synth.rotation_from_vector(0.5 * (gyro[k] + gyro[k + 1]) / rate)
    predicted = R.T @ start
    cos = predicted @ end / np.linalg.norm(predicted) / np.linalg.norm(end)
    turned = np.degrees(np.arccos(np.clip(start @ end / np.linalg.norm(start) /
                                          np.linalg.norm(end), -1, 1)))
    assert np.degrees(np.arccos(min(cos, 1.0))) < 1.5, f"gravity turned {turned:.0f} deg"
    if gesture == "flex":
        assert turned > 30  # the forearm came up: gravity really turned in the board's axes
    assert np.linalg.norm(start) == pytest.approx(1.0, abs=0.02)  # at rest: 1 g


def test_sensor_limits_noise_and_quantization():
    people = synth.make_people(12, seed=3)
    saturated = 0
    for k, person in enumerate(people):
        stream, _ = synth.simulate_stream("punch", person, np.random.default_rng(k), 1.5)
        assert np.all(np.abs(stream[:, :3]) <= synth.ACCEL_RANGE_G)
        assert np.all(np.abs(stream[:, 3:]) <= synth.GYRO_RANGE_DPS)
        saturated += np.any(np.abs(stream[:, :3]) >= synth.ACCEL_RANGE_G - synth.ACCEL_LSB)
        steps = stream[:, 3] / np.float32(synth.GYRO_LSB)
        assert np.allclose(steps, np.round(steps), atol=1e-2)  # 16-bit samples
        assert np.std(np.diff(stream[:10, 0])) > 0  # noise: no two rest samples alike
    assert saturated > 0  # hard punches clip at the accelerometer's +-4 g


def test_a_rev2_board_through_its_library_swaps_and_negates_x_and_y():
    person = synth.make_person(0, 0)
    plain = dataclasses.replace(person, board=dataclasses.replace(person.board,
                                                                  mirrored_axes=False))
    mirrored = dataclasses.replace(person, board=dataclasses.replace(person.board,
                                                                     mirrored_axes=True))
    a, _ = synth.simulate_stream("flex", plain, np.random.default_rng(4))
    b, _ = synth.simulate_stream("flex", mirrored, np.random.default_rng(4))
    for part in (0, 3):
        assert np.array_equal(b[:, part], -a[:, part + 1])
        assert np.array_equal(b[:, part + 1], -a[:, part])
        assert np.array_equal(b[:, part + 2], a[:, part + 2])


def test_people_differ_and_stay_the_same_person():
    crowd = synth.make_people(30, seed=0)
    assert len({round(p.speed, 6) for p in crowd}) == 30
    assert len({p.board.kind for p in crowd}) == 3
    assert any(p.left_handed for p in crowd) and not all(p.left_handed for p in crowd)
    grips_up = [p.grip.T @ [0, 0, 1] for p in crowd]  # where "up" is in each board's axes
    assert np.std(grips_up, axis=0).min() > 0.3
    later = synth.make_people(5, seed=0, first=10)
    assert later[0].name == crowd[10].name and later[0].speed == crowd[10].speed


def test_each_recording_is_what_the_capture_trigger_cuts():
    person = synth.make_person(2, 1)
    person = dataclasses.replace(person, board=dataclasses.replace(
        person.board, pre_trigger_s=0.0, threshold_g=2.5))
    window, attempts = synth.record_gesture("punch", person, np.random.default_rng(9))
    stream, _ = synth.simulate_stream("punch", person, np.random.default_rng(9),
                                      1.05 ** (attempts - 1))
    if attempts == 1:
        _, windows = capture_windows(stream)
        assert np.array_equal(windows[0], window)
    assert window.shape == (119, 6)


def test_written_dataset_is_deterministic_and_loads(tmp_path):
    a = synth.write_synthetic_recordings(tmp_path / "a", people=3, repetitions=2, seed=4)
    synth.write_synthetic_recordings(tmp_path / "b", people=3, repetitions=2, seed=4)
    for name in ("person_001/flex.csv", "person_002/circle.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert a.recordings == 24 and 0 < a.trigger_rate <= 1
    data = load_recordings(tmp_path / "a", labels=synth.GESTURES)
    assert data.counts() == {g: 6 for g in synth.GESTURES}
    assert data.person_names == ["person_000", "person_001", "person_002"]
    # person 2 is the same person when generated alone
    synth.write_synthetic_recordings(tmp_path / "c", people=1, repetitions=2, seed=4,
                                     first_person=2)
    assert np.array_equal(read_recordings(tmp_path / "c/person_002/wave.csv"),
                          read_recordings(tmp_path / "a/person_002/wave.csv"))
    other = synth.write_synthetic_recordings(tmp_path / "d", people=1, repetitions=2, seed=5)
    assert not np.array_equal(read_recordings(other.root / "person_000/punch.csv"),
                              read_recordings(tmp_path / "a/person_000/punch.csv"))


def test_unknown_gestures_and_empty_requests_are_refused(tmp_path):
    with pytest.raises(TinyMLError, match="No simulated gesture 'kick'"):
        synth.write_synthetic_recordings(tmp_path, 1, 1, gestures=("punch", "kick"))
    with pytest.raises(TinyMLError, match="at least one person"):
        synth.write_synthetic_recordings(tmp_path, 0, 1)


def test_a_whipped_flex_opens_the_window_at_full_speed():
    """Some real flexes are flicked up and stopped dead: the capture triggers at the stop, so
    the window starts at the peak angular speed. The same people flexing gently almost never
    give such a window."""
    opens_fast = {}
    for whip in (False, True):
        ratios = []
        for i, person in enumerate(synth.make_people(12, seed=5)):
            person = dataclasses.replace(person, flex_whip=whip)
            for rep in range(4):
                window, _ = synth.record_gesture("flex", person, np.random.default_rng([i, rep]))
                speed = np.linalg.norm(window[:, 3:], axis=1)
                ratios.append(speed[:3].max() / speed.max())
        opens_fast[whip] = float(np.mean(np.array(ratios) >= 0.8))
    assert opens_fast[False] <= 0.05 and opens_fast[True] >= 0.15, opens_fast
