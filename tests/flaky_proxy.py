"""A local TCP proxy that limits bandwidth and cuts connections (tests and bench/upload.py).

    proxy = FlakyProxy(("127.0.0.1", server_port), rate=200_000, cut_every=30.0).start()
    ... talk to 127.0.0.1:proxy.port ...
    proxy.stop(); proxy.upstream_bytes   # client-to-server bytes that went through

rate: bytes per second in each direction (None = unlimited). cut_every: seconds between
cuts (every open connection is closed at once, as when a phone changes cell). cut_after:
cut once, when this many client-to-server bytes have passed (for tests: no clock involved).
"""
from __future__ import annotations

import socket
import threading
import time


class FlakyProxy:
    def __init__(self, upstream: tuple[str, int], rate: float | None = None, cut_every: float | None = None,
                 cut_after: int | None = None, block: int = 16 * 1024):
        self.upstream = upstream
        self.rate, self.cut_every, self.cut_after, self.block = rate, cut_every, cut_after, block
        self.upstream_bytes = 0
        self.cuts = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]

    def start(self) -> "FlakyProxy":
        threading.Thread(target=self._accept, daemon=True).start()
        if self.cut_every:
            threading.Thread(target=self._cutter, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        self.cut()

    def cut(self) -> None:
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
            if sockets:
                self.cuts += 1
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _cutter(self) -> None:
        while not self._stop.wait(self.cut_every):
            self.cut()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, server))
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, upstream: bool) -> None:
        started, sent = time.monotonic(), 0
        try:
            while True:
                data = source.recv(self.block)
                if not data:
                    break
                if upstream:
                    with self._lock:
                        self.upstream_bytes += len(data)
                        cut_now = self.cut_after is not None and self.upstream_bytes >= self.cut_after
                        if cut_now:
                            self.cut_after = None
                    if cut_now:
                        self.cut()  # these bytes never reach the server
                        return
                sink.sendall(data)
                sent += len(data)
                if self.rate:
                    ahead = sent / self.rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets.difference_update((source, sink))
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
