"""The shared websocket compression: a message compressed once inflates alone, and the cache stays small."""
from __future__ import annotations

import zlib

from workshop.web.transport import DeflateCache


def inflate(data: bytes) -> bytes:
    """What a browser does with one message negotiated without context takeover."""
    return zlib.decompressobj(-15).decompress(data)


def test_a_large_message_is_compressed_once_and_the_same_bytes_serve_every_socket():
    cache = DeflateCache(size=4, shared=100)
    message = ("42/participant,[\"wall\",{\"upsert\":[" + ",".join(f'[{i},"idee {i} klein beginnen"]'
                                                               for i in range(200)) + "]}]").encode()
    first = cache.compress(message, 15)
    again = cache.compress(bytes(message), 15)  # another socket's copy of the same text
    assert again is first and (cache.hits, cache.misses) == (1, 1)
    assert first.endswith(b"\x00\x00\xff\xff") and inflate(first) == message
    assert len(first) < len(message) / 3


def test_small_messages_are_not_kept_and_the_cache_drops_the_oldest():
    cache = DeflateCache(size=2, shared=100)
    assert inflate(cache.compress(b"42/participant,[1]", 15)) == b"42/participant,[1]"
    assert (cache.hits, cache.misses) == (0, 0)
    messages = [bytes([65 + n]) * 500 for n in range(3)]
    for m in messages:
        cache.compress(m, 15)
    cache.compress(messages[0], 15)  # dropped when the third came in: compressed again
    assert (cache.hits, cache.misses) == (0, 4)
    cache.compress(messages[2], 15)
    assert cache.hits == 1


def test_messages_of_every_size_inflate_with_the_negotiated_window():
    cache = DeflateCache(size=4, shared=10_000_000)  # compress every message afresh
    for size in (1, 127, 128, 511, 512, 513, 4096, 40_000, 200_000):
        message = bytes((i * 7919) % 251 for i in range(size))
        assert inflate(cache.compress(message, 15)) == message
