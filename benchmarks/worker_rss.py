"""Resident memory of a served worker over many mixed read requests (issue #22, item 5).

    .venv/bin/python benchmarks/worker_rss.py [--requests 1000] [--every 100] [--variants untrimmed,trimmed]

For each variant, in the same run: `newsqa serve` with 1 worker on a fresh database holding the
seed article, `--warm-up` requests, then `--requests` more, one at a time: ask (varied questions,
so no two texts repeat), search (varied queries and modes) and summarize (varied budgets and
queries). The worker's RSS (from /proc) is sampled every `--every` requests. The variants run
side by side (one server each), so they share the machine's load. Variants (newsqa/memory.py):
`main`: as before issue 22 (oneDNN's cache of 1,024 kernels, no trim); `untrimmed`: the cache
capped, no trim; `bounded`: what `newsqa serve` does now, the cache capped and malloc_trim after
each request; `arena2`: no trim, MALLOC_ARENA_MAX=2; `mmap`: bounded, with glibc's mmap threshold
fixed at 128 KiB (measured: the same growth as `bounded`, +9.9% against +9.8% over 1,500). Recycling (max_requests) is off in those, so
growth is seen, not reset. `shipped` is `newsqa serve` exactly as it runs by default: bounded, and
the worker replaced after NEWSQA_MAX_REQUESTS (1,000 +- 100) requests; its samples follow whichever
worker is serving. Prints growth after warm-up (at the end, and at the highest sample) in MiB and
percent, the load average, and the latency median.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import load_average  # noqa: E402
from load_server import QUESTIONS, SEED, free_port, request, server_command, stop_server, wait_ready  # noqa: E402

from newsqa.memory import rss_bytes

WORDS = ("Venezuela", "Iran", "Putin", "Pompeo", "sanctions", "Lavrov", "Trump", "troops", "election", "Sochi",
         "ties", "meddling", "democracy", "minister", "talks", "counsel", "crisis", "relations")
VARIANTS = {
    "main": {"NEWSQA_MALLOC_TRIM": "0", "ONEDNN_PRIMITIVE_CACHE_CAPACITY": "1024"},  # before issue 22: oneDNN's default
    "untrimmed": {"NEWSQA_MALLOC_TRIM": "0"},  # oneDNN's cache capped only
    "bounded": {},  # what newsqa serve does: oneDNN's cache capped, malloc_trim after each request
    "arena2": {"NEWSQA_MALLOC_TRIM": "0", "MALLOC_ARENA_MAX": "2"},
    "mmap": {"MALLOC_MMAP_THRESHOLD_": "131072"},  # bounded, and buffers over 128 KiB always mmap'd (returned when freed)
    "shipped": {"NEWSQA_MAX_REQUESTS": None},  # as served by default: bounded, and recycled
}
RECYCLED = {"shipped"}


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc's parent links)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def worker_pid(server_pid: int) -> int:
    """The gunicorn worker: the process below the server holding the most memory (the models)."""
    return max(descendants(server_pid), key=rss_bytes)


def mixed_request(port: int, article_id: str, n: int, rng: random.Random) -> int:
    kind = n % 3
    if kind == 0:
        question = f"{QUESTIONS[n % len(QUESTIONS)]} {' '.join(rng.sample(WORDS, rng.randint(0, 3)))}".strip()
        return request(port, "POST", "/v1/ask", {"question": question, "top_k": rng.randint(1, 5)})[0]
    if kind == 1:
        query = " ".join(rng.sample(WORDS, rng.randint(1, 4)))
        return request(port, "POST", "/v1/search", {"query": query, "top_k": rng.randint(1, 10),
                                                    "mode": rng.choice(["hybrid", "bm25", "dense"])})[0]
    body = {"article_id": article_id, "max_sentences": rng.randint(1, 6)}
    if rng.random() < 0.5:
        body["query"] = " ".join(rng.sample(WORDS, 2))
    return request(port, "POST", "/v1/summarize", body)[0]


def run_variant(name: str, requests: int, warm_up: int, every: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="newsqa-rss-"))
    env = {**os.environ, "NEWSQA_DB": str(folder / "newsqa.sqlite3"), "NEWSQA_THREADS": "1", "NEWSQA_MAX_REQUESTS": "0",
           "NEWSQA_DAEMON": "0", "NEWSQA_LOG_LEVEL": "warning", **VARIANTS[name]}
    env = {key: value for key, value in env.items() if value is not None}  # None: the shipped default
    env.pop("NEWSQA_API_KEY", None)
    subprocess.run([sys.executable, "-m", "newsqa", "--no-daemon", "ingest", str(SEED)], env=env, check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen(server_command(port, 1), env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=open(folder / "server.log", "wb"))
    rng = random.Random(22)
    samples: list[tuple[int, float]] = []
    workers: set[int] = set()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    try:
        wait_ready(port, server, 1, 300)
        import json

        article_id = json.loads(request(port, "GET", "/v1/articles")[1])["items"][0]["id"]
        worker = worker_pid(server.pid)
        for n in range(warm_up + requests):
            start = time.perf_counter()
            status = mixed_request(port, article_id, n, rng)
            latencies.append(time.perf_counter() - start)
            statuses[status] = statuses.get(status, 0) + 1
            done = n + 1
            if done >= warm_up and (done - warm_up) % every == 0:
                if name in RECYCLED:
                    worker = worker_pid(server.pid)
                workers.add(worker)
                samples.append((done - warm_up, rss_bytes(worker) / 2**20))
                print(f"  {name}: {done - warm_up:>6} requests after warm-up  worker RSS {samples[-1][1]:7.1f} MiB", flush=True)
        if name not in RECYCLED and worker_pid(server.pid) != worker:
            raise SystemExit("the worker was replaced during the run: the RSS samples are not of one process")
    finally:
        stop_server(server)
    first, last, highest = samples[0][1], samples[-1][1], max(rss for _, rss in samples)
    return {"variant": name, "after_warm_up_mib": first, "after_n_mib": last, "growth_mib": last - first,
            "growth_pct": 100 * (last - first) / first, "highest_pct": 100 * (highest - first) / first,
            "median_ms": 1000 * statistics.median(latencies), "statuses": statuses, "workers": len(workers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warm-up", type=int, default=100)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--variants", default="main,bounded")
    args = parser.parse_args()
    print(f"load average at start: {load_average()}")
    names = args.variants.split(",")
    # Side by side, so every variant sees the same load on a shared machine.
    with ThreadPoolExecutor(len(names)) as pool:
        results = list(pool.map(lambda name: run_variant(name, args.requests, args.warm_up, args.every), names))
    print(f"load average at end: {load_average()}")
    print(f"| variant | RSS after warm-up | after {args.requests} | growth at the end | highest sample | median | workers seen | statuses |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['variant']} | {r['after_warm_up_mib']:.1f} MiB | {r['after_n_mib']:.1f} MiB | {r['growth_mib']:+.1f} MiB "
              f"({r['growth_pct']:+.1f}%) | {r['highest_pct']:+.1f}% | {r['median_ms']:.0f} ms | {r['workers']} | {r['statuses']} |")
    bad = [r for r in results if any(s >= 500 for s in r["statuses"])]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
