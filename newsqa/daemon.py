"""The background worker: a private `newsqa serve` per user and database that keeps the models loaded.

Importing torch, transformers and sentence-transformers costs seconds before a command can load a
model. Like gradle's or bazel's daemons, the CLI's read commands (`ask`, `search`, `summarize`)
therefore go through a local worker when one runs for their database, and otherwise run in their
own process and start one, so that the next command answers in a fraction of a second.

A worker is newsqa's gunicorn server with one worker process, listening on a Unix socket inside this
user's private (0700) state folder `$NEWSQA_HOME/daemons/`, never on a TCP port, so that no other
user of the machine can reach it or pose as it: only this user can create a socket there, and the
client talks to no other address. The command that starts it binds the socket itself and hands the
bound socket to gunicorn (`fd://N`), so the record is written only once the address is this
worker's. It also gets a fresh random API key, is started detached (its own session, output to a
log file) and exits after NEWSQA_DAEMON_IDLE_MINUTES (default 10) without requests. Its record, a
JSON file readable by this user only, sits next to its socket and log: URL (`unix:/path`), pid,
API key, database, and the fingerprint of the code and model files it runs. A record that does not
match the caller (another newsqa version or install, other model files) is stopped and replaced;
one whose process is gone, that does not answer in time, or whose address is not a socket in the
private folder (a TCP address left by an older newsqa) is removed and the command runs in its own
process.

Standard library only: deciding where a command runs must not cost an import of numpy or torch.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

from .client import Client, ServerUnavailable
from .unix_http import MAX_PATH_BYTES, SCHEME, socket_path
from .config import PACKAGE_DIR, default_home
from .serving import gunicorn_command

DISABLE_ENV = "NEWSQA_DAEMON"  # 0/false/no/off: never use or start a worker (also `newsqa --no-daemon`)
IDLE_ENV = "NEWSQA_DAEMON_IDLE_MINUTES"
RECORD_ENV = "NEWSQA_DAEMON_RECORD"  # set in a worker's environment: the record it removes on exit
SOCKET_ENV = "NEWSQA_DAEMON_SOCKET"  # set in a worker's environment: its socket, how `running` knows the pid is it
DEFAULT_IDLE_MINUTES = 10.0
PING_TIMEOUT = 0.3  # seconds a live worker has to answer before it counts as stale
START_GRACE = 300.0  # seconds a new worker may take to load the models (a busy machine is slow)
WAIT_FOR_START = 60.0  # seconds a command waits for a worker that is still loading its models
STOP_WAIT = 40.0  # gunicorn's graceful timeout is 30 s
CLIENT_TIMEOUT = 600.0  # seconds for one command's request: a long raw text to summarize takes a while


@dataclass
class Record:
    """What the CLI needs to find, trust and stop a worker."""

    url: str
    pid: int
    api_key: str
    database: str
    fingerprint: dict[str, Any]
    started: float  # time.time() when it was started
    idle_minutes: float
    log: str

    @property
    def socket(self) -> str | None:
        """The worker's socket file (None for a record of an older newsqa, whose workers used TCP)."""
        return socket_path(self.url)


def disabled_by_env() -> bool:
    return os.environ.get(DISABLE_ENV, "").strip().lower() in ("0", "false", "no", "off")


def supported() -> bool:
    """Workers need POSIX sessions and signals."""
    return os.name == "posix"


def idle_minutes() -> float:
    value = os.environ.get(IDLE_ENV, "").strip()
    try:
        return float(value) if value else DEFAULT_IDLE_MINUTES
    except ValueError:
        return DEFAULT_IDLE_MINUTES


def database_key(db: str) -> str | None:
    """The database setting in one canonical form (SQLite: an absolute file path), or None for a
    database no other process can open (`:memory:`)."""
    if db.startswith(("postgresql://", "postgres://")):
        return db
    path = db[len("sqlite:///"):] if db.startswith("sqlite:///") else db
    if path in ("", ":memory:") or path.startswith("file:"):
        return None
    return str(Path(path).expanduser().resolve())


def state_dir() -> Path:
    """Where records and logs live: `$NEWSQA_HOME/daemons` (the per-user data folder by default)."""
    return default_home() / "daemons"


def record_path(database: str) -> Path:
    return state_dir() / f"{hashlib.sha256(database.encode('utf-8')).hexdigest()[:16]}.json"


def socket_file_of(record_file: Path) -> Path:
    """The worker's socket, next to its record: `<hash>.sock`."""
    return record_file.with_suffix(".sock")


def trusted_socket(record: Record) -> bool:
    """True when the record's address is a socket file of this user inside the private state folder:
    the only place a worker listens, and one no other user can bind."""
    if record.socket is None:
        return False
    path = Path(record.socket)
    try:
        st = path.lstat()
    except OSError:
        return False
    return path.parent == state_dir() and stat.S_ISSOCK(st.st_mode) and st.st_uid == os.getuid()


def fingerprint(models_dir: Path) -> dict[str, Any]:
    """What a worker must share with the command it answers for: the same newsqa code (version,
    install, Python environment, newest source file) and the same model files (path, size, mtime)."""

    def stamp(path: Path) -> list[int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns]

    sources = [PACKAGE_DIR] + ([PACKAGE_DIR.parent / "server"] if not (PACKAGE_DIR / "server").is_dir() else [])
    newest = max((p.stat().st_mtime_ns for folder in sources if folder.is_dir() for p in folder.rglob("*.py")), default=0)
    from . import __version__

    models_dir = Path(models_dir).resolve()
    return {
        "newsqa": __version__, "package": str(PACKAGE_DIR), "environment": sys.prefix, "code_mtime_ns": newest,
        "models": str(models_dir),
        "reader": stamp(models_dir / "reader" / "model.safetensors"),
        "summarizer": stamp(models_dir / "summarizer" / "scorer.safetensors"),
    }


# -- the record file ----------------------------------------------------------------------------


def private_folder(folder: Path) -> bool:
    """Create `folder` (mode 0700) if needed; True when it belongs to this user and nobody else can
    write into it, the only case where a record found there can be trusted."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def read_record(path: Path) -> Record | None:
    """The record at `path`, if it is this user's own private file and well formed."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if st.st_uid != os.getuid() or st.st_mode & 0o077:
            return None
        with os.fdopen(fd, "r", encoding="utf-8") as f:
            fd = -1
            return Record(**json.load(f))
    except (OSError, ValueError, TypeError):
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def write_record(path: Path, record: Record) -> None:
    """Write atomically, readable by this user only (it holds the worker's API key)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(asdict(record), f)
    os.replace(tmp, path)


def forget(path: Path, pid: int) -> None:
    """Remove the record at `path` if it still names process `pid` (a newer worker's is kept)."""
    record = read_record(path)
    if record is not None and record.pid == pid:
        with contextlib.suppress(OSError):
            path.unlink()


def records() -> list[tuple[Path, Record]]:
    """Every worker record of this user."""
    folder = state_dir()
    if not folder.is_dir():
        return []
    found = ((path, read_record(path)) for path in sorted(folder.glob("*.json")))
    return [(path, record) for path, record in found if record is not None]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock next to `path`, so two commands never start two workers for one database."""
    import fcntl

    fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# -- the worker process -------------------------------------------------------------------------


def running(record: Record) -> bool:
    """True when the record's process exists and is that worker (not a reused pid): on Linux its
    environment must name the record's socket."""
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: not ours
        return False
    if record.socket is None:
        return False  # an older newsqa's TCP worker: never signalled, it stops itself when idle
    if not Path("/proc/self/environ").exists():
        return True
    try:
        return f"\0{SOCKET_ENV}={record.socket}\0".encode() in b"\0" + Path(f"/proc/{record.pid}/environ").read_bytes()
    except OSError:
        return False


def stop(path: Path, record: Record, wait: float = STOP_WAIT) -> bool:
    """Stop the worker (SIGTERM: gunicorn finishes the request in hand) and remove its record.
    True when it has exited within `wait` seconds."""
    if running(record):
        with contextlib.suppress(ProcessLookupError):
            os.kill(record.pid, signal.SIGTERM)
        deadline = time.monotonic() + wait
        while running(record) and time.monotonic() < deadline:
            time.sleep(0.05)
    forget(path, record.pid)
    return not running(record)


def connect(database: str, models_dir: Path) -> Client | None:
    """A client of the live worker for `database` that runs this code and these models, or None.

    A record whose process is gone is removed; a worker that runs other code or models is stopped;
    one still loading its models (younger than START_GRACE) is waited for, up to WAIT_FOR_START
    seconds; one that does not answer within PING_TIMEOUT after that is stopped and removed."""
    path = record_path(database)
    if not private_folder(path.parent):
        return None
    record = read_record(path)
    if record is None:
        return None
    if not running(record) or not trusted_socket(record):  # never send a key or a question to another address
        if running(record):
            stop(path, record, wait=2.0)
        forget(path, record.pid)
        return None
    if record.database != database or record.fingerprint != fingerprint(models_dir):
        stop(path, record)
        return None
    client = Client(record.url, api_key=record.api_key, timeout=CLIENT_TIMEOUT, database=database)
    waited_until = time.monotonic() + WAIT_FOR_START
    while True:
        try:
            client.ping(timeout=PING_TIMEOUT)
            return client
        except ServerUnavailable:
            pass
        if not running(record):
            forget(path, record.pid)
            return None
        if time.time() - record.started > START_GRACE:  # stale: loaded long ago, does not answer
            stop(path, record, wait=2.0)
            return None
        if time.monotonic() > waited_until:  # still loading: leave it be, run this command here
            return None
        time.sleep(0.1)


def retire(database: str) -> None:
    """Stop the recorded worker for `database` and remove its record: a command found the worker on
    the record's socket refusing the record's key, so the socket is another worker's (a newer one of
    ours took it) and the record is stale."""
    path = record_path(database)
    record = read_record(path)
    if record is not None:
        stop(path, record, wait=2.0)


def bind(path: Path) -> socket.socket:
    """A listening Unix socket at `path` (any stale socket file there is replaced), or OSError."""
    if len(os.fsencode(path)) > MAX_PATH_BYTES:
        raise OSError(f"the socket path {path} is longer than {MAX_PATH_BYTES} bytes; set NEWSQA_HOME to a shorter folder")
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISSOCK(path.lstat().st_mode):
            path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


def worker_environment(database: str, api_key: str, path: Path, minutes: float) -> dict[str, str]:
    """The caller's environment (model and thread settings included), pointed at `database`, with
    the library's own limits instead of a public server's: a worker serves one user's CLI."""
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSQA_URL", "NEWSQA_CORS_ORIGINS")}
    env.update({
        "NEWSQA_DB": database, "NEWSQA_API_KEY": api_key, RECORD_ENV: str(path), IDLE_ENV: str(minutes),
        SOCKET_ENV: str(socket_file_of(path)),
        "NEWSQA_WORKERS": "1", "NEWSQA_WORKER_THREADS": "4",
        "NEWSQA_MAX_ARTICLE_CHARS": "2000000", "NEWSQA_MAX_BODY": str(32 * 1024 * 1024), "NEWSQA_REQUEST_TIMEOUT": "3600",
    })
    return env


def spawn(database: str, models_dir: Path) -> Record | None:
    """Start a worker for `database` unless one is already there; its record, or None when none
    was started (one runs already, or the state folder is not private to this user)."""
    path = record_path(database)
    if not private_folder(path.parent):
        return None
    with locked(path):
        current = read_record(path)
        if current is not None and running(current):
            return None  # another command started one meanwhile
        api_key, minutes = secrets.token_urlsafe(32), idle_minutes()
        sock, log = socket_file_of(path), path.with_suffix(".log")
        # Bound here, before the record exists: the record never names an address that is not this worker's.
        with bind(sock) as listener:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                process = subprocess.Popen(
                    gunicorn_command(["-w", "1", "-b", f"fd://{listener.fileno()}"]),
                    env=worker_environment(database, api_key, path, minutes), cwd=path.parent, pass_fds=(listener.fileno(),),
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True,
                )
        record = Record(url=f"{SCHEME}{sock}", pid=process.pid, api_key=api_key, database=database,
                        fingerprint=fingerprint(models_dir), started=time.time(), idle_minutes=minutes, log=str(log))
        write_record(path, record)
        return record
