"""Ingest keeps going and stays bounded (issue #12, items 6 and 7): one bad record is reported with
its file and reason and skipped while everything else is stored; legacy encodings are read;
unsupported types and FIFOs are refused at once; a big .jsonl is streamed with flat memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newsqa import NewsQA, Settings

from .conftest import ROOT

CP1252_TEXT = ("Café owners in Zürich said on Monday that the naïve résumé of José Müller, the city’s new mayor, "
               "was “a surprise”. Prices rose 5% – the highest since 1998 – and the société générale branch closed. "
               "Señor García, 54, told reporters he would appeal.")


def ingest(qa: NewsQA, *paths: Path) -> tuple[list, dict[str, str]]:
    skipped: dict[str, str] = {}
    stored = qa.ingest(list(paths), on_error=lambda path, exc: skipped.__setitem__(str(exc), path.name))
    return stored, skipped


def test_item6_one_bad_record_is_reported_and_the_rest_stored(tmp_path: Path) -> None:
    qa = NewsQA(tmp_path / "db.sqlite3", Settings(db_path="", max_article_chars=5_000, max_file_bytes=1_000_000))
    feed = tmp_path / "in" / "feed.jsonl"
    feed.parent.mkdir()
    lines = [
        {"id": "good-1", "text": "Rain hit Lisbon on Monday."},
        {"id": "bad\nid", "text": "An id with a newline."},
        {"id": "long-1", "text": "word " * 2_000},
        "not json at all",
        {"id": "good-2", "text": "Snow closed roads in Oslo."},
        {"title": "no text"},
        {"id": "good-1", "text": "Another text under a stored id."},
    ]
    feed.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    (tmp_path / "in" / "latin.txt").write_bytes(CP1252_TEXT.encode("cp1252"))
    (tmp_path / "in" / "binary.txt").write_bytes(bytes(range(256)) * 50)
    with (tmp_path / "in" / "huge.txt").open("wb") as f:  # 200 MB, sparse: costs no disk
        f.truncate(200 * 1024 * 1024)
    stored, skipped = ingest(qa, tmp_path / "in")
    assert sorted(a.id for a in stored if a.id.startswith("good")) == ["good-1", "good-2"]
    latin = next(a for a in stored if a.source == "latin.txt")
    assert latin.text == CP1252_TEXT  # decoded, not rejected
    assert qa.count_articles() == 3
    messages = "\n".join(skipped)
    for where, reason in [(f"{feed}:2", "article id"), (f"{feed}:3", "longer than 5000"), (f"{feed}:4", "not a JSON object"),
                          (f"{feed}:6", "no text"), (f"{feed}:7", "different text"), ("binary.txt", "binary"),
                          ("huge.txt", "210 MB, over the 1 MB limit")]:
        assert any(where in m and reason in m for m in skipped), f"{where} / {reason} not in:\n{messages}"
    assert len(skipped) == 7


def test_item6_unsupported_type_and_fifo_are_refused_at_once(tmp_path: Path) -> None:
    qa = NewsQA(tmp_path / "db.sqlite3")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7\n\xe2\xe3\xcf\xd3")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    good = tmp_path / "good.txt"
    good.write_text("The ferry sailed at noon.", encoding="utf-8")
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from newsqa import NewsQA
        qa = NewsQA({str(tmp_path / "db.sqlite3")!r})
        stored = qa.ingest([Path({str(tmp_path / "report.pdf")!r}), Path({str(fifo)!r}), Path({str(good)!r})],
                           on_error=lambda p, e: print("SKIPPED", e))
        print("STORED", len(stored))
    """)
    try:  # a FIFO with no writer blocks open() forever: run it where a hang is a failure, not a stuck suite
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240).stdout
    except subprocess.TimeoutExpired:
        pytest.fail("ingest hung on a FIFO")
    assert "STORED 1" in out
    assert "report.pdf: unsupported file type '.pdf'" in out
    assert "pipe.txt: not a regular file" in out
    assert qa.count_articles() == 1


def test_item6_cli_reports_each_bad_record_and_stores_the_rest(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a", "text": "Rain hit Lisbon."}) + "\n{oops\n"
                    + json.dumps({"id": "b", "text": "Snow hit Oslo."}) + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "newsqa.cli", "ingest", str(feed), "--db", str(tmp_path / "db.sqlite3")],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"skipped: {feed}:2: not a JSON object" in result.stderr
    assert "2 article(s) stored, 1 skipped" in result.stdout
    assert "Traceback" not in result.stderr


def _peak_rss_mb(script: str) -> tuple[float, str]:
    """Run `script` in a fresh process; its peak resident memory in MB (from /proc at exit) and stdout."""
    code = script + "\nprint('PEAK', [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=400, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    peak = next(line for line in out.stdout.splitlines() if line.startswith("PEAK"))
    return int(peak.split()[1]) / 1024, out.stdout


def test_item7_big_jsonl_is_streamed_with_flat_memory(tmp_path: Path) -> None:
    """120 MB of JSON Lines (a few distinct articles, repeated: de-duplication keeps the test
    fast, while the reader still has to get through every byte). Peak memory must not grow with
    the file: before the fix the whole file, its lines and its records were held at once."""
    distinct = [json.dumps({"text": f"Story {i}: the harbour of port {i} reopened on Monday. " + "Cargo moved again. " * 40})
                for i in range(40)]
    small, big = tmp_path / "small.jsonl", tmp_path / "big.jsonl"
    small.write_text("\n".join(distinct) + "\n", encoding="utf-8")
    with big.open("w", encoding="utf-8") as f:
        for n in range(120 * 1024 * 1024 // 900):
            f.write(distinct[n % len(distinct)] + "\n")
    template = textwrap.dedent("""
        import sys
        sys.path.insert(0, {root!r})
        from newsqa import NewsQA
        qa = NewsQA({db!r})
        qa.embedder, qa.store
        print('STORED', sum(1 for _ in qa.ingest_iter([{path!r}])), qa.count_articles())
    """)
    base, _ = _peak_rss_mb(template.format(root=str(ROOT), db=str(tmp_path / "a.sqlite3"), path=str(small)))
    peak, out = _peak_rss_mb(template.format(root=str(ROOT), db=str(tmp_path / "b.sqlite3"), path=str(big)))
    assert "STORED" in out and out.split("STORED")[1].split()[1] == "40"
    assert peak - base < 60, f"peak {peak:.0f} MB against {base:.0f} MB for the small file"


def test_item7_progress_counts_articles(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"text": f"Port {i} reopened on Monday."}) + "\n" for i in range(5)), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "newsqa.cli", "ingest", str(feed), "--db", str(tmp_path / "db.sqlite3")],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    err = result.stderr.replace("\r", "\n")
    assert "5/5 [" in err and "articles" in err  # tqdm's bar counts articles, not files, of a total


# -- issue 22, item 3: ingest never aborts ---------------------------------------------------------


def _cli_ingest(tmp_path: Path, *args: str | bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsqa.cli", "ingest", *args, "--db", str(tmp_path / "db.sqlite3")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, "NEWSQA_DAEMON": "0"})


def test_issue22_item3_lone_surrogates_bad_file_names_and_missing_paths_are_skipped(tmp_path: Path) -> None:
    """A lone surrogate in a .jsonl line (text or title), a file name that is not UTF-8 and a
    mistyped path among several: each is reported, the rest of the batch and the later paths are
    stored, no traceback."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join([
        json.dumps({"id": "before", "text": "Rain hit Lisbon on Monday."}),
        '{"id": "lone", "text": "A broken \\ud800 character."}',
        '{"id": "lone-title", "title": "Bad \\udfff title", "text": "Fog closed Heathrow."}',
        json.dumps({"id": "after", "text": "Snow closed roads in Oslo."}),
    ]) + "\n", encoding="utf-8")
    odd = os.fsencode(tmp_path) + b"/caf\xe9-news.txt"
    with open(odd, "wb") as f:
        f.write("Wind toppled trees in Bergen on Tuesday.".encode("utf-8"))
    goats = tmp_path / "goats.txt"
    goats.write_text("Goats grazed the slopes of Mount Etna.", encoding="utf-8")
    result = _cli_ingest(tmp_path, str(feed), str(tmp_path / "nope.jsonl"), os.fsdecode(odd), str(goats))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert f"{feed}:2: text holds a lone surrogate (\\ud800" in result.stderr
    assert f"{feed}:3: title holds a lone surrogate (\\udfff" in result.stderr
    assert f"skipped: {tmp_path / 'nope.jsonl'}: no such file or folder" in result.stderr
    assert "4 article(s) stored, 3 skipped" in result.stdout
    with NewsQA(tmp_path / "db.sqlite3") as qa:
        sources = sorted(a.source for a in qa.list_articles())
        assert sources == ["caf\ufffd-news.txt", "feed.jsonl", "feed.jsonl", "goats.txt"]
        assert {a.id for a in qa.list_articles()} >= {"before", "after"}


def test_issue22_item3_a_binary_jsonl_reports_a_few_lines_then_a_count(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_bytes(bytes(range(256)).replace(b"\n", b"") * 40 + b"\n" + (b"\x00\xff\xfe garbage\n" * 300))
    good = tmp_path / "good.txt"
    good.write_text("The ferry sailed at noon.", encoding="utf-8")
    result = _cli_ingest(tmp_path, str(junk), str(good))
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line.split("skipped: ", 1)[1] for line in result.stderr.replace("\r", "\n").splitlines() if "skipped: " in line]
    assert len(lines) == 6, lines  # 5 of the 301 bad lines, then the count of the rest
    assert lines[-1] == f"{junk}: ... and 296 more lines like this"
    assert "1 article(s) stored" in result.stdout


def test_issue22_item3_nothing_but_missing_paths_is_one_error_line(tmp_path: Path) -> None:
    result = _cli_ingest(tmp_path, str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: nothing stored")
