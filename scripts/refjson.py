"""Compact, deterministic JSON for the reference files in tests/reference/ (shared by the
scripts that write them)."""

import json
import math


def _scalar(v):
    if isinstance(v, float):
        assert math.isfinite(v), v
    return json.dumps(v)


def dumps(obj, indent=0):
    """JSON with lists of scalars kept on one line (one row per line)."""
    pad, pad1 = " " * indent, " " * (indent + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad1}{json.dumps(k)}: {dumps(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj):
            return "[" + ", ".join(_scalar(v) for v in obj) + "]"
        items = [pad1 + dumps(v, indent + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return _scalar(obj)
