"""The built index on disk: dense.faiss + chunks.jsonl + tokenizer.json + manifest.json, no pickle.

An index lives in a folder of the cache named by a key of the corpus bytes, the chunker and the model,
so a changed guide gets a new folder (a rebuild) by itself and an unchanged one just loads. Files are
written to a temporary folder first and moved into place, so a crash never leaves half an index; a
folder that does not match its manifest is reported as corrupt and rebuilt, never used.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import faiss
import numpy as np

from index.chunk import Chunk, chunk_corpus
from index.embed import MODEL_NAME, model_fingerprint
from index.lexical import Tokenizer
from index.parse import corpus_files

log = logging.getLogger(__name__)

FORMAT_VERSION = 5  # bump when parsing, chunking or the files change shape
INDEX_FILES = ("dense.faiss", "chunks.jsonl", "tokenizer.json")
ALIASES_FILE = "aliases.json"
_BUILDING = ".building-"  # prefix of a folder being written; one left behind by a killed build is pruned
_STALE_BUILD_SECONDS = 3600


class IndexStoreError(RuntimeError):
    """An index folder that is missing, corrupt or from another corpus."""


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model: str
    model_fingerprint: str
    corpus_key: str
    guides: list[str]
    chunk_count: int
    dim: int
    built_at: float
    build_seconds: float
    # sha256 of each of INDEX_FILES, checked at load: an edit that stays valid JSON ("900s" -> "5s" in
    # chunks.jsonl) would otherwise be quoted to members as the guide.
    sha256: dict[str, str] = field(default_factory=dict)


@dataclass
class IndexStore:
    chunks: list[Chunk]
    vectors: np.ndarray  # (n, dim) float32, L2-normalized, row i = chunks[i]
    dense: faiss.Index
    tokenizer: Tokenizer
    manifest: Manifest

    def save(self, folder: Path) -> None:
        try:
            self._write(folder)
        except OSError as exc:
            raise IndexStoreError(f"cannot write the index cache in {folder.parent}: {exc.strerror or exc}") from exc

    def _write(self, folder: Path) -> None:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=_BUILDING, dir=folder.parent))
        try:
            faiss.write_index(self.dense, str(tmp / "dense.faiss"))
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
                for c in self.chunks:
                    f.write(json.dumps(_chunk_to_json(c), ensure_ascii=False) + "\n")
            (tmp / "tokenizer.json").write_text(json.dumps(self.tokenizer.to_json()), encoding="utf-8")
            self.manifest = replace(self.manifest, sha256={name: _sha256(tmp / name) for name in INDEX_FILES})
            # The manifest goes last: a folder without one was never finished.
            (tmp / "manifest.json").write_text(json.dumps(asdict(self.manifest), indent=2), encoding="utf-8")
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> IndexStore:
        try:
            manifest = Manifest(**json.loads((folder / "manifest.json").read_text(encoding="utf-8")))
            if manifest.format_version != FORMAT_VERSION:
                raise IndexStoreError(f"index in {folder.name} has format {manifest.format_version}")
            for name in INDEX_FILES:
                if manifest.sha256.get(name) != _sha256(folder / name):
                    raise IndexStoreError(f"index in {folder.name}: {name} does not match its manifest (edited or "
                                          "damaged)")
            chunks = [_chunk_from_json(json.loads(line)) for line in
                      (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
            tokenizer = Tokenizer.from_json(json.loads((folder / "tokenizer.json").read_text(encoding="utf-8")))
            dense = faiss.read_index(str(folder / "dense.faiss"))
        except IndexStoreError:
            raise
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RuntimeError) as exc:
            # AttributeError, IndexError: valid JSON of the wrong shape ("[1, 2, 3]" for the tokenizer)
            raise IndexStoreError(f"index in {folder.name} is unreadable: {exc!r}") from exc
        if dense.ntotal != len(chunks) or len(chunks) != manifest.chunk_count or dense.d != manifest.dim:
            raise IndexStoreError(
                f"index in {folder.name} is inconsistent: {dense.ntotal} vectors, {len(chunks)} chunks, "
                f"manifest says {manifest.chunk_count}"
            )
        vectors = dense.reconstruct_n(0, dense.ntotal) if dense.ntotal else np.zeros((0, manifest.dim), "float32")
        return cls(chunks, np.ascontiguousarray(vectors, dtype=np.float32), dense, tokenizer, manifest)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def corpus_key(corpus_dir: Path) -> str:
    """Hash of every guide's name and bytes, the aliases, the format and the model."""
    h = hashlib.sha256(f"v{FORMAT_VERSION}:{MODEL_NAME}:{model_fingerprint()}".encode())
    paths = corpus_files(corpus_dir)
    aliases = corpus_dir / ALIASES_FILE
    if aliases.is_file():
        paths.append(aliases)
    for path in paths:
        h.update(path.name.encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<unreadable>")  # read_guide reports it with a clear message
        h.update(b"\0")
    return h.hexdigest()[:20]


def search_text(chunk: Chunk) -> str:
    """What a note is found by, embedded and BM25-tokenized alike: heading path (numbers dropped) +
    parent context + the note."""
    labels = [_drop_number(h) for h in chunk.heading_path]
    parts = [" > ".join(labels)]
    if chunk.context:
        parts.append(chunk.context)
    parts.append(chunk.text.replace("\n  ", "\n").replace("• ", ""))
    return ": ".join(parts)


def build_index(corpus_dir: Path, encode: Callable[[list[str]], np.ndarray]) -> IndexStore:
    """Parse, chunk and embed every guide of the folder. `encode` returns normalized float32 rows."""
    started = time.perf_counter()
    chunks = chunk_corpus(corpus_dir)
    texts = [search_text(c) for c in chunks]
    tokenizer = Tokenizer.fit(texts, load_aliases(corpus_dir))
    vectors = np.ascontiguousarray(encode(texts), dtype=np.float32)
    dense = faiss.IndexFlatIP(vectors.shape[1])
    dense.add(vectors)
    manifest = Manifest(
        format_version=FORMAT_VERSION, model=MODEL_NAME, model_fingerprint=model_fingerprint(),
        corpus_key=corpus_key(corpus_dir), guides=[p.name for p in corpus_files(corpus_dir)],
        chunk_count=len(chunks), dim=int(vectors.shape[1]), built_at=time.time(),
        build_seconds=round(time.perf_counter() - started, 3),
    )
    return IndexStore(chunks, vectors, dense, tokenizer, manifest)


def load_or_build(corpus_dir: Path, cache_dir: Path,
                  encode_factory: Callable[[], Callable[[list[str]], np.ndarray]]) -> tuple[IndexStore, bool]:
    """The index for the corpus as it is now: loaded from the cache, or built and saved.

    Returns (index, built). A corrupt or stale cache folder is rebuilt, with a warning.
    """
    key = corpus_key(corpus_dir)
    folder = cache_dir / key
    if (folder / "manifest.json").is_file():
        try:
            store = IndexStore.load(folder)
            if store.manifest.corpus_key == key:
                return store, False
            log.warning("index cache %s belongs to another corpus; rebuilding", folder.name)
        except IndexStoreError as exc:
            log.warning("%s; rebuilding", exc)
    store = build_index(corpus_dir, encode_factory())
    store.save(folder)
    _prune(cache_dir, keep=folder)
    return store, True


def load_aliases(corpus_dir: Path) -> dict[str, str]:
    path = corpus_dir / ALIASES_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexStoreError(f"{ALIASES_FILE} in the corpus is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise IndexStoreError(f'{ALIASES_FILE} must map short forms to long forms: {{"kds": "kinesis data streams"}}')
    return data


def _prune(cache_dir: Path, keep: Path) -> None:
    """Old indexes of earlier corpus versions are dropped once the new one is in place."""
    for old in cache_dir.iterdir():
        if old == keep or not old.is_dir():
            continue
        # A build folder may belong to another process still writing it: only old ones are abandoned.
        abandoned = old.name.startswith(_BUILDING) and time.time() - old.stat().st_mtime > _STALE_BUILD_SECONDS
        if abandoned or (old / "manifest.json").is_file():
            shutil.rmtree(old, ignore_errors=True)


def _drop_number(heading: str) -> str:
    head, _, rest = heading.partition(" ")
    return rest if rest and head.rstrip(".").replace(".", "").isdigit() else heading


def _chunk_to_json(c: Chunk) -> dict:
    d = asdict(c)
    d["heading_path"] = list(c.heading_path)
    return d


def _chunk_from_json(d: dict) -> Chunk:
    return Chunk(id=d["id"], guide=d["guide"], heading_path=tuple(d["heading_path"]), context=d["context"],
                 text=d["text"], line_start=int(d["line_start"]), line_end=int(d["line_end"]), kind=d["kind"])
