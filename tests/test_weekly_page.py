"""`report weekly` (SPEC §6): one self-contained HTML page, checked as a person would see it.

The page of the hand-computed fixture (tests/report_fixture.py) carries the week's figures beside
last week's; rendered in headless Chromium it is not blank and logs no console error.
"""
import re
import shutil
import struct
import subprocess
import zlib

import pytest
from report_fixture import BOSS, build_report_fixture

from conftest import one_line

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def weekly_page(crm, tmp_path):
    build_report_fixture(crm)
    out = tmp_path / "week.html"
    result = crm("report", "weekly", "--week", "2026-W48", "--today", "2026-11-30", "--out", out, acting=BOSS)
    assert result.exit_code == 0, result.output
    assert one_line(result) == f"wrote the weekly page of 2026-W48 to {out}"
    return out


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_shows_the_weeks_figures_beside_last_weeks(weekly_page):
    html = weekly_page.read_text(encoding="utf-8")
    text = text_of(html)
    assert "Weekly report 2026-W48" in text and "2026-11-23 to 2026-11-29 (UTC), beside 2026-W47" in text
    assert "New leads 6 ▲ last week 0" in text
    assert "Communications 6 ▲ last week 1" in text  # Anna's message of the 18th is week 47's
    assert "Review backlog 3 last week 3" in text
    assert "anna@example.com 3 (0) 4 (0) 3 (1) 2 (0)" in text  # companies, leads, communications, statuses
    assert "Breaches 2 (–)" in text
    for section in ("pipeline", "funnel", "activity", "quota", "response", "review"):
        assert f'<section id="{section}">' in html
    assert html.count("<svg") >= 5


def test_the_page_is_self_contained(weekly_page):
    html = weekly_page.read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html and 'name="viewport"' in html


def test_an_empty_week_still_makes_a_page(crm, tmp_path):
    out = tmp_path / "empty.html"
    assert crm("report", "weekly", "--week", "2020-W01", "--out", out).exit_code == 0
    assert "No deals this week or last." in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("week", ["2026-48", "2026-W54", "last"])
def test_a_malformed_week_is_bad_input(crm, tmp_path, week):
    result = crm("report", "weekly", "--week", week, "--out", tmp_path / "x.html")
    assert result.exit_code == 2
    assert "--week" in one_line(result)


def test_an_agent_may_not_make_another_agents_page(crm, tmp_path):
    build_report_fixture(crm)
    result = crm("report", "weekly", "--agent", BOSS, "--out", tmp_path / "x.html", acting="anna@example.com")
    assert result.exit_code == 5
    one_line(result)


# ---------------------------------------------------------------------------
# Rendered in headless Chromium
# ---------------------------------------------------------------------------


def png_pixels(data):
    """(width, height, rows of bytes) of an 8-bit RGB or RGBA PNG, decoded with zlib and the PNG filters."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, width = 8, b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw, stride, rows, previous = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + ((left + up) >> 1)) & 255
            elif kind == 4:
                estimate = left + up - corner
                distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
                line[x] = (line[x] + (left, up, corner)[distances.index(min(distances))]) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("backend", ["sqlite"])
def test_chromium_renders_the_page_with_no_console_error(weekly_page, tmp_path):
    screenshot = tmp_path / "week.png"
    run = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr",
         "--v=0", "--window-size=412,900", f"--screenshot={screenshot}", weekly_page.as_uri()],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    width, height, channels, rows = png_pixels(screenshot.read_bytes())
    assert (width, height) == (412, 900)
    colours = {row[x:x + 3] for row in rows[::4] for x in range(0, len(row), channels * 2)}
    assert len(colours) > 50  # text, bars and cards, not a blank or one-colour page
    blue = bytes((0x25, 0x63, 0xEB))  # this week's bars and the card borders around them
    assert any(blue in row for row in rows)
