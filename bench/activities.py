"""Benchmark of the proeftuin activities: N phones send ideas (auto-approved), then place and move dots.

    .venv/bin/python bench/activities.py --phones 2000 --ideas-window 60 --dots-window 30

Starts `workshop serve` (eventlet) on 127.0.0.1, creates one session, connects a facilitator and a
projector, joins the phones (two worker processes), has every phone answer the four questions (the quiz,
so the byte count covers the whole session), then every phone sends 3 ideas at random moments in the
ideas window, then places 3 dots (2 on one idea, 1 on another) and moves one, in the dots window.
Idea texts are made of random runs of words from the proeftuin seed text (30-120 characters unless
--idea-chars says otherwise), so they compress like Dutch prose, not like one repeated sentence. Phones
offer permessage-deflate as browsers do.
Reports: projector wall latency (a phone's send -> the first projector `activities` whose wall holds the
idea), the time from the last approval until every phone's idea list is complete, bytes received per
phone over the whole session (the decoded text of its messages, and the bytes that reached its TCP
socket after the websocket handshake: frames as sent, compressed or not), and the dots' ack latency and
errors. Every process it starts is stopped by PID; a run has a time limit.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import sys
import tempfile
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench.load import percentile, questions_of  # noqa: E402
from bench.sioclient import Client, SocketError  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402

DISCIPLINES = ["Directie", "Publiek", "ICT"]
SEED = ROOT.parent / "shared" / "seeds" / "002_3d211b44952ee13f.txt"


def seed_words() -> list[str]:
    """The words of the proeftuin seed text (a stand-in vocabulary when the seeds are not beside the checkout)."""
    text = SEED.read_text(encoding="utf-8") if SEED.is_file() else "begin klein met een eerste digitale stap"
    return re.findall(r"[\w’'-]+", text)


def idea_text(rng: random.Random, words: list[str], shortest: int = 30, longest: int = 120) -> str:
    """A made-up idea: a random run of seed words, `shortest` to `longest` characters."""
    size = rng.randint(shortest, longest)
    start = rng.randrange(len(words))
    out: list[str] = []
    while len(" ".join(out)) < size:
        out.append(words[(start + len(out)) % len(words)] if rng.random() < 0.5 else rng.choice(words))
    return " ".join(out)[:size].strip()


class CountingClient(Client):
    """A client that counts what it receives and keeps the idea wall from `snapshot` and `wall`."""

    def __init__(self, *args: Any, **kwargs: Any):
        """Start with nothing received."""
        super().__init__(*args, **kwargs)
        self.received = 0  # decoded text of the messages
        self.wire = 0  # bytes on the TCP socket after the handshake
        self.wall: set[int] = set()
        self.last_wall = 0.0

    async def connect(self, auth: dict[str, Any], timeout: float = 30.0) -> None:
        """Connect, then count every byte that reaches the socket from now on."""
        await super().connect(auth, timeout)
        protocol = self.ws._conn.protocol  # aiohttp's connection protocol: every read passes data_received
        passed_on = protocol.data_received

        def counted(data: bytes) -> None:
            """Count a read, then hand it on."""
            self.wire += len(data)
            passed_on(data)
        protocol.data_received = counted

    def _packet(self, text: str) -> None:
        """Count, then handle the packet."""
        self.received += len(text.encode("utf-8"))
        super()._packet(text)


def on_phone_event(client: CountingClient):
    """The event handler of a phone: apply the wall."""
    def handle(name: str, payload: Any, received: float) -> None:
        """Keep the idea ids."""
        if name == "snapshot":
            client.wall = {pair[0] for pair in (payload.get("activities") or {}).get("wall", [])}
        elif name == "wall":
            client.wall.difference_update(payload["remove"])
            client.wall.update(pair[0] for pair in payload["upsert"])
            client.last_wall = received
    return handle


async def phone_run(conn, job: dict[str, Any]) -> None:
    """A worker's phones: join, answer, ideas, dots; report to the coordinator at each step."""
    rng = random.Random(job["seed"])
    words = seed_words()
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as http:
        phones = []
        for n in range(job["count"]):
            c = CountingClient(http, job["url"], "/participant", decode=("snapshot", "wall"))
            c.on_event = on_phone_event(c)
            phones.append(c)
        gate = asyncio.Semaphore(500)

        async def join(c: CountingClient) -> str | None:
            """Connect and join."""
            async with gate:
                try:
                    await c.connect({"code": job["code"], "token": None})
                    ack = await c.call("join", {"nickname": None, "discipline": rng.choice(DISCIPLINES)})
                    return None if ack.get("ok") else ack["error"]["code"]
                except SocketError as exc:
                    return exc.code
        errors = await asyncio.gather(*(join(c) for c in phones))
        conn.send(("joined", [e for e in errors if e]))
        msg = await asyncio.to_thread(conn.recv)
        t_go, window = msg[1], msg[2]

        async def timed(c: CountingClient, moment: float, event: str, data: dict[str, Any]) -> tuple:
            """Send one request at its moment; return (t0, t1, error)."""
            delay = t_go + moment - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            t0 = time.monotonic()
            try:
                ack = await c.call(event, data, timeout=30)
                return t0, time.monotonic(), None if ack.get("ok") else ack["error"]["code"], ack
            except SocketError as exc:
                return t0, None, exc.code, None

        async def quiz(c: CountingClient) -> list:
            """Answer every question once."""
            out = []
            for (question, options), moment in zip(job["questions"], sorted(rng.uniform(0, window) for _ in job["questions"])):
                out.append((await timed(c, moment, "answer", {"question": question, "option": rng.choice(options),
                                                               "round": 1}))[2])
            return out
        answered = await asyncio.gather(*(quiz(c) for c in phones))
        conn.send(("answered", [e for batch in answered for e in batch if e]))
        after_quiz = [c.wire for c in phones]

        _, t_go, window = await asyncio.to_thread(conn.recv)

        async def ideas(c: CountingClient) -> list:
            """Send three ideas at random moments."""
            out = []
            for moment in sorted(rng.uniform(0, window) for _ in range(3)):
                text = idea_text(rng, words, *job["idea_chars"])
                t0, t1, error, ack = await timed(c, moment, "idea", {"text": text, "prompt": "project"})
                out.append((t0, t1, error, ack["idea"]["id"] if ack and ack.get("ok") else None, len(text.encode())))
            return out
        sent = await asyncio.gather(*(ideas(c) for c in phones))
        conn.send(("ideas", [r for batch in sent for r in batch]))
        await asyncio.to_thread(conn.recv)  # the coordinator saw the last approval and waited
        conn.send(("walls", [(len(c.wall), c.last_wall) for c in phones]))
        after_ideas = [c.wire for c in phones]

        _, t_go, window = await asyncio.to_thread(conn.recv)

        async def dots(c: CountingClient) -> list:
            """Place 2 + 1 dots, then move one: lower the first idea to 1 and put a dot on a third."""
            wall = sorted(c.wall)
            a, b, d = rng.sample(wall, 3)
            moments = sorted(rng.uniform(0, window) for _ in range(4))
            steps = [(a, 2), (b, 1), (a, 1), (d, 1)]
            out = []
            for (idea, count), moment in zip(steps, moments):
                t0, t1, error, _ = await timed(c, moment, "dots", {"idea": idea, "count": count})
                out.append((t0, t1, error))
            return out
        placed = await asyncio.gather(*(dots(c) for c in phones))
        conn.send(("dots", [r for batch in placed for r in batch],
                   [c.received for c in phones], [c.wire for c in phones], after_quiz, after_ideas))
        await asyncio.to_thread(conn.recv)
        await asyncio.gather(*(c.close() for c in phones), return_exceptions=True)
    conn.send(("closed",))


def worker_main(conn, job: dict[str, Any]) -> None:
    """Entry point of a worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        asyncio.run(phone_run(conn, job))
    except Exception as exc:  # report instead of dying silently
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


async def gather_all(conns: list, name: str, deadline: float) -> list:
    """The next message from every worker, which must be `name`."""
    out = []
    for conn in conns:
        while not await asyncio.to_thread(conn.poll, 0.5):
            if time.monotonic() > deadline:
                raise TimeoutError(f"workers did not report {name}")
        msg = conn.recv()
        if msg[0] != name:
            raise RuntimeError(f"worker: expected {name}, got {msg[0]}: {msg[1:]}")
        out.append(msg)
    return out


async def drive(args: argparse.Namespace, url: str, conns: list, procs: list) -> dict[str, Any]:
    """Run the scenario against a started server; return its figures."""
    deadline = time.monotonic() + args.time_limit
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=True))
    try:
        async with http.post(url + "/api/sessions", json={"title": "Bench proeftuin", "pacing": "self",
                                                          "disciplines": DISCIPLINES, "language": "nl"}) as r:
            session = await r.json()
        code, token = session["code"], session["facilitator_token"]
        key = parse_qs(urlsplit(session["projector_url"]).query)["k"][0]
        fac = Client(http, url, "/facilitator", decode=())
        await fac.connect({"code": code, "token": token})
        shown: list[tuple[float, int]] = []

        def screen_event(name: str, payload: Any, received: float) -> None:
            """Keep (time, highest idea id on the wall) of every projector update."""
            wall = (payload.get("activities") if name == "snapshot" else payload or {}).get("wall") or []
            shown.append((received, max((pair[0] for pair in wall), default=0)))
        screen = Client(http, url, "/screen", decode=("activities", "snapshot"), on_event=screen_event)
        await screen.connect({"code": code, "key": key})
        first = 0
        for i, (conn, proc) in enumerate(zip(conns, procs)):
            count = args.phones // len(procs) + (1 if i < args.phones % len(procs) else 0)
            conn.send({"url": url, "code": code, "count": count, "first": first, "seed": args.seed + i,
                       "questions": questions_of(), "idea_chars": args.idea_chars})
            first += count
        joined = await gather_all(conns, "joined", deadline)
        out: dict[str, Any] = {"join_errors": sum(len(m[1]) for m in joined)}
        await fac.call("command", {"action": "start"})
        go = time.monotonic() + 0.5
        for conn in conns:
            conn.send(("go", go, args.quiz_window))
        answered = await gather_all(conns, "answered", deadline)
        out["answer_errors"] = sum(len(m[1]) for m in answered)
        await fac.call("command", {"action": "results"})
        # new sessions moderate ideas (issue 21): this benchmark measures the wall itself, so it auto-approves
        await fac.call("activity", {"action": "auto_approve", "enabled": True})
        await fac.call("activity", {"action": "open", "activity": "ideas"})
        go = time.monotonic() + 0.5
        out["clock_ideas_start"] = round(go, 3)  # time.monotonic(), to line up with a server-side log
        for conn in conns:
            conn.send(("go", go, args.ideas_window))
        sent = [r for m in await gather_all(conns, "ideas", deadline) for r in m[1]]
        ok = [r for r in sent if r[2] is None]
        out["ideas_sent"], out["idea_errors"] = len(sent), len(sent) - len(ok)
        last_approval = max(r[1] for r in ok)
        await asyncio.sleep(max(0.0, last_approval + args.settle - time.monotonic()))
        latencies = []
        for t0, _t1, _e, idea, _size in ok:
            seen = next((t for t, top in shown if top >= idea and t >= t0), None)
            latencies.append(seen - t0 if seen else float("inf"))  # seconds: percentile() gives ms
        out["wall_ms_p50"], out["wall_ms_p99"] = (percentile(latencies, q) for q in (50, 99))
        out["wall_ms_max"] = round(max(latencies) * 1000, 1)
        out["projector_updates"] = len(shown)
        for conn in conns:
            conn.send(("walls",))
        walls = [w for m in await gather_all(conns, "walls", deadline) for w in m[1]]
        out["phones_with_full_list"] = sum(1 for size, _ in walls if size == len(ok))
        out["full_list_after_last_approval_s_max"] = round(max(t for _, t in walls) - last_approval, 2)
        await fac.call("activity", {"action": "open", "activity": "vote"})
        go = time.monotonic() + 0.5
        out["clock_dots_start"] = round(go, 3)
        for conn in conns:
            conn.send(("go", go, args.dots_window))
        done = await gather_all(conns, "dots", deadline)
        dots = [r for m in done for r in m[1]]
        acks = [t1 - t0 for t0, t1, e in dots if t1 is not None]
        out["dots_sent"], out["dot_errors"] = len(dots), sum(1 for r in dots if r[2] is not None)
        out["dot_ack_ms_p50"], out["dot_ack_ms_p99"] = (percentile(acks, q) for q in (50, 99))
        received = [n for m in done for n in m[2]]
        wire = [n for m in done for n in m[3]]
        out["kb_per_phone_decoded_max"] = round(max(received) / 1024, 1)
        out["kb_per_phone_decoded_mean"] = round(sum(received) / len(received) / 1024, 1)
        out["kb_per_phone_wire_max"] = round(max(wire) / 1024, 1)
        out["kb_per_phone_wire_mean"] = round(sum(wire) / len(wire) / 1024, 1)
        out["idea_text_kb"] = round(sum(r[4] for r in ok) / 1024, 1)
        quiz = [n for m in done for n in m[4]]
        ideas_phase = [n for m in done for n in m[5]]
        out["kb_per_phone_wire_by_phase"] = {  # means: join + quiz, ideas, dots
            "quiz": round(sum(quiz) / len(quiz) / 1024, 1),
            "ideas": round((sum(ideas_phase) - sum(quiz)) / len(quiz) / 1024, 1),
            "dots": round((sum(wire) - sum(ideas_phase)) / len(quiz) / 1024, 1)}
        for conn in conns:
            conn.send(("close",))
        await gather_all(conns, "closed", deadline)
        await fac.close()
        await screen.close()
        return out
    finally:
        await http.close()


def main(argv: list[str] | None = None) -> int:
    """Parse options, start the server and the workers, run, print the figures, stop everything."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quiz-window", type=float, default=10.0)
    parser.add_argument("--ideas-window", type=float, default=60.0)
    parser.add_argument("--dots-window", type=float, default=30.0)
    parser.add_argument("--idea-chars", type=lambda v: tuple(int(x) for x in v.split(",")), default=(30, 120),
                        metavar="MIN,MAX", help="length range of the made-up ideas (uniform; default 30,120)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait after the last approval")
    parser.add_argument("--time-limit", type=float, default=240.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", metavar="FILE", help="run the server under cProfile and write its statistics to FILE")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=VALUE",
                        help="run bench.variant_server with this environment variable (e.g. BENCH_LAGLOG=/tmp/lag.log)")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="workshop-bench-act-"))
    env = {"WORKSHOP_MAX_PARTICIPANTS": "100000"}
    if args.profile:
        env["BENCH_PROFILE"] = str(Path(args.profile).resolve())
    env.update(v.split("=", 1) for v in args.variant)
    module = "bench.profile_server" if args.profile else "bench.variant_server" if args.variant else "workshop"
    server = ServerProcess(tmp / "data", env=env, module=module)
    procs, conns = [], []
    started = time.monotonic()
    try:
        server.start(timeout=30)
        ctx = mp.get_context("spawn")
        for _ in range(args.workers):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker_entry, args=(child,), daemon=True)
            proc.start()
            procs.append(proc)
            conns.append(parent)
        result = asyncio.run(asyncio.wait_for(drive(args, server.url, conns, procs), args.time_limit))
    finally:
        for proc in procs:
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGKILL)
            proc.join(5)
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    result["phones"] = args.phones
    result["wall_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(result, indent=2))
    return 0


def worker_entry(conn) -> None:
    """Receive the job, then run the phones."""
    worker_main(conn, conn.recv())


if __name__ == "__main__":
    sys.exit(main())
