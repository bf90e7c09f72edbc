"""The CLI's background worker (newsqa/daemon.py), driven through the real `newsqa` command.

Every test here turns the worker on for its own commands only (the suite sets NEWSQA_DAEMON=0), in
a private NEWSQA_HOME, and the `workers` fixture stops every worker a test started and checks by
pid that none is left running.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsqa import NewsQA, daemon
from newsqa.client import Client, ServerUnavailable
from newsqa.config import shipped_models_dir

from .conftest import SEED
from .seed_questions import LAVROV
from .test_cli import SLOW, run

ON = {"NEWSQA_DAEMON": "1"}
STARTED = "started a background newsqa worker (pid "
RATES = ("Kenya's central bank kept its main rate at 10.75 percent on Tuesday, said governor Kamau Thugge. "
         "It was the third hold in a row.\n")

pytestmark = pytest.mark.skipif(not daemon.supported(), reason="background workers need POSIX")


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds:.0f} s for {what}"
        time.sleep(0.2)


class Workers:
    """This test's NEWSQA_HOME and database, and every worker pid seen in it."""

    def __init__(self, tmp_path: Path) -> None:
        self.cwd = tmp_path
        self.home = tmp_path / "home"
        self.db = str(self.home / "newsqa.sqlite3")
        self.pids: set[int] = set()

    def plant_record(self, url: str, pid: int, api_key: str = "k") -> daemon.Record:
        """Write a worker record of our own making for this database (a stale, dying or fake worker)."""
        record = daemon.Record(url=url, pid=pid, api_key=api_key, database=daemon.database_key(self.db),
                               fingerprint=daemon.fingerprint(shipped_models_dir()), started=time.time(), idle_minutes=10, log="")
        daemon.write_record(self.record_path(), record)
        return record

    def record_path(self) -> Path:
        return self.home / "daemons" / daemon.record_path(daemon.database_key(self.db)).name

    def record(self) -> daemon.Record | None:
        found = daemon.read_record(self.record_path())
        if found is not None:
            self.pids.add(found.pid)
        return found

    def started_pid(self, result: subprocess.CompletedProcess) -> int:
        assert STARTED in result.stderr, result.stderr
        pid = int(result.stderr.split(STARTED, 1)[1].split(")", 1)[0])
        self.pids.add(pid)
        return pid

    def wait_ready(self) -> daemon.Record:
        record = self.record()
        assert record is not None

        def answers() -> bool:
            try:
                Client(record.url, api_key=record.api_key).ping(timeout=1.0)
                return True
            except ServerUnavailable:
                return False

        wait_until(answers, SLOW, "the worker to load its models")
        return record

    def requests(self, route: str) -> int:
        """How many requests the worker's access log shows for `route`."""
        record = self.record()
        assert record is not None
        return Path(record.log).read_text(encoding="utf-8").count(f"POST {route} ")


@pytest.fixture
def workers(tmp_path: Path, monkeypatch) -> Iterator[Workers]:
    """A private NEWSQA_HOME (for the commands and for reading records here); at the end every
    worker seen is stopped, and none may be left running."""
    monkeypatch.setenv("NEWSQA_HOME", str(tmp_path / "home"))
    w = Workers(tmp_path)
    yield w
    w.record()
    for pid in w.pids:
        if alive(pid):
            os.kill(pid, signal.SIGTERM)
    for pid in w.pids:
        deadline = time.monotonic() + 40
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    assert not [pid for pid in w.pids if alive(pid)]


def tcp_listeners(pid: int) -> list[int]:
    """Inodes of the TCP sockets in LISTEN state that process `pid` holds."""
    held = {int(link[8:-1]) for fd in Path(f"/proc/{pid}/fd").iterdir()
            if (link := os.readlink(fd)).startswith("socket:[")}
    listening = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":  # TCP_LISTEN
                    listening.add(int(fields[9]))
    return sorted(held & listening)


def seeded(w: Workers) -> None:
    """The seed article in the test's default database, stored by another process's `newsqa ingest`."""
    result = run("ingest", str(SEED), cwd=w.cwd, env=ON, timeout=SLOW)
    assert result.returncode == 0 and STARTED not in result.stderr, result.stderr  # writes never start a worker


def run_on(w: Workers, *args: str, **env: str) -> subprocess.CompletedProcess:
    return run(*args, cwd=w.cwd, env={**ON, **env}, timeout=SLOW)


@pytest.mark.slow
def test_first_ask_starts_a_worker_the_next_goes_through_it_and_sees_new_articles(workers: Workers) -> None:
    w = workers
    seeded(w)
    first = run_on(w, "ask", LAVROV[0], "--json")
    assert first.returncode == 0, first.stderr
    assert "Loading weights" not in first.stderr and "%|" not in first.stderr  # no progress bars
    pid = w.started_pid(first)
    record = w.wait_ready()
    assert record.pid == pid and alive(pid)
    assert w.record_path().stat().st_mode & 0o777 == 0o600  # it holds the worker's API key
    # It listens on a socket in the private folder, on no TCP port: no other user can reach it or pose as it.
    assert record.url == f"unix:{w.record_path().with_suffix('.sock')}" and daemon.trusted_socket(record)
    assert (w.home / "daemons").stat().st_mode & 0o777 == 0o700
    assert not tcp_listeners(pid), "the background worker must not listen on TCP"

    # The key is required: another local user cannot read the articles through the worker.
    with pytest.raises(Exception, match="API key"):
        Client(record.url).list_articles()

    second = run_on(w, "ask", LAVROV[0], "--json")
    assert second.returncode == 0 and STARTED not in second.stderr, second.stderr
    assert w.requests("/v1/ask") == 1  # it went through the worker ...
    assert json.loads(second.stdout) == json.loads(first.stdout)  # ... with the same answers and offsets
    assert LAVROV[1] in json.loads(second.stdout)[0]["text"]

    article_id = json.loads(first.stdout)[0]["article_id"]
    summary = run_on(w, "summarize", article_id, "--json")
    assert summary.returncode == 0 and w.requests("/v1/summarize") == 1, summary.stderr
    search = run_on(w, "search", "Venezuela democracy", "--json")
    assert search.returncode == 0 and w.requests("/v1/search") == 1, search.stderr
    with NewsQA(w.db) as here:  # the same calls in this process
        assert json.loads(summary.stdout) == here.summarize(article_id=article_id).to_dict()
        assert [(h["start"], h["end"]) for h in json.loads(search.stdout)] == [(h.passage.start, h.passage.end) for h in here.search("Venezuela democracy")]

    # A write from another process (ingest runs in its own process) is seen by the worker at once.
    (w.cwd / "rates.txt").write_text(RATES, encoding="utf-8")
    assert run_on(w, "ingest", str(w.cwd / "rates.txt")).returncode == 0
    fresh = run_on(w, "ask", "Who is the central bank governor of Kenya?", "--json")
    assert fresh.returncode == 0 and w.requests("/v1/ask") == 2, fresh.stderr
    assert json.loads(fresh.stdout)[0]["text"] == "Kamau Thugge"

    # A worker that runs other code or models than the caller is stopped and replaced.
    tampered = w.record()
    tampered.fingerprint = {**tampered.fingerprint, "newsqa": "0.0.0"}
    daemon.write_record(w.record_path(), tampered)
    replaced = run_on(w, "ask", LAVROV[0], "--json")
    assert replaced.returncode == 0 and json.loads(replaced.stdout) == json.loads(first.stdout), replaced.stderr
    assert not alive(pid)
    replaced_pid = w.started_pid(replaced)
    assert replaced_pid != pid
    w.wait_ready()

    # A record whose key the worker on its socket refuses (another worker of ours took the socket,
    # and the record is older than it) is stale: its process is stopped, the command answers here.
    wrong_key = w.record()
    wrong_key.api_key = "not-the-workers-key"
    daemon.write_record(w.record_path(), wrong_key)
    refused = run_on(w, "ask", LAVROV[0], "--json")
    assert refused.returncode == 0 and json.loads(refused.stdout) == json.loads(first.stdout), refused.stderr
    assert not alive(replaced_pid)
    new_pid = w.started_pid(refused)
    w.wait_ready()

    status = json.loads(run_on(w, "daemon", "status", "--json").stdout)
    assert [(s["pid"], s["state"], s["database"]) for s in status] == [(new_pid, "ready", w.db)]
    stopped = run_on(w, "daemon", "stop")
    assert stopped.returncode == 0 and f"stopped the worker for {w.db} (pid {new_pid})" in stopped.stdout
    assert not alive(new_pid) and not w.record_path().exists()


@pytest.mark.slow
def test_an_idle_worker_stops_itself_and_removes_its_record(workers: Workers) -> None:
    w = workers
    seeded(w)
    first = run_on(w, "ask", LAVROV[0], NEWSQA_DAEMON_IDLE_MINUTES="0.05")  # 3 seconds
    assert first.returncode == 0 and "stops after 0.05 min idle" in first.stderr, first.stderr
    pid = w.started_pid(first)
    wait_until(lambda: not alive(pid), SLOW, "the idle worker to exit")
    assert not w.record_path().exists()
    log = Path(w.home / "daemons" / w.record_path().with_suffix(".log").name).read_text()
    assert "no request for" in log and "stopping the background worker" in log


def test_stale_records_are_removed_and_the_command_runs_here(workers: Workers) -> None:
    """A record whose process is gone, and one whose process does not answer, are removed; the
    command runs in its own process (an empty database says so before loading any model)."""
    w = workers
    w.home.mkdir()
    assert daemon.private_folder(w.home / "daemons")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = w.plant_record("http://127.0.0.1:9", gone.pid)
    result = run_on(w, "ask", "Who?")
    assert result.returncode == 1 and f"No articles in the database {w.db} yet" in result.stderr, result.stderr
    assert not w.record_path().exists()

    # A live process on the record's socket that never answers, started long ago: stale, stopped.
    sock = str(w.record_path().with_suffix(".sock"))
    mute = subprocess.Popen([sys.executable, "-c", "import socket, sys, time\ns = socket.socket(socket.AF_UNIX)\n"
                             f"s.bind({sock!r})\ns.listen()\nprint('listening', flush=True)\ntime.sleep(600)"],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, daemon.SOCKET_ENV: sock})
    try:
        assert mute.stdout.readline().strip() == "listening"
        w.pids.add(mute.pid)
        stale.url, stale.pid, stale.started = f"unix:{sock}", mute.pid, time.time() - 2 * daemon.START_GRACE
        daemon.write_record(w.record_path(), stale)
        started = time.monotonic()
        result = run_on(w, "ask", "Who?")
        assert result.returncode == 1 and f"No articles in the database {w.db} yet" in result.stderr, result.stderr
        assert time.monotonic() - started < 30
        assert mute.wait(timeout=10) == -signal.SIGTERM and not w.record_path().exists()
    finally:
        mute.kill()
        mute.wait()


HALF_ALIVE = """
import http.server, os, socket, socketserver, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"{}")
        else:
            self.close_connection = True  # hang up without an answer: a worker going away mid-command
    def log_message(self, *args):
        pass
class Server(socketserver.UnixStreamServer):
    def get_request(self):
        conn, _ = self.socket.accept()
        return conn, ("local", 0)
server = Server(sys.argv[1], Handler)
print("listening", flush=True)
server.serve_forever()
"""


def test_a_worker_that_goes_away_mid_command_leaves_the_command_to_this_process(workers: Workers) -> None:
    w = workers
    w.home.mkdir()
    assert daemon.private_folder(w.home / "daemons")
    sock = str(w.record_path().with_suffix(".sock"))
    half = subprocess.Popen([sys.executable, "-c", HALF_ALIVE, sock], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, daemon.SOCKET_ENV: sock})
    try:
        assert half.stdout.readline().strip() == "listening"
        w.pids.add(half.pid)
        record = w.plant_record(f"unix:{sock}", half.pid)
        result = run_on(w, "ask", "Who?")
        assert f"no newsqa server answers at {record.url}" in result.stderr and "running in this process instead" in result.stderr
        assert result.returncode == 1 and f"No articles in the database {w.db} yet" in result.stderr, result.stderr
    finally:
        half.kill()
        half.wait()


@pytest.mark.slow
def test_no_worker_when_disabled(workers: Workers) -> None:
    w = workers
    seeded(w)
    for switch, env in ((["--no-daemon"], {}), ([], {"NEWSQA_DAEMON": "0"})):
        result = run(*switch, "ask", LAVROV[0], cwd=w.cwd, env={**ON, **env}, timeout=SLOW)
        assert result.returncode == 0 and LAVROV[1] in result.stdout, result.stderr
        assert STARTED not in result.stderr and not w.record_path().exists()
        assert "Loading weights" not in result.stderr and "%|" not in result.stderr  # no progress bars in-process either


SQUATTER = """
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        print(self.command, self.path, self.headers.get("Authorization"), body, flush=True)
        fake = b'{"status": "ok", "answers": [{"text": "SQUATTER"}], "items": [], "total": 5}'
        self.send_response(200); self.send_header("Content-Length", str(len(fake))); self.end_headers(); self.wfile.write(fake)
    do_GET = do_POST = answer
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1].split(":")[1])), Handler)
print("listening", flush=True)
server.serve_forever()
"""


def test_a_process_squatting_the_workers_address_receives_nothing(workers: Workers) -> None:
    """Issue 22 item 1: a process that holds the address a record names (here: a TCP port, as
    workers used before, with the port on its command line, the way another user squatted it)
    never gets the API key, a question or an answer: the CLI talks only to sockets in its 0700
    folder, and runs the command here."""
    w = workers
    w.home.mkdir()
    assert daemon.private_folder(w.home / "daemons")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    squatter = subprocess.Popen([sys.executable, "-c", SQUATTER, f"127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True,
                                env={**os.environ, daemon.SOCKET_ENV: f"127.0.0.1:{port}"})
    try:
        assert squatter.stdout.readline().strip() == "listening"
        w.pids.add(squatter.pid)
        w.plant_record(f"http://127.0.0.1:{port}", squatter.pid, api_key="the-key")
        result = run_on(w, "ask", "Who said it?")
        assert "SQUATTER" not in result.stdout
        assert result.returncode == 1 and f"No articles in the database {w.db} yet" in result.stderr, result.stderr
        assert not w.record_path().exists() and squatter.poll() is None  # the record is dropped, the process not signalled
    finally:
        squatter.kill()
        heard = squatter.communicate()[0]
    assert heard == "", f"the squatter received: {heard!r}"


def test_a_worker_is_keyed_by_the_database_file_and_memory_databases_have_none() -> None:
    assert daemon.database_key(":memory:") is None and daemon.database_key("sqlite:///:memory:") is None
    assert daemon.database_key("sqlite:////tmp/x.sqlite3") == daemon.database_key("/tmp/../tmp/x.sqlite3") == "/tmp/x.sqlite3"
    assert daemon.database_key("sqlite:///rel.sqlite3") == daemon.database_key("rel.sqlite3") == str(Path("rel.sqlite3").resolve())
    assert daemon.record_path("/tmp/x.sqlite3") != daemon.record_path("/tmp/y.sqlite3")
