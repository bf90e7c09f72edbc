"""A served worker's memory stays bounded (issue #22, item 5): oneDNN's per-shape kernel cache is
capped before torch starts, freed heap goes back to the system after each request, and gunicorn
replaces a worker after max_requests (jittered) as a backstop. The growth itself is measured by
benchmarks/worker_rss.py (docs/results.md), too slow for a test."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from newsqa.memory import rss_bytes, trim


def gunicorn_settings(env: dict[str, str]) -> dict:
    code = ("import json, os, newsqa.server.gunicorn_conf as c; print(json.dumps({'max_requests': c.max_requests, "
            "'jitter': c.max_requests_jitter, 'onednn': os.environ.get('ONEDNN_PRIMITIVE_CACHE_CAPACITY'), "
            "'torch': 'torch' in __import__('sys').modules}))")
    clean = {k: v for k, v in os.environ.items() if k not in ("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "NEWSQA_MAX_REQUESTS")}
    done = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_gunicorn_recycles_workers_and_caps_onednn_cache() -> None:
    settings = gunicorn_settings({})
    assert settings["max_requests"] > 0 and 0 < settings["jitter"] < settings["max_requests"]
    assert settings["onednn"] == "16"
    assert not settings["torch"]  # set in the master before any torch kernel runs
    # each is a setting: recycling off, the cache as the operator wants it
    off = gunicorn_settings({"NEWSQA_MAX_REQUESTS": "0", "ONEDNN_PRIMITIVE_CACHE_CAPACITY": "1024"})
    assert off["max_requests"] == 0 and off["jitter"] == 0 and off["onednn"] == "1024"


def test_trim_gives_freed_heap_back() -> None:
    blocks = [bytearray(100_000) for _ in range(2_000)]  # 200 MB in chunks malloc keeps in its heap
    del blocks[::2]  # freed, but fragmented: the heap cannot shrink from the top
    before = rss_bytes()
    assert trim()
    assert rss_bytes() < before - 50 * 2**20
    del blocks
