"""Quiz items as members see them, for a strict outside read (benchmarks/quiz_reads/).

    python benchmarks/quiz_read_sample.py --guide corpus/aws_machine_learning_specialty.txt --seed 4101 --count 60
    python benchmarks/quiz_read_sample.py --guide eval/guides/security_plus.md --seed 6722 --count 30 --kind which

Prints each item exactly as the playground shows it (bot/messages.py's rendering, Discord markdown removed),
then, apart, its key and the note the reveal quotes with its full section. Items are picked by the same
selection as /quiz. Use a seed never read before; never tune on a seed that has been read.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.messages import render_item  # noqa: E402
from bot.playground import plain  # noqa: E402
from index.embed import MiniLMEncoder, SentenceTransformerEmbedder  # noqa: E402
from index.store import build_index  # noqa: E402
from quiz.generate import GENERATOR_VERSION, generate_items, select_items  # noqa: E402
from quiz.item import KINDS  # noqa: E402
from quiz.skip import read_skip_lines  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guide", type=Path, required=True, help="one guide file (.txt or .md)")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--kind", choices=KINDS, help="only items of this kind (a read of one weak kind)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(args.guide, tmp)
        store = build_index(Path(tmp), SentenceTransformerEmbedder().encode)  # as the bot builds it
    skips = read_skip_lines(args.guide.parent, [args.guide.name])  # as the bot reads corpus/<guide>.skip
    items = generate_items(store.chunks, store.vectors, skips, MiniLMEncoder().encode)  # as the bot makes them
    if args.kind:
        items = [item for item in items if item.kind == args.kind]
    picked = select_items(items, args.count, args.seed, None)
    print(f"# {args.guide.name} · seed {args.seed} · generator v{GENERATOR_VERSION} · "
          f"{len(picked)} of {len(items)} {args.kind or ''} items\n".replace("  ", " "))
    for n, item in enumerate(picked, 1):
        shown = plain(render_item(item))
        print(f"## {n}\n{shown}\n")
    print("# Keys (read only after judging what is shown)\n")
    for n, item in enumerate(picked, 1):
        note = " / ".join(line.strip() for line in item.explanation.splitlines())
        print(f"{n}. [{item.kind}] key: {item.answer} · section: {item.section} · note: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
