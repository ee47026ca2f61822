"""A slow, then cut, link to PostgreSQL (docs/reliability.md AT-06,
as DHIS2 tests it with Toxiproxy).

Toxiproxy itself is not packaged for Debian; :class:`LatencyProxy` is the same two toxics in a
few lines of asyncio, in front of the private cluster: every chunk PostgreSQL sends is held
back 100 ms ± 50 ms, then the link is cut (open connections aborted, new ones refused) and
restored. A second gunicorn reaches the database only through the proxy. Under latency every
page and a figure's save answer, none with an error or a time-out; during the cut every request
gets the Chinese 503 within 5 s and nothing is half-written; after the link is back the site
answers normally within 10 s.

How fast the pages are under latency is measured, not asserted (speed belongs to bench/, see
the README): the figures are printed with the test's report line.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Iterator

import pytest

from .entry_steps import entry_lines, save_draft
from .environment import PASSWORD
from .logs import report
from .processes import Proc
from .stack import Stack
from .waiting import free_port, wait_until
from .web import Browser, Response

pytestmark = pytest.mark.faults

LATENCY_S, JITTER_S = 0.100, 0.050
MAX_CUT_ANSWER_S = 5.0
RECOVERY_S = 10.0
CUT_S = 10.0  # AT-06 cuts for 30 s; the answers are the same after the first few seconds
ROUNDS = 3


class LatencyProxy:
    """A TCP proxy on its own event-loop thread: ``latency`` (seconds, ± ``jitter``) on what
    the server sends, and ``cut()``/``restore()`` of the whole link."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.latency = 0.0
        self.jitter = 0.0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.transports: set[asyncio.BaseTransport] = set()

    def _call(self, coroutine) -> object:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def start(self) -> None:
        self.thread.start()
        self.restore()

    def restore(self) -> None:
        async def listen() -> None:
            self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

        self._call(listen())

    def cut(self) -> None:
        async def cut() -> None:
            if self.server is not None:
                self.server.close()
                self.server = None
            for transport in list(self.transports):
                transport.abort()  # type: ignore[attr-defined]
            self.transports.clear()

        self._call(cut())

    def stop(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    async def _handle(self, client_reader: asyncio.StreamReader,
                      client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(
                "127.0.0.1", self.upstream_port)
        except OSError:
            client_writer.transport.abort()
            return
        pair = {client_writer.transport, server_writer.transport}
        self.transports |= pair
        await asyncio.gather(self._pipe(client_reader, server_writer, delayed=False),
                             self._pipe(server_reader, client_writer, delayed=True),
                             return_exceptions=True)
        self.transports -= pair

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    *, delayed: bool) -> None:
        try:
            while data := await reader.read(65536):
                if delayed and self.latency:
                    await asyncio.sleep(max(0.0, random.uniform(self.latency - self.jitter,
                                                                self.latency + self.jitter)))
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()


@pytest.fixture
def slow_site(site: Stack) -> Iterator[tuple[Stack, LatencyProxy, Proc]]:
    """The stack plus a gunicorn whose only way to the database is the proxy."""
    proxy = LatencyProxy(site.pg.port)
    proxy.start()
    port = free_port()
    template = site.web()
    env = {**template.env, "DATABASE_URL": template.env["DATABASE_URL"].replace(
        f":{site.pg.port}/", f":{proxy.port}/")}
    command = [part if not part.startswith("127.0.0.1:") else f"127.0.0.1:{port}"
               for part in template.command]
    web = site.proc("web-proxied", command, env)
    web.port = port  # type: ignore[attr-defined]
    try:
        site.ensure(web, lambda: Browser(f"http://127.0.0.1:{port}").get(
            "/accounts/login/").status == 200, "gunicorn behind the proxy answering")
        yield site, proxy, web
    finally:
        web.stop()
        site.procs.pop("web-proxied", None)
        proxy.stop()


def signed_in(port: int, username: str) -> Browser:
    browser = Browser(f"http://127.0.0.1:{port}")
    browser.login(username, PASSWORD)
    return browser


def test_pages_stay_usable_on_a_slow_database_link_and_fail_cleanly_when_it_is_cut(slow_site):
    site, proxy, web = slow_site
    reporter, leader = signed_in(web.port, "reporter"), signed_in(web.port, "leader")
    line = entry_lines(site, reporter)[0]
    reads = [(leader, path) for path in ("/", "/dashboard/", "/plans/", "/departments/",
                                         "/indicators/", "/api/v1/targets/?page_size=50")]
    reads += [(reporter, "/entry/"), (reporter, "/entry/period/2025/")]

    proxy.latency, proxy.jitter = LATENCY_S, JITTER_S
    slow: list[tuple[str, Response]] = []
    for _ in range(ROUNDS):
        slow += [(path, browser.get(path)) for browser, path in reads]
        slow.append(("save draft", save_draft(reporter, line)))
    proxy.latency = proxy.jitter = 0.0

    count = "SELECT count(*) FROM indicators_observation WHERE indicator_id = %s"
    changes = "SELECT count(*) FROM indicators_observationchange"
    ((figures_before,),), ((changes_before,),) = site.sql(count, (line.indicator_id,)), \
        site.sql(changes)
    proxy.cut()
    cut_at = time.monotonic()
    cut: list[tuple[str, Response]] = []
    while time.monotonic() - cut_at < CUT_S:
        cut += [(path, browser.get(path)) for browser, path in reads[:3]]
        cut.append(("save draft", save_draft(reporter, line)))
    proxy.restore()

    def healthy() -> bool:
        return all(browser.get(path).status == 200 for browser, path in reads)

    recovered = wait_until(healthy, RECOVERY_S, "site answering after the link is back",
                           interval=0.2)
    after = [browser.get(path) for browser, path in reads * 2]

    for what, answer in slow:
        assert answer.status == 200, (what, answer.status, answer.body[:300])
    seconds = sorted(answer.seconds for _, answer in slow)
    p95 = seconds[int(len(seconds) * 0.95) - 1]
    slowest = max(slow, key=lambda pair: pair[1].seconds)
    for what, answer in cut:
        assert answer.status == 503, (what, answer.status, answer.body[:300])
        assert "暂时" in answer.body, (what, answer.body[:300])
        assert answer.seconds < MAX_CUT_ANSWER_S, (what, answer.seconds)
    assert site.sql(count, (line.indicator_id,))[0][0] == figures_before
    assert site.sql(changes)[0][0] == changes_before
    assert [a.status for a in after] == [200] * len(after)
    report("postgres-latency-and-cut", latency_ms=f"{LATENCY_S * 1000:.0f}±{JITTER_S * 1000:.0f}",
           slow_requests=len(slow), slow_p50_s=round(seconds[len(seconds) // 2], 3),
           slow_p95_s=round(p95, 3), slow_max_s=round(seconds[-1], 3), slowest=slowest[0],
           cut_requests=len(cut), cut_max_s=round(max(a.seconds for _, a in cut), 3),
           recovered_after_restore_s=round(recovered, 2))
