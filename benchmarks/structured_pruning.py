"""Structured pruning, before and after: int8 bytes, MACs, arena and accuracy, measured in TFLM.

Usage:
  python benchmarks/structured_pruning.py [--keep 0.6] [--epochs 10] [--seed 0] [--quick]
      trains the optimisation chapters' shapes CNN as notebook 06 does (full mode unless
      --quick), prunes it to the keep ratio, fine-tunes, and prints the figures;
  python benchmarks/structured_pruning.py --model MODEL.keras --data DATA.npz [--keep ...]
      the same for a trained Sequential classifier of your own; DATA.npz holds x_train,
      y_train, x_test, y_test (integer labels).
The target of issue 7: at most half the int8 bytes, at most 2 points of accuracy lost.
"""

import argparse
import time

import numpy as np


def _shapes_model(quick: bool, seed: int):
    import keras

    from tinyml_lab.chapters.shapes.data import make_shapes_data
    from tinyml_lab.chapters.shapes.model import shapes_cnn
    from tinyml_lab.core.training import seed_everything

    seed_everything(seed)
    data = make_shapes_data(samples=3000 if quick else 10000, seed=seed)
    epochs, batch = (8, 32) if quick else (20, 64)
    steps = epochs * int(np.ceil(len(data.train.x) / batch))
    model = shapes_cnn()
    model.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(0.005,
                                                                                        steps)),
                  loss="sparse_categorical_crossentropy")
    model.fit(data.train.x, data.train.y, epochs=epochs, batch_size=batch, verbose=0)
    return model, data.train.x, data.train.y, data.test.x, data.test.y, data.source


def _own_model(model_path: str, data_path: str):
    import keras

    from tinyml_lab.core.errors import TinyMLError

    arrays = np.load(data_path)
    missing = {"x_train", "y_train", "x_test", "y_test"} - set(arrays.files)
    if missing:
        raise TinyMLError(f"{data_path} lacks {sorted(missing)}: save it with "
                          "np.savez(path, x_train=..., y_train=..., x_test=..., y_test=...).")
    return (keras.models.load_model(model_path), arrays["x_train"], arrays["y_train"],
            arrays["x_test"], arrays["y_test"], f"{data_path} (given)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=float, default=0.6, help="fraction of channels kept")
    parser.add_argument("--epochs", type=int, default=None, help="fine-tuning epochs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="small data and training")
    parser.add_argument("--model", help="a trained Sequential Keras classifier (.keras)")
    parser.add_argument("--data", help=".npz with x_train, y_train, x_test, y_test")
    args = parser.parse_args(argv)

    from tinyml_lab import checks
    from tinyml_lab.core.errors import TinyMLError
    from tinyml_lab.core.training import seed_everything
    from tinyml_lab.optimisation import footprint, prune

    if bool(args.model) != bool(args.data):
        parser.error("--model and --data go together")
    start = time.perf_counter()
    try:
        model, x_train, y_train, x_test, y_test, source = (
            _own_model(args.model, args.data) if args.model
            else _shapes_model(args.quick, args.seed))
        print(f"data: {source}; {len(x_train)} training, {len(x_test)} test samples")
        before, _ = footprint.int8_footprint("original", model, x_train, x_test, y_test,
                                             find_minimum=True)
        seed_everything(args.seed)
        epochs = args.epochs if args.epochs is not None else (2 if args.quick else 10)
        pruned, plans, _ = prune.prune_and_fine_tune(model, args.keep, x_train, y_train,
                                                     epochs=epochs, learning_rate=2e-3)
        widths = ", ".join(f"{p.layer} {p.total}->{len(p.kept)}" for p in plans)
        print(f"kept {args.keep:.0%} of the channels ({widths}); fine-tuned {epochs} epochs")
        after, _ = footprint.int8_footprint(f"pruned (keep {args.keep:.0%})", pruned, x_train,
                                            x_test, y_test, find_minimum=True)
    except TinyMLError as exc:
        print(f"error: {exc}")
        return 2
    print(footprint.footprint_table([before, after], baseline=before))
    print("(int8 models run in the TFLM runtime; accuracy on the test set; arena from host TFLM)")
    checks.check_structured_pruning(before, after)
    print(f"done in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
