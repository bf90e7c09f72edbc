"""Impersonating the CLI's background worker (issue 22, item 1), as another local user would try it;
a phase of benchmarks/stress_server.py.

A real `newsqa ask` starts a real worker for a fresh database. Then:

- as another user (`nobody`, by setpriv; needs root, else those cases are reported as skipped): read
  the worker's record (it holds the API key), list its folder, connect to its socket, read its
  command line and environment in /proc for an address or the key;
- as this user, the old attack: a stale record naming a TCP port where a squatter listens (the
  port was on the old worker's command line): the CLI must send it nothing and answer itself;
- last, the real worker still answers the CLI, with the right answer.

Each case is (name, wanted, got); the caller counts a mismatch as a failed check.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load_server import ROOT, SEED  # noqa: E402

from newsqa import daemon

QUESTION, ANSWER = "What did Lavrov say on Venezuela?", "You can not establish a democracy by force"
NOBODY = 65534

# Run as `nobody` by the system's python (the checkout's venv may not be readable to it). Prints
# one line per attempt: "<attempt> denied" or "<attempt> ALLOWED <detail>".
AS_ANOTHER_USER = r"""
import os, socket, sys
record, sock, pid, key = sys.argv[1:5]
def attempt(name, action):
    try:
        detail = action()
    except OSError as e:
        print(name, "denied", type(e).__name__, flush=True)
        return
    print(name, "ALLOWED" if detail else "denied", detail or "nothing useful", flush=True)
def read_record():
    return open(record).read()[:40]
def list_folder():
    return ",".join(os.listdir(os.path.dirname(record)))
def connect():
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
    return s.recv(100).decode("latin-1")[:40]
def key_in_cmdline():
    return "key on the command line" if key in open(f"/proc/{pid}/cmdline").read() else ""
def read_environ():
    return open(f"/proc/{pid}/environ").read()[:40]
attempt("read_record", read_record)
attempt("list_folder", list_folder)
attempt("connect_socket", connect)
attempt("key_in_cmdline", key_in_cmdline)
attempt("read_environ", read_environ)
"""

SQUATTER = r"""
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        print(self.command, self.path, self.headers.get("Authorization"), body[:80], flush=True)
        fake = b'{"status": "ok", "answers": [{"text": "SQUATTER"}], "items": [], "total": 5}'
        self.send_response(200); self.send_header("Content-Length", str(len(fake))); self.end_headers(); self.wfile.write(fake)
    do_GET = do_POST = answer
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
print("listening", flush=True)
server.serve_forever()
"""


def newsqa(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsqa", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def as_another_user(record: Path, sock: Path, pid: int, key: str) -> list[tuple[str, str, str]]:
    """What user `nobody` gets from the worker's files and process; [] with a note when not root."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        return [("another user's attempts (needs root and setpriv to act as another user)", "denied", "skipped")]
    found = subprocess.run([setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "/usr/bin/python3", "-c",
                            AS_ANOTHER_USER, str(record), str(sock), str(pid), key],
                           capture_output=True, text=True, timeout=60, cwd="/")
    cases = []
    for line in found.stdout.splitlines():
        name, verdict, *detail = line.split(" ", 2)
        cases.append((f"another user: {name.replace('_', ' ')}", "denied", verdict + (f" ({detail[0]})" if detail else "")))
    if len(cases) != 5:
        cases.append(("another user's attempts ran", "5 lines", f"{len(cases)} lines; stderr {found.stderr[-200:]!r}"))
    return cases


def stale_record_to_a_squatter(env: dict[str, str], record_file: Path, record: dict, workers: set[int]) -> list[tuple[str, str, str]]:
    """Point the worker record at a TCP port a squatter listens on (the attack of issue 22): the CLI
    must answer in-process and the squatter hear nothing. A worker the CLI starts meanwhile joins
    `workers`; the real worker gets its record back."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    squatter = subprocess.Popen([sys.executable, "-c", SQUATTER, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert squatter.stdout is not None and squatter.stdout.readline().strip() == "listening"
        daemon.write_record(record_file, daemon.Record(**{**record, "url": f"http://127.0.0.1:{port}", "pid": squatter.pid}))
        result = newsqa(env, "ask", QUESTION)
    finally:
        squatter.kill()
        heard = squatter.communicate()[0]
        started = daemon.read_record(record_file)
        if started is not None and started.pid != squatter.pid:
            workers.add(started.pid)
        daemon.write_record(record_file, daemon.Record(**record))  # the real worker's record back, to use and stop it
    return [("stale record naming a squatter's port: what the squatter heard", "nothing", repr(heard[:120]) if heard else "nothing"),
            ("... and the CLI's answer", "the right one", "the right one" if ANSWER in result.stdout and "SQUATTER" not in result.stdout
             else f"{result.stdout[-120:]!r} {result.stderr[-200:]!r}")]


def attempts() -> list[tuple[str, str, str]]:
    """Every impersonation case against a real worker, which is stopped at the end."""
    home = Path(tempfile.mkdtemp(prefix="newsqa-imp-"))
    home.chmod(0o755)  # only the worker's own 0700 folder may stand between another user and it
    env = {**os.environ, "NEWSQA_HOME": str(home), "NEWSQA_DB": str(home / "newsqa.sqlite3"), "NEWSQA_DAEMON": "1",
           "HF_HUB_OFFLINE": "1"}
    env.pop("NEWSQA_API_KEY", None)
    cases: list[tuple[str, str, str]] = []
    workers: set[int] = set()
    try:
        assert newsqa(env, "ingest", str(SEED)).returncode == 0
        first = newsqa(env, "ask", QUESTION)
        cases.append(("a real worker is started and answers", "yes", "yes" if "started a background newsqa worker" in first.stderr
                      and ANSWER in first.stdout else f"no: {first.stderr[-200:]!r}"))
        [record_file] = (home / "daemons").glob("*.json")
        record = json.loads(record_file.read_text(encoding="utf-8"))
        deadline = time.monotonic() + 120
        while not record_file.with_suffix(".sock").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        cases += as_another_user(record_file, record_file.with_suffix(".sock"), record["pid"], record["api_key"])
        workers.add(record["pid"])
        cases += stale_record_to_a_squatter(env, record_file, record, workers)
        again = newsqa(env, "ask", QUESTION)
        cases.append(("afterwards the CLI still gets the right answer", "yes", "yes" if ANSWER in again.stdout else f"no: {again.stderr[-200:]!r}"))
    finally:
        newsqa(env, "daemon", "stop", "--all", timeout=60)
        for pid in workers:  # one the CLI started while the squatter's record stood, if any
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        shutil.rmtree(home, ignore_errors=True)
    return cases


if __name__ == "__main__":
    for case in attempts():
        print(" | ".join(case))
