"""RoomIndexManager: a disconnect leaves exactly the client's rooms without scanning the others."""
from __future__ import annotations

import itertools

import pytest
import socketio
from socketio import packet as socketio_packet

from workshop.web.transport import JsonPacket, RoomIndexManager

NS = "/participant"


class FakeServer:
    """What a manager needs from its server: ids and the packet class."""

    packet_class = socketio.packet.Packet

    def __init__(self):
        self._ids = itertools.count()
        self.eio = self

    def generate_id(self):
        return f"sid{next(self._ids)}"


def connected(manager, n):
    """Connect n clients, each in the phones room and a personal room."""
    sids = []
    for i in range(n):
        sid = manager.connect(f"eio{i}", NS)
        manager.enter_room(sid, NS, "CODE:phones")
        manager.enter_room(sid, NS, f"CODE:p:{i}")
        sids.append(sid)
    return sids


def test_disconnect_leaves_the_clients_rooms_like_the_stock_manager():
    ours, stock = RoomIndexManager(), socketio.Manager()
    for m in (ours, stock):
        m.set_server(FakeServer())
        sids = connected(m, 5)
        m.enter_room(sids[0], NS, "CODE:screens")
        m.leave_room(sids[1], NS, "CODE:phones")
        for sid in sids[:3]:
            m.pre_disconnect(sid, NS)
            m.disconnect(sid, NS)
    assert {k: dict(v) for k, v in ours.rooms[NS].items()} == {k: dict(v) for k, v in stock.rooms[NS].items()}
    assert ours.pending_disconnect == stock.pending_disconnect == {}
    assert not any(sid in room for room in ours.rooms[NS].values() for sid in ("sid0", "sid1", "sid2"))


def test_the_last_client_leaving_removes_the_namespace():
    m = RoomIndexManager()
    m.set_server(FakeServer())
    (sid,) = connected(m, 1)
    m.disconnect(sid, NS)
    assert NS not in m.rooms
    assert m._rooms_of == {}


def test_a_disconnect_only_looks_at_the_clients_own_rooms():
    m = RoomIndexManager()
    m.set_server(FakeServer())
    sids = connected(m, 2000)
    m.rooms[NS] = CountingDict(m.rooms[NS])
    m.disconnect(sids[0], NS)
    assert m.rooms[NS].reads < 20


class CountingDict(dict):
    """A dict that counts item reads and refuses whole scans."""

    reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return super().__getitem__(key)

    def copy(self):
        raise AssertionError("scanned every room")

    def items(self):
        raise AssertionError("scanned every room")


def test_spread_heartbeats_draws_each_ping_wait_within_the_interval():
    import engineio

    from workshop.web.transport import spread_heartbeats

    server = engineio.Server(async_mode="threading", ping_interval=20, ping_timeout=20)
    spread_heartbeats(server, spread=0.25)
    draws = [server.ping_interval for _ in range(500)]
    assert 15 <= min(draws) < 16 and 19 < max(draws) <= 20
    assert isinstance(server, engineio.Server) and server.ping_timeout == 20


def test_the_app_sends_json_packets_without_walking_them_for_bytes(socketio, monkeypatch):
    def walk(cls, data):
        raise AssertionError("walked the payload for bytes")

    monkeypatch.setattr(socketio_packet.Packet, "data_is_binary", classmethod(walk))
    payload = {"seq": 3, "questions": {"q1": {"rounds": [{"round": 1, "stats": {"n": 2}}]}}, "names": ["An", "Bo"]}
    pkt = socketio.server.packet_class(socketio_packet.EVENT, data=["live", payload], namespace="/screen")
    assert pkt.packet_type == socketio_packet.EVENT
    assert pkt.encode() == '2/screen,["live",{"seq":3,"questions":{"q1":{"rounds":[{"round":1,"stats":{"n":2}}]}},' \
                           '"names":["An","Bo"]}]'


def test_a_payload_with_bytes_fails_loudly_instead_of_going_out_as_an_attachment():
    with pytest.raises(TypeError):
        JsonPacket(socketio_packet.EVENT, data=["live", {"blob": b"\x00"}]).encode()


def test_a_binary_frame_from_a_client_is_still_decoded():
    pkt = JsonPacket(encoded_packet='51-/participant,["answer",{"_placeholder":true,"num":0}]')
    assert pkt.packet_type == socketio_packet.BINARY_EVENT
    assert pkt.add_attachment(b"\x01") and pkt.data == ["answer", b"\x01"]
