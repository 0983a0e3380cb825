"""Keep committed notebooks light: drop every output except those nbval checks.

Cells whose source starts with `# NBVAL_CHECK_OUTPUT` keep their (stable) outputs, which
`pytest --nbval-lax` compares on every run; all other outputs and execution counts go.
Usage: TINYML_LAB_QUICK=1 jupyter nbconvert --to notebook --execute --inplace notebooks/*.ipynb
       python tools/strip_outputs.py notebooks/*.ipynb
"""

import sys

import nbformat

MARK = "# NBVAL_CHECK_OUTPUT"


def strip(path: str) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.source.startswith(MARK):
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "display_data"]
        else:
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)  # saved widget state is output too, and heavy
    nbformat.write(nb, path)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        strip(arg)
        print("stripped", arg)
