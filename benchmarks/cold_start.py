"""Cold start of the real `newsqa ask` command: process start to answer printed, median of N runs.

    .venv/bin/python benchmarks/cold_start.py [--runs 5] [--threads 1] [--server]
        [--baseline /path/to/other/venv/bin/newsqa] ...

Every command named (this checkout's `newsqa`, plus each `--baseline`, e.g. the `newsqa` of a venv
holding an older version) first ingests the seed article into a database of its own, with its own
code; then the rounds run `newsqa ask "What did Lavrov say on Venezuela?"` once per command per
round, alternating, so that load on a shared machine falls on all of them alike. `--server` adds
the same command sent to a running `newsqa serve` (NEWSQA_URL; started here, 1 worker, over this
checkout's database). Torch threads are pinned with OMP_NUM_THREADS (`--threads`). Prints the
median wall time and every run in seconds, the median CPU time (user + system) of the command,
and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "What did Lavrov say on Venezuela?"
EXPECTED = "establish a democracy by force"


def environment(home: Path, threads: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSQA_URL", "NEWSQA_DB")}
    env.update({"NEWSQA_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads), **extra})
    return env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds from starting `command` to its exit; the answer must be in what it printed.

    CPU seconds (user + system of the process) vary less with other load than wall time does."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=env["NEWSQA_HOME"], capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or EXPECTED not in done.stdout:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds, (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(newsqa: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """`newsqa serve` with one worker; returns once /readyz says the models are loaded."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([newsqa, "serve", "--port", str(port), "--workers", "1"], env=env, cwd=env["NEWSQA_HOME"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return server, url
        except OSError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not get ready in 300 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (OMP_NUM_THREADS) in every command")
    parser.add_argument("--baseline", action="append", default=[], help="another `newsqa` executable to measure alike")
    parser.add_argument("--server", action="store_true", help="also measure `newsqa ask` through a running server")
    args = parser.parse_args()

    current = str(Path(sys.executable).with_name("newsqa"))
    commands = {"this checkout": current, **{f"baseline {b}": b for b in args.baseline}}
    seeds = ROOT / "seeds"
    with tempfile.TemporaryDirectory(prefix="newsqa-cold-") as tmp:
        homes = {}
        for n, (name, newsqa) in enumerate(commands.items()):
            homes[name] = Path(tmp) / f"home{n}"
            homes[name].mkdir()
            subprocess.run([newsqa, "ingest", str(seeds)], env=environment(homes[name], args.threads), cwd=homes[name], check=True, capture_output=True, timeout=600)
        runs: dict[str, list[str]] = {name: [newsqa, "ask", QUESTION] for name, newsqa in commands.items()}
        envs = {name: environment(homes[name], args.threads) for name in commands}
        server = None
        if args.server:
            server, url = start_server(current, environment(homes["this checkout"], args.threads))
            runs["this checkout, via a running server"] = [current, "ask", QUESTION]
            (Path(tmp) / "empty").mkdir()
            envs["this checkout, via a running server"] = environment(Path(tmp) / "empty", args.threads, NEWSQA_URL=url)
        try:
            load_before = os.getloadavg()
            seconds: dict[str, list[float]] = {name: [] for name in runs}
            cpu: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(args.runs):
                for name, command in runs.items():
                    wall, used = timed(command, envs[name])
                    seconds[name].append(wall)
                    cpu[name].append(used)
            load_after = os.getloadavg()
        finally:
            if server is not None:
                os.killpg(server.pid, 15)
                server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"`newsqa ask \"{QUESTION}\"`, {args.runs} runs each, OMP_NUM_THREADS={args.threads}, {os.cpu_count()} CPUs")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}; after: {' '.join(f'{x:.2f}' for x in load_after)}")
    base = statistics.median(seconds["this checkout"])
    for name, values in seconds.items():
        median = statistics.median(values)
        print(f"{name:<40} median {median:6.2f} s  ({median / base:.2f}x this checkout), CPU {statistics.median(cpu[name]):5.2f} s;"
              f"  runs: {' '.join(f'{v:.2f}' for v in values)}")


if __name__ == "__main__":
    main()
