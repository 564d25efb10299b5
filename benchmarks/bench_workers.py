"""Benchmark the real workers against a raw multiprocessing Pipe, in one run.

Every figure is a ratio to a baseline measured in the same run on the same
machine: a raw pickled ``multiprocessing.Pipe`` between this process and one
forkserver process (round trip, and one-way throughput of 64-byte messages).

    python benchmarks/bench_workers.py [--quick]

Targets (issue 3): clerk round trip ≤ 1.5× raw round trip; batched clerk
throughput ≥ 50% of raw one-way throughput; process backend cost per
micro-step ≤ 2× one raw round trip; start-up of the whole branch < 0.5 s;
each worker < 40 MB RSS. A benchmark, never a test: it prints, it does not fail.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import time
from multiprocessing.connection import Connection

from bankgame.engine import BackendSetup
from bankgame.engine.primitives import branch_tickets
from bankgame.workers.clerks import ClerkPool
from bankgame.workers.helpers import CONTEXT, start_process_helpers, stop_processes, worker_setup
from bankgame.workers.process import ProcessBackend

PAYLOAD = pickle.dumps((123456, "deposit", 7, 4999, "x" * 22))
"""A 64-byte-ish pickled message."""


def echo(conn: Connection, log: str) -> None:
    """Raw baseline: send back every message until b'stop'; count a stream until b'done'."""
    worker_setup(log)
    recv, send, loads = conn.recv_bytes, conn.send_bytes, pickle.loads
    while True:
        data = recv()
        if data == b"stop":
            return
        if data == b"stream":
            count = 0
            while True:
                data = recv()
                if data == b"done":
                    send(pickle.dumps(count))
                    break
                loads(data)
                count += 1
            continue
        send(pickle.dumps(loads(data)))


def raw_round_trip(conn: Connection, n: int) -> float:
    send, recv, loads, dumps = conn.send_bytes, conn.recv_bytes, pickle.loads, pickle.dumps
    message = pickle.loads(PAYLOAD)
    start = time.perf_counter()
    for _ in range(n):
        send(dumps(message))
        loads(recv())
    return (time.perf_counter() - start) / n


def raw_one_way(conn: Connection, n: int) -> float:
    """Return seconds per message, one way, 64-byte pickles."""
    send, dumps = conn.send_bytes, pickle.dumps
    message = pickle.loads(PAYLOAD)
    conn.send_bytes(b"stream")
    start = time.perf_counter()
    for _ in range(n):
        send(dumps(message))
    send(b"done")
    assert pickle.loads(conn.recv_bytes()) == n
    return (time.perf_counter() - start) / n


def clerk_round_trip(pool: ClerkPool, n: int, seq: list[int]) -> float:
    start = time.perf_counter()
    for _ in range(n):
        seq[0] += 1
        pool.send(0, seq[0], ("deposit", 0, 1))
        pool.handle(0)
    return (time.perf_counter() - start) / n


def clerk_batched(pool: ClerkPool, n: int, batch: int, seq: list[int]) -> float:
    """Return seconds per request, sent ``batch`` at a time (one copy each way per batch)."""
    start = time.perf_counter()
    done = 0
    while done < n:
        requests = []
        for _ in range(batch):
            seq[0] += 1
            requests.append((seq[0], "deposit", 0, 1))
        pool.batch(0, requests)
        done += batch
    return (time.perf_counter() - start) / done


def micro_steps(backend: ProcessBackend, desks: int, n: int) -> float:
    """Return seconds per micro-step: reads, writes and tickets spread over every desk."""
    start = time.perf_counter()
    for i in range(n // 4):
        desk = i % desks
        value = backend.read(desk, 0)
        backend.write(desk, 0, value + 1)
        if backend.try_take(desk, 1):
            backend.give_back(desk, 1)
    return (time.perf_counter() - start) / (n // 4 * 4)


def rss_kb(pid: int) -> tuple[int, int]:
    """Return (RSS, private) in KiB of process ``pid``."""
    rss = private = 0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    try:
        with open(f"/proc/{pid}/smaps_rollup") as smaps:
            for line in smaps:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    private += int(line.split()[1])
    except OSError:
        pass
    return rss, private


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    scale = 1 if args.quick else 4
    repeats = 3 if args.quick else 5
    desks, clerks = 8, 4

    started = time.perf_counter()
    log = start_process_helpers()
    helpers_s = time.perf_counter() - started
    print(f"bankgame workers benchmark · {os.cpu_count()} cores · log {log}")

    setup = BackendSetup(balances=(1000,) * 12 + (137,), desks=desks, clerks=clerks, clerk_of=tuple(a % clerks for a in range(12)),
                         locks=branch_tickets(12))
    started = time.perf_counter()
    backend = ProcessBackend()
    backend.open(setup)  # the forkserver finishes its imports before the first worker
    cold_s = helpers_s + time.perf_counter() - started
    backend.close()

    parent, child = CONTEXT.Pipe()
    baseline = CONTEXT.Process(target=echo, args=(child, log), daemon=True)
    baseline.start()
    child.close()
    for _ in range(200):
        raw_round_trip(parent, 1)

    timings = {}
    for mode, label in (("shared", "shared (8 cashiers)"), ("message", "message (4 clerks)")):
        samples = []
        for _ in range(repeats):
            backend = ProcessBackend()
            started = time.perf_counter()
            backend.open(BackendSetup(**{**{f: getattr(setup, f) for f in setup.__slots__}, "mode": mode}))
            samples.append(time.perf_counter() - started)
            backend.close()
        timings[label] = statistics.median(samples)
    backend = ProcessBackend()
    started = time.perf_counter()
    backend.open(setup)
    backend.set_mode("message")
    backend.set_mode("shared")
    timings["both pools (8 + 4)"] = time.perf_counter() - started

    pool = backend._clerks()
    seq = [10**6]
    batches = (16, 64, 256)
    samples: dict[str, list[float]] = {}

    def sample(name: str, value: float) -> None:
        samples.setdefault(name, []).append(value)

    # Interleaved finely: the baseline and what it is compared with alternate
    # in short chunks, so both see the same machine; a ratio is taken per
    # repeat and the median reported.
    chunks = 20 * scale
    for _ in range(repeats):
        backend.set_mode("shared")
        raw = step = 0.0
        for _ in range(chunks):
            raw += raw_round_trip(parent, 100)
            step += micro_steps(backend, desks, 100)
        sample("raw", raw / chunks)
        sample("step", step / raw)
        backend.set_mode("message")
        raw = clerk = 0.0
        for _ in range(chunks):
            raw += raw_round_trip(parent, 100)
            clerk += clerk_round_trip(pool, 100, seq)
        sample("clerk", clerk / raw)
        one_way = 0.0
        per_batch = dict.fromkeys(batches, 0.0)
        for _ in range(chunks):
            one_way += raw_one_way(parent, 1024)
            for b in batches:
                per_batch[b] += clerk_batched(pool, 1024, b, seq)
        sample("one_way", one_way / chunks)
        for b in batches:
            sample(f"batch{b}", one_way / per_batch[b])
    rss = [rss_kb(pid) for pid in backend.pids()["desks"] + backend.pids()["clerks"]]
    med = {name: statistics.median(values) for name, values in samples.items()}

    def spread(name: str) -> str:
        return f"{min(samples[name]):.2f}–{max(samples[name]):.2f}"

    def line(name: str, value: str, ratio: str, target: str, ok: bool) -> None:
        print(f"  {name:<40} {value:>10}  {ratio:>20}  {target:<12} {'✓' if ok else '✗ MISSED'}")

    print(f"\nbaseline (median of {repeats}): raw Pipe round trip {med['raw'] * 1e6:.1f} µs; "
          f"raw one-way {1 / med['one_way']:,.0f} msg/s ({len(PAYLOAD)}-byte pickles)\n")
    print(f"  {'measure':<40} {'ratio':>10}  {'range over repeats':>20}  {'target':<12}")
    line("clerk round trip (send + handle)", f"{med['clerk']:.2f}×", spread("clerk"), "≤ 1.5× raw", med["clerk"] <= 1.5)
    for b in batches:
        name = f"batch{b}"
        line(f"clerk throughput, batches of {b}", f"{med[name]:.0%}", spread(name), "≥ 50% raw", med[name] >= 0.5)
    line("process backend, per micro-step", f"{med['step']:.2f}×", spread("step"), "≤ 2× raw", med["step"] <= 2)
    line("first branch, helpers included (cold)", f"{cold_s * 1e3:.0f} ms", "", "< 500 ms", cold_s < 0.5)
    for label, seconds in timings.items():
        line(f"branch start-up, {label}", f"{seconds * 1e3:.0f} ms", "", "< 500 ms", seconds < 0.5)
    worst = max(r for r, _ in rss)
    line("worker RSS (largest of 12)", f"{worst / 1024:.1f} MB", "", "< 40 MB", worst < 40 * 1024)
    line("worker private memory (largest of 12)", f"{max(p for _, p in rss) / 1024:.1f} MB", "", "(not shared)", True)

    backend.close()
    parent.send_bytes(b"stop")
    stop_processes([baseline])


if __name__ == "__main__":
    main()
