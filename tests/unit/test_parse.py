from pathlib import Path

import pytest

from index.parse import GuideError, corpus_files, parse_guide, read_guide


@pytest.fixture(scope="module")
def guide(guide_path):
    return read_guide(guide_path)


def _all_text(guide) -> str:
    out = []

    def walk(block):
        out.append(block.text)
        for child in block.children:
            walk(child)

    for section in guide.sections:
        out.extend(section.heading_path)
        for block in section.blocks:
            walk(block)
    return "\n".join(out)


def test_real_guide_title_and_numbered_sections(guide):
    assert guide.title == "AWS Machine Learning Specialty"
    numbered = {h for s in guide.sections for h in s.heading_path if h[0].isdigit()}
    # 7 chapters + 33 numbered sub-sections (1.1 ... 6.2.4) in the guide
    assert len(numbered) == 40
    assert "6.2.1 Elastic inference" in numbered
    assert ("6. Machine Learning operations", "6.2 Inference", "6.2.1 Elastic inference") in {
        s.heading_path for s in guide.sections}


def test_page_chrome_is_dropped(guide):
    text = _all_text(guide)
    for chrome in ("Skip to content", "Latest commit", "File metadata and controls", "667 lines (538 loc)",
                   "Table of contents", "aws_machine_learning_specialty.md"):
        assert chrome not in text


def test_unnumbered_subheadings_scope_only_their_block(guide):
    paths = {s.heading_path for s in guide.sections}
    assert ("2. Feature engineering", "Batch size") in paths
    assert ("7. Security", "Cloudtrail") in paths
    assert ("4. High-level AI services", "4.7 Lex", "Amazon Lex Automated Chatbot Designer") in paths
    # The algorithm list after "Required parameters..." belongs to 3.2 itself, not to that sub-heading.
    algos = next(s for s in guide.sections if any(b.text == "XGBoost" for b in s.blocks))
    assert algos.heading_path == ("3. Sagemaker", "3.2 SageMaker built-in algorithms")


def test_nesting_by_indentation(guide):
    section = next(s for s in guide.sections if s.heading_path[-1] == "3.2 SageMaker built-in algorithms"
                   and any(b.text == "XGBoost" for b in s.blocks))
    xgb = next(b for b in section.blocks if b.text == "XGBoost")
    tune = next(c for c in xgb.children if c.text.startswith("Difficult to tune"))
    assert [c.text for c in tune.children] == [
        "To prevent overfitting: use subsample and Eta, max_depth not too big",
        "To help with imbalanced classes, use scale_pos_weight",
    ]
    assert xgb.line_start < tune.line_start <= tune.line_end <= xgb.line_end


def test_code_blocks_are_kept_whole(guide):
    code = [b for s in guide.sections for b in s.blocks if b.kind == "code"]
    texts = [b.text for b in code]
    assert any(t.startswith("/opt/ml\n---input") and t.endswith("------failure") for t in texts)
    assert any(t.startswith("FROM tensorflow/tensorflow:2.0.0a0") and "ENV SAGEMAKER_PROGRAM train.py" in t
               for t in texts)


def test_lead_in_paragraph_owns_its_list(guide):
    kvs = next(s for s in guide.sections if s.heading_path[-1] == "1.5 Kinesis Video Stream")
    lead = next(b for b in kvs.blocks if b.text.endswith("Consumers can be:"))
    assert [c.text for c in lead.children][:2] == ["Rekognition", "SageMaker"]


MARKDOWN = """# Study notes

## 1. Networking

Intro paragraph that wraps
onto a second line.

- VPC endpoints
  - Gateway endpoints: S3 and DynamoDB only
  * Interface endpoints use PrivateLink
- NAT gateway: outbound only

### Commands

```bash
aws ec2 describe-vpcs
# - not a bullet
```

## 2. Storage
1. EBS is block storage
2. EFS is a shared file system
"""


def test_markdown_guide_parses_to_the_same_structure():
    guide = parse_guide(MARKDOWN, "notes.md")
    assert guide.title == "Study notes"
    paths = [s.heading_path for s in guide.sections]
    assert paths == [("1. Networking",), ("1. Networking", "Commands"), ("2. Storage",)]
    first = guide.sections[0]
    assert first.blocks[0].kind == "paragraph"
    assert first.blocks[0].text == "Intro paragraph that wraps onto a second line."
    vpc = first.blocks[1]
    assert vpc.text == "VPC endpoints"
    assert [c.text for c in vpc.children] == ["Gateway endpoints: S3 and DynamoDB only",
                                              "Interface endpoints use PrivateLink"]
    code = guide.sections[1].blocks[0]
    assert code.kind == "code" and "# - not a bullet" in code.text
    assert [b.text for b in guide.sections[2].blocks] == ["EBS is block storage", "EFS is a shared file system"]


def test_bad_guides_get_clear_errors(tmp_path: Path):
    with pytest.raises(GuideError, match="does not exist"):
        corpus_files(tmp_path / "missing")
    with pytest.raises(GuideError, match="holds no guide"):
        corpus_files(tmp_path)
    empty = tmp_path / "empty.md"
    empty.write_text("   \n\n")
    with pytest.raises(GuideError, match="holds no notes"):
        read_guide(empty)
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(GuideError, match="not UTF-8"):
        read_guide(binary)
    with pytest.raises(GuideError, match="cannot read"):
        read_guide(tmp_path / "nope.md")
