"""The kit's sealed values: :mod:`grader.sealed` (the checks compare against them, so they live below the kit)."""

from grader.sealed import (HIDDEN, Sealed, SealedKeyword, SealedNumber, Undecidable, canonical, decode_hook, digest,
                           is_number, is_sealed, new_key)

__all__ = ["HIDDEN", "Sealed", "SealedKeyword", "SealedNumber", "Undecidable", "canonical", "decode_hook", "digest",
           "is_number", "is_sealed", "new_key"]
