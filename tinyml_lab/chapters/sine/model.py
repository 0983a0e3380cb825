"""The hello-sine model (Keras 3).

Layer names are short on purpose: they end up as tensor names inside the .tflite file,
and every byte there is a byte of flash.
"""

from __future__ import annotations


def sine_mlp(hidden: int = 16, layers: int = 2):
    """The hello-world regressor: 1 -> hidden (ReLU) x layers -> 1, as TFLM's hello_world."""
    import keras

    model = keras.Sequential(name="sine")
    model.add(keras.Input(shape=(1,), name="x"))
    for i in range(layers):
        model.add(keras.layers.Dense(hidden, activation="relu", name=f"d{i + 1}"))
    model.add(keras.layers.Dense(1, name="y"))
    return model
