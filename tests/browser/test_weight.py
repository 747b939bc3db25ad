"""Weight: the bytes a phone transfers to open the join page (budget 60 KB) and a projector to open its page
(budget 70 KB), with everything each loads (issue 21)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import SMALL_PHONE, create_session

pytestmark = pytest.mark.browser

BUDGET = 60 * 1024
PROJECTOR_BUDGET = 70 * 1024


def test_the_phone_page_transfers_at_most_60_kb(server, pages):
    session = create_session(server.url)
    phone = pages.phone("phone", SMALL_PHONE)
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    encoding: dict[str, str] = {}
    sizes: dict[str, int] = {}
    frames: list[int] = []

    def response(event):
        """Remember each response's URL and content encoding."""
        headers = {k.lower(): v for k, v in event["response"].get("headers", {}).items()}
        urls[event["requestId"]] = event["response"]["url"]
        encoding[event["requestId"]] = headers.get("content-encoding", "-")

    cdp.on("Network.responseReceived", response)
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.on("Network.loadingFailed", lambda e: sizes.setdefault(e["requestId"], 0))
    cdp.on("Network.webSocketFrameReceived", lambda e: frames.append(len(e["response"]["payloadData"])))
    cdp.on("Network.webSocketFrameSent", lambda e: frames.append(len(e["response"]["payloadData"])))

    phone.goto(session["join_url"])
    expect(phone.locator("#v-join")).to_be_visible()
    phone.wait_for_load_state("networkidle")

    rows = sorted(((sizes[r], encoding.get(r, "-"), urls.get(r, r)) for r in sizes), reverse=True)
    total = sum(size for size, _, _ in rows) + sum(frames)
    print(f"\nphone join page: {total:,} bytes transferred ({total / 1024:.1f} KB; budget {BUDGET:,})")
    for size, enc, url in rows:
        print(f"  {size:>8,}  {enc:<5} {url.replace(server.url, '')}")
    print(f"  {sum(frames):>8,}  ws    {len(frames)} WebSocket frame(s)")
    assert rows, "no network traffic was recorded"
    assert total <= BUDGET, f"the phone page transfers {total:,} bytes, over the {BUDGET:,}-byte budget"
    # The socket opens as a WebSocket straight away: no long-polling handshake round trips.
    assert frames and not [url for url in urls.values() if "transport=polling" in url]


def test_chromium_compresses_the_phones_websocket_without_context_takeover_and_joins(server, pages):
    session = create_session(server.url)
    phone = pages.phone("phone", SMALL_PHONE)
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    handshakes: list[dict[str, str]] = []
    cdp.on("Network.webSocketHandshakeResponseReceived",
           lambda e: handshakes.append({k.lower(): v for k, v in e["response"]["headers"].items()}))
    phone.goto(session["join_url"])
    expect(phone.locator("#v-join")).to_be_visible()
    phone.locator("#join-submit").tap()
    expect(phone.locator("#v-wait h1")).to_be_visible()  # the join went through the compressed socket
    assert handshakes, "no websocket handshake was seen"
    extensions = handshakes[0].get("sec-websocket-extensions", "")
    assert "permessage-deflate" in extensions
    assert "server_no_context_takeover" in extensions and "client_no_context_takeover" in extensions


def test_the_projector_page_transfers_at_most_70_kb(server, pages):
    session = create_session(server.url)
    projector = pages.projector()
    cdp = projector.context.new_cdp_session(projector)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    frames: list[int] = []
    cdp.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.on("Network.loadingFailed", lambda e: sizes.setdefault(e["requestId"], 0))
    cdp.on("Network.webSocketFrameReceived", lambda e: frames.append(len(e["response"]["payloadData"])))
    cdp.on("Network.webSocketFrameSent", lambda e: frames.append(len(e["response"]["payloadData"])))
    projector.goto(session["projector_url"])
    expect(projector.locator("#v-lobby .sc-code")).to_be_visible()
    projector.wait_for_load_state("networkidle")
    rows = sorted(((sizes[r], urls.get(r, r)) for r in sizes), reverse=True)
    total = sum(size for size, _ in rows) + sum(frames)
    print(f"\nprojector page: {total:,} bytes transferred ({total / 1024:.1f} KB; budget {PROJECTOR_BUDGET:,})")
    for size, url in rows:
        print(f"  {size:>8,}  {url.replace(server.url, '')}")
    assert any("/js/fit.js" in url for _, url in rows)  # the fitting rule is part of what is weighed
    assert total <= PROJECTOR_BUDGET, f"the projector page transfers {total:,} bytes, over {PROJECTOR_BUDGET:,}"
