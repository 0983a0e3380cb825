"""The package's layout is its architecture: the core and the optimisation tools know no
chapter, and no chapter knows another, so a fifth chapter is one package and one notebook."""

import ast
from pathlib import Path

import pytest

import tinyml_lab
from tinyml_lab.chapters import chapter, chapter_names, predictor, predictor_names

PACKAGE = Path(tinyml_lab.__file__).parent
ABOVE = ("tinyml_lab.cli", "tinyml_lab.course", "tinyml_lab.checks", "tinyml_lab.environment",
         "tinyml_lab.predict")


def imported_modules(source: str, module: str) -> set[str]:
    """Every tinyml_lab module a source imports, lazy imports inside functions included;
    `from package import name` counts as package.name (it may be a submodule)."""
    package = module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == "tinyml_lab"}


def modules_under(folder: str):
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        dotted = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        yield dotted.removesuffix(".__init__"), path.read_text()


def _chapter_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "chapters" else None


def test_the_import_reader_sees_lazy_relative_and_from_imports():
    source = ("from tinyml_lab.core import tflm\n"
              "def f():\n    from tinyml_lab.chapters.gesture import data\n"
              "from . import camera\n")
    found = imported_modules(source, "tinyml_lab.chapters.person_detection.predict")
    assert "tinyml_lab.core.tflm" in found
    assert "tinyml_lab.chapters.gesture.data" in found
    assert "tinyml_lab.chapters.person_detection.camera" in found


@pytest.mark.parametrize("folder", ["core", "optimisation"])
def test_core_and_optimisation_import_no_chapter_and_nothing_above(folder):
    for module, source in modules_under(folder):
        for name in imported_modules(source, module):
            assert not name.startswith("tinyml_lab.chapters"), f"{module} imports {name}"
            assert not name.startswith(ABOVE), f"{module} imports {name}, which is above it"
            if folder == "core":
                assert not name.startswith("tinyml_lab.optimisation"), f"{module} -> {name}"


def test_no_chapter_imports_another_or_anything_above():
    for module, source in modules_under("chapters"):
        own = _chapter_of(module)
        for name in imported_modules(source, module):
            other = _chapter_of(name)
            assert other in (None, own), f"{module} (chapter {own}) imports {name}"
            assert not name.startswith(ABOVE), f"{module} imports {name}, which is above it"


def test_every_chapter_package_is_found_and_says_where_its_data_comes_from():
    folders = sorted(p.name for p in (PACKAGE / "chapters").iterdir()
                     if (p / "__init__.py").is_file())
    assert sorted(chapter_names()) == folders
    assert {"sine", "wake_word", "person_detection", "gesture", "shapes"} <= set(folders)
    for name in chapter_names():
        module = chapter(name)
        assert isinstance(module.ORDER, int) and callable(module.data_source), name
        assert (PACKAGE / "chapters" / name / "model.py").is_file(), f"{name} has no model.py"


def test_predictors_are_found_not_listed():
    for name in predictor_names():
        assert (PACKAGE / "chapters" / name / "predict.py").is_file()
        assert predictor(name).__module__ == f"tinyml_lab.chapters.{name}.predict"
    assert {"wake_word", "person_detection", "gesture"} <= set(predictor_names())
