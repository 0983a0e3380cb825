"""The optimisation tools the later chapters teach, usable on any chapter's model.

quantize (the int8 math, checkable against the converter), qat (weight quantization-aware
training on Keras 3), prune (magnitude and channel pruning on Keras 3), footprint (int8
bytes, MACs, arena and accuracy in TFLM, side by side), energy (energy per inference).
"""
