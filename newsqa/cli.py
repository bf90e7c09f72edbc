"""The `newsqa` command: ingest, ask, search, articles, summarize, demo, serve, and reader training.

Built on typer (type-hinted commands, generated help). Human-readable output by default, `--json`
for machines. Errors the user caused print one line and exit with status 2.

Article titles, texts, ids and file names are untrusted: everything printed goes through `say`
(or `emit`), which shows control characters as `\u001b`-style escapes, so an article cannot move
the cursor, retitle the terminal or clear the screen of the person reading it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, List, Optional

import typer

if TYPE_CHECKING:
    from .protocol import Engine

app = typer.Typer(help="Answer questions about news articles and summarize them.", no_args_is_help=True, add_completion=False)
articles_app = typer.Typer(help="List, show and delete stored articles.", no_args_is_help=True)
app.add_typer(articles_app, name="articles")
daemon_app = typer.Typer(help="The background worker that keeps the models loaded for ask, search and summarize.", no_args_is_help=True)
app.add_typer(daemon_app, name="daemon")

DbOption = typer.Option(None, "--db", envvar="NEWSQA_DB",
                        help="SQLite file or sqlite:///path, or a postgresql://... URL (default: $NEWSQA_HOME/newsqa.sqlite3).")
JsonOption = typer.Option(False, "--json", help="Print JSON.")
SinceOption = typer.Option(None, "--since", help="Only articles published on or after this date or datetime (ISO 8601).")
UntilOption = typer.Option(None, "--until", help="Only articles published on or before this date (the whole day) or datetime.")
EMPTY_HINT = "Add articles with `newsqa ingest PATH...` (files or folders of .txt, .json, .jsonl, .html), or try `newsqa demo`."


# Control characters (C0 except tab and newline, DEL, C1): what terminal escape sequences are made of;
# and surrogates (a file name that is not UTF-8, a lone one in a JSON string), which cannot be printed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` with every control character but tab and newline, and every surrogate, written as a
    `\\u001b`-style escape."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def say(text: str, err: bool = False) -> None:
    """Print one message for people; the only way this command writes text."""
    typer.echo(printable(text), err=err)


def print_version(value: bool) -> None:
    if value:
        from . import __version__

        say(f"newsqa {__version__}")
        raise typer.Exit()


@app.callback()
def options(
    ctx: typer.Context,
    server: Optional[str] = typer.Option(
        None, "--server", envvar="NEWSQA_URL", metavar="URL",
        help="A running `newsqa serve` (e.g. http://127.0.0.1:8000) to send commands to, so they skip loading "
             "the models; if it does not answer, the command runs in this process.",
    ),
    threads: Optional[int] = typer.Option(
        None, "--threads", min=0, envvar="NEWSQA_THREADS",
        help="Torch threads per process (0: one per core). Default 1: faster on a busy machine, see README."),
    daemon: bool = typer.Option(
        True, "--daemon/--no-daemon", envvar="NEWSQA_DAEMON",
        help="Send ask/search/summarize to a background worker that keeps the models loaded, starting one "
             "when none runs (`newsqa daemon --help`); NEWSQA_DAEMON=0 is --no-daemon."),
    max_article_chars: Optional[int] = typer.Option(
        None, "--max-article-chars", min=1, envvar="NEWSQA_MAX_ARTICLE_CHARS",
        help="Longest article text to store, in characters (default 2,000,000 here; a server's POST limit is its own)."),
    version: bool = typer.Option(False, "--version", is_eager=True, callback=lambda value: print_version(value),
                                 help="Print newsqa's version and exit."),
) -> None:
    """Answer questions about news articles and summarize them."""
    ctx.obj = {"server": server, "daemon": daemon}
    if max_article_chars is not None:  # through the environment, so a worker started from here gets it too
        os.environ["NEWSQA_MAX_ARTICLE_CHARS"] = str(max_article_chars)
    if threads is not None:  # through the environment, so `serve`'s gunicorn workers get it too
        os.environ["NEWSQA_THREADS"] = str(threads)


def engine(db: Optional[str], ctx: typer.Context | None = None) -> "Engine":
    """Where the command runs: the configured server if it answers, else a NewsQA in this process.
    Either is an Engine (newsqa.protocol): the commands below never ask which."""
    server = (ctx.obj or {}).get("server") if ctx is not None else None
    if server:
        from .client import Client, ServerUnavailable

        client = Client(server, api_key=os.environ.get("NEWSQA_API_KEY"))
        try:
            client.ping()
            return client
        except ServerUnavailable as exc:
            say(f"note: {exc}; running in this process instead", err=True)
    return local_engine(db)


def local_engine(db: Optional[str]):
    """A NewsQA in this process, with the settings read from the environment once, here."""
    from .config import Settings
    from .engine import NewsQA

    return NewsQA(db, Settings.from_env())


def with_models(db: Optional[str], ctx: typer.Context, work: Callable[["Engine"], None]) -> None:
    """Run `work(qa)` for a command that loads models (ask, search, summarize).

    Without a configured server it goes to this user's background worker for the database when one
    runs (newsqa/daemon.py); else it runs here, and once it has succeeded a worker is started for
    the next command, unless --no-daemon / NEWSQA_DAEMON=0, or the database is `:memory:`. `work`
    prints only after its last engine call, so a worker that stops halfway leaves nothing printed
    twice when the command runs again here."""
    database, models_dir = background_target(db, ctx)
    if database is not None:
        from .client import ServerUnavailable, Unauthorized
        from .daemon import connect, retire

        client = connect(database, models_dir)
        if client is not None:
            try:
                return work(client)
            except ServerUnavailable as exc:  # it stopped between the check and the request
                say(f"note: {exc}; running in this process instead", err=True)
            except Unauthorized:  # the record is older than the worker on its socket
                retire(database)
                say("note: the background worker refused this command's key; running in this process instead", err=True)
    work(engine(db, ctx))
    if database is not None:
        start_background_worker(database, models_dir)


def background_target(db: Optional[str], ctx: typer.Context) -> tuple[Optional[str], Path]:
    """(database key, models folder) when this command may use a background worker, else (None, ...)."""
    from .config import default_db, shipped_models_dir
    from .daemon import database_key, disabled_by_env, supported

    models_dir = shipped_models_dir()
    obj = ctx.obj or {}
    if obj.get("server") or not obj.get("daemon", True) or disabled_by_env() or not supported():
        return None, models_dir
    return database_key(db or default_db()), models_dir


def start_background_worker(database: str, models_dir: Path) -> None:
    """Start a worker for `database` (after the command's output) and say so once, on stderr."""
    from .daemon import spawn

    try:
        record = spawn(database, models_dir)
    except OSError as exc:  # the command itself succeeded: a worker is only a speed-up
        say(f"note: could not start a background newsqa worker ({exc})", err=True)
        return
    if record is not None:
        say(f"started a background newsqa worker (pid {record.pid}) for faster answers; it stops after "
            f"{record.idle_minutes:g} min idle; NEWSQA_DAEMON=0 disables it; `newsqa daemon stop`", err=True)


def where(qa) -> str:
    """The database (or server) a command works on, for messages."""
    return qa.location


def require_articles(qa) -> None:
    """Stop with a clear message, before any model is loaded, when there is nothing to search."""
    if qa.count_articles() == 0:
        say(f"No articles in {where(qa)} yet. {EMPTY_HINT}", err=True)
        raise typer.Exit(1)


def emit(data: Any) -> None:
    """Print JSON. json.dumps escapes C0 controls itself; `printable` catches DEL and C1, which it
    leaves raw, and writes them as JSON's own \\u escapes."""
    say(json.dumps(data, ensure_ascii=False, indent=2))


def print_answers(answers) -> None:
    if not answers:
        say("No answer found in the stored articles.")
    for n, a in enumerate(answers, 1):
        say(f"{n}. {a.text}    (score {a.score:.2f})")
        if a.speaker:
            say(f"   said by {a.speaker}")
        say(f"   from {a.title or a.article_id} [{a.article_id}]{dated(a.published)}, characters {a.start}-{a.end}")
        if a.sentence:
            say(f"   \"{a.sentence.text}\"")
        if a.also_in:
            say(f"   also in {len(a.also_in)} source(s): " + ", ".join(f"{c.title or c.article_id} [{c.article_id}]{dated(c.published)}" for c in a.also_in))


def dated(published: str | None) -> str:
    """", published <date>" for a dated article, "" otherwise."""
    return f", published {published}" if published else ""


def print_summary(summary) -> None:
    for s in summary.sentences:
        say(f"- {s.text}")


@app.command()
def ingest(ctx: typer.Context, paths: List[Path] = typer.Argument(..., help="Files or folders (.txt, .json, .jsonl, .html)."), db: Optional[str] = DbOption, as_json: bool = JsonOption) -> None:
    """Add the articles in PATHS (folders recursively; `-`: standard input, JSON Lines or one text);
    unreadable files and records are reported and skipped."""
    if Path("-") in paths:
        import tempfile

        from .cli_args import stdin_file

        with tempfile.TemporaryDirectory(prefix="newsqa-stdin-") as folder:
            given = [stdin_file(folder) if p == Path("-") else p for p in paths]
            return ingest(ctx, given, db, as_json)
    qa = engine(db, ctx)
    skipped: list[str] = []

    def report(path: Path, exc: Exception) -> None:
        skipped.append(str(exc))
        if not as_json:  # at once, with the file and the reason; the run goes on
            say(f"skipped: {exc}", err=True)

    # Only ids and titles are kept: a 200 MB .jsonl must not be held in memory.
    stored = [{"id": a.id, "title": a.title} for a in qa.ingest_iter(paths, progress=not as_json, on_error=report)]
    if as_json:
        emit({"articles": stored, "skipped": skipped})
        return
    say(f"{len(stored)} article(s) stored, {len(skipped)} skipped, {qa.count_articles()} in {where(qa)}")


@app.command()
def ask(
    ctx: typer.Context,
    question: str,
    top_k: int = typer.Option(3, "--top-k", "-k", help="Answers to return."),
    article: Optional[List[str]] = typer.Option(None, "--article", "-a", help="Restrict to these article ids."),
    since: Optional[str] = SinceOption,
    until: Optional[str] = UntilOption,
    recent: bool = typer.Option(False, "--recent", help="Break near-ties between answers towards newer articles."),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Answer QUESTION from the stored articles, with the exact place each answer came from."""

    def answer(qa) -> None:
        require_articles(qa)
        answers = qa.ask(question, top_k=top_k, article_ids=article or None, since=since, until=until,
                         prefer="recent" if recent else None)
        emit([a.to_dict() for a in answers]) if as_json else print_answers(answers)

    with_models(db, ctx, answer)


@app.command()
def search(
    ctx: typer.Context,
    query: str,
    top_k: int = typer.Option(5, "--top-k", "-k"),
    article: Optional[List[str]] = typer.Option(None, "--article", "-a"),
    mode: str = typer.Option("hybrid", help="hybrid, bm25 or dense."),
    since: Optional[str] = SinceOption,
    until: Optional[str] = UntilOption,
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Passages most relevant to QUERY."""

    def find(qa) -> None:
        require_articles(qa)
        hits = qa.search(query, top_k=top_k, article_ids=article or None, mode=mode, since=since, until=until)
        if as_json:
            emit([h.to_dict() for h in hits])
            return
        for h in hits:
            also = f", also in {len(h.also_in)} source(s)" if h.also_in else ""
            say(f"[{h.score:.4f}] {h.title or h.passage.article_id} ({h.passage.start}-{h.passage.end}){dated(h.published)}{also}\n"
                f"    {h.passage.text[:300]}")

    with_models(db, ctx, find)


@app.command()
def quotes(
    ctx: typer.Context,
    query: Optional[str] = typer.Argument(None, help="Rank the statements by relevance to this."),
    speaker: Optional[str] = typer.Option(None, "--speaker", "-s", help="Only this speaker's (any part of the name)."),
    top_k: int = typer.Option(10, "--top-k", "-k"),
    article: Optional[List[str]] = typer.Option(None, "--article", "-a"),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Who said what: attributed statements in the stored articles, best first."""

    def find(qa) -> None:
        require_articles(qa)
        found = qa.quotes(query, speaker=speaker, article_ids=article or None, top_k=top_k)
        if as_json:
            emit([q.to_dict() for q in found])
            return
        for i, q in enumerate(found, 1):
            cue = f" ({q.cue.text})" if q.cue else ""
            say(f"{i}. {q.speaker or (q.source.text if q.source else 'unattributed')}{cue}: {q.text}")
            say(f"   from {q.title or q.article_id} [{q.article_id}], characters {q.start}-{q.end}")

    with_models(db, ctx, find)


@app.command()
def summarize(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="A stored article id, or a file to summarize without storing it."),
    sentences: Optional[int] = typer.Option(3, "--sentences", "-s"),
    words: Optional[int] = typer.Option(None, "--words", "-w"),
    query: Optional[str] = typer.Option(None, "--query", "-q", help="Prefer sentences about this."),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Extractive summary of a stored article or of a file."""
    from .articles import read_file
    from .errors import ArticleNotFound

    def summarize_one(qa) -> None:
        if Path(target).is_file():
            summary = qa.summarize(text=read_file(Path(target))[0].text, max_sentences=sentences, max_words=words, query=query)
        else:
            try:
                qa.get_article(target)
            except ArticleNotFound:
                raise ArticleNotFound(f"no file or stored article named {target!r} (in {where(qa)})") from None
            summary = qa.summarize(article_id=target, max_sentences=sentences, max_words=words, query=query)
        emit(summary.to_dict()) if as_json else print_summary(summary)

    with_models(db, ctx, summarize_one)


@articles_app.command("list")
def articles_list(ctx: typer.Context, offset: int = 0, limit: int = 50, since: Optional[str] = SinceOption,
                  until: Optional[str] = UntilOption, db: Optional[str] = DbOption, as_json: bool = JsonOption) -> None:
    """Stored articles, oldest first (only those published from --since to --until when given)."""
    qa = engine(db, ctx)
    found = qa.list_articles(offset, limit, since=since, until=until)
    if as_json:
        emit([{k: v for k, v in a.to_dict().items() if k != "text"} for a in found])
        return
    if not found and offset == 0:
        say(f"No articles in {where(qa)} yet. {EMPTY_HINT}", err=True)
    for a in found:
        copy = f"  (copy of {a.duplicate_of})" if a.duplicate_of else ""
        when = f"{a.published}  " if a.published else ""
        say(f"{a.id}  {when}{a.title or a.text[:60]!s}{copy}")


@articles_app.command("show")
def articles_show(ctx: typer.Context, article_id: str, db: Optional[str] = DbOption, as_json: bool = JsonOption) -> None:
    """One stored article, with its text."""
    a = engine(db, ctx).get_article(article_id)
    if as_json:
        emit(a.to_dict())
        return
    say(f"id: {a.id}\ntitle: {a.title}\nurl: {a.url}\npublished: {a.published}\n\n{a.text}")


@articles_app.command("delete")
def articles_delete(ctx: typer.Context, article_id: str, db: Optional[str] = DbOption) -> None:
    """Delete a stored article and its passages."""
    engine(db, ctx).delete_article(article_id)
    say(f"deleted {article_id}")


@daemon_app.command("status")
def daemon_status(as_json: bool = JsonOption) -> None:
    """This user's background workers: database, pid, address, whether each answers, its log."""
    from .client import Client, ServerUnavailable
    from .config import without_password
    from .daemon import records, running, state_dir

    found = []
    for path, record in records():
        state = "not running"
        if running(record):
            try:
                Client(record.url, api_key=record.api_key).ping(timeout=1.0)
                state = "ready"
            except ServerUnavailable:
                state = "not answering (loading its models?)"
        found.append({"database": without_password(record.database), "pid": record.pid, "url": record.url, "state": state,
                      "idle_minutes": record.idle_minutes, "record": str(path), "log": record.log})
    if as_json:
        emit(found)
        return
    if not found:
        say(f"No background newsqa worker runs (records live in {state_dir()}).")
    for w in found:
        say(f"{w['database']}: pid {w['pid']} at {w['url']}, {w['state']}; stops after {w['idle_minutes']:g} min idle\n"
            f"    record {w['record']}\n    log {w['log']}")


@daemon_app.command("stop")
def daemon_stop(
    db: Optional[str] = DbOption,
    every: bool = typer.Option(False, "--all", help="Stop every background worker of this user, whatever its database."),
) -> None:
    """Stop the background worker of the database (default: the one commands use), or all of them."""
    from .config import default_db, without_password
    from .daemon import database_key, record_path, records, stop

    targets = records()
    if not every:
        key = database_key(db or default_db())
        targets = [(path, record) for path, record in targets if key is not None and path == record_path(key)]
    if not targets:
        say("No background newsqa worker runs" + ("." if every else f" for {without_password(db or default_db())}."))
    for path, record in targets:
        stopped = stop(path, record)
        say(f"{'stopped' if stopped else 'could not stop'} the worker for {without_password(record.database)} (pid {record.pid})")
        if not stopped:
            raise typer.Exit(1)


@app.command("copy")
def copy_corpus(
    source: str = typer.Option(..., "--from", help="Database to copy from (SQLite path or URL, or postgresql://...)."),
    destination: str = typer.Option(..., "--to", help="Database to copy into; created on first use."),
    as_json: bool = JsonOption,
) -> None:
    """Copy every article with its stored vectors (nothing embedded again); run again to resume."""
    report = local_engine(source).copy_to(destination, progress=not as_json)
    if as_json:
        emit({"copied": report.copied, "already_there": report.present, "conflicts": report.conflicts})
    else:
        typer.echo(f"{report.copied} article(s) copied, {report.present} already there")
        for article_id in report.conflicts:
            typer.echo(f"conflict: {article_id} is stored in the destination with a different text; not copied", err=True)
    if report.conflicts:
        raise typer.Exit(1)


@app.command()
def info(ctx: typer.Context, db: Optional[str] = DbOption, as_json: bool = JsonOption) -> None:
    """The database in use, how many articles it holds, the models and the software versions."""
    qa = engine(db, ctx)
    facts = qa.info()
    if as_json:
        emit(facts)
        return
    if "server" in facts:
        say(f"server:     {facts['server']}")
    say(f"database:   {facts['database']}")
    say(f"articles:   {facts['articles']}" + ("" if facts["articles"] else f"  ({EMPTY_HINT})"))
    for name, model in facts["models"].items():
        say(f"{name + ':':<11} " + ", ".join(f"{k} {v}" for k, v in model.items()))
    say("versions:   " + ", ".join(f"{k} {v}" for k, v in facts["versions"].items()))


DEMO_QUESTION = "What did Lavrov say on Venezuela?"  # the seed article answers it


@app.command()
def demo(
    path: Optional[Path] = typer.Argument(None, help="Articles to ingest (default: the seed article shipped with newsqa)."),
    question: Optional[str] = typer.Option(None, "--question", "-q", help=f"A question about PATH (default for the seed article: {DEMO_QUESTION!r})."),
) -> None:
    """The tour: ingest PATH into a temporary database, answer a question, summarize the first article.

    The temporary database is deleted afterwards: the demo never reads or writes your own.
    """
    import tempfile

    from .config import Settings, shipped_seeds_dir
    from .engine import NewsQA

    if path is None:
        path, question = shipped_seeds_dir(), question or DEMO_QUESTION
    with tempfile.TemporaryDirectory(prefix="newsqa-demo-") as tmp:
        qa = NewsQA(Path(tmp) / "demo.sqlite3", Settings.from_env())
        stored = qa.ingest([path], progress=True)
        say(f"\nStored {len(stored)} article(s) from {path} in a temporary database.")
        if question:
            say(f"\nQ: {question}")
            print_answers(qa.ask(question))
        else:
            say("\n(Give `--question \"...\"` to ask something about these articles.)")
        if stored:
            say(f"\nSummary of \"{stored[0].title or stored[0].id}\":")
            print_summary(qa.summarize(article_id=stored[0].id))
        qa.close()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000),
    workers: int = typer.Option(2, help="gunicorn worker processes, each loading the models once."),
    debug: bool = typer.Option(False, help="Flask's development server with its debugger (loopback only)."),
) -> None:
    """Run the REST API and web page (gunicorn; `--debug` for Flask's development server)."""
    if debug and not is_loopback(host):
        from .errors import InvalidInput

        # The Werkzeug debugger runs any Python code typed into a traceback page: never off this machine.
        raise InvalidInput(f"--debug serves the Werkzeug debugger, which runs code for whoever reaches it; "
                           f"it only binds to loopback (127.0.0.1, ::1, localhost), not {host!r}")
    from .serving import check_port_free, gunicorn_command, leave_the_current_folder

    check_port_free(host, port)  # one clear line now, not gunicorn's five seconds of retries and a log
    leave_the_current_folder()  # a source folder `newsqa/` here must not shadow the installed package
    if debug:
        cmd = [sys.executable, "-m", "flask", "--app", "newsqa.server.app:create_app", "run", "--debug", "--host", host, "--port", str(port)]
    else:
        cmd = gunicorn_command(["-w", str(workers), "-b", f"{host}:{port}"])
    os.execvp(cmd[0], cmd)  # replace this process, so signals reach gunicorn directly


def is_loopback(host: str) -> bool:
    """True when `host` names only this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def train_reader(ctx: typer.Context) -> None:
    """Train the extractive reader (all options: `newsqa train-reader --help-config`)."""
    from .training.train import parse_args, train

    args = ["--help"] if "--help-config" in ctx.args else ctx.args
    result = train(parse_args(args))
    say(json.dumps({k: v for k, v in result.items() if k not in ("history", "losses")}))


@app.command()
def eval_reader(
    squad: Path = typer.Option(..., "--squad", help="SQuAD v1.1 or v2.0 JSON file (with --held-out: the training files or their folder)."),
    model: Optional[Path] = typer.Option(None, "--model", help="Reader folder (default: the one ask runs in this precision: models/reader, or its int8-aware twin models/reader-int8 in onnx-int8)."),
    precision: str = typer.Option("fp32", help="fp32, bf16, int8 (dynamic quantization), onnx (fp32 in ONNX Runtime), onnx-int8 (most weight products int8 in ONNX Runtime) or auto."),
    limit: int = typer.Option(0, help="Only the first N questions (0: all)."),
    max_answer_len: int = typer.Option(30, help="Longest answer in tokens."),
    out: Optional[Path] = typer.Option(None, help="Write the metrics JSON here too."),
    held_out: bool = typer.Option(False, "--held-out", help="Score only the held-out slice that train-reader selects checkpoints on."),
) -> None:
    """Official SQuAD EM/F1 (and HasAns/NoAns for v2 files) of a reader, with its speed."""
    from .config import Settings
    from .reader import Reader
    from .training.evaluate import evaluate_examples
    from .training.squad import load_squad
    from .training.train import TrainConfig, load_training_split

    examples = load_training_split(TrainConfig(data=[str(squad)]))[2] if held_out else load_squad(squad)
    examples = examples[:limit] if limit else examples
    model, precision = (model, precision) if model else Settings(reader_precision=precision).reader_choice()
    metrics = evaluate_examples(Reader(model, precision=precision), examples, max_answer_len)
    metrics.update({"file": squad.name, "model": str(model), "precision": precision, "questions": len(examples)})
    if out:
        out.write_text(json.dumps(metrics, indent=2) + "\n")
    emit(metrics)


def main() -> None:
    """Entry point: run the app, turning newsqa's own errors into one clear line and exit 2."""
    from .cli_args import check_encoding, hoist_global_options
    from .errors import NewsQAError

    try:
        check_encoding(sys.argv[1:])
        app(args=hoist_global_options(sys.argv[1:]), prog_name="newsqa")
    except NewsQAError as exc:
        say(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
