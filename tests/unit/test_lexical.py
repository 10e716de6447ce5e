"""The tokenizer, BM25 and the fusion on a tiny inline corpus, with exact ranked ids (as bm25s and minsearch test)."""
from __future__ import annotations

import numpy as np
import pytest

from index.lexical import Bm25, Tokenizer

NOTES = [
    "Kinesis Data Firehose: buffer interval up to 900s, converts JSON to Parquet",
    "Kinesis Data Streams (KDS): one shard handles 1MB/s of writes",
    "XGBoost: use scale_pos_weight for imbalanced classes",
    "Amazon Comprehend: natural language processing (NLP), finds entities and sentiment",
]


@pytest.fixture
def tokenizer() -> Tokenizer:
    return Tokenizer.fit(NOTES, {"sg": "sagemaker"})


def test_tokens_are_stemmed_content_words_with_acronyms_expanded(tokenizer):
    assert tokenizer.tokenize("The shards of KDS") == ["shard", "kds", "kinesis", "data", "stream"]
    assert tokenizer.tokenize("what is the buffer interval?") == ["buffer", "interval"]
    assert tokenizer.tokenize("SG") == ["sg", "sagemaker"]  # an alias from corpus/aliases.json
    assert tokenizer.tokenize("NLP") == ["nlp", "natural", "language", "process"]  # the guide's own pair
    assert tokenizer.tokenize("") == []


def test_typos_are_corrected_for_questions_only(tokenizer):
    assert tokenizer.tokenize("xgbost firehse", correct=True) == ["xgboost", "firehose"]
    assert tokenizer.tokenize("xgbost") == ["xgbost"]
    assert tokenizer.tokenize("could", correct=True) == []  # a stopword is never "corrected"


def test_tokenizer_round_trips_through_json(tokenizer):
    again = Tokenizer.from_json(tokenizer.to_json())
    assert again.tokenize("KDS xgbost", correct=True) == tokenizer.tokenize("KDS xgbost", correct=True)


def test_bm25_ranks_exact_ids(tokenizer):
    bm25 = Bm25([tokenizer.tokenize(n) for n in NOTES])
    ranked = list(np.argsort(-bm25.scores(tokenizer.tokenize("firehose parquet")), kind="stable"))
    assert ranked[0] == 0
    assert list(np.argsort(-bm25.scores(tokenizer.tokenize("shard kinesis")), kind="stable"))[:2] == [1, 0]
    assert not bm25.scores(tokenizer.tokenize("quantum")).any()
    assert bm25.scores([]).shape == (4,)


def test_bm25_on_no_documents():
    bm25 = Bm25([])
    assert bm25.scores(["x"]).shape == (0,)


def test_bm25_scores_match_bm25s():
    bm25s = pytest.importorskip("bm25s")
    corpus = [n.lower().split() for n in NOTES] + [["kinesis", "kinesis", "video"], ["parquet"]]
    ours = Bm25(corpus)
    ref = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    ref.index(corpus, show_progress=False)  # bm25s takes a list of token lists as it is
    for query in (["kinesis"], ["parquet", "kinesis"], ["scale_pos_weight"], ["video", "data"]):
        expected = ref.get_scores(query)
        # Our tf factor keeps Robertson's (k1 + 1) numerator, which bm25s' Lucene variant drops: a constant.
        np.testing.assert_allclose(ours.scores(query), expected * (1.2 + 1), rtol=1e-5, atol=1e-6)
