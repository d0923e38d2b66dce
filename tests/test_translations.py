"""Every catalogue under src/paxcare is complete: nothing untranslated, nothing fuzzy,
and every translation keeps the python-format placeholders of its English text."""

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

SOURCE = Path(__file__).resolve().parent.parent / "src" / "paxcare"
PROJECT_CATALOGUE = SOURCE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CATALOGUES = sorted(SOURCE.glob("**/locale/*/LC_MESSAGES/*.po"))

# A printf-style conversion: %s, %d, %(name)s, %(count)d, %5.1f; "%%" is a literal.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[a-zA-Z%])"
)


def placeholders(text: str) -> Counter:
    """Return the placeholders of ``text`` with their conversion, ``%%`` left out."""
    found, unnamed = Counter(), 0
    for match in PLACEHOLDER.finditer(text):
        if match["type"] == "%":
            continue
        key = match["name"]
        if key is None:
            # Unnamed placeholders are filled in order: their position is their name.
            key, unnamed = f"#{unnamed}", unnamed + 1
        found[(key, match["type"])] += 1
    return found


def _texts(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple | list) else (value,)


def catalogue_problems(catalogue: Catalog) -> list[str]:
    """Return one line per entry that is untranslated, fuzzy or loses a placeholder."""
    problems = []
    if catalogue.fuzzy:
        problems.append("the header is marked fuzzy")
    for message in catalogue:
        if not message.id:
            continue
        ids = _texts(message.id)
        label = repr(ids[0])
        if message.fuzzy:
            problems.append(f"{label}: fuzzy")
        strings = _texts(message.string)
        if not strings or any(not text for text in strings):
            problems.append(f"{label}: untranslated")
            continue
        if not message.python_format:
            continue
        # With one plural form (Chinese) msgstr[0] stands for the plural msgid.
        expected = placeholders(ids[-1])
        for text in strings:
            if placeholders(text) != expected:
                problems.append(f"{label}: placeholders differ in {text!r}")
    return problems


def _read(path: Path) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file, abort_invalid=True)


def _parse(text: str) -> Catalog:
    header = (
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
    )
    return read_po(io.BytesIO((header + text).encode()), abort_invalid=True)


def test_the_project_catalogue_is_among_the_checked_ones():
    assert PROJECT_CATALOGUE in CATALOGUES


def _header(path: Path) -> dict[str, str]:
    """Return the header fields of a catalogue as written, before any parser's view."""
    text = path.read_text(encoding="utf-8")
    start = text.index('msgid ""')
    block = text[start : text.index("\n\n", start)]
    return dict(re.findall(r'^"([\w-]+): ?(.*?)\\n"$', block, flags=re.MULTILINE))


def test_the_project_catalogue_header_names_the_project_language_and_plural_rule():
    header = _header(PROJECT_CATALOGUE)

    assert header["Project-Id-Version"] == "PaxCare"
    assert header["Language"] == "zh_Hans"
    assert header["Plural-Forms"] == "nplurals=1; plural=0;"
    assert not any(
        "PACKAGE" in value or "FULL NAME" in value for value in header.values()
    )


@pytest.mark.parametrize(
    "path", CATALOGUES, ids=[str(p.relative_to(SOURCE)) for p in CATALOGUES]
)
def test_every_entry_is_translated_and_keeps_its_placeholders(path):
    catalogue = _read(path)

    problems = catalogue_problems(catalogue)

    assert problems == []


def test_the_check_finds_untranslated_and_fuzzy_entries():
    catalogue = _parse(
        'msgid "Case"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Cases"\nmsgstr "案件"\n\n'
        'msgid "%(n)d file"\nmsgid_plural "%(n)d files"\nmsgstr[0] ""\n'
    )

    problems = catalogue_problems(catalogue)

    assert problems == [
        "'Case': untranslated",
        "'Cases': fuzzy",
        "'%(n)d file': untranslated",
    ]


def test_the_check_finds_a_dropped_or_changed_placeholder():
    catalogue = _parse(
        '#, python-format\nmsgid "Case %(number)s opened."\nmsgstr "案件已创建。"\n\n'
        '#, python-format\nmsgid "At most %(n)d characters."\n'
        'msgstr "最多 %(n)s 个字符。"\n\n'
        '#, python-format\nmsgid "Routed to %(department)s."\n'
        'msgstr "已分派至%(dept)s。"\n\n'
        '#, python-format\nmsgid "%(count)d token revoked."\n'
        'msgid_plural "%(count)d tokens revoked."\nmsgstr[0] "已吊销令牌。"\n\n'
        '#, python-format\nmsgid "Status changed from %(old)s to %(new)s."\n'
        'msgstr "状态由“%(old)s”改为“%(new)s”。"\n'
    )

    problems = catalogue_problems(catalogue)

    assert problems == [
        "'Case %(number)s opened.': placeholders differ in '案件已创建。'",
        "'At most %(n)d characters.': placeholders differ in '最多 %(n)s 个字符。'",
        "'Routed to %(department)s.': placeholders differ in '已分派至%(dept)s。'",
        "'%(count)d token revoked.': placeholders differ in '已吊销令牌。'",
    ]


def test_placeholders_are_counted_by_name_and_conversion():
    assert placeholders("%(n)d of %(total)d, 50%% done, %s and %5.1f") == Counter(
        {("n", "d"): 1, ("total", "d"): 1, ("#0", "s"): 1, ("#1", "f"): 1}
    )
