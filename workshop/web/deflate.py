"""Websocket compression that costs nothing per connection: permessage-deflate without context takeover.

With context takeover every connection keeps two zlib streams (~100 KB a phone, docs/performance.md). Without
it each message is compressed on its own with a fresh stream, so its compressed form depends on the message
alone: a message sent to 2,000 phones (the idea list, the live view) is compressed once and the result reused
from a small cache. Short messages are sent as they are, since deflate would only make them longer.
"""
from __future__ import annotations

import zlib
from collections import OrderedDict

DEFLATE_WITHOUT_CONTEXT = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
# What a phone sends is a few hundred bytes: a 1 KB window is plenty, and the server's inflater needs no more
CLIENT_WINDOW_BITS = 10
SMALL = 128  # characters (or bytes) below which a message goes uncompressed
SHARED = 1024  # bytes from which a compressed message is kept for the next socket that sends it
CACHE_SIZE = 32  # compressed messages kept


def websocket_compression(app, enabled: bool):
    """Negotiate permessage-deflate without context takeover when the client offers it (and `enabled`), else none.

    Whatever the browser offers, the server answers with both `no_context_takeover` parameters (RFC 7692 lets a
    server add them), so neither side keeps a stream. Incoming messages still inflate to at most the frame
    limit (eventlet checks it).
    """
    def application(environ, start_response):
        offer = environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        deflates = [part.split(";") for part in (offer or "").split(",")
                    if part.split(";")[0].strip().lower() == "permessage-deflate"]
        if enabled and deflates:
            # RFC 7692: the server may ask the client for a smaller window only if the client offered to take one
            small = any(p.split("=")[0].strip().lower() == "client_max_window_bits" for p in deflates[0][1:])
            environ["HTTP_SEC_WEBSOCKET_EXTENSIONS"] = DEFLATE_WITHOUT_CONTEXT + (
                f"; client_max_window_bits={CLIENT_WINDOW_BITS}" if small else "")
        return app(environ, start_response)
    return application


def deflate(data: bytes, wbits: int) -> bytes:
    """One message compressed with a fresh stream, ending in the sync-flush marker permessage-deflate strips.

    The window need not be larger than the message (any receiver inflates a smaller window than the one
    negotiated), so a short message gets a small window and hash table: zlib then allocates ~10 KB instead
    of ~256 KB, and a 200-byte message costs ~6 µs instead of ~35 µs.
    """
    bits = min(wbits, max(9, len(data).bit_length()))
    stream = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -bits, max(1, min(8, bits - 7)))
    return stream.compress(data) + stream.flush(zlib.Z_SYNC_FLUSH)


class DeflateCache:
    """The compressed forms of the latest large messages, least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE, shared: int = SHARED):
        """Keep at most `size` messages of at least `shared` bytes."""
        self.size, self.shared = size, shared
        self._items: OrderedDict[tuple[int, bytes], bytes] = OrderedDict()
        self.hits = self.misses = 0

    def compress(self, data: bytes, wbits: int) -> bytes:
        """The message compressed, from the cache when another socket sent it just before."""
        if len(data) < self.shared:
            return deflate(data, wbits)
        key = (wbits, data)
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            found = self._items[key] = deflate(data, wbits)
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        else:
            self.hits += 1
            self._items.move_to_end(key)
        return found


class _OneMessage:
    """What eventlet asks for a compressor of one message: compress() then flush(), served by the cache."""

    def __init__(self, cache: DeflateCache, wbits: int):
        self.cache, self.wbits, self.data = cache, wbits, b""

    def compress(self, data: bytes) -> bytes:
        """Keep the message; the work happens in flush()."""
        self.data += data
        return b""

    def flush(self, mode: int = zlib.Z_SYNC_FLUSH) -> bytes:
        """The compressed message with its sync-flush marker."""
        return self.cache.compress(self.data, self.wbits)


def share_compression(cache: DeflateCache) -> None:
    """Make eventlet's server websockets compress through the cache and leave short messages uncompressed.

    eventlet builds its websocket class by name in `WebSocketWSGI`; the subclass changes only how a
    compressor is chosen, and only for connections that negotiated no context takeover.
    """
    import eventlet.websocket

    base = eventlet.websocket.RFC6455WebSocket
    if getattr(base, "shared_deflate", None) is not None:
        base.shared_deflate = cache
        return

    class SharedDeflateWebSocket(base):
        """A server websocket whose messages are compressed once for every socket that sends them."""

        shared_deflate: DeflateCache = cache
        _plain = False

        def _pack_message(self, message, *args, **kwargs):
            """Frame a message; a short one goes uncompressed."""
            self._plain = isinstance(message, (str, bytes)) and len(message) < SMALL
            return super()._pack_message(message, *args, **kwargs)

        def _get_permessage_deflate_enc(self):
            """The cache for a message without context takeover; eventlet's own stream otherwise."""
            options = self.extensions.get("permessage-deflate")
            if options is None or self._plain:
                return None
            if not options.get("server_no_context_takeover") or self.client:
                return super()._get_permessage_deflate_enc()
            return _OneMessage(self.shared_deflate, options.get("server_max_window_bits", zlib.MAX_WBITS))

    eventlet.websocket.RFC6455WebSocket = SharedDeflateWebSocket
