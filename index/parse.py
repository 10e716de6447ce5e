"""Guide text -> Sections of Blocks (bullets with nested sub-bullets, paragraphs, code).

Two input shapes parse to the same structure:
- the text rendering of a markdown page (the AWS guide): numbered heading lines ("1.3 Kinesis data
  streams"), short unnumbered sub-heading lines ("Batch size:", "Cloudtrail"), "•" bullets nested by
  indentation, unmarked code lines, and page chrome at the top;
- markdown notes: "#" headings, "-"/"*"/"+" or "1." bullets nested by indentation, fenced code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

GUIDE_SUFFIXES = (".md", ".txt")


@dataclass(frozen=True)
class Block:
    kind: str  # "bullet" | "paragraph" | "code"
    text: str
    line_start: int  # 1-based, inclusive
    line_end: int
    children: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Section:
    heading_path: tuple[str, ...]  # outermost first; () for notes before the first heading
    blocks: tuple[Block, ...]
    line: int  # the heading's line (1 for a headless start)


@dataclass(frozen=True)
class Guide:
    name: str  # file name, e.g. "aws_machine_learning_specialty.txt"
    title: str
    sections: tuple[Section, ...]


class GuideError(ValueError):
    """A guide that cannot be read or holds no notes."""


# --- page chrome of the rendered page: dropped wherever it stands before the first heading ---------
_CHROME = {
    "skip to content", "latest commit", "history", "file metadata and controls", "table of contents",
    "raw", "blame", "preview", "code", "copy raw file", "download raw file",
}
_CHROME_RE = re.compile(r"^\d+ lines \(\d+ loc\)|^[\w.-]+\.(md|txt)$|^\d+(\.\d+)? ?[KM]?B$", re.I)

_NUMBERED_HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(\S.*)$")
_TXT_BULLET = re.compile(r"^(\s*)(?:•|\d+\.)\s+(.*)$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# Lines the text rendering leaves unmarked but that are code: paths, tree drawings, Dockerfile lines.
_CODE_LINE = re.compile(
    r"^(/\S*$|-{2,}\S|(FROM|RUN|COPY|ADD|ENV|CMD|ENTRYPOINT|WORKDIR|EXPOSE|ARG)\s|#\s|\$\s|"
    r"(import|from)\s+\w+|def\s+\w+\(|pip\s+install)"
)
_MAX_SUBHEADING = 60


def read_guide(path: Path) -> Guide:
    """Parse one guide file; raises GuideError with a message a member can act on."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GuideError(f"cannot read guide {path.name}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GuideError(f"guide {path.name} is not UTF-8 text (byte {exc.start})") from exc
    return parse_guide(text, path.name)


def parse_guide(text: str, name: str) -> Guide:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    parser = _MarkdownParser(name) if name.lower().endswith(".md") else _RenderedTextParser(name)
    return parser.parse(lines)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every guide in the folder, in a stable order."""
    if not corpus_dir.is_dir():
        raise GuideError(f"corpus folder {corpus_dir} does not exist")
    files = sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.suffix.lower() in GUIDE_SUFFIXES
                   and p.name.lower() != "readme.md")
    if not files:
        raise GuideError(f"corpus folder {corpus_dir} holds no guide (*.md or *.txt)")
    return files


def _indent(s: str) -> int:
    return len(s) - len(s.lstrip(" \t\u00a0"))


def _is_blank(s: str) -> bool:
    return not s.strip()


@dataclass
class _Node:
    """A mutable Block under construction."""

    kind: str
    text: str
    line_start: int
    line_end: int
    indent: int = 0
    children: list[_Node] = field(default_factory=list)

    def freeze(self) -> Block:
        return Block(self.kind, self.text, self.line_start, self.line_end,
                     tuple(c.freeze() for c in self.children))


class _Builder:
    """Collects blocks under the current heading path; shared by both input shapes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.title = ""
        self.sections: list[Section] = []
        self.headings: list[tuple[int, str]] = []  # (level, text)
        self.heading_line = 1
        self.blocks: list[_Node] = []
        self.bullet_stack: list[_Node] = []  # open bullets, outermost first
        self.lead_in: _Node | None = None  # a paragraph ending in ":" whose list follows
        self.sub_level: int | None = None  # level of the open unnumbered sub-heading, if any

    def heading(self, level: int, text: str, line: int) -> None:
        self.close_section()
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, text))
        self.heading_line = line
        self.sub_level = None

    def sub_heading(self, text: str, line: int) -> None:
        """An unnumbered heading: one level below the numbered one it follows; the next replaces it."""
        level = self.sub_level if self.sub_level is not None else self.current_level() + 1
        self.heading(level, text, line)
        self.sub_level = level

    def end_sub_heading(self, line: int) -> None:
        """Back to the numbered heading: the sub-heading's own block is over."""
        if self.sub_level is None:
            return
        self.close_section()
        while self.headings and self.headings[-1][0] >= self.sub_level:
            self.headings.pop()
        self.sub_level = None
        self.heading_line = line

    def current_level(self) -> int:
        return self.headings[-1][0] if self.headings else 0

    def bullet(self, indent: int, text: str, line: int) -> None:
        node = _Node("bullet", text, line, line, indent)
        while self.bullet_stack and self.bullet_stack[-1].indent >= indent:
            self.bullet_stack.pop()
        if self.bullet_stack:
            parent = self.bullet_stack[-1]
            parent.children.append(node)
            self._extend(parent, line)
        elif self.lead_in is not None:
            self.lead_in.children.append(node)
            self.lead_in.line_end = line
        else:
            self.blocks.append(node)
        self.bullet_stack.append(node)

    def _extend(self, parent: _Node, line: int) -> None:
        for open_node in self.bullet_stack:
            open_node.line_end = max(open_node.line_end, line)
        if self.lead_in is not None:
            self.lead_in.line_end = line
        parent.line_end = max(parent.line_end, line)

    def continue_bullet(self, text: str, line: int) -> bool:
        """A wrapped line of the open bullet (markdown); False when no bullet is open."""
        if not self.bullet_stack:
            return False
        node = self.bullet_stack[-1]
        node.text = f"{node.text} {text.strip()}"
        self._extend(node, line)
        return True

    def paragraph(self, text: str, line: int, *, joins_previous: bool = False) -> None:
        last = self.blocks[-1] if self.blocks else None
        if joins_previous and last is not None and last.kind == "paragraph" and not self.bullet_stack:
            last.text = f"{last.text} {text.strip()}"
            last.line_end = line
            self.lead_in = last if last.text.endswith(":") else None
            return
        self.end_list()
        node = _Node("paragraph", text.strip(), line, line)
        self.blocks.append(node)
        if node.text.endswith(":"):
            self.lead_in = node

    def code(self, lines: list[str], line_start: int, line_end: int) -> None:
        self.end_list()
        self.blocks.append(_Node("code", "\n".join(lines).strip("\n"), line_start, line_end))

    def end_list(self) -> None:
        self.bullet_stack.clear()
        self.lead_in = None

    def close_section(self) -> None:
        self.end_list()
        if self.blocks:
            path = tuple(text for _, text in self.headings)
            self.sections.append(Section(path, tuple(b.freeze() for b in self.blocks), self.heading_line))
        self.blocks = []

    def finish(self) -> Guide:
        self.close_section()
        if not self.sections:
            raise GuideError(f"guide {self.name} holds no notes")
        return Guide(self.name, self.title or Path(self.name).stem.replace("_", " "), tuple(self.sections))


class _RenderedTextParser:
    def __init__(self, name: str) -> None:
        self.b = _Builder(name)

    def parse(self, lines: list[str]) -> Guide:
        b = self.b
        seen_heading = False
        # The rendering keeps no end marker for an unnumbered sub-heading: it covers the block right
        # under it, and a blank line then a new top-level block ends it (as in 3.2's algorithm list).
        sub_block_over = False
        i = 0
        while i < len(lines):
            raw = lines[i]
            lineno = i + 1
            stripped = raw.strip()
            if not stripped:
                sub_block_over = b.sub_level is not None and bool(b.blocks)
                i += 1
                continue
            if not seen_heading and (stripped.lower() in _CHROME or _CHROME_RE.match(stripped)):
                i += 1
                continue
            if sub_block_over and _indent(raw) <= min((n.indent for n in b.blocks), default=0):
                b.end_sub_heading(lineno)
            sub_block_over = False
            m = _NUMBERED_HEADING.match(raw)
            if m and _indent(raw) == 0 and len(stripped) <= 80:
                seen_heading = True
                b.heading(m.group(1).count(".") + 1, stripped, lineno)
                i += 1
                continue
            m = _TXT_BULLET.match(raw)
            if m and (raw.lstrip().startswith("•") or _indent(raw) > 0):
                b.bullet(_indent(raw), m.group(2).strip(), lineno)
                i += 1
                continue
            if _CODE_LINE.match(stripped) and _indent(raw) == 0:
                i = self._code(lines, i)
                continue
            if not seen_heading and not b.title and len(stripped) <= _MAX_SUBHEADING:
                # The guide's title precedes the first numbered heading.
                b.title = stripped
                i += 1
                continue
            if self._is_subheading(stripped, _next_nonblank(lines, i + 1)):
                b.sub_heading(stripped.rstrip(":").strip(), lineno)
                i += 1
                continue
            b.paragraph(stripped, lineno)
            i += 1
        return b.finish()

    def _code(self, lines: list[str], i: int) -> int:
        start = i
        body: list[str] = []
        while i < len(lines) and (_CODE_LINE.match(lines[i].strip()) or
                                  (_is_blank(lines[i]) and i + 1 < len(lines)
                                   and _CODE_LINE.match(lines[i + 1].strip()))):
            body.append(lines[i].rstrip())
            i += 1
        self.b.code(body, start + 1, i)
        return i

    @staticmethod
    def _is_subheading(stripped: str, nxt: str | None) -> bool:
        if len(stripped) > _MAX_SUBHEADING or stripped.endswith(".") or ". " in stripped:
            return False
        if nxt is None:
            return False
        # A heading announces notes: a list or a code block follows it.
        return bool(_TXT_BULLET.match(nxt) or _CODE_LINE.match(nxt.strip()))


def _next_nonblank(lines: list[str], i: int) -> str | None:
    while i < len(lines):
        if not _is_blank(lines[i]):
            return lines[i]
        i += 1
    return None


class _MarkdownParser:
    def __init__(self, name: str) -> None:
        self.b = _Builder(name)

    def parse(self, lines: list[str]) -> Guide:
        b = self.b
        levels = [len(m.group(1)) for line in _outside_fences(lines) if (m := _MD_HEADING.match(line))]
        # A single top-level "# Title" names the guide rather than a section.
        title_level = 1 if levels.count(1) == 1 and levels and levels[0] == 1 else 0
        i = 0
        while i < len(lines):
            raw = lines[i]
            lineno = i + 1
            prev_blank = i == 0 or _is_blank(lines[i - 1])
            if (opening := _FENCE.match(raw)) is not None:
                fence = opening.group(1)
                j = i + 1
                while j < len(lines) and not lines[j].strip().startswith(fence):
                    j += 1
                b.code(lines[i + 1:j], lineno, min(j + 1, len(lines)))
                i = j + 1
                continue
            if _is_blank(raw):
                i += 1
                continue
            m = _MD_HEADING.match(raw)
            if m:
                level, text = len(m.group(1)), _strip_md(m.group(2))
                if level == title_level and not b.title:
                    b.title = text
                elif text:
                    b.heading(level, text, lineno)
                i += 1
                continue
            m = _MD_BULLET.match(raw)
            if m:
                b.bullet(_indent(raw.expandtabs(4)), _strip_md(m.group(2)), lineno)
                i += 1
                continue
            if _indent(raw) > 0 and b.continue_bullet(_strip_md(raw), lineno):
                i += 1
                continue
            b.paragraph(_strip_md(raw), lineno, joins_previous=not prev_blank)
            i += 1
        return b.finish()


def _outside_fences(lines: list[str]) -> list[str]:
    out, fenced = [], False
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            out.append(line)
    return out


_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def _strip_md(text: str) -> str:
    return _MD_EMPHASIS.sub(r"\2", text).strip()
