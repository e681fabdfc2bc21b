"""JSON Schema compatibility as instance inclusion: is every document the writer allows valid for the reader?"""

from contracts.json_compatibility.inclusion import check_inclusion

__all__ = ["check_inclusion"]
