"""Shared cell builders for the notebook sources in this folder."""

from nbformat.v4 import new_code_cell, new_markdown_cell

CHECK = "# NBVAL_CHECK_OUTPUT\n"



def md(text):
    return new_markdown_cell(text.strip("\n"))


def code(text, tags=()):
    cell = new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def params(stem, extra=""):
    return code(
        f"""
# Parameters (papermill overrides these; `python -m tinyml_lab course` sets them)
quick = None          # None: follow TINYML_LAB_QUICK; True: minutes-long quick mode
artifacts_dir = None  # None: $TINYML_LAB_ARTIFACTS/{stem}, else ../build/{stem}
{extra}""",
        tags=["parameters"],
    )


def resolve(stem):
    return code(
        f"""
import os
from pathlib import Path

import tinyml_lab

quick = tinyml_lab.is_quick() if quick is None else bool(quick)
artifacts = Path(artifacts_dir or Path(os.environ.get(tinyml_lab.ARTIFACTS_ENV, "../build")) / "{stem}")
artifacts.mkdir(parents=True, exist_ok=True)
print(f"mode: {{'quick' if quick else 'full'}}; artifacts go to {{artifacts}}")
"""
    )
