"""The person detector (Keras 3).

Layer names are short on purpose: they end up as tensor names inside the .tflite file,
and every byte there is a byte of flash.
"""

from __future__ import annotations

# MobileNetV1's depthwise-separable blocks: (pointwise filters at alpha 1, stride)
_MOBILENET_V1_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
                        (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def mobilenet_v1(alpha: float = 0.25, input_size: int = 96, classes: int = 2,
                 repeats: int = 5, dropout: float = 0.1):
    """MobileNetV1 as TFLM's person_detect model has it (alpha 0.25, 96x96x1, ReLU6, batch
    norm folded into the convolutions by the converter). `repeats` is how many of the five
    stride-1 512-wide blocks to keep: fewer blocks make the smaller variant."""
    import keras
    from keras import layers

    def width(n):
        return max(8, int(n * alpha))

    blocks = list(_MOBILENET_V1_BLOCKS)
    blocks = blocks[:6] + blocks[6:6 + repeats] + blocks[11:]
    inputs = keras.Input(shape=(input_size, input_size, 1), name="image")
    x = layers.Conv2D(width(32), 3, strides=2, padding="same", use_bias=False, name="conv0")(inputs)
    x = layers.BatchNormalization(name="bn0")(x)
    x = layers.ReLU(6.0, name="relu0")(x)
    for i, (filters, stride) in enumerate(blocks, start=1):
        x = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False,
                                   name=f"dw{i}")(x)
        x = layers.BatchNormalization(name=f"dwbn{i}")(x)
        x = layers.ReLU(6.0, name=f"dwrelu{i}")(x)
        x = layers.Conv2D(width(filters), 1, use_bias=False, name=f"pw{i}")(x)
        x = layers.BatchNormalization(name=f"pwbn{i}")(x)
        x = layers.ReLU(6.0, name=f"pwrelu{i}")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    if dropout:
        x = layers.Dropout(dropout, name="drop")(x)
    outputs = layers.Dense(classes, activation="softmax", name="scores")(x)
    return keras.Model(inputs, outputs, name=f"mobilenet_v1_{alpha:g}".replace(".", ""))
