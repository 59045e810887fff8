"""The spec's ``[similarity]`` table: :mod:`grader.similarity_settings` (the spec reads it, so it lives below the spec)."""

from grader.similarity_settings import COUNTS, KEYS, SHARES, SimilaritySettings, parse_similarity

__all__ = ["COUNTS", "KEYS", "SHARES", "SimilaritySettings", "parse_similarity"]
