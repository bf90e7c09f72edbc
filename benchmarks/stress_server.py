"""Stress and fault test of the HTTP server: `newsqa serve` (gunicorn, 2 workers) on loopback with an
API key, mixed concurrent traffic for 60 s, then the hostile and faulty requests of issue #12.

    .venv/bin/python benchmarks/stress_server.py [--clients 8] [--duration 60] [--workers 2]

Mixed load: each client thread adds articles of its own (POST), adds one twice at the same moment
(two concurrent identical POSTs: both must be 201 with one id), asks and searches (all articles, or
only one of its own: the answer must come from that article), deletes its own articles (after which
a search restricted to the deleted id must be a 404 on whichever worker answers), and reads them
back. Every response is checked: no status 500, every error `application/problem+json`. At the end
the stored articles are compared with what the server confirmed: nothing lost, nothing duplicated,
passages and their index consistent.

Then the fuzz cases: bodies over the limit (chunked and not), an article over the per-request limit,
a long article with no punctuation followed by a question about it, malformed JSON, lone
surrogates (in a question, an article's text and title), fields over their limits (a 4.5 MB title,
then 40 titles at the limit and a page of 200 articles under 2 MB), deep nesting, wrong media type, reads without the key, control characters in ids, a
burst of identical POSTs, and last the database file deleted under the running server (writes must
be refused with 503, /readyz must say why).

Then the cases of issue 22, each a phase of its own after the server is stopped:
- impersonation (benchmarks/stress_impersonation.py): another local user tries to reach the CLI's
  background worker (its record, folder, socket, /proc), and a stale record points the CLI at a
  squatter's port; nothing may reach them, and the CLI must still get its answer;
- a PostgreSQL outage (benchmarks/pg_outage.py, `--outage-rounds`, 0 to skip): every 503 while the
  database is down within 2 s, the first success within 2 s of it being back;
- worker memory (benchmarks/worker_rss.py, `--rss-requests`, default 0: it takes long): `newsqa
  serve` as shipped, that many mixed reads one at a time; RSS growth after warm-up under 10%.

Exits 1 if any check fails. Bounded: every request times out, the load stops at --duration, the
whole run at --deadline seconds, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from load_server import HOST, ROOT, free_port, request_full, server_command, stop_server, wait_ready  # noqa: E402

PROBLEM = "application/problem+json"
KEY = "stress-key-0123456789"
WORDS = ("harbour", "minister", "talks", "cargo", "budget", "rain", "vote", "bridge", "strike", "court", "festival")
CITIES = ("Lisbon", "Oslo", "Gdansk", "Porto", "Bergen", "Riga", "Tallinn", "Naples", "Valencia", "Malmo")


class Tally:
    """Every response seen, and every broken promise."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: collections.Counter[tuple[str, int]] = collections.Counter()
        self.failures: list[str] = []

    def record(self, op: str, status: int, content_type: str, body: bytes) -> None:
        with self.lock:
            self.statuses[(op, status)] += 1
            # /readyz answers its own small document ({ready, status}) for load balancers, 503 included.
            if status >= 400 and not content_type.startswith(PROBLEM) and "readyz" not in op:
                self.failures.append(f"{op}: HTTP {status} is not problem+json ({content_type!r}): {body[:120]!r}")
            if status == 500 or status == 502 or status == 504:
                self.failures.append(f"{op}: HTTP {status}: {body[:200]!r}")

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


def story(client: int, n: int) -> str:
    rnd = random.Random(client * 100_003 + n)
    city = rnd.choice(CITIES)
    sentences = [f"Story {client}-{n}: the {rnd.choice(WORDS)} of {city} made news on Monday."]
    sentences += [f"Officials in {city} said the {rnd.choice(WORDS)} would cost {rnd.randint(2, 900)} million euros."
                  for _ in range(rnd.randint(2, 8))]
    return " ".join(sentences)


class Client:
    """One thread of the mixed load; it owns the articles it adds, so the expected state is exact."""

    def __init__(self, index: int, port: int, tally: Tally) -> None:
        self.index, self.port, self.tally = index, port, tally
        self.n = 0
        self.alive: list[str] = []  # confirmed stored (201), not deleted
        self.uncertain: set[str] = set()  # a write whose outcome the client never learnt
        self.rnd = random.Random(index)

    def call(self, op: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict | None]:
        try:
            status, ctype, raw = request_full(self.port, method, path, body, key=KEY)
        except OSError as exc:
            self.tally.fail(f"{op}: no response ({type(exc).__name__}: {exc})")
            return 0, None
        self.tally.record(op, status, ctype, raw)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def post(self, text: str, op: str = "POST /v1/articles") -> str | None:
        status, body = self.call(op, "POST", "/v1/articles", {"text": text})
        if status == 201 and body:
            return body["id"]
        if status == 0:
            self.uncertain.add(text)
        return None

    def add(self) -> None:
        self.n += 1
        article_id = self.post(story(self.index, self.n))
        if article_id:
            self.alive.append(article_id)
            # Whichever worker answers must see the new article at once (item 1: no stale cache).
            status, body = self.call("search (own, just added)", "POST", "/v1/search",
                                     {"query": "news on Monday", "top_k": 5, "article_ids": [article_id]})
            if status == 200 and (not body["hits"] or {h["article_id"] for h in body["hits"]} != {article_id}):
                self.tally.fail(f"search restricted to {article_id} just after adding it: {[h['article_id'] for h in body['hits']]}")

    def add_twice_at_once(self) -> None:
        self.n += 1
        text = story(self.index, self.n)
        with ThreadPoolExecutor(2) as pool:
            ids = list(pool.map(lambda _: self.post(text, "POST /v1/articles (twin)"), range(2)))
        if ids[0] and ids[1] and ids[0] == ids[1]:
            self.alive.append(ids[0])
        elif all(i is None for i in ids):
            return
        else:
            self.tally.fail(f"two identical POSTs at once gave {ids}")
            self.alive.extend(i for i in set(ids) if i)

    def ask(self) -> None:
        own = self.rnd.choice(self.alive) if self.alive and self.rnd.random() < 0.5 else None
        body = {"question": f"What would the {self.rnd.choice(WORDS)} in {self.rnd.choice(CITIES)} cost?", "top_k": 3}
        if own:
            body["article_ids"] = [own]
        status, answer = self.call("POST /v1/ask", "POST", "/v1/ask", body)
        if own and status == 200 and any(a["article_id"] != own for a in answer["answers"]):
            self.tally.fail(f"ask restricted to {own} answered from {[a['article_id'] for a in answer['answers']]}")

    def search(self) -> None:
        self.call("POST /v1/search", "POST", "/v1/search", {"query": f"{self.rnd.choice(WORDS)} {self.rnd.choice(CITIES)}"})

    def delete(self) -> None:
        if not self.alive:
            return
        article_id = self.alive.pop(self.rnd.randrange(len(self.alive)))
        status, _ = self.call("DELETE /v1/articles/<id>", "DELETE", f"/v1/articles/{article_id}")
        if status != 204:
            self.alive.append(article_id)
            if status == 0:
                self.uncertain.add(article_id)
            return
        status, _ = self.call("search (own, just deleted)", "POST", "/v1/search", {"query": "news", "article_ids": [article_id]})
        if status != 404:
            self.tally.fail(f"search restricted to {article_id} just after deleting it: HTTP {status}, not 404")

    def read(self) -> None:
        if self.alive:
            self.call("GET /v1/articles/<id>", "GET", f"/v1/articles/{self.rnd.choice(self.alive)}")

    def run(self, stop_at: float) -> None:
        ops = [(self.add, 30), (self.add_twice_at_once, 10), (self.ask, 25), (self.search, 15), (self.delete, 12), (self.read, 8)]
        while time.monotonic() < stop_at:
            self.rnd.choices([op for op, _ in ops], weights=[w for _, w in ops])[0]()


def all_article_ids(port: int, tally: Tally) -> list[str]:
    ids: list[str] = []
    offset = 0
    while True:
        status, ctype, raw = request_full(port, "GET", f"/v1/articles?offset={offset}&limit=100", key=KEY)
        tally.record("GET /v1/articles", status, ctype, raw)
        if status != 200:
            tally.fail(f"listing articles: HTTP {status}")
            return ids
        page = json.loads(raw)
        ids += [a["id"] for a in page["items"]]
        offset += 100
        if offset >= page["total"]:
            return ids


def check_database(db: Path, tally: Tally) -> str:
    with sqlite3.connect(db) as conn:
        articles, passages, fts = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "passages", "passages_fts"))
        orphans = conn.execute("SELECT count(*) FROM passages WHERE article_id NOT IN (SELECT id FROM articles)").fetchone()[0]
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if passages != fts or orphans or check != "ok":
        tally.fail(f"database inconsistent: {passages} passages, {fts} indexed, {orphans} orphans, integrity {check}")
    return f"{articles} articles, {passages} passages ({fts} indexed, {orphans} orphans), integrity_check {check}"


def unpunctuated(words: int) -> str:
    return " ".join(WORDS[(i * 7 + i // 3) % len(WORDS)] for i in range(words))


def fuzz(port: int, tally: Tally, db: Path, max_body: int) -> list[tuple[str, int, int]]:
    """The hostile and faulty requests; (case, expected status, got) for each."""
    results = []

    def expect(case: str, want: int, method: str, path: str, body=None, key: str | None = KEY, **kw) -> tuple[int, bytes]:
        try:
            status, ctype, raw = request_full(port, method, path, body, key=key or "", **kw)
        except OSError as exc:
            tally.fail(f"fuzz {case}: no response ({exc})")
            results.append((case, want, 0))
            return 0, b""
        tally.record(f"fuzz: {case}", status, ctype, raw)
        if status != want:
            tally.fail(f"fuzz {case}: HTTP {status}, expected {want}: {raw[:200]!r}")
        results.append((case, want, status))
        return status, raw

    big = ('{"text": "' + "a " * (max_body // 2 + 10) + '"}').encode()
    expect("chunked body over the limit", 413, "POST", "/v1/articles", big, chunked=True)
    expect("body over the limit", 413, "POST", "/v1/articles", big)
    expect("1.2 MB article with no punctuation", 413, "POST", "/v1/articles", {"text": unpunctuated(160_000)})
    status, raw = expect("250k-character article with no punctuation", 201, "POST", "/v1/articles", {"text": unpunctuated(33_000) + " The festival in Riga was cancelled."})
    if status == 201:
        long_id = json.loads(raw)["id"]
        began = time.monotonic()
        expect("ask about it", 200, "POST", "/v1/ask", {"question": "Which festival was cancelled?", "article_ids": [long_id]})
        results.append((f"  (answered in {time.monotonic() - began:.1f} s)", 200, 200))
    expect("malformed JSON", 400, "POST", "/v1/ask", b'{"question": "Who?"')
    expect("lone surrogate", 400, "POST", "/v1/ask", b'{"question": "\\ud800 Who?"}')
    expect("lone surrogate in an article's text", 400, "POST", "/v1/articles", b'{"text": "Rain \\ud800 in Oslo."}')
    expect("lone surrogate in a title", 400, "POST", "/v1/articles", b'{"text": "Rain in Oslo.", "title": "\\udfff"}')
    # Oversized fields (issue 22, item 6): each over its limit is a 422, a 4.5 MB title included.
    for field, size in (("title", 1_001), ("title", 4_500_000), ("url", 2_049), ("published", 101), ("byline", 1_001)):
        value = ("https://example.org/" + "a" * size)[:size] if field == "url" else "x" * size
        expect(f"{field} of {size:,} characters", 422, "POST", "/v1/articles", {"text": "Rain in Oslo.", field: value})
    for i in range(40):  # titles at their limit: a full page of the list must stay small
        expect("article with a 1,000-character title" if i == 0 else "", 201, "POST", "/v1/articles",
               {"text": f"Page test {i}: the ferry to Bergen left on time.", "title": "T" * 1_000})
    results[:] = [r for r in results if r[0]]
    status, raw = expect("a page of 200 articles", 200, "GET", "/v1/articles?limit=200")
    if len(raw) > 2_000_000:
        tally.fail(f"GET /v1/articles?limit=200 returned {len(raw):,} bytes (over 2 MB)")
    results.append((f"  (the page was {len(raw):,} bytes)", 200, 200))
    expect("deeply nested JSON", 400, "POST", "/v1/ask", b'{"question": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    expect("JSON that is not an object", 422, "POST", "/v1/ask", b"[1, 2]")
    expect("wrong media type", 415, "POST", "/v1/ask", b"question=Who", headers={"Content-Type": "text/plain"})
    expect("read without the key", 401, "GET", "/v1/articles", key=None)
    expect("read with a wrong key", 401, "GET", "/v1/articles", key="wrong")
    expect("ask without the key", 401, "POST", "/v1/ask", {"question": "Who?"}, key=None)
    expect("id with control characters", 422, "POST", "/v1/articles", {"text": "Rain in Oslo.", "id": "a\u001b[2Jb"})
    expect("question of 10,000 characters", 422, "POST", "/v1/ask", {"question": "why " * 2_500})
    expect("top_k of a billion", 422, "POST", "/v1/search", {"query": "rain", "top_k": 10**9})
    expect("unknown article", 404, "GET", "/v1/articles/no-such-article")
    expect("unknown route", 404, "GET", "/v1/nothing")
    expect("wrong method", 405, "PUT", "/v1/ask", {"question": "Who?"})

    text = "Burst: eight identical requests about the Gdansk shipyard strike arrived at once."
    with ThreadPoolExecutor(8) as pool:
        burst = list(pool.map(lambda _: request_full(port, "POST", "/v1/articles", {"text": text}, key=KEY), range(8)))
    for status, ctype, raw in burst:
        tally.record("fuzz: burst of identical POSTs", status, ctype, raw)
    ids = {json.loads(raw)["id"] for status, _, raw in burst if status == 201}
    statuses = sorted(status for status, _, _ in burst)
    if statuses != [201] * 8 or len(ids) != 1:
        tally.fail(f"burst of 8 identical POSTs: {statuses}, ids {ids}")
    results.append(("burst of 8 identical POSTs (all 201, one id)", 201, statuses[-1] if len(set(statuses)) == 1 else 0))

    # Last: the database file is deleted under the running server.
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    expect("POST after the database was deleted", 503, "POST", "/v1/articles", {"text": "Written into a deleted file, then lost."})
    status, raw = expect("/readyz after the database was deleted", 503, "GET", "/readyz", key=None)
    results.append((f"  (/readyz said: {json.loads(raw).get('status') if raw else None!r})", 503, 503))
    return results


def check(tally: Tally, case: str, want: str, got: str) -> None:
    print(f"| {case} | {want} | {got} |", flush=True)
    if want != got:
        tally.fail(f"{case}: wanted {want}, got {got}")


def phases(args: argparse.Namespace, tally: Tally) -> None:
    """The issue 22 phases (module docstring), each printed as a table as it ends."""
    if not args.no_impersonation:
        from stress_impersonation import attempts

        print("\n| impersonation case | wanted | got |\n|---|---|---|")
        for case, want, got in attempts():
            check(tally, case, want, got.split(" (")[0] if want == "denied" else got)
    if args.outage_rounds:
        from pg_outage import measure

        m = measure(rounds=args.outage_rounds)
        print(f"\n| PostgreSQL outage ({args.outage_rounds} rounds) | wanted | got |\n|---|---|---|")
        check(tally, "statuses while down", "503 only", "503 only" if set(m["statuses"]) == {503} else str(m["statuses"]))
        slowest = max(m["first"] + m["down"])
        check(tally, "slowest 503 while down", "< 2 s", "< 2 s" if slowest < 2 else f"{slowest:.2f} s")
        print(f"(first 503 after each outage began: {', '.join(f'{t:.2f} s' for t in m['first'])}; slowest {slowest:.2f} s)")
        back = max(m["recovery"])
        check(tally, "database back -> first 200", "< 2 s", "< 2 s" if back < 2 else f"{back:.2f} s")
        print(f"(each: {', '.join(f'{t * 1000:.0f} ms' for t in m['recovery'])})")
    if args.rss_requests:
        from worker_rss import run_variant

        r = run_variant("shipped", args.rss_requests, 200, max(1, args.rss_requests // 20))
        print(f"\n| worker memory, {args.rss_requests} mixed reads after 200 | wanted | got |\n|---|---|---|")
        check(tally, "status 5xx", "0", str(sum(c for s, c in r["statuses"].items() if s >= 500)))
        check(tally, "RSS growth after warm-up (highest sample)", "< 10%", "< 10%" if r["highest_pct"] < 10 else f"{r['highest_pct']:+.1f}%")
        print(f"(RSS {r['after_warm_up_mib']:.0f} MiB after warm-up, {r['after_n_mib']:.0f} MiB at the end, "
              f"highest {r['highest_pct']:+.1f}%; {r['workers']} worker(s) seen; median {r['median_ms']:.0f} ms)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of mixed load")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--deadline", type=float, default=900.0, help="the whole run stops after this many seconds")
    parser.add_argument("--no-impersonation", action="store_true", help="skip the impersonation phase")
    parser.add_argument("--outage-rounds", type=int, default=3, help="PostgreSQL outages (0: skip)")
    parser.add_argument("--rss-requests", type=int, default=0, help="mixed reads for the worker memory phase (0: skip)")
    args = parser.parse_args()

    port = free_port()
    home = Path(tempfile.mkdtemp(prefix="newsqa-stress-"))
    db = home / "newsqa.sqlite3"
    max_body = 5 * 1024 * 1024
    env = {**os.environ, "NEWSQA_HOME": str(home), "NEWSQA_API_KEY": KEY, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("NEWSQA_DB", None)
    log_path = home / "server.log"
    cmd = server_command(port, args.workers)
    print(f"starting: {' '.join(cmd)}  (log: {log_path})", flush=True)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    signal.signal(signal.SIGALRM, lambda *_: (stop_server(server), os._exit(3)))
    signal.alarm(int(args.deadline))
    tally = Tally()
    try:
        wait_ready(port, server, args.workers, 300)
        clients = [Client(i, port, tally) for i in range(args.clients)]
        started = time.monotonic()
        threads = [threading.Thread(target=c.run, args=(started + args.duration,), daemon=True) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.duration + 200)
        wall = time.monotonic() - started
        expected = {a for c in clients for a in c.alive}
        uncertain = set().union(*(c.uncertain for c in clients))
        listed = all_article_ids(port, tally)
        lost = expected - set(listed)
        duplicated = len(listed) - len(set(listed))
        extra = set(listed) - expected - uncertain
        if lost or duplicated or extra:
            tally.fail(f"{len(lost)} lost, {duplicated} duplicated, {len(extra)} stored but not confirmed")
        database = check_database(db, tally)
        load_statuses = dict(tally.statuses)
        fuzz_results = fuzz(port, tally, db, max_body)
    finally:
        stop_server(server)
        signal.alarm(0)

    print(f"\nserver: newsqa serve, {args.workers} gunicorn workers, {HOST}, API key set; load average {os.getloadavg()[0]:.2f}")
    print(f"mixed load: {args.clients} clients, {wall:.0f} s")
    print("| request | status | count |\n|---|---|---|")
    for (op, status), count in sorted(load_statuses.items()):
        print(f"| {op} | {status} | {count} |")
    total = sum(load_statuses.values())
    print(f"\nresponses: {total}; status 500: {sum(c for (_, s), c in tally.statuses.items() if s == 500)}; "
          f"errors that were not problem+json: {sum('not problem+json' in f for f in tally.failures)}")
    print(f"articles: {len(expected)} confirmed and not deleted, {len(listed)} stored; lost {len(lost)}, "
          f"duplicated {duplicated}, unconfirmed {len(extra)} (uncertain writes: {len(uncertain)})")
    print(f"database: {database}")
    print("\n| fuzz case | expected | got |\n|---|---|---|")
    for case, want, got in fuzz_results:
        print(f"| {case} | {want} | {got} |")
    phases(args, tally)
    print(f"\nchecks failed: {len(tally.failures)}")
    for failure in tally.failures[:20]:
        print(f"  - {failure}")
    if tally.failures:
        print(f"server log kept: {log_path}")
    else:
        shutil.rmtree(home, ignore_errors=True)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
