"""Cold start of the real `newsqa ask` command: process start to answer printed, median of N runs.

    .venv/bin/python benchmarks/cold_start.py [--runs 5] [--threads 1] [--server]
        [--baseline /path/to/other/venv/bin/newsqa] ...

Two ways this checkout's command runs, each over a database of its own holding the seed article:

- in-process (NEWSQA_DAEMON=0): every `newsqa ask "What did Lavrov say on Venezuela?"` imports
  the libraries and loads the models itself;
- the default: the first call runs in-process and starts the background worker (newsqa/daemon.py);
  it is timed on its own, then the benchmark waits until the worker has loaded its models
  (`newsqa daemon status`), and the N timed runs go through it. The worker is stopped at the end.

Every `--baseline` (e.g. the `newsqa` of a venv holding an older version) ingests and runs alike,
with NEWSQA_DAEMON=0. `--server` adds the command sent to a running `newsqa serve` (NEWSQA_URL;
started here, 1 worker). The rounds run each command once per round, alternating, so that load on
a shared machine falls on all of them alike. Torch threads are pinned with OMP_NUM_THREADS
(`--threads`). Prints the median wall time and every run in seconds, the median CPU time (user +
system) of the command, and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
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

from _common import ROOT  # noqa: E402
QUESTION = "What did Lavrov say on Venezuela?"
EXPECTED = "establish a democracy by force"


IN_PROCESS = "this checkout, in-process"
DEFAULT = "this checkout, default (background worker)"


def environment(home: Path, threads: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSQA_URL", "NEWSQA_DB")}
    env.update({"NEWSQA_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "NEWSQA_DAEMON": "0",
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


def worker_state(newsqa: str, env: dict[str, str]) -> list[dict]:
    done = subprocess.run([newsqa, "daemon", "status", "--json"], env=env, cwd=env["NEWSQA_HOME"], capture_output=True, text=True, timeout=60)
    return json.loads(done.stdout)


def wait_for_worker(newsqa: str, env: dict[str, str]) -> tuple[int, float]:
    """(pid, seconds waited) once the background worker answers."""
    started = time.perf_counter()
    while time.perf_counter() - started < 600:
        workers = worker_state(newsqa, env)
        if workers and workers[0]["state"] == "ready":
            return workers[0]["pid"], time.perf_counter() - started
        time.sleep(0.5)
    raise SystemExit("the background worker did not get ready in 600 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (OMP_NUM_THREADS) in every command")
    parser.add_argument("--baseline", action="append", default=[], help="another `newsqa` executable to measure alike")
    parser.add_argument("--server", action="store_true", help="also measure `newsqa ask` through a running server")
    args = parser.parse_args()

    current = str(Path(sys.executable).with_name("newsqa"))
    commands = {IN_PROCESS: current, **{f"baseline {b}": b for b in args.baseline}}
    seeds = ROOT / "seeds"
    with tempfile.TemporaryDirectory(prefix="newsqa-cold-") as tmp:
        homes = {}
        for n, (name, newsqa) in enumerate(commands.items()):
            homes[name] = Path(tmp) / f"home{n}"
            homes[name].mkdir()
            subprocess.run([newsqa, "ingest", str(seeds)], env=environment(homes[name], args.threads), cwd=homes[name], check=True, capture_output=True, timeout=600)
        runs: dict[str, list[str]] = {name: [newsqa, "ask", QUESTION] for name, newsqa in commands.items()}
        envs = {name: environment(homes[name], args.threads) for name in commands}

        # The default path: the first call starts the worker, the timed runs go through it.
        homes[DEFAULT] = Path(tmp) / "default"
        homes[DEFAULT].mkdir()
        envs[DEFAULT] = environment(homes[DEFAULT], args.threads, NEWSQA_DAEMON="1")
        subprocess.run([current, "ingest", str(seeds)], env=envs[DEFAULT], cwd=homes[DEFAULT], check=True, capture_output=True, timeout=600)
        server = None
        try:
            first_load = os.getloadavg()
            first_call = timed([current, "ask", QUESTION], envs[DEFAULT])
            worker_pid, worker_wait = wait_for_worker(current, envs[DEFAULT])
            runs[DEFAULT] = [current, "ask", QUESTION]
            if args.server:
                server, url = start_server(current, environment(homes[IN_PROCESS], args.threads))
                runs["this checkout, via a running server"] = [current, "ask", QUESTION]
                (Path(tmp) / "empty").mkdir()
                envs["this checkout, via a running server"] = environment(Path(tmp) / "empty", args.threads, NEWSQA_URL=url)
            load_before = os.getloadavg()
            seconds: dict[str, list[float]] = {name: [] for name in runs}
            cpu: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(args.runs):
                for name, command in runs.items():
                    wall, used = timed(command, envs[name])
                    seconds[name].append(wall)
                    cpu[name].append(used)
            load_after = os.getloadavg()
            still = worker_state(current, envs[DEFAULT])
            if [w["pid"] for w in still] != [worker_pid]:
                raise SystemExit(f"the background worker changed during the runs: {still}")
        finally:
            if server is not None:
                os.killpg(server.pid, 15)
                server.wait(timeout=30)
            subprocess.run([current, "daemon", "stop"], env=envs[DEFAULT], cwd=homes[DEFAULT], capture_output=True, timeout=120)
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"`newsqa ask \"{QUESTION}\"`, {args.runs} runs each, OMP_NUM_THREADS={args.threads}, {os.cpu_count()} CPUs")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}; after: {' '.join(f'{x:.2f}' for x in load_after)}")
    print(f"default path, first call (in-process, starts the worker): {first_call[0]:.2f} s, CPU {first_call[1]:.2f} s "
          f"(load average {' '.join(f'{x:.2f}' for x in first_load)}); the worker answered {worker_wait:.1f} s after it returned")
    base = statistics.median(seconds[IN_PROCESS])
    for name, values in seconds.items():
        median = statistics.median(values)
        print(f"{name:<44} median {median:6.2f} s  ({median / base:.2f}x in-process), CPU {statistics.median(cpu[name]):5.2f} s;"
              f"  runs: {' '.join(f'{v:.2f}' for v in values)}")


if __name__ == "__main__":
    main()
