"""Every charset and header trap, in raw bytes, read into text a person can use."""

import struct

from paxcare.comms.parsing import header_text, parse
from tests.comms.raw import BIG_PNG, PDF, PNG, b64, encoded_word, mail, multipart, part


def test_gb2312_labelled_mail_with_gb18030_characters_reads_whole():
    text = "朱镕基先生，我的行李在首都机场丢失。"
    raw = mail(
        subject=encoded_word("gb2312", "行李丢失：镕".encode("gb18030")),
        content_type="text/plain; charset=gb2312",
        body=text.encode("gb18030"),
    )

    parsed = parse(raw)

    assert parsed.subject == "行李丢失：镕"
    assert parsed.text == text


def test_big5_mail_reads_as_traditional_chinese():
    raw = mail(
        subject=encoded_word("big5", "行李遺失".encode("big5")),
        content_type='text/plain; charset="big5"',
        body="您好，我的行李在桃園機場遺失了。".encode("big5"),
    )

    parsed = parse(raw)

    assert parsed.subject == "行李遺失"
    assert parsed.text == "您好，我的行李在桃園機場遺失了。"


def test_iso_2022_jp_with_windows_extensions_reads_whole():
    # ① and ㈱ are NEC row 13 (JIS 0x2D21 and 0x2D6A); plain ISO-2022-JP lacks them.
    body = b"\x1b$B-!\x1b(B CA925 \x1b$B-j9R6u\x1b(B\r\n"

    parsed = parse(mail(content_type="text/plain; charset=iso-2022-jp", body=body))

    assert parsed.text == "① CA925 ㈱航空"


def test_a_missing_charset_is_guessed_from_the_bytes():
    utf8 = parse(mail(content_type=None, body="Grüße, mein Koffer fehlt.".encode()))
    gbk = parse(
        mail(
            content_type="text/plain",
            body="您好，我的行李在北京首都国际机场没有到达，请帮我查询。".encode("gbk"),
        )
    )

    assert utf8.text == "Grüße, mein Koffer fehlt."
    assert gbk.text == "您好，我的行李在北京首都国际机场没有到达，请帮我查询。"


def test_an_encoded_word_split_inside_a_character_is_joined():
    data = "行李延误".encode()  # 12 bytes: split after the 4th, inside 李
    base64_split = (
        encoded_word("utf-8", data[:4]) + b"\r\n " + encoded_word("UTF-8", data[4:])
    )
    q_split = b"=?utf-8?Q?=E8=A1=8C=E6?= =?utf-8?Q?=9D=8E?="

    assert header_text(base64_split.decode()) == "行李延误"
    assert header_text(q_split.decode()) == "行李"


def test_raw_8bit_headers_and_emoji_survive():
    raw = mail(
        subject="行李 ✈️🧳 lost".encode(),
        sender="李伟 <li.wei@example.com>".encode(),
        body="Thanks 🙏\r\n".encode(),
    )

    parsed = parse(raw)

    assert parsed.subject == "行李 ✈️🧳 lost"
    assert (parsed.sender_name, parsed.sender) == ("李伟", "li.wei@example.com")
    assert parsed.text == "Thanks 🙏"


def test_html_only_mail_is_sanitised_and_read_as_text():
    html = (
        b"<html><head><style>p{color:red}</style><script>alert(1)</script></head>"
        b"<body><p onclick='steal()'>My bag <b>PEK123456</b> is lost.</p>"
        b"<img src='cid:logo@x'><img src='https://tracker.example/p.gif'>"
        b"<ul><li>Flight CA981</li><li>3 March</li></ul>"
        b"<a href='javascript:alert(2)'>click</a></body></html>"
    )

    parsed = parse(mail(content_type="text/html; charset=utf-8", body=html))

    assert "script" not in parsed.html and "onclick" not in parsed.html
    assert "<img" not in parsed.html and "javascript" not in parsed.html
    assert "<b>PEK123456</b>" in parsed.html
    assert (
        parsed.text == "My bag PEK123456 is lost.\n\n- Flight CA981\n- 3 March\n\nclick"
    )


def test_inline_cid_images_and_attachments_become_files():
    body = multipart(
        [
            part(
                [("Content-Type", "text/html; charset=utf-8")],
                b"<p>See <img src='cid:tag@x'></p>",
            ),
            part(
                [
                    ("Content-Type", "image/png"),
                    ("Content-ID", "<tag@x>"),
                    ("Content-Transfer-Encoding", "base64"),
                    ("Content-Disposition", "inline"),
                ],
                b64(BIG_PNG),
            ),
            part(
                [
                    ("Content-Type", "application/pdf; name=receipt.pdf"),
                    ("Content-Transfer-Encoding", "base64"),
                    ("Content-Disposition", 'attachment; filename="receipt.pdf"'),
                ],
                b64(PDF),
            ),
        ]
    )

    parsed = parse(
        mail(content_type='multipart/related; boundary="b0undary"', body=body)
    )

    assert parsed.text == "See"
    assert [(f.name, f.content_type, f.inline) for f in parsed.files] == [
        ("tag.png", "image/png", True),
        ("receipt.pdf", "application/pdf", False),
    ]
    assert parsed.files[1].data == PDF


def test_attachment_names_in_every_encoding_clients_use():
    names = [
        b"filename*=UTF-8''%E8%A1%8C%E6%9D%8E%E7%A5%A8.pdf",
        b'filename="' + encoded_word("gb2312", "登机牌.pdf".encode("gbk")) + b'"',
        b'filename="' + "收据.pdf".encode() + b'"',
        b'filename="' + "發票.pdf".encode("big5") + b'"',
        b"filename*0*=utf-8''%E8%A1%8C%E6%9D%8E;\r\n filename*1*=%2Epdf",
        b'filename="C:\\\\Users\\\\li\\\\Desktop\\\\tag.pdf"',
    ]
    parts = [
        part(
            [
                (b"Content-Type", b"application/pdf"),
                (b"Content-Disposition", b"attachment; " + name),
            ],
            PDF,
        )
        for name in names
    ]

    parsed = parse(
        mail(content_type='multipart/mixed; boundary="b0undary"', body=multipart(parts))
    )

    assert [f.name for f in parsed.files] == [
        "行李票.pdf",
        "登机牌.pdf",
        "收据.pdf",
        "發票.pdf",
        "行李.pdf",
        "tag.pdf",
    ]


def tnef(name: bytes, data: bytes, body: bytes) -> bytes:
    """Return a minimal winmail.dat: a body and one attached file."""

    def attribute(level: int, name_id: int, kind: int, value: bytes) -> bytes:
        checksum = sum(value) & 0xFFFF
        return (
            struct.pack("<BHHI", level, name_id, kind, len(value))
            + value
            + struct.pack("<H", checksum)
        )

    return (
        struct.pack("<IH", 0x223E9F78, 1)
        + attribute(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))
        + attribute(1, 0x800C, 0x0002, body)
        + attribute(2, 0x9002, 0x0006, b"\x01\x00" + b"\xff" * 12)
        + attribute(2, 0x8010, 0x0001, name + b"\x00")
        + attribute(2, 0x800F, 0x0006, data)
    )


def test_winmail_dat_is_unpacked():
    body = multipart(
        [
            part(
                [
                    ("Content-Type", "application/ms-tnef; name=winmail.dat"),
                    ("Content-Transfer-Encoding", "base64"),
                    ("Content-Disposition", "attachment; filename=winmail.dat"),
                ],
                b64(tnef(b"boarding.pdf", PDF, b"Please see the boarding pass.")),
            ),
        ]
    )

    parsed = parse(mail(content_type='multipart/mixed; boundary="b0undary"', body=body))

    assert [(f.name, f.data) for f in parsed.files] == [("boarding.pdf", PDF)]
    assert parsed.text == "Please see the boarding pass."


def test_a_mail_over_the_size_limit_keeps_its_text_and_lists_its_files(settings):
    settings.COMMS_INBOUND_MAX_BYTES = 3000
    body = multipart(
        [
            part(
                [("Content-Type", "text/plain; charset=utf-8")],
                b"Bag lost, photos attached.",
            ),
            part(
                [
                    ("Content-Type", "image/png"),
                    ("Content-Transfer-Encoding", "base64"),
                    ("Content-Disposition", "attachment; filename=bag.png"),
                ],
                b64(BIG_PNG),
            ),
        ]
    )

    parsed = parse(mail(content_type='multipart/mixed; boundary="b0undary"', body=body))

    assert parsed.text == "Bag lost, photos attached."
    assert parsed.files == []
    reasons = [d["reason"] for d in parsed.dropped]
    assert reasons == ["message_too_large", "message_too_large"]


def test_malformed_dates_long_subjects_and_missing_ids_do_not_break_parsing():
    subject = "Re: " * 40 + "我的行李" * 200

    parsed = parse(
        mail(date=b"Tomorrow at noon, maybe", subject=subject.encode(), message_id=None)
    )
    far = parse(mail(date=b"Mon, 03 Mar 2125 09:15:00 +0800"))

    assert parsed.sent_at is None and far.sent_at is None
    assert parsed.mail_id == ""
    assert parsed.subject == subject.strip()


def test_thread_ids_come_from_in_reply_to_then_references_newest_first():
    raw = mail(
        (b"In-Reply-To", b"<c@x>"),
        (b"References", b"<a@x>\r\n <b@x> <c@x>"),
    )

    assert parse(raw).thread_ids == ["<c@x>", "<b@x>", "<a@x>"]


def test_small_png_stays_a_png():
    assert PNG.startswith(b"\x89PNG")
