"""Bytes to text, whatever a mail claims its charset to be.

Mail in the wild lies about its encoding. A message labelled GB2312 is usually GBK
or GB18030 (the characters outside GB2312, such as 镕 or 祎, are common in names);
Big5 comes with the HKSCS and Microsoft extensions; ISO-2022-JP carries the NEC and
IBM extensions of Windows (①, Ⅱ, ㈱); "us-ascii" or no label at all often hides
UTF-8. Each label is mapped to the superset that real senders use, and text that
still does not decode is guessed from its bytes. Decoding never raises: what cannot
be read becomes U+FFFD, and the raw message is kept anyway.
"""

import codecs
import re
from collections.abc import Iterable, Sequence

from charset_normalizer import from_bytes

# Labels and the codec that reads what senders who use them really send.
SUPERSETS: dict[str, str] = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "chinese": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cp950": "cp950",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "ansi_x3.4-1968": "ascii",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}

_ISO_2022_JP = ("iso2022_jp", "iso2022_jp_2", "iso2022_jp_ext", "iso2022_jp_2004")


def codec_for(label: str | None) -> str | None:
    """Return the Python codec for a charset label, or None when unknown."""
    label = (label or "").strip().strip("\"'").lower()
    if not label:
        return None
    if label in SUPERSETS:
        return SUPERSETS[label]
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode(data: bytes, label: str | None = None, hints: Sequence[str] = ()) -> str:
    """Return ``data`` as text, trusting ``label`` only as far as it decodes.

    ``hints`` are the codecs the same mail declares elsewhere (``declared``): the
    best guess for a part that declares nothing.
    """
    if not data:
        return ""
    codec = codec_for(label)
    if codec and codec.replace("_", "-").startswith("iso2022-jp"):
        return decode_iso2022_jp(data)
    if not codec or codec == "ascii":
        return guess(data, hints)
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        pass
    # Labelled one thing, but valid UTF-8: a client that forgot to relabel.
    if (utf8 := _strict(data, "utf-8")) is not None:
        return utf8
    # A few broken bytes (a truncated line, a bad gateway) do not make the label wrong.
    text = data.decode(codec, "replace")
    if text.count("\ufffd") <= max(2, len(text) // 200):
        return text
    return guess(data, hints)


def declared(labels: Iterable[str | None]) -> tuple[str, ...]:
    """Return the codecs of these labels worth trying on undeclared 8-bit text.

    UTF-8 is tried first anyway; ASCII and ISO-2022-JP never hold 8-bit bytes.
    """
    found: list[str] = []
    for label in labels:
        codec = codec_for(label)
        if not codec or codec in _NOT_HINTS or codec.startswith("iso2022"):
            continue
        if codec not in found:
            found.append(codec)
    return tuple(found)


_NOT_HINTS = {"ascii", "utf-8", "utf-7"}


def guess(data: bytes, hints: Sequence[str] = ()) -> str:
    """Return text for bytes of unknown or wrongly declared encoding.

    UTF-8 first; then the charsets the mail declares elsewhere (``hints``), each
    only when its reading is plausible; then a detector on longer texts and a
    judgement between Chinese and Western on short ones.
    """
    if (utf8 := _strict(data, "utf-8")) is not None:
        return utf8
    if b"\x1b$" in data or b"\x1b(" in data:
        return decode_iso2022_jp(data)
    for codec in hints:
        text = _strict(data, codec)
        if text is not None and _plausible_as(codec, data, text):
            return text
    if len(data) >= _DETECTABLE_BYTES:
        text = _detected(data)
        if text is not None:
            return text
    return _chinese_or_western(data)


def _detected(data: bytes) -> str | None:
    """Return the detector's reading; among equal single-byte ones, Windows-1252.

    On a Western text with a few accented letters the detector finds several code
    pages equally good (Windows-1250 reads "très" as "trčs") and picks one by its
    own order; Windows-1252 (what Latin-1 labels mean) is the likelier.
    """
    matches = from_bytes(data[:_DETECT_BYTES])
    best = matches.best()
    if best is None:
        return None
    tied = [m for m in matches if m.chaos <= best.chaos]
    if (
        best.encoding != "cp1252"
        and any("cp1252" in m.could_be_from_charset for m in tied)
        and _plausibly_western(data)
    ):
        return data.decode("cp1252")
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _chinese_or_western(data: bytes) -> str:
    """Tell GBK from Big5 from Windows-1252 in a short text, by plausibility.

    Big5's second bytes include 0x40-0x7E, which GB2312 never uses; Big5 text read as
    GBK therefore lands on GBK's rarer extension characters, while real GBK text of
    that length nearly always stays inside GB2312. Latin-1 text read as either lands
    on rare characters too (the "ét" of "était" is Big5's 彋), one by one between
    Latin letters, while its Windows-1252 reading has accented letters inside words.
    """
    western = _plausibly_western(data)
    gbk = _strict(data, "gb18030")
    if gbk is not None and _plausibly_chinese(gbk, _in_gb2312, western=western):
        return gbk
    big5 = _strict(data, "big5hkscs")
    if big5 is not None and _plausibly_chinese(big5, _in_big5_level_1, western=western):
        return big5
    if western:
        return data.decode("cp1252")
    if big5 is not None and _mostly_cjk(big5):
        return big5
    if gbk is not None and _mostly_cjk(gbk):
        return gbk
    return data.decode("cp1252", "replace")


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _in_big5_level_1(char: str) -> bool:
    """Return True for Big5's symbols and its 5,401 frequent characters."""
    try:
        code = char.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and int.from_bytes(code, "big") <= 0xC67E


# Below this, a statistical detector guesses worse than "Chinese, else Western".
_DETECTABLE_BYTES = 48
_DETECT_BYTES = 64 * 1024
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Kana and Hangul too: what Japanese and Korean code pages decode to.
_EAST_ASIAN = re.compile(
    r"[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)
_EAST_ASIAN_CODECS = {
    "gb18030",
    "gbk",
    "gb2312",
    "hz",
    "big5",
    "big5hkscs",
    "cp950",
    "cp932",
    "shift_jis",
    "shift_jis_2004",
    "shift_jisx0213",
    "euc_jp",
    "euc_jis_2004",
    "euc_jisx0213",
    "cp949",
    "euc_kr",
    "johab",
}
# What Windows-1252 text in a Western language has beyond ASCII: accented letters,
# typographic punctuation; not ¦, ±, ¤ or ¬, which is what CJK bytes turn into.
_WESTERN_LETTERS = frozenset(
    {chr(c) for c in range(0xC0, 0x100)} - {"\xd7", "\xf7"}
) | frozenset("ŠšŒœŽžŸ")
_WESTERN_MARKS = frozenset("\xa0¡£«°»¿€‚„…‘’“”•–—")


def _mostly_cjk(text: str, pattern: re.Pattern = _CJK) -> bool:
    wide = [c for c in text if ord(c) > 0x7F]
    return bool(wide) and sum(1 for c in wide if pattern.match(c)) >= 0.9 * len(wide)


def _plausibly_chinese(
    text: str, common, pattern: re.Pattern = _CJK, *, western: bool = False
) -> bool:
    """Return True for East Asian text as people write it.

    Nearly all of its characters are common ones (``common``). When the bytes also
    read as plausible Western text (``western``), the characters must come in
    words too: one alone, glued to Latin letters ("Ren嶪", "彋ait"), is what
    Western bytes read in a CJK code page look like ("A座" is not in doubt: its
    Windows-1252 reading, "A×ù", is no one's text).
    """
    if not _mostly_cjk(text, pattern):
        return False
    wide = [c for c in text if ord(c) > 0x7F]
    if sum(1 for c in wide if common(c)) < 0.9 * len(wide):
        return False
    if not western:
        return True
    signs = [i for i, c in enumerate(text) if pattern.match(c)]
    glued = 0
    for i in signs:
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if pattern.match(before or " ") or pattern.match(after or " "):
            continue
        if _ascii_letter(before) or _ascii_letter(after):
            glued += 1
    return glued * 2 <= len(signs)


def _ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _plausibly_western(data: bytes) -> bool:
    """Return True when the Windows-1252 reading looks like a Western language.

    Every byte beyond ASCII is an accented letter or typographic punctuation, and
    they come alone or in pairs ("é", "üß"); CJK bytes come in longer runs or turn
    into symbols no one types.
    """
    text = _strict(data, "cp1252")
    if text is None:
        return False
    run = 0
    for char in text:
        if char.isascii():
            run = 0
            continue
        if char not in _WESTERN_LETTERS and char not in _WESTERN_MARKS:
            return False
        run += 1
        if run > 2:
            return False
    return True


def _plausible_as(codec: str, data: bytes, text: str) -> bool:
    """Return True when a declared codec's reading of undeclared bytes is plausible."""
    if codec == "cp1252":
        return _plausibly_western(data)
    if codec in _EAST_ASIAN_CODECS:
        return _plausibly_chinese(
            text, lambda c: True, _EAST_ASIAN, western=_plausibly_western(data)
        )
    return True


def decode_iso2022_jp(data: bytes) -> str:
    """Return ISO-2022-JP text, the Windows (CP50220) extensions included.

    Python's ISO-2022-JP codecs refuse the NEC row 13 and IBM extension characters
    that Windows mail clients send; converting the JIS X 0208 runs to Shift_JIS and
    reading them as CP932 gives them back.
    """
    for codec in _ISO_2022_JP:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return _jis_to_cp932(data)


_ESCAPE = re.compile(rb"\x1b(\$@|\$B|\$\(D|\$\(Q|\(B|\(J|\(I)")


def _jis_to_cp932(data: bytes) -> str:
    parts: list[str] = []
    mode = b"(B"
    position = 0
    for match in _ESCAPE.finditer(data):
        parts.append(_jis_run(data[position : match.start()], mode))
        mode = match.group(1)
        position = match.end()
    parts.append(_jis_run(data[position:], mode))
    return "".join(parts)


def _jis_run(run: bytes, mode: bytes) -> str:
    if not run:
        return ""
    if mode in (b"$@", b"$B", b"$(Q"):
        return _double_byte_run(run)
    if mode == b"(I":
        return bytes(b | 0x80 for b in run).decode("cp932", "replace")
    return run.decode("cp932", "replace")


def _double_byte_run(run: bytes) -> str:
    out = bytearray()
    for index in range(0, len(run) - 1, 2):
        first, second = run[index], run[index + 1]
        if not (0x21 <= first <= 0x7E and 0x21 <= second <= 0x7E):
            out += b"?"
            continue
        # JIS X 0208 row/cell to Shift_JIS lead and trail bytes.
        lead = ((first + 1) >> 1) + (0x70 if first <= 0x5E else 0xB0)
        odd_row = first % 2
        trail = second + ((0x1F if second <= 0x5F else 0x20) if odd_row else 0x7E)
        out += bytes((lead, trail))
    if len(run) % 2:
        out += b"?"
    return out.decode("cp932", "replace")


def recover_header_bytes(value: str, hints: Sequence[str] = ()) -> str:
    """Return a header value whose raw 8-bit bytes were smuggled in as surrogates.

    ``email`` reads non-ASCII header bytes as surrogate escapes; a client that put
    raw UTF-8 or GBK in a header (against the RFC, but common) is read here.
    """
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    data = value.encode("ascii", "surrogateescape")
    return guess(data, hints)
