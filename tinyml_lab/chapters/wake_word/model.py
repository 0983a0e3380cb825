"""The keyword-spotting model (Keras 3).

Layer names are short on purpose: they end up as tensor names inside the .tflite file,
and every byte there is a byte of flash.
"""

from __future__ import annotations


def ds_cnn(input_shape=(49, 40, 1), classes: int = 4, filters: int = 32, blocks: int = 3,
           first_kernel=(10, 4), dropout: float = 0.2, first_stride=(2, 2)):
    """A small depthwise-separable CNN for keyword spotting (after Zhang et al., "Hello Edge",
    2017, sized down to fit TFLM micro_speech's 18,800-byte budget).

    A strided convolution looks at (time x frequency) patches of the spectrogram; each block
    is a 3x3 depthwise convolution (one filter per channel: cheap) and a 1x1 convolution
    that mixes channels; the first block halves the resolution again so the later ones cost
    a quarter as much. Global average pooling makes the answer independent of where in the
    second the word falls. Batch normalisation folds into the convolutions on conversion.
    With per-channel int8 weights, every convolution also stores a scale and a zero point
    per channel, so channels x layers, not just weights, decide the bytes.

    `first_stride` (time, frequency) is the first convolution's step: the layer that costs
    the most instructions and holds the largest activation, so the first knob chapter 08's
    search turns.
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="mel")
    x = layers.Conv2D(filters, tuple(first_kernel), strides=tuple(first_stride), padding="same",
                      use_bias=False, name="c0")(inputs)
    x = layers.BatchNormalization(momentum=0.9, name="n0")(x)
    x = layers.ReLU(name="r0")(x)
    for i in range(1, blocks + 1):
        x = layers.DepthwiseConv2D(3, strides=2 if i == 1 else 1, padding="same",
                                   use_bias=False, name=f"d{i}")(x)
        x = layers.BatchNormalization(momentum=0.9, name=f"nd{i}")(x)
        x = layers.ReLU(name=f"rd{i}")(x)
        x = layers.Conv2D(filters, 1, use_bias=False, name=f"p{i}")(x)
        x = layers.BatchNormalization(momentum=0.9, name=f"np{i}")(x)
        x = layers.ReLU(name=f"rp{i}")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(dropout, name="drop")(x)
    outputs = layers.Dense(classes, activation="softmax", name="out")(x)
    return keras.Model(inputs, outputs, name="kws")
