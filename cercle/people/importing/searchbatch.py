"""The search text of many contacts at once, for imports: now `network.search.search_index` itself
(batched), kept under this name for the import's callers."""

from __future__ import annotations

from cercle.network.search import search_index as search_index_many

__all__ = ["search_index_many"]
