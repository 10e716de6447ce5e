"""Real model, real FAISS index, real guide."""
import numpy as np
import pytest

from index.answer import BadQuestionError

pytestmark = pytest.mark.integration

# (question as members type it, a string of the note that answers it)
REAL_QUESTIONS = [
    ("xgbost imbalanced clases?", "To help with imbalanced classes, use scale_pos_weight"),
    ("whats firehose max buffer interval", "Buffer interval: wait the buffer time"),
    ("SG ground truth - who labels the data?", "SG ground truth: manages human labeling"),
    ("kinesis video data retention", "Data retention 1h - 10 years"),
    ("KDS shard throughput limit", "One shard can handle up to 1000 transactions/s"),
    ("Which algorithm learns IP address usage patterns to flag suspicious logins?", "IP insights"),
    ("pipe mode input format", "Accepts protobuf.recordIO format, not Parquet"),
    ("how do I find the best k for k-means", 'use the "elbow method"'),
    ("what's MICE", "MICE (multiple imputations by chained equations)"),
    ("Can Glue output RecordIO-Protobuf?", "Glue cannot write the output in RecordIO-Protobuf"),
    ("how long are cloudtrail records kept", "Records are kept for 90 days"),
    ("model overfitting what to do", "If model is overfitting"),
]

OFF_GUIDE = [
    "How do I order an AWS Snowball Edge device?",
    "who won the 2022 world cup?",
    "What is Amazon Braket used for?",
]


@pytest.mark.parametrize(("question", "gold"), REAL_QUESTIONS)
def test_real_questions_find_their_note_in_top_3(services, question, gold):
    answer = services.answerer.answer(question, 3)
    assert answer.answerable, f"refused: {question} ({answer.confidence:.3f})"
    assert any(gold.lower() in h.chunk.text.lower() for h in answer.hits), [h.chunk.text for h in answer.hits]


def test_most_real_questions_rank_their_note_first(services):
    first = sum(gold.lower() in services.answerer.answer(q, 3).hits[0].chunk.text.lower() for q, gold in REAL_QUESTIONS)
    assert first >= 10


@pytest.mark.parametrize("question", OFF_GUIDE)
def test_off_guide_questions_are_refused_with_nearest_sections(services, question):
    answer = services.answerer.answer(question, 3)
    assert not answer.answerable
    assert answer.nearest_sections and len(answer.hits) == 3


def test_k_is_clamped_and_hits_are_ordered(services):
    answer = services.answerer.answer("kinesis", 50)
    assert len(answer.hits) == 10
    scores = [h.score for h in answer.hits]
    assert scores == sorted(scores, reverse=True)
    assert services.answerer.retriever.search("kinesis", 10_000)  # k > n is clamped, no error
    assert len(services.answerer.retriever.search("kinesis", 10_000)) == len(services.index.chunks)


def test_answerable_does_not_depend_on_k(services):
    for q, _ in REAL_QUESTIONS[:4]:
        assert services.answerer.answer(q, 1).answerable == services.answerer.answer(q, 5).answerable


@pytest.mark.parametrize("bad", ["", "   \n\t ", "🙂🙂🙂", "???"])
def test_empty_questions_get_a_clear_message(services, bad):
    with pytest.raises(BadQuestionError):
        services.answerer.answer(bad)


def test_huge_and_non_latin_questions_are_answered_or_refused_without_error(services):
    huge = services.answerer.answer("kinesis firehose buffer " * 2000)  # 48,000 characters
    assert huge.hits and "1.4 Kinesis data firehose" in huge.nearest_sections
    japanese = services.answerer.answer("キネシスのシャードは何件処理できますか")
    assert not japanese.answerable
    mixed = services.answerer.answer("🙂 firehose buffer interval? 🙏")
    assert mixed.answerable and "Buffer interval" in mixed.hits[0].chunk.text


def test_numpy_encoder_matches_sentence_transformers(services):
    from index.embed import MiniLMEncoder, SentenceTransformerEmbedder

    texts = [c.text for c in services.index.chunks[:20]] + ["xgbost?", "ünïcödé 日本語 🙂", "a " * 400]
    ours = MiniLMEncoder().encode(texts)
    reference = SentenceTransformerEmbedder().encode(texts)
    cos = (ours * reference).sum(axis=1)
    assert np.all(cos > 0.9999), cos.min()


def test_texts_packed_in_one_pass_get_the_vectors_they_get_alone():
    from index.embed import MiniLMEncoder

    encoder = MiniLMEncoder()
    texts = ["A company streams clickstream data into Kinesis and must detect anomalies in real time. "
             "Which solution meets these requirements with the LEAST operational overhead?",
             "Kinesis Data Analytics with RANDOM_CUT_FOREST", "x", "", "SageMaker DeepAR " * 80]
    packed = encoder.encode(texts)
    alone = np.concatenate([encoder.encode([t]) for t in texts])
    assert packed.shape == (5, 384)
    assert np.allclose(packed, alone, atol=1e-5)


def test_a_four_option_question_is_encoded_in_one_forward_pass(services):
    from index.answer import Answerer
    from index.embed import MiniLMEncoder
    from index.retrieve import Retriever

    encoder = MiniLMEncoder()
    passes: list[list[str]] = []

    def encode(texts):
        passes.append(list(texts))
        return encoder.encode(texts)

    answerer = Answerer(Retriever(services.index, encode), services.answerer.policy)
    question = ("A retailer wants to forecast demand for thousands of related products from years of sales "
                "history. Which SageMaker built-in algorithm fits?\nA. DeepAR\nB. XGBoost\nC. PCA\n"
                "D. IP insights")
    answer = answerer.answer(question, 3)
    assert len(passes) == 1 and len(passes[0]) == 5, passes
    assert [o.label for o in answer.options] == ["A", "B", "C", "D"]
    assert answer.options[0].quotes[0].hit.chunk.heading_path[-1] == "DeepAR"
    answerer.answer(question, 3)
    assert len(passes) == 1  # asked again: every vector and search is kept


def _zalgo(text: str) -> str:
    marks = "\u0301\u0316\u0334\u035c\u0362\u0489"
    return "".join(c + marks[i % len(marks)] * 3 if c.isalpha() else c for i, c in enumerate(text))


@pytest.mark.parametrize(("question", "gold"), REAL_QUESTIONS[:4])
def test_combining_marks_do_not_defeat_retrieval(services, question, gold):
    plain = services.answerer.answer(question, 3)
    marked = services.answerer.answer(_zalgo(question), 3)
    assert marked.answerable == plain.answerable
    assert [h.chunk.id for h in marked.hits] == [h.chunk.id for h in plain.hits]
