"""Product search: a per-tenant index that fuses BM25 over stemmed, accent-folded words with dense
sentence embeddings. Frames in, ranked products out; no HTTP, no SQL."""
