"""An analysis as text, JSON, CSV or a standalone HTML page (the --format of `termtm analyze`)."""

from __future__ import annotations

import csv
import html
import io
import json

from termtm.app.analysis import BANDS, Analysis, band_label

_LANG = {"zh-CN": "Chinese", "en": "English"}


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def render_json(analysis: Analysis) -> str:
    """The JSON shape of the issue: segments, size_unit, bands, total (and weighted, with weights)."""
    return json.dumps(analysis.to_json(), ensure_ascii=False, indent=1) + "\n"


def render_text(analysis: Analysis) -> str:
    """A table a project manager reads: segments, size and share of the size per band."""
    unit, total, bands = analysis.size_unit, analysis.total(), analysis.bands()
    lines = [
        f"{analysis.name}: {total['segments']} segments, {total['size']:,} {unit} "
        f"({_LANG[analysis.src.value]} source, {_LANG[analysis.tgt.value]} target)",
        f"{'band':16} {'segments':>8} {unit:>8} {'%':>6}"
        + (f" {'weight':>7} {'weighted':>9}" if analysis.weights else ""),
    ]
    for band in BANDS:
        v = bands[band]
        row = f"{band_label(band):16} {v['segments']:8} {v['size']:8,} {_share(v['size'], total['size']):6.1f}"
        if analysis.weights:
            w = analysis.weights.get(band, 1.0)
            row += f" {w:7g} {v['size'] * w:9,.1f}"
        lines.append(row)
    row = f"{'total':16} {total['segments']:8} {total['size']:8,} {100.0 if total['size'] else 0.0:6.1f}"
    if analysis.weights:
        row += f" {'':7} {analysis.weighted_size():9,.1f}"
    lines.append(row)
    return "\n".join(lines) + "\n"


def render_csv(analysis: Analysis) -> str:
    """One row per band and a total row: band, segments, size, percent (and weight, weighted size)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    total, bands = analysis.total(), analysis.bands()
    head = ["band", "segments", analysis.size_unit, "percent"]
    w.writerow(head + (["weight", "weighted"] if analysis.weights else []))
    for band in BANDS:
        v = bands[band]
        row: list[object] = [band, v["segments"], v["size"], _share(v["size"], total["size"])]
        if analysis.weights:
            weight = analysis.weights.get(band, 1.0)
            row += [weight, round(v["size"] * weight, 2)]
        w.writerow(row)
    last: list[object] = ["total", total["segments"], total["size"], 100.0 if total["size"] else 0.0]
    w.writerow(last + (["", analysis.weighted_size()] if analysis.weights else []))
    return buf.getvalue()


def render_html(analysis: Analysis) -> str:
    """A self-contained page (no scripts, no external assets): the band table with a CSS bar per band."""
    esc = html.escape
    total, bands = analysis.total(), analysis.bands()
    rows = "".join(
        f"<tr class='band-{esc(b)}'><th scope='row'>{esc(band_label(b))}</th><td>{bands[b]['segments']}</td>"
        f"<td>{bands[b]['size']:,}</td><td>{_share(bands[b]['size'], total['size']):.1f}</td>"
        f"<td class='bar'><span style='width:{_share(bands[b]['size'], total['size'])}%'></span></td></tr>"
        for b in BANDS
    )
    weighted = f"<p>Weighted size: {analysis.weighted_size():,.1f} {analysis.size_unit}</p>" if analysis.weights else ""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>termtm analysis: {esc(analysis.name)}</title><style>"
        "body{font-family:sans-serif}td,th{padding:2px 8px;text-align:right}th[scope=row]{text-align:left}"
        ".bar{width:20em;text-align:left}.bar span{display:inline-block;height:1em;background:#3a6ea5}"
        "</style></head><body>"
        f"<h1>Analysis of {esc(analysis.name)}</h1>"
        f"<p>{total['segments']} segments, {total['size']:,} {analysis.size_unit}</p>"
        f"<table><tr><th>band</th><th>segments</th><th>{analysis.size_unit}</th><th>%</th><th></th></tr>{rows}"
        f"<tr><th scope='row'>total</th><td>{total['segments']}</td><td>{total['size']:,}</td><td>100.0</td>"
        f"<td></td></tr></table>{weighted}</body></html>\n"
    )


RENDERERS = {"text": render_text, "json": render_json, "csv": render_csv, "html": render_html}
