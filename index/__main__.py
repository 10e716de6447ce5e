"""python -m index build [--corpus DIR] [--cache DIR]: build (or verify) the index explicitly."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from index.embed import ModelMissingError, SentenceTransformerEmbedder
from index.parse import GuideError
from index.store import IndexStoreError, load_or_build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="parse, chunk and embed the guides; save the index")
    build.add_argument("--corpus", type=Path, default=Path("corpus"), help="folder of guides (default: corpus)")
    build.add_argument("--cache", type=Path, default=Path(".cache/index"), help="index cache folder")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    embedder = SentenceTransformerEmbedder()
    try:
        store, built = load_or_build(
            args.corpus, args.cache, lambda: (lambda texts: embedder.encode(texts, progress=True)))
    except (GuideError, IndexStoreError, ModelMissingError) as exc:  # each message says what to fix
        print(f"error: {exc}", file=sys.stderr)
        return 2
    m = store.manifest
    verb = "built" if built else "up to date, loaded"
    print(f"index {verb}: {m.chunk_count} notes from {len(m.guides)} guide(s) "
          f"({', '.join(m.guides)}) in {time.perf_counter() - started:.1f} s -> {args.cache / m.corpus_key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
