"""A TCP proxy in front of the real PostgreSQL that a test can cut off and restore.

Cut: the listener closes (new connections are refused, as with a stopped server) and every open
connection is aborted. Restore: it listens again on the same port. `cut_at_commit` forwards the
next COMMIT to the server and aborts the connection before the answer comes back: the write is
committed and the client cannot know it.
"""

import asyncio
import contextlib
import re
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sqlalchemy.engine import URL, make_url

# A simple-protocol Query message (type Q, a 4-byte length) whose text is COMMIT, as asyncpg
# sends it to end a transaction.
_COMMIT = re.compile(rb"Q\x00\x00\x00.COMMIT", re.DOTALL)


# Untyped messages a client may send before its StartupMessage (PostgreSQL protocol 53.7).
_SSL_REQUEST, _GSSENC_REQUEST = 80877103, 80877104


@dataclass
class WireCounter:
    """Reads what clients send through the proxy and records every statement run: a simple
    Query (as BEGIN and COMMIT are sent) or an Execute of a prepared statement, with its SQL.
    Counting on the wire sees every layer (ORM, Core, raw asyncpg) alike."""

    statements: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.statements.clear()

    def stream(self) -> "_ClientStream":
        return _ClientStream(self)


class _ClientStream:
    def __init__(self, counter: WireCounter) -> None:
        self._counter = counter
        self._buffer = b""
        self._started = False
        self._sql_by_statement: dict[bytes, str] = {}
        self._statement_by_portal: dict[bytes, bytes] = {}

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while True:
            if not self._started:
                if len(self._buffer) < 8:
                    return
                length, code = struct.unpack("!ii", self._buffer[:8])
                if len(self._buffer) < length:
                    return
                self._buffer = self._buffer[length:]
                self._started = code not in (_SSL_REQUEST, _GSSENC_REQUEST)
                continue
            if len(self._buffer) < 5:
                return
            kind = self._buffer[:1]
            (length,) = struct.unpack("!i", self._buffer[1:5])
            if len(self._buffer) < 1 + length:
                return
            self._message(kind, self._buffer[5 : 1 + length])
            self._buffer = self._buffer[1 + length :]

    def _message(self, kind: bytes, body: bytes) -> None:
        if kind == b"Q":
            self._counter.statements.append(body.rstrip(b"\0").decode())
        elif kind == b"P":
            name, rest = body.split(b"\0", 1)
            self._sql_by_statement[name] = rest.split(b"\0", 1)[0].decode()
        elif kind == b"B":
            portal, statement, _ = body.split(b"\0", 2)
            self._statement_by_portal[portal] = statement
        elif kind == b"E":
            portal = body.split(b"\0", 1)[0]
            statement = self._statement_by_portal.get(portal, b"")
            self._counter.statements.append(self._sql_by_statement.get(statement, "?"))


class DbProxy:
    def __init__(self, target: str, counter: WireCounter | None = None) -> None:
        self.counter = counter
        url = make_url(target)
        socket_dir = url.query.get("host")
        self._unix = f"{socket_dir}/.s.PGSQL.{url.port or 5432}" if isinstance(socket_dir, str) else None
        self._target = (url.host or "127.0.0.1", url.port or 5432)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0
        self.commit_armed = False
        self.commits_cut = 0

    def url_for(self, url: str) -> str:
        """The same database URL, through the proxy."""
        parsed: URL = make_url(url)
        query = {k: v for k, v in parsed.query.items() if k != "host"}
        return parsed.set(host="127.0.0.1", port=self.port, query=query).render_as_string(hide_password=False)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def restore(self) -> None:
        await self.start()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            if self._unix:
                server_reader, server_writer = await asyncio.open_unix_connection(self._unix)
            else:
                server_reader, server_writer = await asyncio.open_connection(*self._target)
        except OSError:
            client_writer.transport.abort()
            return
        self._writers |= {client_writer, server_writer}
        pair = (client_writer, server_writer)
        stream = self.counter.stream() if self.counter is not None else None
        await asyncio.gather(
            self._pipe(client_reader, server_writer, pair, upstream=True, stream=stream),
            self._pipe(server_reader, client_writer, pair, upstream=False),
            return_exceptions=True,
        )
        self._writers -= {client_writer, server_writer}

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
        *,
        upstream: bool,
        stream: "_ClientStream | None" = None,
    ) -> None:
        try:
            while data := await reader.read(65536):
                if stream is not None:
                    stream.feed(data)
                if upstream and self.commit_armed and _COMMIT.search(data):
                    # Drop the client first, so the answer can never reach it; then hand the
                    # COMMIT to the server and give it time to finish before hanging up there.
                    self.commit_armed = False
                    self.commits_cut += 1
                    pair[0].transport.abort()
                    writer.write(data)
                    await writer.drain()
                    await asyncio.sleep(0.3)
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def db_proxy(target: str, counter: WireCounter | None = None) -> AsyncIterator[DbProxy]:
    proxy = DbProxy(target, counter)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.cut()
