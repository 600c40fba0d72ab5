"""Hostile receivers on real sockets, and hostile JSON at ingest (issue 11, item 6).

A receiver that answers without end, or drips its answer a byte at a time, holds a delivery for
no longer than the attempt's deadline and costs at most 64 KB of reading; 5,000 nested arrays
in an event are a 422, not a RecursionError.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from notifier.leveranser import service as leverans_service
from tests.helpers import assert_problem, bearer
from tests.notifier.support import cloudevent, relay_token, send_event

Answer = Callable[[asyncio.StreamWriter], Awaitable[None]]


class RawReceiver:
    """An HTTP server written on a bare socket, so it can misbehave in ways a framework won't."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.written = 0
        self.requests = 0
        self.tasks: set[asyncio.Task[None]] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            self.requests += 1
            await self.answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the notifier hung up: what this test wants
        finally:
            writer.close()

    async def write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        await writer.drain()
        self.written += len(data)


@asynccontextmanager
async def raw_receiver(
    answer: Callable[["RawReceiver", asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[tuple[RawReceiver, str]]:
    receiver = RawReceiver(lambda w: answer(receiver, w))
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield receiver, f"http://127.0.0.1:{port}/hook"
    finally:
        server.close()
        # The handlers end on their own once a write finds the connection gone.
        await asyncio.wait(receiver.tasks, timeout=5)


async def endless(receiver: RawReceiver, writer: asyncio.StreamWriter) -> None:
    await receiver.write(
        writer, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000000000\r\n\r\n"
    )
    chunk = b"x" * 65536
    while receiver.written < 1_000_000_000:
        await receiver.write(writer, chunk)


async def drip_body(receiver: RawReceiver, writer: asyncio.StreamWriter) -> None:
    await receiver.write(writer, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(1000):
        await receiver.write(writer, b"x")
        await asyncio.sleep(0.25)


async def drip_headers(receiver: RawReceiver, writer: asyncio.StreamWriter) -> None:
    await receiver.write(writer, b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(1000):
        await receiver.write(writer, b"a")
        await asyncio.sleep(0.25)


async def deliver_to(live, url: str, settings=None) -> dict:  # type: ignore[no-untyped-def]
    # A type of its own, so an earlier test's subscription does not get this event too.
    event_type = f"se.socialtjanst.prov.t{uuid.uuid4().hex}"
    created = await live.client.post(
        "/v1/prenumerationer",
        json={"kind": "webhook", "url": url, "event_typer": [event_type]},
        headers=live.system(),
    )
    assert created.status_code == 201, created.text
    event = cloudevent(
        type_=event_type,
        arende=str(uuid.uuid4()),
        sekvens=1,
        data={"beslut_id": "b-1"},
    )
    assert (await send_event(live, event)).status_code == 202
    await leverans_service.fan_out(live.session_factory, live.clock)
    # Bounded here so that a notifier without a deadline fails the test instead of hanging it.
    attempted = await asyncio.wait_for(
        leverans_service.deliver_due(live.session_factory, live.clock, settings or live.settings), 15
    )
    assert attempted == 1
    listed = await live.client.get(
        "/v1/leveranser", params={"prenumeration_id": created.json()["id"]}, headers=live.system()
    )
    [delivery] = listed.json()["items"]
    return (await live.client.get(f"/v1/leveranser/{delivery['id']}", headers=live.system())).json()


async def test_endless_answer_is_read_only_to_the_cap(live) -> None:  # type: ignore[no-untyped-def]
    async with raw_receiver(endless) as (receiver, url):
        detail = await deliver_to(live, url)
    # The receiver said 200: delivered. What it sent after the first 64 KB was never read; the
    # kernel's socket buffers take a few MB before the receiver notices the connection is gone.
    assert detail["status"] == "levererad"
    assert detail["attempts"][0]["statuskod"] == 200
    assert receiver.requests == 1
    assert receiver.written < 32 * 1024 * 1024, receiver.written


async def test_dripping_receiver_is_cut_off_at_the_deadline(live) -> None:  # type: ignore[no-untyped-def]
    # httpx's timeout is per read; each drip arrives well within it, so only a deadline over
    # the whole attempt ends this.
    settings = live.settings.model_copy(update={"leverans_timeout_sekunder": 1.5})
    for answer in (drip_body, drip_headers):
        async with raw_receiver(answer) as (receiver, url):
            detail = await deliver_to(live, url, settings)
        assert detail["status"] == "misslyckad", detail
        assert detail["senaste_fel"] == "no answer within 1.5 s"
        [attempt] = detail["attempts"]
        assert 1400 <= attempt["duration_ms"] < 4000
        assert receiver.requests == 1


def nested(depth: int) -> object:
    value: object = []
    for _ in range(depth - 1):
        value = [value]
    return value


async def test_deeply_nested_event_is_refused(live) -> None:  # type: ignore[no-untyped-def]
    headers = {**bearer(relay_token(live.token)), "Content-Type": "application/cloudevents+json"}
    event = cloudevent(
        type_="se.socialtjanst.beslut.fattat",
        arende="5d1c7a0e-3c1b-4a8e-9f7e-2b6d8c4a1f00",
        sekvens=1,
        data={},
    )
    body = json.dumps(event)[:-1] + ', "data": {"a": ' + "[" * 5000 + "]" * 5000 + "}}"
    problem = assert_problem(await live.client.post("/v1/events", content=body, headers=headers), 422)
    assert problem["type"].endswith("invalid-cloudevent")
    assert "nested deeper" in problem["detail"]
    # Brackets inside strings are text, not nesting; ordinary depth is fine.
    event["data"] = {"text": "[" * 5000, "a": nested(20)}
    assert (await send_event(live, event)).status_code == 202
