"""Guide -> chunks -> embeddings -> FAISS index -> retrieval. Knows nothing of Discord."""
