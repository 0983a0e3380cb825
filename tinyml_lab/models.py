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


def ds_cnn(input_shape=(49, 40, 1), classes: int = 4, filters: int = 32, blocks: int = 3,
           first_kernel=(10, 4), dropout: float = 0.2):
    """A small depthwise-separable CNN for keyword spotting (after Zhang et al., "Hello Edge",
    2017, sized down to fit TFLM micro_speech's 18,800-byte budget).

    A strided convolution looks at (time x frequency) patches of the spectrogram; each block
    is a 3x3 depthwise convolution (one filter per channel: cheap) and a 1x1 convolution
    that mixes channels; the first block halves the resolution again so the later ones cost
    a quarter as much. Global average pooling makes the answer independent of where in the
    second the word falls. Batch normalisation folds into the convolutions on conversion.
    With per-channel int8 weights, every convolution also stores a scale and a zero point
    per channel, so channels x layers, not just weights, decide the bytes.
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="mel")
    x = layers.Conv2D(filters, first_kernel, strides=(2, 2), padding="same", use_bias=False,
                      name="c0")(inputs)
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
