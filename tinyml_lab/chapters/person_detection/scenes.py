"""Generated visual-wake-word scenes: 96x96 grayscale, person or no person, by seed.

What a person is, here: a head on a neck between two shoulders, a torso, two arms and two
legs with joints, in proportions taken from human figure drawing (a body is about 7.5 heads
tall), in many poses and views, dressed, with hair and (when near enough) a face. Everything
else in the scene is drawn from the same primitives with the same shading: walls, floors,
doors, windows, furniture, plants, lamps, poles, coats on hooks, animals, clocks. So the only
way to tell the classes apart is the arrangement of the parts, which is what should carry
over to real photos. Photometric variation (uneven light, gamma, contrast, blur, noise,
6-bit levels) comes last and is the same for both classes.

The person class needs at least one person whose visible pixels cover 2% of the frame, even
after something in front hides part of them. (Visual Wake Words counts a person whose box
covers 0.5% of a COCO photo; a drawn figure that small shows no parts to learn from.)
"""

from __future__ import annotations

import math

import numpy as np

from tinyml_lab.chapters.person_detection.draw import (
    Canvas,
    blur,
    capsule,
    ellipse,
    fractal_noise,
    grain,
    polygon,
    rect,
    stripes,
)

SIZE = 96
MIN_PERSON_AREA = 0.02  # of the frame; Visual Wake Words counts people from 0.5%, but a
# figure of 2% (about 14 pixels tall) is about the smallest that still shows its parts


# ----------------------------------------------------------------------------- backgrounds

def _indoor(c: Canvas, rng) -> None:
    n = c.size
    horizon = rng.uniform(0.45, 0.85) * n
    wall = rng.uniform(0.2, 0.9)
    c.img[:] = wall + 0.15 * fractal_noise(rng, n, 3) * rng.uniform(0.2, 1.0)
    c.img += np.linspace(rng.uniform(-0.15, 0.15), rng.uniform(-0.15, 0.15), n)[None, :]
    if rng.random() < 0.4:  # wallpaper or blinds
        ys, xs = np.mgrid[0:n, 0:n].astype(np.float32)
        c.img += stripes(rng.uniform(3, 14), rng.choice([0, np.pi / 2]),
                         rng.uniform(0.02, 0.08))(xs, ys)
    floor = np.clip(wall + rng.uniform(-0.5, 0.5), 0.05, 0.95)
    rows = int(horizon)
    c.img[rows:] = floor + 0.2 * fractal_noise(rng, n, 4)[rows:] * rng.uniform(0.2, 1)
    if rng.random() < 0.3:  # a rug or carpet
        c.img[rows:] += rng.uniform(0.1, 0.4) * grain(rng, n)[rows:]
    if rng.random() < 0.5:  # planks converging to a vanishing point
        vx = rng.uniform(0, n)
        for k in range(-6, 7):
            capsule(c, (vx, horizon), (vx + k * n * 0.35, n * 1.6), 0.4, 0.8,
                    tone=floor * 0.8, roundness=0)
    for _ in range(rng.integers(0, 3)):  # doors
        w = rng.uniform(0.15, 0.35) * n
        x0 = rng.uniform(-0.1, 0.9) * n
        top = horizon - rng.uniform(0.5, 0.9) * n
        tone = rng.uniform(0.1, 0.9)
        rect(c, x0 - 1.5, top - 1.5, x0 + w + 1.5, horizon, tone * 0.8)
        rect(c, x0, top, x0 + w, horizon, tone, roundness=0.05)
        ellipse(c, (x0 + 0.85 * w, top + 0.55 * (horizon - top)), 1.2, 1.2, tone=1 - tone)
    for _ in range(rng.integers(0, 3)):  # windows, often brighter than anything else
        w, h = rng.uniform(0.12, 0.4, size=2) * n
        x0, y0 = rng.uniform(-0.1, 0.9) * n, rng.uniform(0.0, 0.4) * n
        rect(c, x0 - 1.5, y0 - 1.5, x0 + w + 1.5, y0 + h + 1.5, rng.uniform(0.3, 0.9))
        rect(c, x0, y0, x0 + w, y0 + h, rng.uniform(0.7, 1.0), roundness=0,
             texture=lambda xs, ys: 0.1 * (np.sin(ys * 0.3) - 0.5) * rng.random())
        capsule(c, (x0 + w / 2, y0), (x0 + w / 2, y0 + h), 0.8, tone=rng.uniform(0.2, 0.8))
        capsule(c, (x0, y0 + h / 2), (x0 + w, y0 + h / 2), 0.8, tone=rng.uniform(0.2, 0.8))
    for _ in range(rng.integers(0, 4)):  # pictures, shelves, switches
        w, h = rng.uniform(0.05, 0.3, size=2) * n
        x0, y0 = rng.uniform(0, n), rng.uniform(0, horizon)
        rect(c, x0, y0, x0 + w, y0 + h, rng.uniform(0, 1), roundness=rng.uniform(0, 0.3))


def _outdoor(c: Canvas, rng) -> None:
    n = c.size
    horizon = rng.uniform(0.3, 0.75) * n
    sky = rng.uniform(0.5, 1.0)
    c.img[:] = sky - np.linspace(0, rng.uniform(0, 0.3), n)[:, None]
    c.img += 0.1 * fractal_noise(rng, n, 3) * rng.random()
    ground = rng.uniform(0.1, 0.7)
    rows = int(horizon)
    c.img[rows:] = ground + 0.25 * fractal_noise(rng, n, 5)[rows:]
    if rng.random() < 0.5:  # grass, gravel or sand
        c.img[rows:] += rng.uniform(0.1, 0.5) * grain(rng, n)[rows:]
    for _ in range(rng.integers(0, 4)):  # buildings with rows of windows
        w = rng.uniform(0.15, 0.5) * n
        x0 = rng.uniform(-0.2, 1.0) * n
        top = horizon - rng.uniform(0.1, 0.8) * n
        tone = rng.uniform(0.1, 0.8)
        rect(c, x0, top, x0 + w, horizon + 2, tone, roundness=0.05)
        step = rng.uniform(4, 10)
        for wy in np.arange(top + 2, horizon - 2, step):
            for wx in np.arange(x0 + 2, x0 + w - 2, step):
                rect(c, wx, wy, wx + step * 0.5, wy + step * 0.6, tone + rng.uniform(-0.3, 0.3),
                     roundness=0)
    for _ in range(rng.integers(0, 4)):  # trees: a trunk and a leafy crown
        x, s = rng.uniform(0, n), rng.uniform(0.15, 0.7) * n
        base = horizon + rng.uniform(0, 0.4) * (n - horizon)
        capsule(c, (x, base), (x, base - 0.6 * s), 0.06 * s, 0.04 * s, rng.uniform(0.05, 0.4))
        leaves = rng.uniform(0.1, 0.6)
        for _ in range(12):
            ellipse(c, (x + rng.normal(0, 0.2 * s), base - 0.7 * s + rng.normal(0, 0.15 * s)),
                    rng.uniform(0.08, 0.2) * s, rng.uniform(0.08, 0.2) * s,
                    tone=leaves + rng.uniform(-0.1, 0.1), roundness=0.5)
    if rng.random() < 0.4:  # a road or path
        capsule(c, (rng.uniform(0, n), horizon), (rng.uniform(-n, 2 * n), n * 1.3),
                1, rng.uniform(5, 30), tone=rng.uniform(0.2, 0.7), roundness=0)


def _texture(c: Canvas, rng) -> None:
    """A close-up surface: ground, a wall, foliage, a pile of things."""
    c.img[:] = rng.uniform(0.2, 0.8) + rng.uniform(0.3, 1.2) * fractal_noise(
        rng, c.size, int(rng.integers(3, 6)), rng.uniform(0.4, 0.8))
    if rng.random() < 0.7:
        c.img += rng.uniform(0.2, 0.8) * grain(rng, c.size)


# ----------------------------------------------------------------------------- people

def _pose(rng, view: str):
    """Angles (radians from straight down, positive = away from the body) for one pose."""
    kind = rng.choice(["stand", "walk", "wave", "arms_up", "hips", "hold", "sit", "lean"],
                      p=[0.24, 0.18, 0.1, 0.06, 0.08, 0.14, 0.14, 0.06])
    rad = np.deg2rad
    arm = [rad(rng.uniform(4, 25)), rad(rng.uniform(4, 25))]
    elbow = [rad(rng.uniform(0, 30)), rad(rng.uniform(0, 30))]
    leg = [rad(rng.uniform(0, 9)), rad(rng.uniform(0, 9))]
    knee = [0.0, 0.0]
    sit, lean = False, rad(rng.normal(0, 4))
    if kind == "walk":
        swing = rad(rng.uniform(12, 30))
        leg, knee = [swing, -swing * 0.7], [rad(rng.uniform(0, 25)), rad(rng.uniform(5, 35))]
        arm = [rad(rng.uniform(5, 30)), rad(rng.uniform(5, 30))]
    elif kind == "wave":
        arm[0], elbow[0] = rad(rng.uniform(70, 140)), rad(rng.uniform(20, 90))
    elif kind == "arms_up":
        arm = [rad(rng.uniform(120, 175)), rad(rng.uniform(120, 175))]
        elbow = [rad(rng.uniform(-20, 20)), rad(rng.uniform(-20, 20))]
    elif kind == "hips":
        arm, elbow = [rad(40), rad(40)], [rad(-110), rad(-110)]
    elif kind == "hold":  # phone, cup, bag or crossed arms: forearms across the body
        arm = [rad(rng.uniform(0, 20)), rad(rng.uniform(0, 20))]
        elbow = [rad(-rng.uniform(70, 130)), rad(-rng.uniform(0, 130))]
    elif kind == "sit":
        sit = True
    elif kind == "lean":
        lean = rad(rng.uniform(10, 30)) * rng.choice([-1, 1])
    if view == "side":  # in profile, arms and legs swing forward and back
        arm = [a * rng.choice([-1, 1]) for a in arm]
    return dict(arm=arm, elbow=elbow, leg=leg, knee=knee, sit=sit, lean=lean)


def _person(c: Canvas, rng, feet, height: float, min_detail: float = 3.0) -> None:
    """Draw one dressed, articulated person: feet = (x, y) in pixels, height in pixels."""
    view = rng.choice(["front", "three_quarter", "side", "back"], p=[0.45, 0.25, 0.15, 0.15])
    wf = {"front": 1.0, "three_quarter": 0.78, "side": 0.45, "back": 1.0}[view]
    build = rng.uniform(0.85, 1.2)
    pose = _pose(rng, view)
    mirror = rng.choice([-1.0, 1.0])
    skin = rng.uniform(0.2, 0.85)
    top = rng.uniform(0.03, 0.97)
    bottom = rng.uniform(0.03, 0.97)
    hair = rng.uniform(0.03, 0.9)
    sleeves = rng.choice(["long", "short", "none"], p=[0.6, 0.3, 0.1])
    legwear = rng.choice(["trousers", "shorts", "skirt"], p=[0.7, 0.15, 0.15])
    fx, fy = feet
    s = height
    lean = pose["lean"]

    def up(x, y):  # person coordinates (x right, y up, feet at 0, height 1) -> pixels
        return fx + mirror * x * s, fy - y * s

    def rot(p, origin, a):
        x, y = p[0] - origin[0], p[1] - origin[1]
        return (origin[0] + x * math.cos(a) + y * math.sin(a),
                origin[1] - x * math.sin(a) + y * math.cos(a))

    pelvis_y = 0.30 if pose["sit"] else 0.52
    hip_w, sh_w = 0.085 * wf * build, 0.125 * wf * build
    pelvis = (0.0, pelvis_y)

    def body(p):  # upper-body points follow the lean around the pelvis
        return rot((p[0], p[1] - 0.52 + pelvis_y), pelvis, lean)

    shoulders = [body((-sh_w, 0.815)), body((sh_w, 0.815))]
    neck = body((0.0, 0.84))
    head = body((0.0, 0.925))
    waist = [body((-hip_w * 1.05, 0.62)), body((hip_w * 1.05, 0.62))]
    hips = [(-hip_w, pelvis_y), (hip_w, pelvis_y)]

    def limb(start, angle, length, side):
        x = start[0] + side * math.sin(angle) * length
        return (x, start[1] - math.cos(angle) * length)

    # legs
    shoe = bottom * 0.5
    for side, i in ((-1, 0), (1, 1)):
        hip = hips[i]
        if pose["sit"]:
            depth = 0.245 * (rng.uniform(0.25, 0.5) if view != "side" else 1.0)
            knee = (hip[0] + side * 0.02 + (depth if view == "side" else 0), hip[1] + 0.01)
            ankle = (knee[0], 0.045)
        else:
            knee = limb(hip, pose["leg"][i], 0.245, side)
            ankle = limb(knee, pose["leg"][i] - pose["knee"][i] * side, 0.235, side)
        thick = 0.055 * build
        skin_below = legwear == "shorts" or legwear == "skirt"
        capsule(c, up(*hip), up(*knee), thick * s, 0.043 * s, bottom)
        capsule(c, up(*knee), up(*ankle), 0.043 * s, 0.03 * s, skin if skin_below else bottom)
        ellipse(c, up(ankle[0] + side * 0.02, 0.02), 0.045 * s, 0.022 * s, tone=shoe)
    if legwear == "skirt":
        polygon(c, [up(-hip_w * 1.1, 0.62), up(hip_w * 1.1, 0.62),
                    up(hip_w * 1.9, pelvis_y - 0.2), up(-hip_w * 1.9, pelvis_y - 0.2)], bottom)
    # arms behind the body first in profile
    order = (0, 1) if view != "side" else (1, 0)
    elbows, wrists = {}, {}
    for i in order:
        side = -1 if i == 0 else 1
        a = pose["arm"][i] + (-lean if side == 1 else lean)
        elbows[i] = limb(shoulders[i], a, 0.175, side)
        wrists[i] = limb(elbows[i], a + pose["elbow"][i], 0.155, side)
    texture = stripes(max(2.0, rng.uniform(0.02, 0.06) * s), rng.uniform(0, np.pi),
                      rng.uniform(0.03, 0.12)) if rng.random() < 0.25 else None

    def arm(i):
        upper_tone = skin if sleeves == "none" else top
        fore_tone = top if sleeves == "long" else skin
        capsule(c, up(*shoulders[i]), up(*elbows[i]), 0.042 * s * build, 0.034 * s, upper_tone)
        capsule(c, up(*elbows[i]), up(*wrists[i]), 0.034 * s, 0.026 * s, fore_tone)
        ellipse(c, up(*limb(wrists[i], 0, 0.02, 1)), 0.026 * s, 0.03 * s, tone=skin)

    if view == "side":
        arm(order[0])
    # torso, rounded at the shoulders
    polygon(c, [up(*shoulders[0]), up(*shoulders[1]), up(*waist[1]),
                up(hips[1][0] * 1.1, pelvis_y - 0.02), up(hips[0][0] * 1.1, pelvis_y - 0.02),
                up(*waist[0])], top, texture=texture)
    capsule(c, up(*shoulders[0]), up(*shoulders[1]), 0.045 * s * build, tone=top)
    for i in (order[1:] if view == "side" else order):
        arm(i)
    # neck and head
    capsule(c, up(*neck), up(*head), 0.028 * s, tone=skin * 0.85)
    rx, ry = 0.052 * s * (0.85 + 0.15 * wf), 0.066 * s
    hx, hy = up(*head)
    tilt = lean * mirror + rng.normal(0, 0.1)
    style = rng.choice(["short", "long", "bald", "hat", "tied"], p=[0.45, 0.25, 0.07, 0.1, 0.13])
    if style == "long":
        capsule(c, (hx, hy), (hx, hy + 1.6 * ry), 1.05 * rx, 1.15 * rx, hair)
    if view == "back":
        ellipse(c, (hx, hy), rx, ry, tilt, tone=hair if style != "bald" else skin)
    else:
        if style not in ("bald",):
            ellipse(c, (hx, hy - 0.12 * ry), 1.07 * rx, 0.98 * ry, tilt, tone=hair)
        face_dx = 0.25 * rx * mirror if view == "side" else 0.0
        ellipse(c, (hx + face_dx, hy + 0.1 * ry), 0.93 * rx, 0.88 * ry, tilt, tone=skin)
        if view == "side":  # nose and chin in profile
            ellipse(c, (hx + mirror * 1.05 * rx, hy + 0.15 * ry), 0.2 * rx, 0.18 * ry, tone=skin)
        if rx >= min_detail:
            _face(c, rng, (hx + face_dx, hy + 0.1 * ry), rx, ry, skin, view, mirror)
    if style == "hat":
        ellipse(c, (hx, hy - 0.55 * ry), 1.5 * rx, 0.22 * ry, tone=rng.uniform(0, 1))
        ellipse(c, (hx, hy - 0.8 * ry), 0.95 * rx, 0.5 * ry, tone=rng.uniform(0, 1))
    elif style == "tied":
        ellipse(c, (hx - mirror * 0.9 * rx, hy - 0.5 * ry), 0.4 * rx, 0.4 * ry, tone=hair)


def _face(c: Canvas, rng, centre, rx, ry, skin, view, mirror) -> None:
    """Eyes, brows, nose shadow and mouth: drawn only when the head is big enough to show them."""
    cx, cy = centre
    dark = skin * rng.uniform(0.15, 0.5)
    eyes = (-1, 1) if view != "side" else (1,)
    spread = 0.38 if view == "front" else 0.3
    shift = 0.0 if view == "front" else 0.2 * rx * mirror
    for e in eyes:
        ex = cx + shift + e * spread * rx * (1 if view != "side" else 0.9 * mirror)
        ey = cy - 0.12 * ry
        ellipse(c, (ex, ey), 0.16 * rx, 0.09 * ry, tone=min(1.0, skin + 0.3), roundness=0)
        ellipse(c, (ex, ey), 0.08 * rx, 0.08 * ry, tone=dark, roundness=0)
        capsule(c, (ex - 0.16 * rx, ey - 0.2 * ry), (ex + 0.16 * rx, ey - 0.22 * ry),
                0.04 * rx, tone=dark, roundness=0)
    capsule(c, (cx + shift, cy - 0.05 * ry), (cx + shift + 0.05 * rx, cy + 0.25 * ry),
            0.06 * rx, tone=skin * 0.8, roundness=0)
    smile = rng.uniform(-0.05, 0.1) * ry
    capsule(c, (cx + shift - 0.25 * rx, cy + 0.5 * ry - smile), (cx + shift, cy + 0.55 * ry),
            0.05 * rx, tone=dark * 1.3, roundness=0)
    capsule(c, (cx + shift, cy + 0.55 * ry), (cx + shift + 0.25 * rx, cy + 0.5 * ry - smile),
            0.05 * rx, tone=dark * 1.3, roundness=0)


def _changed(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Pixels a drawing step visibly changed: where a person is, or what covered it."""
    return np.abs(after - before) > 0.02


def _place_person(c: Canvas, rng) -> None:
    """One person at a random distance (possibly mostly off the frame: the caller checks)."""
    n = c.size
    shot = rng.choice(["far", "mid", "near", "upper_body", "face"],
                      p=[0.1, 0.26, 0.2, 0.26, 0.18])
    if shot == "far":
        h = rng.uniform(0.25, 0.4) * n
        feet = (rng.uniform(0.05, 0.95) * n, rng.uniform(0.45, 1.0) * n)
    elif shot == "mid":
        h = rng.uniform(0.4, 0.85) * n
        feet = (rng.uniform(0.1, 0.9) * n, rng.uniform(max(0.55, h / n), 1.05) * n)
    elif shot == "near":
        h = rng.uniform(0.85, 1.4) * n
        feet = (rng.uniform(0.15, 0.85) * n, rng.uniform(1.0, 1.35) * n)
    elif shot == "upper_body":  # a webcam or doorbell shot: head and shoulders
        h = rng.uniform(1.5, 3.2) * n
        head_y = rng.uniform(0.18, 0.5) * n
        feet = (rng.uniform(0.25, 0.75) * n, head_y + 0.925 * h)
    else:  # a face filling much of the frame
        h = rng.uniform(3.5, 8.0) * n  # up to a passport-photo crop: the face is the frame
        head_y = rng.uniform(0.3, 0.6) * n
        feet = (rng.uniform(0.3, 0.7) * n, head_y + 0.925 * h)
    _person(c, rng, feet, h)


# ----------------------------------------------------------------------------- confusers

def _pole(c, rng, x, base, s):
    tone = rng.uniform(0, 1)
    capsule(c, (x, base), (x, base - s), 0.025 * s, tone=tone)
    if rng.random() < 0.6:  # a lamp or a round sign on top: head-like, but no body
        ellipse(c, (x, base - s - 0.04 * s), 0.07 * s, 0.07 * s, tone=rng.uniform(0, 1))


def _coat_rack(c, rng, x, base, s):
    tone = rng.uniform(0, 0.6)
    capsule(c, (x, base), (x, base - s), 0.02 * s, tone=tone)
    capsule(c, (x - 0.1 * s, base), (x + 0.1 * s, base), 0.015 * s, tone=tone)
    coat = rng.uniform(0, 1)
    top = base - 0.9 * s
    polygon(c, [(x - 0.06 * s, top), (x + 0.06 * s, top), (x + 0.14 * s, top + 0.45 * s),
                (x - 0.14 * s, top + 0.45 * s)], coat)
    for side in (-1, 1):  # empty sleeves hang straight down
        capsule(c, (x + side * 0.08 * s, top + 0.03 * s), (x + side * 0.13 * s, top + 0.38 * s),
                0.03 * s, tone=coat * 0.9)
    if rng.random() < 0.4:
        ellipse(c, (x, top - 0.04 * s), 0.08 * s, 0.04 * s, tone=rng.uniform(0, 1))


def _chair(c, rng, x, base, s):
    tone = rng.uniform(0, 1)
    seat = base - 0.45 * s
    for dx in (-0.18, 0.18):
        capsule(c, (x + dx * s, base), (x + dx * s, seat), 0.02 * s, tone=tone * 0.8)
    rect(c, x - 0.22 * s, seat - 0.05 * s, x + 0.22 * s, seat + 0.03 * s, tone)
    if rng.random() < 0.8:
        rect(c, x - 0.2 * s, seat - 0.5 * s, x + 0.2 * s, seat - 0.05 * s, tone,
             texture=stripes(0.08 * s, 0, 0.1) if rng.random() < 0.4 else None)


def _table(c, rng, x, base, s):
    tone = rng.uniform(0, 1)
    top = base - 0.4 * s
    for dx in (-0.4, 0.4):
        capsule(c, (x + dx * s, base), (x + dx * s, top), 0.025 * s, tone=tone * 0.7)
    rect(c, x - 0.5 * s, top - 0.05 * s, x + 0.5 * s, top + 0.02 * s, tone)
    for _ in range(rng.integers(0, 3)):  # cups, vases, a laptop
        ox = x + rng.uniform(-0.4, 0.4) * s
        ellipse(c, (ox, top - 0.1 * s), 0.05 * s, 0.1 * s, tone=rng.uniform(0, 1))


def _sofa(c, rng, x, base, s):
    tone = rng.uniform(0, 1)
    rect(c, x - 0.6 * s, base - 0.55 * s, x + 0.6 * s, base - 0.05 * s, tone * 0.85, 0.3)
    rect(c, x - 0.55 * s, base - 0.3 * s, x + 0.55 * s, base - 0.05 * s, tone, 0.3)
    for dx in (-0.6, 0.6):
        ellipse(c, (x + dx * s, base - 0.25 * s), 0.09 * s, 0.22 * s, tone=tone * 0.9)


def _plant(c, rng, x, base, s):
    pot = rng.uniform(0, 1)
    polygon(c, [(x - 0.12 * s, base - 0.25 * s), (x + 0.12 * s, base - 0.25 * s),
                (x + 0.08 * s, base), (x - 0.08 * s, base)], pot)
    leaf = rng.uniform(0.05, 0.7)
    for _ in range(rng.integers(4, 14)):
        angle = rng.uniform(-1.3, 1.3)
        length = rng.uniform(0.3, 0.8) * s
        tip = (x + math.sin(angle) * length, base - 0.25 * s - math.cos(angle) * length)
        capsule(c, (x, base - 0.25 * s), tip, 0.01 * s, tone=leaf * 0.8)
        ellipse(c, tip, 0.1 * s, 0.04 * s, angle + np.pi / 2, tone=leaf + rng.uniform(-0.1, 0.1))


def _animal(c, rng, x, base, s):
    """A four-legged animal: body, legs, head, ears, tail (dog, cat, horse, sheep)."""
    tone = rng.uniform(0.05, 0.95)
    length, leg = rng.uniform(0.35, 0.7) * s, rng.uniform(0.15, 0.4) * s
    body_y = base - leg - 0.08 * s
    facing = rng.choice([-1, 1])
    for dx in (-0.4, -0.3, 0.3, 0.4):
        capsule(c, (x + dx * length, body_y), (x + dx * length + rng.normal(0, 0.03 * s), base),
                0.03 * s, 0.022 * s, tone * 0.9)
    ellipse(c, (x, body_y), length / 2, 0.12 * s, rng.normal(0, 0.05), tone=tone)
    head = (x + facing * length * 0.55, body_y - rng.uniform(0.05, 0.2) * s)
    capsule(c, (x + facing * length * 0.35, body_y), head, 0.06 * s, tone=tone)
    ellipse(c, head, 0.1 * s, 0.08 * s, tone=tone)
    ellipse(c, (head[0] + facing * 0.09 * s, head[1] + 0.02 * s), 0.06 * s, 0.045 * s, tone=tone)
    for ex in (-0.05, 0.05):
        ellipse(c, (head[0] + ex * s, head[1] - 0.08 * s), 0.025 * s, 0.05 * s, tone=tone * 0.8)
    ellipse(c, (head[0] + facing * 0.04 * s, head[1] - 0.02 * s), 0.012 * s, 0.012 * s,
            tone=tone * 0.2, roundness=0)
    capsule(c, (x - facing * length * 0.48, body_y), (x - facing * length * 0.75,
            body_y - rng.uniform(-0.1, 0.2) * s), 0.02 * s, 0.01 * s, tone)


def _bottle(c, rng, x, base, s):
    tone = rng.uniform(0, 1)
    w = rng.uniform(0.08, 0.25) * s
    rect(c, x - w, base - 0.6 * s, x + w, base, tone, 0.4)
    capsule(c, (x, base - 0.6 * s), (x, base - 0.85 * s), w * 0.4, tone=tone)
    if rng.random() < 0.5:
        ellipse(c, (x, base - 0.9 * s), w * 0.9, w * 0.9, tone=rng.uniform(0, 1))


def _lamp(c, rng, x, base, s):
    tone = rng.uniform(0, 1)
    ellipse(c, (x, base), 0.12 * s, 0.03 * s, tone=tone)
    capsule(c, (x, base), (x, base - 0.75 * s), 0.015 * s, tone=tone)
    polygon(c, [(x - 0.08 * s, base - 0.95 * s), (x + 0.08 * s, base - 0.95 * s),
                (x + 0.16 * s, base - 0.72 * s), (x - 0.16 * s, base - 0.72 * s)],
            rng.uniform(0.5, 1.0))


def _clock(c, rng, x, base, s):
    """Round, with marks inside: a face-like thing that is not a face."""
    cy = base - 0.5 * s
    r = rng.uniform(0.1, 0.35) * s
    face = rng.uniform(0.3, 1)
    ellipse(c, (x, cy), r * 1.08, r * 1.08, tone=1 - face)
    ellipse(c, (x, cy), r, r, tone=face, roundness=0.1)
    for k in range(rng.choice([2, 4, 12])):
        a = 2 * np.pi * k / 12
        ellipse(c, (x + 0.75 * r * math.sin(a), cy - 0.75 * r * math.cos(a)), 0.06 * r, 0.06 * r,
                tone=face * 0.3, roundness=0)
    for a, length in ((rng.uniform(0, 6.3), 0.5), (rng.uniform(0, 6.3), 0.75)):
        capsule(c, (x, cy), (x + length * r * math.sin(a), cy - length * r * math.cos(a)),
                0.04 * r, tone=face * 0.2, roundness=0)


def _snowman_or_stack(c, rng, x, base, s):
    """Stacked round things (snowman, pebbles, toy): a head over a body, no limbs."""
    tone = rng.uniform(0, 1)
    y = base
    for r in sorted(rng.uniform(0.08, 0.25, size=rng.integers(2, 4)) * s, reverse=True):
        ellipse(c, (x, y - r), r, r * rng.uniform(0.8, 1.1), tone=tone + rng.uniform(-0.1, 0.1))
        y -= 1.8 * r


def _branches(c, rng, x, base, s):
    """Sticks and branches: limb-like capsules with joints, in no body's arrangement."""
    tone = rng.uniform(0, 0.7)
    points = [(x, base)]
    for _ in range(rng.integers(3, 8)):
        px, py = points[rng.integers(len(points))]
        a = rng.uniform(-1.2, 1.2)
        q = (px + math.sin(a) * 0.3 * s, py - math.cos(a) * 0.3 * s)
        capsule(c, (px, py), q, 0.03 * s, 0.02 * s, tone)
        points.append(q)


CONFUSERS = {
    "pole": _pole, "coat_rack": _coat_rack, "chair": _chair, "table": _table, "sofa": _sofa,
    "plant": _plant, "animal": _animal, "bottle": _bottle, "lamp": _lamp, "clock": _clock,
    "stack": _snowman_or_stack, "branches": _branches,
}


def _confuser(c: Canvas, rng, prominent: bool) -> None:
    n = c.size
    name = rng.choice(list(CONFUSERS))
    s = rng.uniform(0.5, 1.3) * n if prominent else rng.uniform(0.15, 0.7) * n
    x = rng.uniform(0.2, 0.8) * n if prominent else rng.uniform(-0.05, 1.05) * n
    base = rng.uniform(0.7, 1.15) * n if prominent else rng.uniform(0.4, 1.1) * n
    CONFUSERS[name](c, rng, x, base, s)


# ----------------------------------------------------------------------------- camera

def _camera(img: np.ndarray, rng) -> np.ndarray:
    """Uneven light, exposure, gamma, focus and sensor noise: what a cheap camera adds."""
    n = img.shape[0]
    light = 1.0 + rng.uniform(0.0, 0.6) * fractal_noise(rng, n, 2)
    ys, xs = np.mgrid[0:n, 0:n].astype(np.float32) / n - 0.5
    light *= 1.0 - rng.uniform(0, 0.6) * (xs * xs + ys * ys)  # vignetting
    light *= 1.0 + rng.uniform(-0.4, 0.4) * (xs * rng.normal() + ys * rng.normal())
    img = img * light
    img = (img - img.mean()) * rng.uniform(0.7, 1.3) + img.mean() + rng.uniform(-0.15, 0.15)
    img = np.clip(img, 0, 1) ** rng.uniform(0.7, 1.4)
    img = blur(img, rng.choice([0.0, rng.uniform(0.3, 1.0)], p=[0.6, 0.4]))
    img = img + rng.normal(0, rng.uniform(0.0, 0.03), img.shape).astype(np.float32)
    img = np.clip(img, 0, 1)
    if rng.random() < 0.3:  # the 6-bit green channel an RGB565 sensor delivers
        img = np.round(img * 63) / 63
    return img.astype(np.float32)


# ----------------------------------------------------------------------------- scenes

def scene(rng: np.random.Generator, person: bool, size: int = SIZE) -> np.ndarray:
    """One scene, float32 (size, size) in [0, 1]."""
    c = Canvas(size)
    kind = rng.choice(["indoor", "outdoor", "texture"], p=[0.45, 0.35, 0.2])
    {"indoor": _indoor, "outdoor": _outdoor, "texture": _texture}[kind](c, rng)
    for _ in range(rng.integers(0, 4)):  # clutter behind whatever the subject is
        _confuser(c, rng, prominent=False)
    visible = None  # pixels of the person the label promises
    if person:
        for attempt in range(50):
            before = c.img.copy()
            _place_person(c, rng)
            changed = _changed(before, c.img)
            if changed.mean() >= MIN_PERSON_AREA:
                visible = changed
                break
            c.img = before  # too small or off the frame: try another
        for _ in range(rng.choice([0, 0, 0, 1, 2])):  # sometimes a group
            _place_person(c, rng)
    else:
        for _ in range(rng.choice([1, 1, 2, 3])):  # something prominent that is not a person
            _confuser(c, rng, prominent=True)
    if rng.random() < 0.25:  # occlusion: something in front, low in the frame
        before = c.img.copy()
        _confuser(c, rng, prominent=False)
        if visible is not None:  # hide part of the person, never all of it
            left = visible & ~_changed(before, c.img)
            if left.mean() < MIN_PERSON_AREA:
                c.img = before
    return _camera(c.img, rng)


def _scene_block(seed: int, start: int, stop: int, size: int) -> np.ndarray:
    return np.stack([scene(np.random.default_rng([seed, i]), bool(i % 2), size)
                     for i in range(start, stop)])


def make_scenes(count: int, seed: int, size: int = SIZE, progress=None, workers: int = 0,
                block: int = 250):
    """count scenes, alternately without and with a person.

    Returns (x float32 (count, size, size, 1) in [0, 1], y int32, 1 = person). Scene i
    depends only on (seed, i), so the first k scenes of a larger set are the same pictures,
    and drawing them in `workers` processes (0: one per CPU core, used from 4 blocks of
    `block` scenes on) gives the same result."""
    import os

    labels = (np.arange(count) % 2).astype(np.int32)
    x = np.empty((count, size, size, 1), np.float32)
    starts = list(range(0, count, block))
    workers = workers or os.cpu_count() or 1

    def put(a, pictures):
        x[a:a + block, :, :, 0] = pictures
        if progress is not None:
            progress(min(a + block, count), count)

    if workers > 1 and count >= 4 * block:
        import collections
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: the notebook's process holds TensorFlow's threads. At most two
        # blocks per worker wait to be copied in: submitted all at once, finished blocks
        # would pile up as a second copy of the whole set.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            pending = collections.deque()
            for a in starts:
                pending.append((a, pool.submit(_scene_block, seed, a, min(a + block, count), size)))
                if len(pending) > 2 * workers:
                    done, future = pending.popleft()
                    put(done, future.result())
            for done, future in pending:
                put(done, future.result())
    else:
        for a in starts:
            put(a, _scene_block(seed, a, min(a + block, count), size))
    return x, labels
