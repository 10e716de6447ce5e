from index.chunk import chunk_corpus, chunk_guide
from index.parse import parse_guide, read_guide


def test_real_guide_chunks(guide_path):
    chunks = chunk_guide(read_guide(guide_path))
    assert 250 <= len(chunks) <= 320
    assert len({c.id for c in chunks}) == len(chunks)
    by_text = {c.text: c for c in chunks}
    # A small list stays one note with its sub-bullets; a big one splits under its label.
    xgb = next(c for c in chunks if c.text.startswith("Difficult to tune all of its hyperparameters"))
    assert xgb.section == "3.2 SageMaker built-in algorithms > XGBoost"
    assert "\n  • To help with imbalanced classes, use scale_pos_weight" in xgb.text
    shards = by_text["number_of_shards = max(incoming_write_bandwidth_in_KB/1000, outgoing_read_bandwidth_in_KB/2000)"
                     "\n  • Outgoing bandwidth also plays a role in determining number_of_shards"]
    assert shards.section == "1.3 Kinesis data streams"
    assert (shards.line_start, shards.line_end) == (44, 45)
    ip = next(c for c in chunks if c.text.startswith("IP insights\n  • Unsupervised learning of IP address"))
    assert ip.section == "3.2 SageMaker built-in algorithms"
    assert "Input: csv only" in ip.text


def test_chunk_ids_are_stable_across_runs(guide_path):
    first = [c.id for c in chunk_guide(read_guide(guide_path))]
    second = [c.id for c in chunk_guide(read_guide(guide_path))]
    assert first == second


def test_chunk_id_changes_with_the_note_only(guide_path):
    text = guide_path.read_text(encoding="utf-8")
    before = {c.text: c.id for c in chunk_guide(parse_guide(text, guide_path.name))}
    edited = text.replace("Max execution time of 1 year", "Max execution time of 2 years")
    after = {c.text: c.id for c in chunk_guide(parse_guide(edited, guide_path.name))}
    assert "Max execution time of 2 years" in after
    assert "Max execution time of 1 year" not in after
    unchanged = set(before) & set(after)
    assert len(unchanged) == len(before) - 1
    assert all(before[t] == after[t] for t in unchanged)


def test_parent_bullet_is_context_of_a_split_list():
    md = "## 1. Topic\n\n- A long parent note that is a full sentence. It explains things at length here.\n" + "".join(
        f"  - child note number {i} with enough words to make the list long enough to split up\n" for i in range(6))
    chunks = chunk_guide(parse_guide(md, "n.md"))
    assert chunks[0].text.startswith("A long parent note")
    assert all(c.context.startswith("A long parent note") for c in chunks[1:])
    assert len(chunks) == 7


def test_corpus_with_markdown_and_text(corpus_copy):
    (corpus_copy / "group_notes.md").write_text("# Our notes\n\n## Bedrock\n\n- Bedrock hosts foundation models\n")
    chunks = chunk_corpus(corpus_copy)
    ours = [c for c in chunks if c.guide == "group_notes.md"]
    assert [(c.section, c.text) for c in ours] == [("Bedrock", "Bedrock hosts foundation models")]
