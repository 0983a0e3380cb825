"""The optimisation chapters' image classifier (Keras 3).

Layer names are short on purpose: they end up as tensor names inside the .tflite file,
and every byte there is a byte of flash.
"""

from __future__ import annotations


def shapes_cnn(filters=(16, 32, 64), classes: int = 6, input_size: int = 32):
    """The optimisation chapters' image classifier, shaped like Arduino's magic_wand model:
    three 3x3 convolutions with stride 2 (each followed by batch norm and ReLU), global
    average pooling and a softmax layer. Batch norm folds into the convolutions on conversion.
    """
    import keras

    model = keras.Sequential(name="shapes")
    model.add(keras.Input(shape=(input_size, input_size, 1), name="image"))
    for i, width in enumerate(filters):
        model.add(keras.layers.Conv2D(width, 3, strides=2, padding="same", use_bias=False,
                                      name=f"c{i + 1}"))
        model.add(keras.layers.BatchNormalization(momentum=0.9, name=f"bn{i + 1}"))
        model.add(keras.layers.ReLU(name=f"r{i + 1}"))
    model.add(keras.layers.GlobalAveragePooling2D(name="gap"))
    model.add(keras.layers.Dense(classes, activation="softmax", name="out"))
    return model
