"""The one escape per medium (fwprobe.render.escape), each against what its medium's reader does."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from fakes.terminal import gfm_cells
from fwprobe.render import escape


@pytest.mark.parametrize("data, shown", [
    ("\x1b[2J", "\\x1b[2J"), ("a\nb", "a\\nb"), ("a\rb", "a\\rb"), ("\x07\x9b\x7f", "\\x07\\x9b\\x7f"),
    ("\u202eevil", "\\u202eevil"), ("\udcff", "\\udcff"), ("tab\tstays", "tab\tstays"), ("plain ✓", "plain ✓"),
])
def test_terminal_shows_controls(data: str, shown: str) -> None:
    assert escape.terminal(data) == shown


def test_terminal_keeps_line_feeds_only_when_asked() -> None:
    assert escape.terminal("a\nb\r", multiline=True) == "a\nb\\r"


def test_rich_text_is_never_markup() -> None:
    from rich.console import Console

    console = Console(width=200, force_terminal=True, color_system="truecolor")
    with console.capture() as capture:
        console.print(escape.text("[link=http://evil.invalid]x[/link][bold red]y"))
    out = capture.get()
    assert "[link=http://evil.invalid]x[/link][bold red]y" in out and "\x1b]8;" not in out


def test_github_escapes_follow_the_documented_rules() -> None:
    assert escape.gha_data("50%\nnext::x") == "50%25%0Anext::x"
    assert escape.gha_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert "\x1b" not in escape.gha_data("\x1b[31m") and "\r" not in escape.gha_data("a\rb")


@pytest.mark.parametrize("data", ["a|b", "a\\|b", "a\\\\|b", "x\n| y | z |", "`|`", "\\"])
def test_markdown_cells_stay_one_cell(data: str) -> None:
    for cell in (escape.md(data), escape.md(data, breaks=True), escape.md_code(data)):
        assert gfm_cells(f"| {cell} | end |") == 2, cell
        assert "\n" not in cell


def test_markdown_escapes_html_and_breaks() -> None:
    assert escape.md("<img src=x>&</details>") == "&lt;img src=x&gt;&amp;&lt;/details&gt;"
    assert escape.md("a\n# h", breaks=True) == "a<br># h"
    assert escape.md("[a](http://x)") == "\\[a\\](http://x)"


@pytest.mark.parametrize("data, span", [("/usr/bin/python", "`/usr/bin/python`"), ("a`b", "``a`b``"),
                                        ("`x", "`` `x ``"), ("<b>", "`<b>`")])
def test_code_spans_hold_data_verbatim(data: str, span: str) -> None:
    assert escape.md_code(data) == span


def test_xml_always_parses_and_keeps_crs() -> None:
    data = "a\rb\n\x1b[2J<&>\"'\x00"
    doc = f'<r a="{escape.xml_attr(data)}">{escape.xml_text(data)}</r>'
    root = ET.fromstring(doc)
    kept = "a\rb\n\\x1b[2J<&>\"'\\x00"
    assert root.text == kept and root.get("a") == kept
