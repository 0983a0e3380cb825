"""Model builders for the course's chapters (Keras 3).

Layer names are short on purpose: they end up as tensor names inside the .tflite file,
and every byte there is a byte of flash.
"""

from __future__ import annotations


def seed_everything(seed: int = 0) -> None:
    """Same seed, same weights, same numbers: reproducible notebooks and sketch models."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def sine_mlp(hidden: int = 16, layers: int = 2):
    """The hello-world regressor: 1 -> hidden (ReLU) x layers -> 1, as TFLM's hello_world."""
    import keras

    model = keras.Sequential(name="sine")
    model.add(keras.Input(shape=(1,), name="x"))
    for i in range(layers):
        model.add(keras.layers.Dense(hidden, activation="relu", name=f"d{i + 1}"))
    model.add(keras.layers.Dense(1, name="y"))
    return model


def gesture_cnn(classes: int, samples: int = 119, channels: int = 6,
                filters: tuple[int, ...] = (16, 24, 32), kernel: int = 5):
    """A 1-D CNN over an IMU window: strided convolutions find motion shapes anywhere in the
    second, global pooling keeps the model small and indifferent to when the gesture
    peaks, a Dense layer picks the gesture. All ops are int8 TFLM kernels."""
    import keras

    model = keras.Sequential(name="gesture")
    model.add(keras.Input(shape=(samples, channels), name="imu"))
    for i, n in enumerate(filters):
        model.add(keras.layers.Conv1D(n, kernel, strides=2, activation="relu", name=f"c{i + 1}"))
    model.add(keras.layers.GlobalAveragePooling1D(name="pool"))
    model.add(keras.layers.Dense(classes, activation="softmax", name="p"))
    return model
