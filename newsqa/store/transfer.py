"""Copy a corpus from one store to another (SQLite to PostgreSQL or back) with its stored vectors,
so nothing is embedded again.

Each article is copied in one transaction of the destination, and articles already there are
skipped: an interrupted copy is resumed by running it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import dedupe
from ..errors import ArticleConflict
from .base import Store

PAGE = 100


@dataclass
class CopyReport:
    """What a copy did: articles copied, already present (skipped), and ids refused because the
    destination holds a different text under them."""

    copied: int = 0
    present: int = 0
    conflicts: list[str] = field(default_factory=list)


def copy_articles(source: Store, destination: Store, progress: bool = False, page: int = PAGE) -> CopyReport:
    """Copy every article of `source` missing from `destination`, oldest first, with its passages,
    sentences and their vectors as stored."""
    from tqdm import tqdm

    report = CopyReport()
    with tqdm(total=source.count_articles(), desc="copying", unit="article", disable=not progress) as bar:
        offset = 0
        while True:
            articles = source.list_articles(offset, page)
            if not articles:
                break
            offset += len(articles)
            present = destination.existing_ids(a.id for a in articles)
            for article in articles:
                if article.id in present:
                    there = destination.get_article(article.id)
                    if there is not None and there.text != article.text:
                        report.conflicts.append(article.id)
                    else:
                        report.present += 1
                else:
                    stored = source.stored_article(article.id)
                    if stored is not None:  # deleted from the source while we copied: nothing to do
                        try:
                            signature = dedupe.signature(stored.article.text)  # so that later copies of it are recognised there
                            destination.add_article(stored.article, stored.passages, stored.vectors, stored.sentences, stored.sentence_vectors,
                                                    quotes=stored.quotes, copy_keys=signature.keys, signature=signature.to_bytes())
                            report.copied += 1
                        except ArticleConflict:
                            report.conflicts.append(article.id)
                bar.update(1)
    return report
