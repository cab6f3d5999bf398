"""Outside text is data: one escape per medium, used by every renderer and every stderr line.

Anything fwprobe did not write (package metadata, a framework's version, device and backend
names, exception texts, nvidia-smi output, index answers, file names, another node's report) is
kept verbatim in the model and in JSON, and passes through exactly one of these on its way to:

- a terminal or a pipe (tables, ``check`` lines, progress, warnings): ``terminal`` / ``text``;
- GitHub Actions workflow commands: ``gha_data`` / ``gha_property``;
- Markdown (scan's bug-report paste, status, merge): ``md`` / ``md_code``;
- JUnit XML: ``xml_text`` / ``xml_attr``;
- Prometheus text exposition (node_exporter's textfile collector): ``prom_label``.

Escaping a whole message that also holds fwprobe's own words is harmless: none of them uses a
control character, and the Markdown and XML escapes render as the characters they replace.
Stdlib only; ``text`` imports rich when called.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# C0 and C1 controls, DEL, and the invisible characters that reorder or break a line on screen
# (bidirectional overrides, as in "Trojan Source"; Unicode line and paragraph separators), and
# lone surrogates (undecodable bytes kept by surrogateescape), which no UTF-8 stream can encode
_CONTROLS = "\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_CONTROL_BUT_LF = re.compile(f"[{_CONTROLS.replace(chr(10) + '-', chr(11) + '-')}]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def terminal(data: object, multiline: bool = False) -> str:
    """``data`` as plain text that cannot drive a terminal: every control character (ESC, CSI,
    OSC, CR, BEL, C1...) shown as an escape such as ``\\x1b``. A line feed too, unless
    ``multiline`` (only inside a bordered table cell, where no line can start with data)."""
    return (_CONTROL_BUT_LF if multiline else _CONTROL).sub(_visible, str(data))


def text(data: object, style: str = "", multiline: bool = False) -> Text:
    """``data`` as a rich ``Text``: controls made visible, and rich markup (``[link=...]``,
    ``[bold]``) shown as written, never interpreted (a Text is never parsed for markup)."""
    from rich.text import Text

    return Text(terminal(data, multiline), style=style)


def gha_data(data: object) -> str:
    """A workflow command's message (GitHub's documented escapes): it stays on one line; its
    line feeds show as line breaks in the annotation, other controls (a CR too) as escapes."""
    return terminal(data, multiline=True).replace("%", "%25").replace("\n", "%0A")


def gha_property(data: object) -> str:
    """A workflow command's property value (``title=...``): also no ``:`` or ``,``."""
    return gha_data(data).replace(":", "%3A").replace(",", "%2C")


# a backslash too: else data's "\\|" leaves the pipe unescaped, and GitHub splits the cell there;
# brackets: data makes no link or image
_MD = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "`": "&#96;", "\\": "\\\\",
                     "[": "\\[", "]": "\\]"})


def md(data: object, breaks: bool = False) -> str:
    """Markdown text or a table cell: ``|``, backticks, ``<``, ``>``, ``&`` escaped, controls
    made visible, line breaks as spaces (as ``<br>`` with ``breaks``): data starts no line, so
    it can open no heading, fence, list, tag, comment or ``</details>``, nor add a row or cell."""
    lines = terminal(data, multiline=True).translate(_MD).split("\n")
    return ("<br>" if breaks else " ").join(lines)


def md_code(data: object) -> str:
    """An inline code span holding ``data`` verbatim, on one line (a fence longer than any
    backtick run in it). Data with ``|`` or ``\\`` goes through ``md`` instead: in a GitHub
    table no escape keeps a pipe inside a code span whole after a backslash."""
    body = terminal(data)
    if "|" in body or "\\" in body:
        return md(data)
    longest = max((len(run) for run in re.findall("`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{fence}{pad}{body}{pad}{fence}"


# XML 1.0 allows tab, LF, CR and U+0020 upwards, less surrogates and U+FFFE/U+FFFF
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                           "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"})


def _xml_allowed(data: object) -> str:
    return _XML_FORBIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                              else f"\\u{ord(m.group()):04x}", str(data))


def xml_text(data: object) -> str:
    """Element content: always parses; a CR stays a CR (``&#13;``, which parsers do not fold
    into LF); characters XML 1.0 forbids (ESC, other C0 controls) shown as ``\\x1b``."""
    return _xml_allowed(data).translate(_XML_TEXT)


def xml_attr(data: object) -> str:
    """A double-quoted attribute value; whitespace kept as character references."""
    return _xml_allowed(data).translate(_XML_ATTR)


# the exposition format's three escapes in a label value (its only quoted field)
_PROM_LABEL = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})


def prom_label(data: object) -> str:
    """A label value of the Prometheus text exposition format, to go between double quotes:
    backslash, double quote and line feed escaped as the format defines (a line feed comes back
    as a line feed in Prometheus); every other control character, line or paragraph separator,
    bidi override and lone surrogate shown as text such as ``\\x1b`` first, so the file stays one
    sample per line for any reader (``cat``, a line splitter treating CR as a break) and encodes
    as UTF-8."""
    return terminal(data, multiline=True).translate(_PROM_LABEL)
