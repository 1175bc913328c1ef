"""A compressed answer is decoded as it arrives and refused at the cap, never expanded whole first."""

from __future__ import annotations

import functools
import gzip
import json
import struct
import zlib
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from huawei_meeting_mcp import errors
from huawei_meeting_mcp.client import MeetingClient, RetryPolicy
from huawei_meeting_mcp.transport import MAX_BODY_BYTES, BodyTooLargeError, CappedBody, create_http_client
from huawei_meeting_mcp.wire import ConfDetailResponse, DetailQuery

pytestmark = pytest.mark.anyio

BASE = "https://api.meeting.huaweicloud.com"
ANSWER = {"conferenceData": {"conferenceID": "914083388", "subject": "Weekly sync"}}
CHUNK = 64 * 1024
"""What a socket read gives at most (httpcore reads 64 kB at a time)."""


class Tokens:
    async def get_token(self) -> str:
        return "token-1"

    async def token_rejected(self, token: str) -> bool:
        return False


@functools.cache
def one_mb_bomb() -> bytes:
    """A valid gzip body of about 1 MB that decodes to 1,000 MiB of zeros (250 times the cap).

    Compressing 1,000 MiB takes seconds; a segment compressed once and ended with a full flush stands
    alone, so repeating it gives the same stream at once (only the trailer's CRC-32 is computed).
    """
    block, blocks = bytes(1024 * 1024), 1000
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    head = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    segment = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.flush()[:-8]  # the last block, without the trailer written for two blocks
    crc = 0
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    trailer = struct.pack("<II", crc, (blocks * len(block)) & 0xFFFFFFFF)
    return head + segment * (blocks - 1) + end + trailer


class Body(httpx.AsyncByteStream):
    """A response body sent 64 kB at a time, counting what was taken from it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), CHUNK):
            chunk = self.data[start : start + CHUNK]
            self.sent += len(chunk)
            yield chunk


def feed_all(body: CappedBody, data: bytes, chunk: int) -> bytes:
    """Feed `data` to `body` `chunk` bytes at a time, as a connection would hand it over."""
    return b"".join(body.feed(data[start : start + chunk]) for start in range(0, len(data), chunk)) + body.finish()


def raw_deflate(data: bytes) -> bytes:
    """`data` as a bare deflate stream (no zlib header or checksum)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


async def detail_with(body: Body, encoding: str) -> ConfDetailResponse | errors.UpstreamError:
    """One confDetail call whose answer is `body`, sent with `Content-Encoding: encoding`."""
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(
            200, headers={"Content-Type": "application/json", "Content-Encoding": encoding}, stream=body
        )

    async with create_http_client(BASE, timeout=10, transport=httpx.MockTransport(answer)) as http:
        client = MeetingClient(http, Tokens(), timeout=10, retry=RetryPolicy(max_retries=0))
        try:
            return await client.conf_detail(DetailQuery("abc"))
        except errors.UpstreamError as exc:
            return exc
        finally:
            assert requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_the_bomb_is_a_1_mb_gzip_body_that_expands_far_past_the_cap() -> None:
    data = one_mb_bomb()
    assert 1.0e6 < len(data) < 1.1e6
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    assert inflater.decompress(data[:CHUNK], 2 * MAX_BODY_BYTES) == bytes(2 * MAX_BODY_BYTES)


def test_decoding_stops_one_byte_past_the_cap_however_the_body_arrives() -> None:
    data = one_mb_bomb()
    for chunk in (len(data), CHUNK, 1000):
        body = CappedBody("gzip", MAX_BODY_BYTES)
        with pytest.raises(BodyTooLargeError):
            feed_all(body, data, chunk)
        assert MAX_BODY_BYTES <= body.decoded <= MAX_BODY_BYTES + 1, chunk
        assert body.received <= max(chunk, CHUNK), "stopped within the first 64 kB"


async def test_a_1_mb_gzip_bomb_is_refused_while_decoding() -> None:
    body = Body(one_mb_bomb())
    error = await detail_with(body, "gzip")
    assert isinstance(error, errors.InvalidResponseError)
    assert "too large" in str(error)
    assert body.sent == CHUNK, "stopped in the first 64 kB chunk, which alone decodes to about 63 MB"


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", raw_deflate),  # without the zlib wrapping, as some servers send
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
        ("deflate, gzip", lambda data: gzip.compress(zlib.compress(data))),
        ("identity", lambda data: data),
        ("", lambda data: data),
    ],
)
async def test_compressed_answers_are_read(encoding: str, encode: Callable[[bytes], bytes]) -> None:
    answer = await detail_with(Body(encode(json.dumps(ANSWER).encode())), encoding)
    assert not isinstance(answer, errors.UpstreamError), answer
    assert answer.conference_data.subject == "Weekly sync"


async def test_a_broken_gzip_body_is_an_invalid_answer() -> None:
    broken = gzip.compress(json.dumps(ANSWER).encode())[:-12] + b"\x00" * 12
    error = await detail_with(Body(broken[:10] + b"garbage!" + broken[18:]), "gzip")
    assert isinstance(error, errors.InvalidResponseError)
    assert "cannot be decoded" in str(error)


async def test_an_encoding_not_asked_for_is_left_as_it_is() -> None:
    error = await detail_with(Body(b"\x8b\x00 not brotli, not JSON"), "br")
    assert isinstance(error, errors.InvalidResponseError)
    assert "not valid JSON" in str(error)


def test_a_small_body_in_layers_is_decoded_whole() -> None:
    raw = json.dumps({"data": ["x" * 100] * 1000}).encode()
    packed = gzip.compress(zlib.compress(raw))
    body = CappedBody("deflate, gzip", MAX_BODY_BYTES)
    assert feed_all(body, packed, 7) == raw
    assert body.decoded == len(raw)


def test_a_middle_layer_past_the_cap_is_refused() -> None:
    inner = zlib.compress(bytes(10_000), 9)  # a small deflate layer that expands past the cap
    body = CappedBody("deflate, gzip", 5_000)
    with pytest.raises(BodyTooLargeError):
        body.feed(gzip.compress(inner))
