"""CAT-tool import for real: OmegaT fills the cleaned bulletin from our TMX in tm/auto."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from termtm.corpus.docfile import parse_document

PROJECT_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat><project version="1.0">
<source_dir>source</source_dir><source_dir_excludes/><target_dir>target</target_dir><tm_dir>tm</tm_dir>
<glossary_dir>glossary</glossary_dir><glossary_file>glossary/glossary.txt</glossary_file>
<dictionary_dir>dictionary</dictionary_dir><source_lang>zh-CN</source_lang><target_lang>en</target_lang>
<source_tok>org.omegat.tokenizer.LuceneSmartChineseTokenizer</source_tok>
<target_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</target_tok>
<sentence_seg>true</sentence_seg><support_default_translations>true</support_default_translations>
<remove_tags>false</remove_tags></project></omegat>
"""


@pytest.fixture(scope="module")
def omegat_run(built, tmp_path_factory):
    if shutil.which("omegat") is None:
        pytest.skip("OmegaT is not installed (apt-get install omegat); .ci/run installs it")
    paths = built[0]
    proj = tmp_path_factory.mktemp("omegat") / "bulletin"
    for d in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (proj / d).mkdir(parents=True)
    (proj / "omegat.project").write_text(PROJECT_XML, encoding="utf-8")
    shutil.copy(paths.tmx, proj / "tm" / "auto" / paths.tmx.name)
    doc = parse_document(paths.cleaned.read_text(encoding="utf-8"))
    source = "\n\n".join(p.text for a in doc.articles for p in a.paragraphs) + "\n"
    (proj / "source" / "bulletin.txt").write_text(source, encoding="utf-8")
    config = proj.parent / "config"
    config.mkdir()
    cmd = [
        "omegat",
        str(proj),
        "--mode=console-translate",
        f"--config-dir={config}",
        "--no-team",
        "--disable-project-locking",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return proj, source


def test_omegat_fills_at_least_95_percent_of_segments(omegat_run):
    proj, _ = omegat_run
    stats = (proj / "omegat" / "project_stats.txt").read_text(encoding="utf-8")
    total = int(re.search(r"^Total:\s+(\d+)", stats, re.M).group(1))
    remaining = int(re.search(r"^Remaining:\s+(\d+)", stats, re.M).group(1))
    assert total > 250
    assert (total - remaining) / total >= 0.95


def test_omegat_target_document_is_english(omegat_run):
    proj, source = omegat_run
    target = (proj / "target" / "bulletin.txt").read_text(encoding="utf-8")
    han = re.compile(r"[\u3400-\u9fff]")
    assert len(han.findall(target)) <= 0.1 * len(han.findall(source))
    assert "Coordinated Mekong Ministerial Initiative against Trafficking (COMMIT)" in target
