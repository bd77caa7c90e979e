"""The whole screen as text, as a terminal would show it (for tests)."""

from __future__ import annotations

import html
import re

from textual.app import App

CELL_PX = 12.2  # the width of a cell in Rich's SVG export


def screen(app: App) -> str:
    """The screen's text, row by row, from the SVG screenshot Textual exports.

    Rich's SVG leaves out runs of blank cells, so each run is put back at
    its column (x / the cell width Rich uses).
    """
    svg = app.export_screenshot()
    rows: dict[int, str] = {}
    for match in re.finditer(
        r'<text[^>]*x="([\d.]+)"[^>]*clip-path="url\(#[\w-]+-line-(\d+)\)"[^>]*>(.*?)</text>',
        svg, re.S,
    ):
        column, line = round(float(match[1]) / CELL_PX), int(match[2])
        text = html.unescape(match[3]).replace("\xa0", " ").rstrip("\n")
        row = rows.get(line, "")
        rows[line] = row.ljust(column) + text if len(row) <= column else row + text
    return "\n".join(rows[line].rstrip() for line in sorted(rows))
