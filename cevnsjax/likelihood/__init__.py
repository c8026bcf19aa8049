from .combine import CombinedModel, combine  # noqa: F401
