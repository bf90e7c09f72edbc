"""Hybrid retrieval's fusion: how much the top of each ranking counts (Settings.rrf_k)."""

from __future__ import annotations

import dataclasses

from newsqa import NewsQA
from newsqa.retriever import reciprocal_rank_fusion


def test_a_small_fusion_constant_trusts_the_top_of_a_ranking():
    # passage 1 is first by one retriever and 10th by the other; passage 3 is third by both
    bm25 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    dense = [11, 12, 3, 13, 14, 15, 16, 17, 18, 1]
    assert reciprocal_rank_fusion([bm25, dense], k=1)[0][0] == 1
    assert reciprocal_rank_fusion([bm25, dense], k=60)[0][0] == 3


def test_the_engine_fuses_with_its_setting(seeded_engine):
    for k in (1, 1000):
        qa = NewsQA(settings=dataclasses.replace(seeded_engine.settings, rrf_k=k))
        top = qa.search("Venezuela", top_k=3)[0]
        assert 1 / (k + 1) <= top.score <= 2 / (k + 1)  # the fused score of a passage ranked by both lists
        qa.close()
