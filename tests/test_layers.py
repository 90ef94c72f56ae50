"""The layers of src/termtm point one way: a lower layer never imports a higher one.

Each rule walks the syntax tree of every module of a package (imports inside functions count too), so a
lazy import that would close a cycle at run time is caught as well as one at the top of a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "termtm"

LOWER = (
    "model",
    "errors",
    "faults",
    "safetext",
    "config",
    "corpus",
    "formats",
    "align",
    "embed",
    "store",
    "search",
    "terms",
    "qa",
    "build",
)
"""The layers under the use cases: none of them may import app/, cli/ or web/."""


def _module_name(path: Path) -> str:
    """termtm.x.y for src/termtm/x/y.py (a package's __init__ is the package itself)."""
    parts = ("termtm", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved against the file's package."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from termtm import web`
    return found


def _files(layer: str) -> list[Path]:
    """The modules of one layer: a package's files (migrations included) or a single module."""
    package = SRC / layer
    if package.is_dir():
        return sorted(package.rglob("*.py"))
    return [SRC / f"{layer}.py"]


def _violations(layers: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    """`file imports module` for each import of a forbidden layer by a module of the given layers."""
    bad = []
    for layer in layers:
        for path in _files(layer):
            for module in sorted(_imports(path)):
                if any(module == f"termtm.{f}" or module.startswith(f"termtm.{f}.") for f in forbidden):
                    bad.append(f"{path.relative_to(SRC)} imports {module}")
    return bad


def test_every_layer_named_here_exists():
    """A layer renamed away would make its rule pass on no files at all."""
    for layer in (*LOWER, "app", "cli", "web"):
        assert _files(layer) and all(p.exists() for p in _files(layer)), layer


def test_the_import_walker_sees_top_level_and_lazy_imports():
    """The rules can fail: the walker finds an import at the top of a file and one inside a function."""
    found = _imports(SRC / "store" / "repository.py")
    assert "termtm.model" in found and "termtm.store.schema" in found
    assert "termtm.build" in _imports(SRC / "app" / "terms.py")  # imported inside a function


def test_the_store_imports_no_terms_search_qa_web_app_or_cli():
    assert _violations(("store",), ("terms", "search", "qa", "web", "app", "cli")) == []


def test_formats_do_not_import_the_aligner():
    assert _violations(("formats",), ("align",)) == []


def test_the_web_does_not_import_the_build_pipeline():
    assert _violations(("web",), ("build",)) == []


def test_no_lower_layer_imports_the_use_cases_the_cli_or_the_web():
    assert _violations(LOWER, ("app", "cli", "web")) == []


def test_the_use_cases_know_neither_the_cli_nor_the_web():
    assert _violations(("app",), ("cli", "web")) == []
