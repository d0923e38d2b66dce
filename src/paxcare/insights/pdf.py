"""The management report as a PDF (ReportLab), Chinese included.

Chinese needs a font with CJK glyphs embedded in the file: WenQuanYi Micro Hei
(Debian's ``fonts-wqy-microhei``) or Noto Sans CJK where installed, or the file
named by ``PAXCARE_PDF_FONT``. Without any of them the PDF falls back to Adobe's
STSong-Light, which ReportLab names but does not embed: the reader's own CJK font
then draws it.
"""

import io
import logging
import os
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

logger = logging.getLogger(__name__)

FONT_NAME = "PaxCareCJK"
FALLBACK_FONT = "STSong-Light"
FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


@cache
def report_font() -> str:
    """Register and return the name of the font the report is set in."""
    configured = os.environ.get("PAXCARE_PDF_FONT", "")
    for candidate in (configured, *FONT_FILES):
        if candidate and Path(candidate).is_file():
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, candidate, subfontIndex=0))
            except (TTFError, OSError) as error:
                logger.warning("pdf: cannot use font %s (%s)", candidate, error)
                continue
            return FONT_NAME
    logger.warning("pdf: no CJK font file found; Chinese relies on the reader's fonts")
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def render_pdf(report: dict[str, Any], language: str) -> bytes:
    """Return the report as PDF bytes, in ``language``."""
    from paxcare.insights.reports import report_context

    with translation.override(language):
        context = report_context(report)
        story = _story(context, language)
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=16 * mm,
            title=context["title"],
            author="PaxCare",
        )
        document.build(story)
    return buffer.getvalue()


def _styles(language: str) -> dict[str, ParagraphStyle]:
    font = report_font()
    wrap = "CJK" if language.startswith("zh") else None
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap=wrap)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=21),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=11.5, leading=15, spaceBefore=8
        ),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
    }


def _story(context: dict[str, Any], language: str) -> list:
    styles = _styles(language)
    report = context["report"]
    story: list = [
        Paragraph(_escape(context["title"]), styles["title"]),
        Paragraph(
            _escape(
                _("%(first)s to %(last)s; figures as of %(generated)s.")
                % {
                    "first": report["first_day"].isoformat(),
                    "last": report["last_day"].isoformat(),
                    "generated": report["generated_at"].strftime("%Y-%m-%d %H:%M UTC"),
                }
            ),
            styles["body"],
        ),
        Spacer(1, 4 * mm),
    ]
    for table in context["sections"]:
        story.append(Paragraph(_escape(table.title), styles["heading"]))
        if not table.rows:
            story.append(
                Paragraph(_escape(_("No data in this period.")), styles["body"])
            )
            continue
        story.append(_table(table, styles["cell"]))
    return story


def _table(table, style: ParagraphStyle) -> Table:
    data = [[Paragraph(_escape(str(cell)), style) for cell in table.headers]]
    data += [
        [Paragraph(_escape(str(cell)), style) for cell in row] for row in table.rows
    ]
    first_width = 62 * mm if len(table.headers) > 2 else 90 * mm
    rest = (174 * mm - first_width) / max(1, len(table.headers) - 1)
    widths = [first_width] + [rest] * (len(table.headers) - 1)
    result = Table(data, colWidths=widths, repeatRows=1)
    result.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#8a96a3")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#d8dee6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return result


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
