"""HTML mail made safe to show, and read as plain text for the case.

``sanitise`` hands the markup to nh3 (the Ammonia sanitiser): scripts, styles,
event handlers, forms and every URL scheme but http, https and mailto go, so
``cid:`` references and tracking tricks vanish with them. ``to_text`` reads the
sanitised markup as the lines a person sees.
"""

import re
from html.parser import HTMLParser

import nh3

# Ammonia's default tag set, less images: a passenger's mail is shown without
# loading anything from the sender's servers.
_TAGS = nh3.ALLOWED_TAGS - {"img"}
_URL_SCHEMES = {"http", "https", "mailto"}
# Blocks stand apart as paragraphs; these others only start a new line.
_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "ul", "ol", "hr",
}  # fmt: skip
_LINES = {"br", "tr", "li", "dd", "dt"}


def sanitise(markup: str) -> str:
    """Return the markup with everything that could run, load or track removed."""
    return nh3.clean(
        markup,
        tags=_TAGS,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


class _TextReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag in _LINES:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(re.sub(r"\s+", " ", data))


def to_text(markup: str) -> str:
    """Return the text of (sanitised) markup, one line per block."""
    reader = _TextReader()
    reader.feed(markup)
    reader.close()
    lines = [line.strip() for line in "".join(reader.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
