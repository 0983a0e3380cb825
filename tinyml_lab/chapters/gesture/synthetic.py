"""Synthetic IMU gestures from simulated people: the gesture chapter's offline data.

Each recording is simulated the way a board strapped in a hand would measure it:

1. Motion. A gesture is a path of the hand (position, metres) and of its orientation, built
   from the forearm: elevation, azimuth and roll angles about the elbow, with smooth
   minimum-jerk moves (punch: a thrust forward and back, with the fist turning; flex: the
   forearm swinging up about the elbow and down, or for some people the hand flicked up
   about the wrist and stopped dead, so that the capture can trigger at full speed; wave: the
   raised forearm rocking side to side; circle: the hand drawing a loop while the forearm
   follows it). Hand tremor (8-12 Hz) and slow sway ride on top, and before and after the
   gesture the hand rests.
2. Physics. The accelerometer measures specific force, the hand's acceleration minus
   gravity, in the board's own axes: f = R^T (p'' / g + z). Gravity therefore turns in the
   board frame exactly as the board turns. The gyroscope measures the board's angular
   velocity in its own axes, from the same orientation path: omega = vee(R^T R').
3. The board. It sits in the hand at the person's grip (any orientation), the person is
   right- or left-handed (mirrored motion), and the sensor low-pass filters (16 Hz gyro,
   50 Hz accelerometer), adds bias, gain error and noise, quantizes to 16 bits and saturates
   at its full scale (+-4 g, +-2000 deg/s). Some boards are Rev2 boards read through
   Arduino_BMI270_BMM150 as it is, at 100 Hz and with the library's mirrored axes.
4. Capture. The stream goes through the capture sketch's trigger (|aX|+|aY|+|aZ| >= 2.5 g,
   window = the next 119 samples); some capture setups trigger lower or higher, or start early.

People differ in speed, amplitude, posture, grip, handedness and their board; person k of a
seed is the same person whatever else is generated, so people held out for testing are
never seen in training. Everything is deterministic by seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.chapters.gesture.data import SAMPLES_PER_GESTURE, write_recordings
from tinyml_lab.chapters.gesture.features import ACCEL_RANGE_G, GYRO_RANGE_DPS, MOTION_THRESHOLD_G
from tinyml_lab.core.errors import TinyMLError

GESTURES = ("punch", "flex", "wave", "circle")
SOURCE = ("generated: simulated people and boards (tinyml_lab.chapters.gesture.synthetic), "
          "written in the IMU_Capture CSV format")
G = 9.80665  # m/s^2 per g
OVERSAMPLE = 4  # the motion is simulated this many times faster than the sensor samples it
ACCEL_LSB = ACCEL_RANGE_G / 32768.0
GYRO_LSB = GYRO_RANGE_DPS / 32768.0
MAX_ATTEMPTS = 40  # a gesture too gentle to trigger is done again, a little faster


# ---------------------------------------------------------------- rotations (vectorised)


def _axis_rotation(axis: int, angle) -> np.ndarray:
    angle = np.asarray(angle, dtype=np.float64)
    c, s = np.cos(angle), np.sin(angle)
    R = np.zeros(angle.shape + (3, 3))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    R[..., axis, axis] = 1.0
    R[..., i, i] = c
    R[..., j, j] = c
    R[..., i, j] = -s
    R[..., j, i] = s
    return R


def rot_x(angle):
    return _axis_rotation(0, angle)


def rot_y(angle):
    return _axis_rotation(1, angle)


def rot_z(angle):
    return _axis_rotation(2, angle)


def rotation_from_vector(v) -> np.ndarray:
    """Rotation matrices from rotation vectors (axis * angle, radians), shape (..., 3)."""
    v = np.asarray(v, dtype=np.float64)
    theta = np.linalg.norm(v, axis=-1)[..., None, None]
    K = np.zeros(v.shape[:-1] + (3, 3))
    K[..., 0, 1], K[..., 0, 2], K[..., 1, 2] = -v[..., 2], v[..., 1], -v[..., 0]
    K[..., 1, 0], K[..., 2, 0], K[..., 2, 1] = v[..., 2], -v[..., 1], v[..., 0]
    small = theta < 1e-9
    safe = np.where(small, 1.0, theta)
    a = np.where(small, 1.0, np.sin(safe) / safe)
    b = np.where(small, 0.5, (1.0 - np.cos(safe)) / safe**2)
    return np.eye(3) + a * K + b * (K @ K)


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """A rotation drawn uniformly from all orientations (unit quaternion, normal draw)."""
    w, x, y, z = rng.standard_normal(4)
    n = np.sqrt(w * w + x * x + y * y + z * z)
    w, x, y, z = w / n, x / n, y / n, z / n
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
        [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
        [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
    ])


def forearm_frame(elevation, azimuth, roll) -> np.ndarray:
    """Hand frame with x along the forearm: turned up by elevation, round by azimuth (about
    the vertical), and rolled about its own axis (pronation / supination)."""
    return rot_z(azimuth) @ rot_y(-np.asarray(elevation)) @ rot_x(roll)


def smooth_move(x, rise: int = 2, fall: int = 2) -> np.ndarray:
    """0 -> 1 as x goes 0 -> 1, with zero velocity and acceleration at both ends. The speed
    follows x^rise (1-x)^fall: rise = fall = 2 is the minimum-jerk move of reaching arms
    (Flash & Hogan 1985); fall > rise is an explosive start and a longer braking, as in a
    punch. Closed form: the regularized incomplete beta function I_x(rise+1, fall+1)."""
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    n = rise + fall + 1
    return sum(math.comb(n, j) * x**j * (1 - x) ** (n - j) for j in range(rise + 1, n + 1))


def min_jerk(x) -> np.ndarray:
    return smooth_move(x, 2, 2)


def go_and_return(t, t_go, t_hold, t_back, back_fraction=1.0, rise: int = 2,
                  fall: int = 2) -> np.ndarray:
    """0 -> 1 in t_go, hold, then back towards 0 (by back_fraction) in t_back."""
    out = smooth_move(t / t_go, rise, fall)
    back = min_jerk((t - t_go - t_hold) / t_back)
    return out - back_fraction * back


def angular_velocity(R: np.ndarray, dt: float) -> np.ndarray:
    """Body-frame angular velocity (rad/s) of a sampled orientation path R (n, 3, 3)."""
    dR = np.gradient(R, dt, axis=0)
    W = np.swapaxes(R, -1, -2) @ dR  # R^T R' is skew-symmetric for a rotation path
    return 0.5 * np.stack([W[:, 2, 1] - W[:, 1, 2], W[:, 0, 2] - W[:, 2, 0],
                           W[:, 1, 0] - W[:, 0, 1]], axis=-1)


def specific_force(P: np.ndarray, R: np.ndarray, dt: float) -> np.ndarray:
    """What an accelerometer on the path measures, in g, in its own axes (n, 3)."""
    acc = np.gradient(np.gradient(P, dt, axis=0), dt, axis=0) / G
    acc[:, 2] += 1.0  # at rest the accelerometer reads +1 g upwards
    return np.einsum("nji,nj->ni", R, acc)


# ---------------------------------------------------------------- people and their boards


@dataclass(frozen=True)
class Board:
    """The sensor a person records with, and how their capture sketch cuts windows."""

    kind: str
    rate_hz: float
    mirrored_axes: bool  # Rev2 through Arduino_BMI270_BMM150 as is: x = -y, y = -x
    accel_bias: np.ndarray  # g
    gyro_bias: np.ndarray  # deg/s
    accel_gain: np.ndarray
    gyro_gain: np.ndarray
    accel_noise: float  # g rms
    gyro_noise: float  # deg/s rms
    threshold_g: float
    pre_trigger_s: float


@dataclass(frozen=True)
class Person:
    """A simulated person: how fast and big they move, how they stand and hold the board."""

    name: str
    speed: float
    amplitude: float
    left_handed: bool
    grip: np.ndarray  # board axes in the hand frame
    forearm_m: float
    elevation_offset: float  # radians: some hold the arm higher than others
    twist: float  # radians of fist roll in a punch
    punch_style: str  # "jab" (arm straight out) or "cross" (the shoulders turn with it)
    guard: bool  # punches from a boxer's guard: fist up at the chin, forearm nearly upright
    flex_style: str  # "curl" (forearm forward) or "pose" (forearm out to the side)
    flex_tense: bool  # ends the flex with a hard stop rather than slowing gently
    wave_style: str  # "elbow" or "wrist"
    circle_plane: str  # "wall", "table" or "tilted"
    circle_direction: int
    tremor_rad: float
    board: Board
    # flexes by flicking the hand up, faster and faster, and stopping it dead, so that the
    # capture can trigger at the stop and the window open at full angular speed, as in some
    # real recordings (the gyro peaks in the window's first sample). It does for about a
    # quarter of these flexes; the rest trigger earlier, on the way up.
    flex_whip: bool = False


def make_board(rng: np.random.Generator) -> Board:
    kind = rng.choice(["rev1", "rev2_wrapper", "rev2_library"], p=[0.5, 0.3, 0.2])
    library = kind == "rev2_library"
    return Board(
        kind=str(kind),
        rate_hz=100.0 if library else 119.0,
        mirrored_axes=library,
        accel_bias=rng.normal(0.0, 0.02, 3),
        gyro_bias=rng.normal(0.0, 2.5, 3),
        accel_gain=1.0 + rng.normal(0.0, 0.01, 3),
        gyro_gain=1.0 + rng.normal(0.0, 0.01, 3),
        accel_noise=float(rng.uniform(0.002, 0.006)),
        gyro_noise=float(rng.uniform(0.1, 0.4)),
        threshold_g=float(MOTION_THRESHOLD_G if rng.random() < 0.7 else rng.uniform(1.9, 3.2)),
        pre_trigger_s=float(0.0 if rng.random() < 0.7 else rng.uniform(0.05, 0.45)),
    )


def make_person(seed: int, index: int) -> Person:
    """Person `index` of a population: the same person for the same (seed, index)."""
    rng = np.random.default_rng([seed, index, 7919])
    return Person(
        name=f"person_{index:03d}",
        speed=float(np.exp(rng.normal(0.0, 0.15))),
        amplitude=float(np.exp(rng.normal(0.0, 0.15))),
        left_handed=bool(rng.random() < 0.12),
        grip=random_rotation(rng),
        forearm_m=float(rng.uniform(0.24, 0.32)),
        elevation_offset=float(np.radians(rng.normal(0.0, 8.0))),
        twist=float(np.radians(rng.uniform(0.0, 60.0))),
        punch_style=str(rng.choice(["jab", "cross"])),
        guard=bool(rng.random() < 0.35),
        flex_style=str(rng.choice(["curl", "pose"], p=[0.7, 0.3])),
        flex_tense=bool(rng.random() < 0.3),
        wave_style=str(rng.choice(["elbow", "wrist"], p=[0.7, 0.3])),
        circle_plane=str(rng.choice(["wall", "table", "tilted"], p=[0.6, 0.2, 0.2])),
        circle_direction=int(rng.choice([-1, 1])),
        tremor_rad=float(np.radians(rng.uniform(0.02, 0.1))),
        board=make_board(rng),
        flex_whip=bool(rng.random() < 0.3),
    )


def make_people(count: int, seed: int = 0, first: int = 0) -> list[Person]:
    return [make_person(seed, i) for i in range(first, first + count)]


# ---------------------------------------------------------------- gestures: hand paths


def _u(rng, lo, hi):
    return float(rng.uniform(lo, hi))


def _punch(rng, p: Person, t, s_speed):
    t_go, t_hold, t_back = (_u(rng, 0.2, 0.35) / s_speed, _u(rng, 0.0, 0.06),
                            _u(rng, 0.25, 0.5) / s_speed)
    # a short reach (the board hangs on its USB cable) that speeds up and stops hard, as the
    # arm locks: the braking is the strongest acceleration of a punch
    s = go_and_return(t, t_go, t_hold, t_back, _u(rng, 0.3, 1.0), int(rng.integers(3, 6)))
    # the shoulders turn into the punch: the fist moves on an arc round the body, from the
    # side towards the middle (a jab turns a little, a cross or a hook a lot)
    turn = np.radians(_u(rng, 5, 25) if p.punch_style == "jab" else _u(rng, 20, 50))
    windup = np.zeros_like(t)
    if rng.random() < 0.5:  # a wind-up: fist and shoulders draw back, then go
        t_wind = _u(rng, 0.15, 0.35) / s_speed
        windup = _u(rng, 0.3, 1.0) * (min_jerk((t + t_wind) / t_wind) - min_jerk(t / t_go))
    azim = np.radians(_u(rng, -45, -10)) + turn * s - np.radians(_u(rng, 5, 25)) * windup
    up = np.radians(_u(rng, -10, 20)) * s
    radius = (_u(rng, 0.2, 0.3) + _u(rng, 0.05, 0.15) * p.amplitude * s
              - _u(rng, 0.02, 0.06) * windup)
    P = radius[:, None] * np.stack([np.cos(up) * np.cos(azim), np.cos(up) * np.sin(azim),
                                    np.sin(up)], axis=1)
    elev = np.radians(_u(rng, 40, 75) if p.guard else _u(rng, 5, 40)) + p.elevation_offset
    elev_end = np.radians(_u(rng, -10, 15)) + p.elevation_offset
    R = forearm_frame(elev + (elev_end - elev) * s, azim + np.radians(_u(rng, -20, 20)),
                      np.radians(_u(rng, -20, 20)) + p.twist * s)
    return P, R, t_go + t_hold + t_back


def _flex(rng, p: Person, t, s_speed):
    t_up, t_hold, t_down = (_u(rng, 0.3, 0.6) / s_speed, _u(rng, 0.0, 0.15),
                            _u(rng, 0.35, 0.7) / s_speed)
    back = _u(rng, 0.0, 1.0)  # some lower the arm again, some hold the pose
    if p.flex_tense:  # up steadily, then stop hard and tense the muscle
        s = go_and_return(t, t_up, t_hold, t_down, back, int(rng.integers(3, 5)), 2)
    else:  # the forearm is flung up (the strongest acceleration first) and slows gently
        s = go_and_return(t, t_up, t_hold, t_down, back, 2, int(rng.integers(2, 5)))
    elev0 = np.radians(_u(rng, -30, 10)) + p.elevation_offset
    lift = min(np.radians(_u(rng, 20, 95)) * p.amplitude, np.radians(150) - elev0)
    azim = np.radians(_u(rng, -20, 20) if p.flex_style == "curl" else _u(rng, 50, 90))
    if p.flex_whip:  # the forearm hardly lifts: the hand does the turning
        lift *= 0.2
    forearm = forearm_frame(elev0 + lift * s, azim + np.radians(_u(rng, -10, 10)) * s,
                            np.radians(_u(rng, -30, 30)) + np.radians(_u(rng, -10, 60)) * s)
    # the wrist curls too, a little ahead of the forearm: rotation without much reach
    curl = np.radians(_u(rng, 0, 80)) * go_and_return(t, 0.8 * t_up, t_hold, t_down, back)
    if p.flex_whip:  # the hand flicks up about the wrist, faster to the end, and stops dead
        curl = np.radians(_u(rng, 60, 110)) * p.amplitude * go_and_return(
            t, t_up, t_hold, t_down, back, int(rng.integers(3, 7)), 1)
    R = forearm @ rot_y(-curl)
    hand = 0.07  # wrist to the middle of the hand, where the board is
    elbow = s[:, None] * np.array([_u(rng, -0.05, 0.05), 0.0, _u(rng, 0.0, 0.08)])
    P = elbow + (p.forearm_m - hand) * forearm[:, :, 0] + hand * R[:, :, 0]
    return P, R, t_up + t_hold + t_down


def _wave(rng, p: Person, t, s_speed):
    wrist = p.wave_style == "wrist"
    freq = _u(rng, 1.4, 2.6) * s_speed
    cycles = _u(rng, 1.5, 3.5)
    duration = cycles / freq
    ramp = 0.12
    envelope = min_jerk(t / ramp) * (1 - min_jerk((t - duration + ramp) / ramp))
    amp = np.radians(_u(rng, 25, 45) if wrist else _u(rng, 12, 30)) * p.amplitude
    beta = amp * envelope * np.sin(2 * np.pi * freq * np.clip(t, 0, None))
    elev = np.radians(_u(rng, 45, 85)) + p.elevation_offset
    azim = np.radians(_u(rng, -30, 30))
    roll = np.radians(_u(rng, -30, 30))
    R = rot_z(azim) @ rot_x(beta) @ forearm_frame(elev, 0.0, roll)
    pivot = 0.09 if wrist else p.forearm_m  # the hand rocks about the wrist or the elbow
    P = pivot * R[:, :, 0]
    return P, R, duration


def _circle(rng, p: Person, t, s_speed):
    turns = _u(rng, 1.0, 2.2)
    duration = turns / (_u(rng, 0.8, 1.6) * s_speed)
    radius = _u(rng, 0.05, 0.15) * p.amplitude
    phase = p.circle_direction * 2 * np.pi * turns * min_jerk(t / duration)
    if p.circle_plane == "wall":
        e1, e2 = np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])
    elif p.circle_plane == "table":
        e1, e2 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    else:
        tilt = rot_y(np.radians(_u(rng, 20, 70)))
        e1, e2 = tilt @ np.array([0.0, 1.0, 0.0]), tilt @ np.array([0.0, 0.0, 1.0])
    offset = radius * ((np.cos(phase) - 1)[:, None] * e1 + np.sin(phase)[:, None] * e2)
    elev0 = np.radians(_u(rng, -10, 40)) + p.elevation_offset
    azim0 = np.radians(_u(rng, -20, 20))
    hand0 = p.forearm_m * np.array([np.cos(elev0) * np.cos(azim0),
                                    np.cos(elev0) * np.sin(azim0), np.sin(elev0)])
    P = hand0 + offset
    u = P / np.linalg.norm(P, axis=1, keepdims=True)  # the forearm points from the elbow
    wobble = np.radians(_u(rng, 0, 8)) * np.sin(phase + _u(rng, 0, 2 * np.pi))
    R = forearm_frame(np.arcsin(np.clip(u[:, 2], -1, 1)), np.arctan2(u[:, 1], u[:, 0]),
                      np.radians(_u(rng, -30, 30)) + wobble)
    return P - hand0, R, duration


MOTIONS = {"punch": _punch, "flex": _flex, "wave": _wave, "circle": _circle}


def _sway_and_tremor(rng, p: Person, t) -> tuple[np.ndarray, np.ndarray]:
    """Small involuntary motion: slow sway (position and angle) and 8-12 Hz tremor (angle)."""
    angles = np.zeros((len(t), 3))
    position = np.zeros((len(t), 3))
    for axis in range(3):
        for _ in range(2):
            f = rng.uniform(0.2, 1.0)
            angles[:, axis] += np.radians(rng.uniform(0.2, 0.8)) * np.sin(
                2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
            position[:, axis] += rng.uniform(0.001, 0.004) * np.sin(
                2 * np.pi * rng.uniform(0.2, 1.0) * t + rng.uniform(0, 2 * np.pi))
        for _ in range(3):
            angles[:, axis] += p.tremor_rad / 2 * np.sin(
                2 * np.pi * rng.uniform(8.0, 12.0) * t + rng.uniform(0, 2 * np.pi))
    return position, rotation_from_vector(angles)


def _low_pass(x: np.ndarray, cutoff_hz: float, fs: float) -> np.ndarray:
    """Zero-phase Gaussian low-pass (-3 dB at cutoff_hz) along axis 0, edges held."""
    sigma = 0.1325 * fs / cutoff_hz
    half = int(np.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma) ** 2)
    k /= k.sum()
    padded = np.concatenate([np.repeat(x[:1], half, 0), x, np.repeat(x[-1:], half, 0)])
    return np.stack([np.convolve(padded[:, c], k, mode="valid") for c in range(x.shape[1])], 1)


def simulate_stream(gesture: str, person: Person, rng: np.random.Generator,
                    speed_boost: float = 1.0):
    """One gesture from rest, as the board streams it: (samples (n, 6) float32 in g and
    deg/s, sample rate). The rest before lasts 0.3-0.8 s; the stream ends 2.6 s after the
    gesture starts, at rest again unless the gesture is still going (a long wave)."""
    if gesture not in MOTIONS:
        raise TinyMLError(f"No simulated gesture {gesture!r}; known: {', '.join(GESTURES)}.")
    board = person.board
    fs = board.rate_hz * OVERSAMPLE
    dt = 1.0 / fs
    lead = rng.uniform(0.3, 0.8)
    speed = person.speed * speed_boost * np.exp(rng.normal(0.0, 0.08))
    t = np.arange(-lead, 2.6, dt)
    P, R, duration = MOTIONS[gesture](rng, person, t, speed)
    # afterwards the arm relaxes: a slow, small drift of the hand and its angle
    relax = min_jerk((t - duration - rng.uniform(0.0, 0.3)) / rng.uniform(0.4, 1.0))
    P = P + relax[:, None] * rng.normal(0.0, 0.03, 3)
    R = R @ rotation_from_vector(relax[:, None] * rng.normal(0.0, np.radians(8.0), 3))

    sway, tremor = _sway_and_tremor(rng, person, t)
    P = P + sway
    R = R @ tremor
    if person.left_handed:  # the mirror image of the motion, still a real rotation
        S = np.diag([1.0, -1.0, 1.0])
        P = P @ S
        R = S @ R @ S
    grip = person.grip @ rotation_from_vector(rng.normal(0.0, np.radians(6.0), 3))
    R = R @ grip

    accel = _low_pass(specific_force(P, R, dt), 50.0, fs)
    gyro = _low_pass(np.degrees(angular_velocity(R, dt)), 16.0, fs)
    start = int(rng.integers(0, OVERSAMPLE))
    accel, gyro = accel[start::OVERSAMPLE], gyro[start::OVERSAMPLE]
    accel = accel * board.accel_gain + board.accel_bias + rng.normal(0, board.accel_noise,
                                                                      accel.shape)
    gyro = gyro * board.gyro_gain + board.gyro_bias + rng.normal(0, board.gyro_noise,
                                                                 gyro.shape)
    accel = np.clip(np.round(accel / ACCEL_LSB), -32768, 32767) * ACCEL_LSB
    gyro = np.clip(np.round(gyro / GYRO_LSB), -32768, 32767) * GYRO_LSB
    if board.mirrored_axes:
        accel = accel[:, [1, 0, 2]] * np.array([-1.0, -1.0, 1.0])
        gyro = gyro[:, [1, 0, 2]] * np.array([-1.0, -1.0, 1.0])
    return np.concatenate([accel, gyro], axis=1).astype(np.float32), board.rate_hz


def record_gesture(gesture: str, person: Person, rng: np.random.Generator):
    """One captured window (119, 6) as the person's capture setup cuts it, and how many
    attempts it took (a gesture too gentle to trigger is repeated a little faster)."""
    from tinyml_lab.chapters.gesture.features import capture_windows

    board = person.board
    for attempt in range(MAX_ATTEMPTS):
        stream, rate = simulate_stream(gesture, person, rng, 1.05**attempt)
        triggers, windows = capture_windows(stream, board.threshold_g)
        if len(triggers) == 0:
            continue
        start = int(triggers[0]) + 1 - int(round(board.pre_trigger_s * rate))
        start = max(start, 0)
        return stream[start : start + SAMPLES_PER_GESTURE], attempt + 1
    raise TinyMLError(f"{person.name} never triggered the capture with {gesture!r} in "
                      f"{MAX_ATTEMPTS} attempts.")


@dataclass(frozen=True)
class GenerationReport:
    root: Path
    people: tuple[str, ...]
    gestures: tuple[str, ...]
    recordings: int
    attempts: int

    @property
    def trigger_rate(self) -> float:
        """Share of simulated gestures that triggered the capture on the first go."""
        return self.recordings / self.attempts


def write_synthetic_recordings(root: str | Path, people: int, repetitions: int,
                               seed: int = 0, gestures=GESTURES, first_person: int = 0
                               ) -> GenerationReport:
    """root/person_NNN/<gesture>.csv for each simulated person, in the IMU_Capture format."""
    if people < 1 or repetitions < 1:
        raise TinyMLError("Generate at least one person and one repetition per gesture.")
    unknown = [g for g in gestures if g not in MOTIONS]
    if unknown:
        raise TinyMLError(f"No simulated gesture {', '.join(map(repr, unknown))}; known: "
                          f"{', '.join(GESTURES)}.")
    root = Path(root)
    total, attempts = 0, 0
    crowd = make_people(people, seed, first_person)
    for index, person in enumerate(crowd, start=first_person):
        for gesture in gestures:
            blocks = []
            for rep in range(repetitions):
                rng = np.random.default_rng([seed, index, GESTURES.index(gesture), rep])
                block, tries = record_gesture(gesture, person, rng)
                blocks.append(block)
                attempts += tries
            write_recordings(root / person.name / f"{gesture}.csv", blocks)
            total += len(blocks)
    return GenerationReport(root, tuple(p.name for p in crowd), tuple(gestures), total, attempts)
