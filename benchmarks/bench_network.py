"""Benchmark the clerk across TCP against raw baselines, in one run.

Every figure is a ratio to a baseline measured in the same run on the same
machine: a raw pickled ``multiprocessing.Pipe`` round trip to a forkserver
process, and a raw length-prefixed round trip over a loopback TCP socket to
one (no key, no JSON, no checks).

    python benchmarks/bench_network.py [--quick]

What it shows: the cost of the wire format (HMAC per frame, JSON, field
checks) over a bare socket, and of the socket over a pipe. A benchmark, never
a test: it prints, it does not fail.
"""

from __future__ import annotations

import argparse
import os
import pickle
import socket
import statistics
import struct
import time
from multiprocessing.connection import Connection

from bankgame.workers.clerks import ClerkPool
from bankgame.workers.helpers import (
    CONTEXT,
    start_process_helpers,
    stop_processes,
    worker_setup,
)
from bankgame.workers.remote import LoopbackClerk, RemoteClerk

MESSAGE = (123456, "deposit", 7, 4999)


def pipe_echo(conn: Connection, log: str) -> None:
    """Raw baseline: send back every message until the pipe closes."""
    worker_setup(log)
    try:
        while True:
            conn.send_bytes(pickle.dumps(pickle.loads(conn.recv_bytes())))
    except EOFError:
        return


def tcp_echo(ready: Connection, log: str) -> None:
    """Raw baseline: one connection on loopback, each length-prefixed frame sent back."""
    worker_setup(log)
    listener = socket.create_server(("127.0.0.1", 0))
    ready.send_bytes(str(listener.getsockname()[1]).encode())
    sock, _ = listener.accept()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        head = sock.recv(4, socket.MSG_WAITALL)
        if len(head) < 4:
            return
        body = sock.recv(struct.unpack(">I", head)[0], socket.MSG_WAITALL)
        sock.sendall(head + body)


def timed(call, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer round trips")
    args = parser.parse_args()
    n = 500 if args.quick else 5000
    log = start_process_helpers(os.environ.get("BANKGAME_WORKER_LOG") or "/tmp/bankgame-bench-network.log")

    parent, child = CONTEXT.Pipe()
    pipe = CONTEXT.Process(target=pipe_echo, args=(child, log), daemon=True)
    pipe.start()
    child.close()
    ready, ready_child = CONTEXT.Pipe(duplex=False)
    tcp = CONTEXT.Process(target=tcp_echo, args=(ready_child, log), daemon=True)
    tcp.start()
    ready_child.close()
    sock = socket.create_connection(("127.0.0.1", int(ready.recv_bytes())))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    frame = struct.pack(">I", 40) + b"x" * 40

    pool = ClerkPool(1, (0,), frozenset(), log)
    pool.open_accounts([10**9])
    key = os.urandom(32)
    loopback = LoopbackClerk(key, log)
    remote = RemoteClerk(loopback.address, key, loopback)
    remote.open({0: 10**9}, frozenset())
    seq = [0]

    def pipe_trip() -> None:
        parent.send_bytes(pickle.dumps(MESSAGE))
        pickle.loads(parent.recv_bytes())

    def tcp_trip() -> None:
        sock.sendall(frame)
        sock.recv(44, socket.MSG_WAITALL)

    def pool_trip() -> None:
        seq[0] += 1
        pool.send(0, seq[0], ("deposit", 0, 1))
        pool.handle(0)

    def remote_trip() -> None:
        seq[0] += 1
        remote.send(seq[0], ("deposit", 0, 1))
        remote.handle()

    try:
        rounds: dict[str, list[float]] = {"pipe": [], "tcp": [], "pool": [], "remote": []}
        calls = {"pipe": pipe_trip, "tcp": tcp_trip, "pool": pool_trip, "remote": remote_trip}
        for _ in range(5):  # interleaved rounds, so that a busy moment hits every figure alike
            for name, call in calls.items():
                rounds[name].append(timed(call, n // 5))
        best = {name: statistics.median(values) for name, values in rounds.items()}
        print(f"round trips, median of 5 rounds of {n // 5} (this machine, this run):")
        for name, label in (("pipe", "raw pickled Pipe"), ("tcp", "raw TCP on loopback"),
                            ("pool", "clerk over a Pipe (ClerkPool)"), ("remote", "clerk over TCP (RemoteClerk)")):
            print(f"  {label:34} {best[name] * 1e6:8.1f} µs   {best[name] / best['pipe']:5.2f}× raw Pipe")
        print(f"  clerk over TCP / raw TCP           {best['remote'] / best['tcp']:5.2f}×  (HMAC, JSON, field checks)")
        print(f"  clerk over TCP / clerk over a Pipe {best['remote'] / best['pool']:5.2f}×")
        print(f"  mean latency the day reports       {remote.total_ms / max(1, remote.messages) * 1000:8.1f} µs "
              "(the handle order and its reply)")
    finally:
        remote.close()
        pool.close()
        sock.close()
        parent.close()
        stop_processes([pipe, tcp])


if __name__ == "__main__":
    main()
