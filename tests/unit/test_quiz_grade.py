"""grade_typed: forgiving on spelling, strict on numbers and on which thing is named."""
from __future__ import annotations

import pytest

from quiz.grade import Grade, grade_typed, normalize

CASES = [
    # (expected, typed, correct)
    # case, punctuation, articles
    ("XGBoost", "xgboost", True),
    ("L2 Regularization", "L2", True),  # the kind of thing may be left out, as "algorithm" or "service"
    ("L2 Regularization", "L1", False),
    ("L1 Regularization", "L1 regularisation", True),
    ("XGBoost", "XGBOOST", True),
    ("DynamoDB", "dynamo db", True),
    ("SageMaker", "Sagemaker", True),
    ("Kinesis data streams", "the Kinesis Data Streams", True),
    ("Kinesis data streams", "kinesis-data-streams", True),
    ("protobuf.recordIO", "protobuf recordio", True),
    ("recordIO-protobuf", "RecordIO Protobuf", True),
    ("recordIO-protobuf", "recordio-protobuf.", True),
    ("Blue/Green", "blue green", True),
    ("t-SNE", "tsne", True),
    ("K-means", "kmeans", True),
    ("Data lake", "a data lake", True),
    # plurals
    ("Factorization machines", "factorization machine", True),
    ("Step functions", "step function", True),
    ("GPUs", "GPU", True),
    ("1 year", "1 years", True),
    ("10 years", "10 year", True),
    # small typos
    ("XGBoost", "xgbost", True),
    ("Rekognition", "recognition", True),  # one letter off: the service, misspelt
    ("Rekognition", "cognition", False),
    ("Rekognition", "rekognitoin", True),
    ("Comprehend", "comprehnd", True),
    ("Personalize", "personalise", True),
    ("Polly", "poly", True),
    ("Object2vec", "object 2 vec", True),
    ("BlazingText", "blazing text", True),
    ("Kinesis data firehose", "kinesis data firehouse", True),
    # numbers: formats tolerated, values strict
    ("1000", "1000", True),
    ("1000", "1,000", True),
    ("1000", "100", False),
    ("1000", "10000", False),
    ("1MB", "1 MB", True),
    ("1MB/s", "1 mb/s", True),
    ("1MB", "2MB", False),
    ("16TB", "16 TB", True),
    ("16TB", "6TB", False),
    ("24h", "24 hours", True),
    ("24h", "24 hrs", True),
    ("24h", "12h", False),
    ("900s", "900 seconds", True),
    ("900s", "90s", False),
    ("250ms", "250 ms", True),
    ("45mins", "45 minutes", True),
    ("90 percent", "90%", True),
    ("10 percent", "90%", False),
    ("0.5", ".5", True),
    ("0.5", "5", False),
    ("2-15", "2 to 15", True),
    ("2-15", "2-16", False),
    ("8080", "8080", True),
    ("8080", "8000", False),
    # acronyms
    ("Random cut forest (RCF)", "RCF", True),
    ("Random cut forest", "rcf", True),
    ("Random cut forest", "Random cut forests", True),
    ("K-nearest-neighbors", "kNN", True),
    ("Latent Dirichet Allocation (LDA)", "LDA", True),
    ("Latent Dirichet Allocation (LDA)", "latent dirichet allocation", True),
    ("MICE (multiple imputations by chained equations)", "MICE", True),
    ("MICE (multiple imputations by chained equations)", "multiple imputation by chained equations", True),
    ("Augmented AI (A2I)", "A2I", True),
    ("Data lake", "DL", False),  # two letters are too few to count as an acronym
    ("Random cut forest", "RCT", False),
    # optional filler words
    ("Amazon FSx for Lustre", "FSx for Lustre", True),
    ("AWS Batch", "batch", True),
    ("Pipe mode", "pipe", True),
    # close but wrong
    ("Kinesis Data Streams", "Kinesis Data Firehose", False),
    ("Kinesis Data Streams", "Kinesis Video Streams", False),
    ("Kinesis data firehose", "Kinesis data streams", False),
    ("L1", "L2", False),
    ("Parquet", "RecordIO", False),
    ("Glue", "Blue", False),
    ("EMR", "ECR", False),
    ("EC2", "EC3", False),
    ("S3", "S4", False),
    ("Lex", "Lux", False),
    ("csv", "tsv", False),
    ("jpg", "png", False),
    ("File mode", "Pipe mode", False),
    ("Middle filling", "Back filling", False),
    ("Standard IA", "Standard", False),
    ("CloudWatch", "CloudTrail", False),
    ("Precision", "Recall", False),
    ("Object2vec", "word2vec", False),
    # empty and noise
    ("XGBoost", "", False),
    ("XGBoost", "   ", False),
    ("XGBoost", "?!", False),
]


@pytest.mark.parametrize(("expected", "typed", "correct"), CASES)
def test_grade_typed_table(expected: str, typed: str, correct: bool) -> None:
    grade = grade_typed(expected, typed)
    assert grade.correct is correct, (expected, typed, grade)
    assert 0.0 <= grade.score <= 1.0
    assert grade.reason


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 60


def test_exact_answer_scores_one() -> None:
    assert grade_typed("Canary", "Canary") == Grade(True, 1.0, "exact")


def test_wrong_number_says_so() -> None:
    grade = grade_typed("1000", "100")
    assert not grade.correct
    assert "number" in grade.reason


def test_normalize_makes_number_and_unit_forms_equal() -> None:
    assert normalize("1,000 MB") == normalize("1000MB") == ["1000", "mb"]
    assert normalize("The 24 hours") == normalize("24h")
