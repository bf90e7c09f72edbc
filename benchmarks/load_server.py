"""Load benchmark of the HTTP server: `newsqa serve` (gunicorn, 2 workers) on loopback, 32
concurrent clients asking questions about the seed article for 60 seconds.

    .venv/bin/python benchmarks/load_server.py [--clients 32] [--duration 60] [--workers 2] [--port 0]

It starts the server on 127.0.0.1 with a fresh database in a temporary folder, waits until it is
ready, adds the seed article, then runs a bounded thread pool of clients (each: ask, wait for the
answer, ask again) until the time is up, and stops the server. Prints throughput, p50/p90/p99
latency and the error count; exits 1 if any request failed. Only loopback traffic; everything stops
by itself (requests time out, the run is bounded in time, the server is terminated at the end).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import ROOT, percentile  # noqa: E402
SEED = ROOT / "seeds" / "000_6ad73c16a059aa65.txt"
HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 120
QUESTIONS = [
    "What did Lavrov say on Venezuela?",
    "Where did Putin and Pompeo meet?",
    "Who is the Russian foreign minister?",
    "How many troops did Trump deny planning to deploy?",
    "What did Pompeo say about Iran?",
    "When did Trump call Putin?",
    "Who led the special counsel investigation?",
    "What did Putin call the evidence of interference?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
    """One HTTP request on a fresh connection (gunicorn's sync workers close after each response)."""
    return request_full(port, method, path, body)[::2]


def request_full(port: int, method: str, path: str, body: dict | bytes | None = None, headers: dict[str, str] | None = None,
                 key: str | None = None, chunked: bool = False) -> tuple[int, str, bytes]:
    """(status, content type, body) of one request. A dict body is sent as JSON; `key` (default:
    $NEWSQA_API_KEY) as a bearer token on every route, since reads need it too when it is set."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    try:
        payload = json.dumps(body).encode() if isinstance(body, dict) else body
        sent = {"Content-Type": "application/json"} if body is not None else {}
        key = os.environ.get("NEWSQA_API_KEY") if key is None else key
        if key:
            sent["Authorization"] = f"Bearer {key}"
        sent.update(headers or {})
        if chunked and payload is not None:  # no Content-Length: the body in 64 KB chunks
            conn.request(method, path, body=(payload[i : i + 65536] for i in range(0, len(payload), 65536)),
                         headers=sent, encode_chunked=True)
        else:
            try:
                conn.request(method, path, body=payload, headers=sent)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered (a 413) and closed before the whole body was sent: read it
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def server_command(port: int, workers: int) -> list[str]:
    """`newsqa serve`; the gunicorn command it runs, when the console script is not installed."""
    newsqa = Path(sys.executable).parent / "newsqa"
    if newsqa.exists():
        return [str(newsqa), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    return [sys.executable, "-m", "gunicorn", "--config", "python:newsqa.server.gunicorn_conf", "-w", str(workers),
            "-b", f"{HOST}:{port}", "newsqa.server.app:create_app()"]


def wait_ready(port: int, server: subprocess.Popen, workers: int, timeout_s: float) -> None:
    """Until /readyz says ready several times in a row (each worker answers for itself)."""
    deadline = time.monotonic() + timeout_s
    streak = 0
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode} before it was ready")
        try:
            status, _ = request(port, "GET", "/readyz")
            streak = streak + 1 if status == 200 else 0
        except OSError:
            streak = 0
        if streak >= 4 * workers:
            return
        time.sleep(0.25)
    raise SystemExit(f"the server was not ready within {timeout_s:.0f} s")


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (newsqa, gunicorn's master, its workers); wait for all."""
    group = server.pid  # started with start_new_session: its pid is the group id
    os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        server.poll()
        try:
            os.killpg(group, 0)  # is anyone in the group still alive?
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(group, signal.SIGKILL)
    server.wait()


def client_loop(port: int, index: int, stop_at: float, latencies: list[float], errors: list[str],
                lock: threading.Lock) -> None:
    n = index
    while time.monotonic() < stop_at:
        question = QUESTIONS[n % len(QUESTIONS)]
        n += 1
        started = time.perf_counter()
        try:
            status, body = request(port, "POST", "/v1/ask", {"question": question, "top_k": 1})
            ok = status == 200 and isinstance(json.loads(body).get("answers"), list)
            problem = None if ok else f"HTTP {status}: {body[:200]!r}"
        except Exception as exc:  # noqa: BLE001 - every failure counts as an error
            problem = f"{type(exc).__name__}: {exc}"
        elapsed = time.perf_counter() - started
        with lock:
            if problem:
                errors.append(problem)
            else:
                latencies.append(elapsed)



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--ready-timeout", type=float, default=300.0)
    args = parser.parse_args()

    port = args.port or free_port()
    home = tempfile.mkdtemp(prefix="newsqa-load-")
    env = {**os.environ, "NEWSQA_HOME": home, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    log_path = Path(home) / "server.log"
    cmd = server_command(port, args.workers)
    print(f"starting: {' '.join(cmd)}  (log: {log_path})", flush=True)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(port, server, args.workers, args.ready_timeout)
        status, body = request(port, "POST", "/v1/articles", {"text": SEED.read_text(encoding="utf-8")})
        if status != 201:
            raise SystemExit(f"adding the seed article failed: HTTP {status} {body[:300]!r}")
        status, body = request(port, "POST", "/v1/ask", {"question": QUESTIONS[0]})
        answer = json.loads(body)["answers"][0]["text"] if status == 200 and json.loads(body)["answers"] else None
        print(f"server ready on {HOST}:{port}; sanity answer: {answer!r}", flush=True)

        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        started = time.monotonic()
        stop_at = started + args.duration
        threads = [threading.Thread(target=client_loop, args=(port, i, stop_at, latencies, errors, lock), daemon=True)
                   for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:  # a request started before stop_at finishes within REQUEST_TIMEOUT_S
            thread.join(timeout=args.duration + REQUEST_TIMEOUT_S + 10)
        wall = time.monotonic() - started
    finally:
        stop_server(server)

    done = len(latencies)
    print(f"server: newsqa serve, {args.workers} gunicorn workers, {HOST}")
    print(f"load: {args.clients} concurrent clients, {args.duration:.0f} s, POST /v1/ask over the seed article")
    print(f"requests: {done} ok, {len(errors)} errors, {wall:.1f} s wall")
    print(f"throughput: {done / wall:.2f} req/s")
    if latencies:
        print(f"latency: p50 {percentile(latencies, 50) * 1000:.0f} ms, p90 {percentile(latencies, 90) * 1000:.0f} ms, "
              f"p99 {percentile(latencies, 99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    for problem in sorted(set(errors))[:5]:
        print(f"error: {problem}")
    if errors:
        print(f"server log kept: {log_path}")
    else:
        shutil.rmtree(home, ignore_errors=True)
    return 1 if errors or not latencies else 0


if __name__ == "__main__":
    sys.exit(main())
