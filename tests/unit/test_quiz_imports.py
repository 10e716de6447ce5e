"""quiz/ stays Discord-free and reads no environment: it imports index types only and takes arguments."""
from __future__ import annotations

import ast
from pathlib import Path

QUIZ = Path(__file__).resolve().parents[2] / "quiz"


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(QUIZ.rglob("*.py"))]


def test_quiz_never_imports_discord_or_bot() -> None:
    for path, tree in _modules():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                assert top not in {"discord", "bot"}, f"{path.name} imports {name}"
                if top == "index":
                    assert name == "index.chunk", f"{path.name} imports {name}: only index.chunk types"


def test_quiz_reads_no_environment_variables() -> None:
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                raise AssertionError(f"{path.name} reads the environment")


INDEX = QUIZ.parent / "index"


def test_index_never_imports_discord_bot_or_quiz() -> None:
    for path in sorted(INDEX.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in {"discord", "bot", "quiz"}, f"index/{path.name} imports {name}"
