"""Raw test messages, written as bytes (charsets and encodings are what the tests are about)."""

from __future__ import annotations

import base64


def eml(
    *,
    message_id: str = "<m1@client.example>",
    sender: str = "Marc Lenoir <marc@client.example>",
    to: str = "Léa Marchand <lea@hub.example>",
    subject: str = "Projet",
    date: str = "Mon, 23 Nov 2026 09:00:00 +0100",
    headers: str = "",
    body: str = "Bonjour, nous avons besoin d'aide pour notre projet.",
) -> bytes:
    """A plain UTF-8 message; `headers` are extra header lines ("Name: value\\r\\n" each)."""
    head = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n"
        f"Message-ID: {message_id}\r\n{headers}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode("utf-8") + body.encode("utf-8") + b"\r\n"


def multipart(
    parts: list[bytes],
    *,
    subtype: str = "mixed",
    message_id: str = "<mp@client.example>",
    sender: str = "Marc Lenoir <marc@client.example>",
    subject: str = "Pièces jointes",
    boundary: str = "=_cercle_boundary",
) -> bytes:
    head = (
        f"From: {sender}\r\nTo: lea@hub.example\r\nSubject: {subject}\r\n"
        f"Date: Mon, 23 Nov 2026 09:00:00 +0100\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'
    ).encode()
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return head + body + b"--" + boundary.encode() + b"--\r\n"


def text_part(text: str, *, charset: str = "utf-8", subtype: str = "plain") -> bytes:
    return (
        f"Content-Type: text/{subtype}; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".encode()
        + text.encode(charset)
    )


def file_part(
    data: bytes,
    *,
    content_type: str = "application/pdf",
    filename: str | None = "devis.pdf",
    disposition: str = "attachment",
    content_id: str = "",
    extra_params: str = "",
) -> bytes:
    head = f"Content-Type: {content_type}{extra_params}\r\n"
    if disposition:
        head += f"Content-Disposition: {disposition}"
        head += f'; filename="{filename}"\r\n' if filename else "\r\n"
    if content_id:
        head += f"Content-ID: <{content_id}>\r\n"
    head += "Content-Transfer-Encoding: base64\r\n\r\n"
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return head.encode() + encoded
