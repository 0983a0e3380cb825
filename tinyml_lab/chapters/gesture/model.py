"""The gesture classifier (Keras 3).

Layer names are short on purpose: they end up as tensor names inside the .tflite file,
and every byte there is a byte of flash.
"""

from __future__ import annotations


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
