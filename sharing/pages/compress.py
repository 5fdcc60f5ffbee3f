"""gzip for pages around a precompressed notebook fragment, padded against BREACH.

A page is ``prefix + fragment + suffix``: the fragment's deflate stream is made once per
rendering (``fragments.Fragment``); per request only the prefix and suffix are compressed, each
in its own deflate stream, and the three are joined into one gzip member (each stream ends on a
byte boundary, only the last is final; the CRC runs over the whole page).

BREACH needs a secret and text an attacker controls in one compression context. The CSRF
token in a page is masked anew on every response; the notebook (content anyone with upload
rights wrote) is compressed apart from the rest, so it never shares a context with the token;
and, as Django's ``GZipMiddleware`` does ("Heal the BREACH"), the gzip header carries a file
name of random length, so the response length does not tell what compressed well.
"""

from __future__ import annotations

import re
import secrets
import struct
import zlib

from django.utils.cache import patch_vary_headers

from sharing.pages.fragments import LEVEL, Fragment

MAX_RANDOM_BYTES = 100
_GZIP = re.compile(r"\bgzip\b")


def accepts_gzip(request) -> bool:
    return bool(_GZIP.search(request.headers.get("Accept-Encoding", "")))


def mark_gzipped(response):
    """Headers of a response whose body is already gzip: its encoding, and a cache key on it."""
    response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _header() -> bytes:
    """A gzip header (FNAME set) whose file name is 1..MAX_RANDOM_BYTES random hex digits."""
    padding = secrets.token_hex(MAX_RANDOM_BYTES)[: 1 + secrets.randbelow(MAX_RANDOM_BYTES)]
    return b"\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\xff" + padding.encode() + b"\x00"


def gzip_around(prefix: bytes, fragment: Fragment, suffix: bytes) -> bytes:
    """One gzip member holding ``prefix + fragment.encoded + suffix``."""
    head = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    tail = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    crc = zlib.crc32(suffix, zlib.crc32(fragment.encoded, zlib.crc32(prefix)))
    size = len(prefix) + len(fragment.encoded) + len(suffix)
    return b"".join(
        (
            _header(),
            head.compress(prefix),
            head.flush(zlib.Z_SYNC_FLUSH),
            fragment.deflated,
            tail.compress(suffix),
            tail.flush(zlib.Z_FINISH),
            struct.pack("<LL", crc, size & 0xFFFFFFFF),
        )
    )
