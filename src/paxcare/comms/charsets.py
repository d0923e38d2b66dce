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


def decode(data: bytes, label: str | None = None) -> str:
    """Return ``data`` as text, trusting ``label`` only as far as it decodes."""
    if not data:
        return ""
    codec = codec_for(label)
    if codec and codec.replace("_", "-").startswith("iso2022-jp"):
        return decode_iso2022_jp(data)
    if not codec or codec == "ascii":
        return guess(data)
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
    return guess(data)


def guess(data: bytes) -> str:
    """Return text for bytes of unknown or wrongly declared encoding."""
    if (utf8 := _strict(data, "utf-8")) is not None:
        return utf8
    if b"\x1b$" in data or b"\x1b(" in data:
        return decode_iso2022_jp(data)
    if len(data) >= _DETECTABLE_BYTES:
        best = from_bytes(data[:_DETECT_BYTES]).best()
        if best is not None:
            try:
                return data.decode(best.encoding)
            except (UnicodeDecodeError, LookupError):
                pass
    return _chinese_or_western(data)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _chinese_or_western(data: bytes) -> str:
    """Tell GBK from Big5 in a short text, else read it as Windows-1252.

    Big5's second bytes include 0x40-0x7E, which GB2312 never uses; Big5 text read as
    GBK therefore lands on GBK's rarer extension characters, while real GBK text of
    that length nearly always stays inside GB2312.
    """
    gbk = _strict(data, "gb18030")
    if gbk is not None and _mostly_cjk(gbk) and _fits(gbk, "gb2312"):
        return gbk
    big5 = _strict(data, "big5hkscs")
    if big5 is not None and _mostly_cjk(big5):
        return big5
    if gbk is not None and _mostly_cjk(gbk):
        return gbk
    return data.decode("cp1252", "replace")


def _fits(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


# Below this, a statistical detector guesses worse than "Chinese, else Western".
_DETECTABLE_BYTES = 48
_DETECT_BYTES = 64 * 1024
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _mostly_cjk(text: str) -> bool:
    wide = [c for c in text if ord(c) > 0x7F]
    return bool(wide) and sum(1 for c in wide if _CJK.match(c)) >= 0.9 * len(wide)


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


def recover_header_bytes(value: str) -> str:
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
    return guess(data)
