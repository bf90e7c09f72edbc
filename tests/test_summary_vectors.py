"""The summarizer's sentence vectors: static token vectors fitted to MiniLM, shipped with the scorer."""

from __future__ import annotations

import numpy as np
import pytest

from newsqa import NewsQA
from newsqa.config import shipped_models_dir
from newsqa.errors import ModelNotFound
from newsqa.model_cache import ModelCache, shared
from newsqa.summarizer.sentence_vectors import TABLE_FILE, SentenceVectors
from newsqa.text import split_sentences


@pytest.fixture(scope="module")
def vectors() -> SentenceVectors:
    return shared().summary_vectors(shipped_models_dir() / "summarizer")


def test_unit_vectors_one_per_text(vectors):
    out = vectors.encode(["Lavrov spoke on Venezuela.", "", "Pompeo met Putin in Sochi."])
    assert out.shape == (3, 384) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out[[0, 2]], axis=1), 1.0, rtol=1e-5)
    assert not out[1].any()  # a text without tokens has no direction
    assert vectors.encode([]).shape == (0, 384)
    np.testing.assert_array_equal(vectors.encode(["Pompeo met Putin in Sochi."])[0], out[2])


def test_close_to_minilm_on_the_seed(vectors, seed_text):
    """The table was fitted to MiniLM's space: the seed's sentences point where MiniLM puts them,
    and their similarities to each other follow MiniLM's."""
    sentences = [s.text for s in split_sentences(seed_text)]
    static, minilm = vectors.encode(sentences), shared().embedder().encode_uncached(sentences)
    assert np.median(np.sum(static * minilm, axis=1)) > 0.8
    upper = np.triu_indices(len(sentences), 1)
    assert np.corrcoef((static @ static.T)[upper], (minilm @ minilm.T)[upper])[0, 1] > 0.75


def test_a_raw_text_summary_needs_no_transformer(tmp_path, seed_text):
    """Summarizing text loads the scorer and the token table, never MiniLM."""
    engine = NewsQA(tmp_path / "raw.sqlite3", models=ModelCache())
    summary = engine.summarize(text=seed_text, max_sentences=3)
    assert len(summary.sentences) == 3
    assert "embedder" not in engine.models.loaded()
    engine.close()


def test_stored_article_and_its_raw_text_get_the_same_summary(tmp_path, seed_text):
    engine = NewsQA(tmp_path / "same.sqlite3")
    article = engine.add_article(seed_text)
    stored = engine.summarize(article_id=article.id, max_sentences=3, query="Venezuela")
    raw = engine.summarize(text=seed_text, max_sentences=3, query="Venezuela")
    assert [(s.start, s.end, s.score) for s in stored.sentences] == [(s.start, s.end, s.score) for s in raw.sentences]
    assert all(s.article_id == article.id for s in stored.sentences) and all(s.article_id is None for s in raw.sentences)
    engine.close()


def test_missing_table_is_model_not_found(tmp_path):
    with pytest.raises(ModelNotFound, match=TABLE_FILE):
        SentenceVectors.load(tmp_path)


def test_summaries_from_many_threads_equal_the_sequential_ones(tmp_path, seed_text):
    """The shared tokenizer and table serve concurrent requests (a threaded server) unchanged."""
    from concurrent.futures import ThreadPoolExecutor

    paragraphs = [p for p in seed_text.split("\n\n") if len(p.split()) > 20]
    texts = ["\n\n".join(paragraphs[i:] + paragraphs[:i]) for i in range(8)]  # eight different texts
    engine = NewsQA(tmp_path / "threads.sqlite3")
    sequential = [engine.summarize(text=t, max_sentences=2) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(lambda t: engine.summarize(text=t, max_sentences=2), texts * 3))
    assert concurrent == sequential * 3
    engine.close()
