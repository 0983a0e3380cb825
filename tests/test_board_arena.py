"""The arena estimator's cortex-m-cmsis-nn target against the real Cortex-M4 build, to the
byte: used bytes (arena_used_bytes()) and the minimum arena (bisection over the board's
AllocateTensors), on every committed sketch model, on the arena tests' own models, and on
models shaped like public ones that the estimator's profile was not fitted on (MobileNetV2
block, ResNet-8, MLPerf Tiny's KWS DS-CNN, depth multipliers and VALID padding)."""

import functools

import pytest

from tests.board_support import MODEL_SKETCHES, sketch_model
from tests.test_arena import MODELS, _convert
from tinyml_lab.core.arena import estimate_arena

TARGET = "cortex-m-cmsis-nn"


def _mobilenet_v2_block():
    import keras

    L = keras.layers
    i = keras.Input((48, 48, 3))
    x = L.Conv2D(16, 3, strides=2, padding="same", activation="relu6")(i)
    y = L.Conv2D(48, 1, activation="relu6")(x)  # expand, depthwise, project, residual add
    y = L.DepthwiseConv2D(3, padding="same", activation="relu6")(y)
    x = L.Add()([x, L.Conv2D(16, 1)(y)])
    x = L.DepthwiseConv2D(3, strides=2, padding="same", activation="relu6")(x)
    x = L.GlobalAveragePooling2D()(L.Conv2D(24, 1, activation="relu6")(x))
    return keras.Model(i, L.Dense(2, activation="softmax")(x))


def _resnet8_like():
    import keras

    L = keras.layers
    i = keras.Input((32, 32, 3))
    x = L.Conv2D(16, 3, padding="same", activation="relu")(i)
    for filters, stride in ((16, 1), (32, 2)):
        y = L.Conv2D(filters, 3, strides=stride, padding="same", activation="relu")(x)
        y = L.Conv2D(filters, 3, padding="same")(y)
        shortcut = x if stride == 1 else L.Conv2D(filters, 1, strides=stride)(x)
        x = L.ReLU()(L.Add()([shortcut, y]))
    x = L.Flatten()(L.AveragePooling2D(pool_size=8)(x))
    return keras.Model(i, L.Dense(10, activation="softmax")(x))


def _kws_ds_cnn():
    import keras

    L = keras.layers
    i = keras.Input((49, 10, 1))  # MFCC input, as MLPerf Tiny's keyword spotting model
    x = L.Conv2D(32, (10, 4), strides=2, padding="same", activation="relu")(i)
    for _ in range(3):
        x = L.DepthwiseConv2D(3, padding="same", activation="relu")(x)
        x = L.Conv2D(32, 1, activation="relu")(x)
    x = L.Flatten()(L.AveragePooling2D(pool_size=(25, 5))(x))
    return keras.Model(i, L.Dense(12, activation="softmax")(x))


def _depth_multiplier_valid():
    import keras

    L = keras.layers
    i = keras.Input((40, 40, 4))
    x = L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="relu")(i)
    x = L.Conv2D(12, 5, strides=2, padding="valid", activation="relu")(x)
    x = L.MaxPooling2D(3, strides=2)(x)
    x = L.Flatten()(L.DepthwiseConv2D(3, strides=2, padding="valid")(x))
    return keras.Model(i, L.Dense(5)(x))


UNSEEN = {
    "mobilenet_v2_block": lambda: _convert(_mobilenet_v2_block()),
    "resnet8_like": lambda: _convert(_resnet8_like()),
    "kws_ds_cnn": lambda: _convert(_kws_ds_cnn()),
    "depth_multiplier_valid": lambda: _convert(_depth_multiplier_valid()),
}


@functools.cache
def _model(name):
    if name in MODEL_SKETCHES:
        return sketch_model(name)[0]
    return (MODELS.get(name) or UNSEEN[name])()


@functools.cache
def _measured(name, runner):
    from tinyml_lab.core.board.emulator import MAX_ARENA, min_arena, run_model

    model = _model(name)
    used = run_model(model, MAX_ARENA, (), runner=runner).arena_used_bytes
    return used, min_arena(model, runner=runner)


@pytest.mark.parametrize("name", MODEL_SKETCHES + tuple(sorted(MODELS)) + tuple(UNSEEN))
def test_estimate_is_the_board_figure_to_the_byte(name, board_runner):
    used, minimum = _measured(name, board_runner)
    est = estimate_arena(_model(name), TARGET)
    assert (est.used_bytes, est.min_arena_bytes) == (used, minimum)
