"""The tiny offline models of :mod:`gamegen.testing.tiny_models`, under the name the tests import."""

from gamegen.testing.tiny_models import TINY_SD_MERGES, TINY_SD_VOCAB, SdLayout, make_tiny_gpt2, make_tiny_sd

__all__ = ["TINY_SD_MERGES", "TINY_SD_VOCAB", "SdLayout", "make_tiny_gpt2", "make_tiny_sd"]
