"""The store: documents, annotations, links, undo history and session state.

`Store` (`protocol.py`) is what the rest of newsmark uses; `open_store`
opens one by its location; `LocalStore` is the embedded engine, a folder of
files on this machine. See ARCHITECTURE.md for the parts.
"""

from annotations.store.engines import open_store
from annotations.store.local import LocalStore
from annotations.store.lock import StoreLocked
from annotations.store.migrations import FORMAT
from annotations.store.protocol import STATUSES, Pane, Store

__all__ = ["FORMAT", "STATUSES", "LocalStore", "Pane", "Store", "StoreLocked", "open_store"]
