"""Attachment checks judge the bytes: text by its UTF-8, WebP by its RIFF form type."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from paxcare.cases.attachments import TEXT_SNIFF_BYTES, check_uploads


def judged(name: str, content: bytes) -> tuple[list[str], list[str]]:
    checked, errors = check_uploads([SimpleUploadedFile(name, content)])
    return [c.content_type for c in checked], [e.message for e in errors]


def riff(form_type: bytes, body: bytes = b"\x00" * 32) -> bytes:
    size = (len(body) + 4).to_bytes(4, "little")
    return b"RIFF" + size + form_type + body


REFUSED = "only PDF, JPEG, PNG, GIF, WebP and plain text files are accepted"


def test_chinese_text_whose_16th_byte_cuts_a_character_is_accepted():
    # "行李" is 6 bytes a character pair; 16 bytes end inside the sixth character.
    content = ("行李延误" * 50).encode("utf-8")
    assert content[:16].decode("utf-8", errors="replace").endswith("\ufffd")

    assert judged("说明.txt", content) == (["text/plain"], [])


def test_a_long_chinese_text_cut_inside_a_character_at_the_sniff_limit_is_accepted():
    content = b"a" + ("航" * TEXT_SNIFF_BYTES).encode("utf-8")

    assert judged("long.txt", content) == (["text/plain"], [])


def test_a_short_text_ending_in_half_a_character_is_refused():
    content = "行李".encode()[:-1]

    assert judged("broken.txt", content) == ([], [f"broken.txt: {REFUSED}"])


def test_latin_1_text_is_refused():
    assert judged("old.txt", "Café crème".encode("latin-1")) == (
        [],
        [f"old.txt: {REFUSED}"],
    )


def test_utf_16_text_is_refused():
    assert judged("wide.txt", "bag".encode("utf-16-le")) == (
        [],
        [f"wide.txt: {REFUSED}"],
    )


def test_a_webp_image_is_accepted_as_webp():
    assert judged("photo.webp", riff(b"WEBP", b"VP8 " + b"\x00" * 28)) == (
        ["image/webp"],
        [],
    )


@pytest.mark.parametrize("form_type", [b"WAVE", b"AVI "])
def test_another_riff_file_named_webp_is_refused(form_type):
    assert judged("clip.webp", riff(form_type)) == ([], [f"clip.webp: {REFUSED}"])
