"""The index on disk: cache reuse, invalidation on a changed guide, corrupt caches rebuilt."""
import hashlib
import json
import logging

import numpy as np
import pytest

from index.embed import SentenceTransformerEmbedder
from index.parse import GuideError
from index.store import IndexStore, corpus_key, load_or_build

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def encoder():
    """The real model, each distinct text embedded once for the module: the rebuilds these tests force
    embed the same notes again (7 rebuilds of 285 notes were a minute of `make test`)."""
    embedder = SentenceTransformerEmbedder()
    calls = []
    seen: dict[str, np.ndarray] = {}

    def encode(texts, **options):
        new = [t for t in dict.fromkeys(texts) if t not in seen]
        if new:
            seen.update(zip(new, embedder.encode(new, **options), strict=True))
        return np.ascontiguousarray(np.stack([seen[t] for t in texts]), dtype=np.float32) if texts else \
            embedder.encode(texts)

    def factory():
        calls.append(1)
        return encode

    factory.calls = calls
    return factory


def test_unchanged_corpus_loads_from_cache(corpus_copy, tmp_path, encoder):
    cache = tmp_path / "cache"
    first, built = load_or_build(corpus_copy, cache, encoder)
    assert built
    second, built_again = load_or_build(corpus_copy, cache, encoder)
    assert not built_again
    assert [c.id for c in second.chunks] == [c.id for c in first.chunks]
    assert second.dense.ntotal == len(second.chunks)
    assert sorted(p.name for p in (cache / corpus_key(corpus_copy)).iterdir()) == [
        "chunks.jsonl", "dense.faiss", "manifest.json", "tokenizer.json"]


def test_changed_guide_rebuilds_and_drops_the_old_index(corpus_copy, tmp_path, encoder):
    cache = tmp_path / "cache"
    load_or_build(corpus_copy, cache, encoder)
    old_key = corpus_key(corpus_copy)
    guide = corpus_copy / "aws_machine_learning_specialty.txt"
    guide.write_text(guide.read_text(encoding="utf-8").replace("Max execution time of 1 year",
                                                               "Max execution time of 2 years"), encoding="utf-8")
    store, built = load_or_build(corpus_copy, cache, encoder)
    assert built and corpus_key(corpus_copy) != old_key
    assert any("2 years" in c.text for c in store.chunks)
    assert not (cache / old_key).exists()


def test_new_markdown_guide_is_indexed(corpus_copy, tmp_path, encoder):
    (corpus_copy / "ours.md").write_text("# Our notes\n\n## Bedrock\n\n- Bedrock hosts foundation models\n")
    store, built = load_or_build(corpus_copy, tmp_path / "cache", encoder)
    assert built and "ours.md" in store.manifest.guides


@pytest.mark.parametrize("damage", ["truncate_faiss", "drop_chunk", "bad_json", "missing_file", "wrong_format",
                                    "ill_shaped_json", "edited_note"])
def test_corrupt_cache_is_rebuilt_never_used(corpus_copy, tmp_path, encoder, damage, caplog):
    cache = tmp_path / "cache"
    good, _ = load_or_build(corpus_copy, cache, encoder)
    folder = cache / corpus_key(corpus_copy)
    if damage == "truncate_faiss":
        data = (folder / "dense.faiss").read_bytes()
        (folder / "dense.faiss").write_bytes(data[: len(data) // 2])
    elif damage == "drop_chunk":
        lines = (folder / "chunks.jsonl").read_text().splitlines()
        (folder / "chunks.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    elif damage == "bad_json":
        (folder / "tokenizer.json").write_text("{not json")
    elif damage == "missing_file":
        (folder / "dense.faiss").unlink()
    elif damage == "ill_shaped_json":  # valid JSON of the wrong shape raised AttributeError out of load
        (folder / "tokenizer.json").write_text('{"aliases": [1, 2], "vocabulary": []}')
        manifest = json.loads((folder / "manifest.json").read_text())  # even with a checksum that matches
        manifest["sha256"]["tokenizer.json"] = hashlib.sha256((folder / "tokenizer.json").read_bytes()).hexdigest()
        (folder / "manifest.json").write_text(json.dumps(manifest))
    elif damage == "edited_note":  # still valid JSON: without a checksum it was quoted to members as the guide
        text = (folder / "chunks.jsonl").read_text()
        assert "900s" in text
        (folder / "chunks.jsonl").write_text(text.replace("900s", "5s"))
    else:
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["format_version"] = -1
        (folder / "manifest.json").write_text(json.dumps(manifest))
    with caplog.at_level(logging.WARNING):
        store, built = load_or_build(corpus_copy, cache, encoder)
    assert built
    assert "rebuilding" in caplog.text
    assert [c.id for c in store.chunks] == [c.id for c in good.chunks]
    assert [c.text for c in store.chunks] == [c.text for c in good.chunks]
    assert IndexStore.load(folder).dense.ntotal == len(good.chunks)


def test_empty_or_missing_corpus_is_reported(tmp_path, encoder):
    with pytest.raises(GuideError, match="does not exist"):
        load_or_build(tmp_path / "nothing", tmp_path / "cache", encoder)
    (tmp_path / "empty").mkdir()
    with pytest.raises(GuideError, match="no guide"):
        load_or_build(tmp_path / "empty", tmp_path / "cache", encoder)
