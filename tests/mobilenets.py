"""MobileNet-style int8 models the patch planner was not written for: Keras' own MobileNet
(explicit ZeroPadding2D + VALID stride-2 convolutions) and MobileNetV2 (inverted residuals:
ADD), and a builder of depthwise-separable nets with other widths, resolutions (odd,
non-square: TFLite's asymmetric SAME split), depths, kernel sizes, dilation and pooling.
Weights are Keras' random initialisation; the converter calibrates on random pictures.
Exactness does not depend on training, and memory and MACs depend only on shapes."""

from __future__ import annotations

import functools

import numpy as np


def to_int8(model, shape, seed: int = 0) -> bytes:
    from tinyml_lab.core.convert import to_int8 as convert

    rng = np.random.default_rng(seed)
    return convert(model, rng.uniform(0, 1, (16, *shape)).astype(np.float32))


def keras_mobilenet(alpha: float, size: tuple[int, int], channels: int = 3) -> bytes:
    import keras

    shape = (*size, channels)
    model = keras.applications.MobileNet(input_shape=shape, alpha=alpha, weights=None,
                                         classes=4, classifier_activation=None)
    return to_int8(model, shape)


def keras_mobilenet_v2(alpha: float, size: tuple[int, int], channels: int = 3) -> bytes:
    import keras

    shape = (*size, channels)
    model = keras.applications.MobileNetV2(input_shape=shape, alpha=alpha, weights=None,
                                           classes=4, classifier_activation=None)
    return to_int8(model, shape)


def separable_net(size: tuple[int, int], channels: int, widths, strides, kernel: int = 3,
                  first_kernel: int = 3, dilation: int = 1, pool_after: int | None = None,
                  seed: int = 0) -> bytes:
    """conv (stride 2) then depthwise-separable blocks (widths[i], strides[i]); a 2x2 max
    pool (VALID) after block `pool_after`; global pooling and a dense head."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    shape = (*size, channels)
    inputs = keras.Input(shape=shape)
    x = layers.Conv2D(widths[0], first_kernel, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU(6.0)(x)
    for i, (width, stride) in enumerate(zip(widths[1:], strides)):
        rate = dilation if stride == 1 else 1
        x = layers.DepthwiseConv2D(kernel, strides=stride, padding="same",
                                   dilation_rate=rate)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU(6.0)(x)
        x = layers.Conv2D(width, 1)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        if pool_after == i:
            x = layers.MaxPooling2D(2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(3)(x)
    return to_int8(keras.Model(inputs, outputs), shape, seed)


V1_WIDTHS = (32, 64, 128, 128, 256, 256, 512, 512)  # MobileNetV1's first blocks at alpha 1
V1_STRIDES = (1, 2, 1, 2, 1, 2, 1)


def v1(alpha: float, size, channels: int, extra_blocks: int = 0, **options) -> bytes:
    widths = [max(8, int(w * alpha)) for w in V1_WIDTHS + (512,) * extra_blocks]
    return separable_net(size, channels, widths, V1_STRIDES + (1,) * extra_blocks, **options)


def same_average_pool_net() -> bytes:
    """A convolution, then a 3x3 average pool with SAME padding (the pool leaves the padding
    out of its average): no stage can include the pool."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(32, 32, 1))
    x = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(inputs)
    x = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    x = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    return to_int8(keras.Model(inputs, layers.Dense(2)(x)), (32, 32, 1))


# The models the planner's tests run, built once per test session when first asked for.
BUILDERS = {
    "mobilenet_v1_0.25_97x75_rgb": lambda: v1(0.25, (97, 75), 3),
    "mobilenet_v1_0.5_120_gray_deeper_maxpool": lambda: v1(0.5, (120, 120), 1, 2,
                                                          pool_after=0),
    "keras_mobilenet_v2_0.35_96_rgb": lambda: keras_mobilenet_v2(0.35, (96, 96)),
}


@functools.cache
def built(name: str) -> bytes:
    return (BUILDERS | {"same_average_pool": same_average_pool_net})[name]()
