"""The one channel from a child process to the grader: length-prefixed JSON records.

A record is a 4-byte big-endian length, then a UTF-8 JSON object with a ``kind`` (``start``,
``error``, ``probe`` or ``done``) and that kind's fields (:data:`FIELDS`). Values are ``None``,
booleans, numbers, strings and lists, plus three tagged forms: ``{"tuple": [...]}``,
``{"dict": {...}}`` and ``{"tensor": {"dtype": ..., "shape": [...], "data": BASE64}}``.

The child encodes (:func:`pack`); the grader decodes (:func:`unpack`) with ``json`` and
``torch.frombuffer`` only, for a fixed list of dtypes: nothing a submission sends can run code in
the grader, and a record that does not have exactly this shape is dropped.
"""

from __future__ import annotations

import base64
import binascii
import json
import math

import torch

DTYPES = {name: getattr(torch, name) for name in (
    "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
    "complex64", "complex128")}
MAX_DEPTH = 20
FIELDS = {  # kind -> field -> the types it may have ("value" may hold any encodable value)
    "start": {"index": (int,), "role": (str,), "part": (str, type(None))},
    "error": {"index": (int,), "role": (str,), "part": (str, type(None)), "error": (str,)},
    "probe": {"part": (str, type(None)), "name": (str,), "value": None, "error": (str, type(None))},
    "done": {},
}


def encode(value, depth: int = 0):
    """``value`` as JSON-ready data: tensors, numbers, strings, lists, tuples and dicts only
    (numpy arrays and scalars become tensors and numbers). Raises ``TypeError`` otherwise."""
    if depth > MAX_DEPTH:
        raise TypeError("the value is nested too deeply")
    if isinstance(value, torch.Tensor):
        return {"tensor": _encode_tensor(value)}
    if isinstance(value, torch.Size):
        return {"tuple": [int(v) for v in value]}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if type(value).__module__ == "numpy":
        return encode(torch.as_tensor(value) if getattr(value, "shape", ()) else value.item(), depth + 1)
    if isinstance(value, (list, tuple)):
        items = [encode(v, depth + 1) for v in value]
        return items if isinstance(value, list) else {"tuple": items}
    if isinstance(value, dict):
        return {"dict": {str(k): encode(v, depth + 1) for k, v in value.items()}}
    raise TypeError(f"a probe returned a {type(value).__name__}, which the grader cannot compare")


def _encode_tensor(tensor: torch.Tensor) -> dict:
    tensor = tensor.detach().cpu()
    name = str(tensor.dtype).removeprefix("torch.")
    if tensor.layout != torch.strided or name not in DTYPES:
        raise TypeError(f"a probe returned a {tensor.layout} tensor of {tensor.dtype}, which the grader cannot compare")
    flat = tensor.contiguous().reshape(-1).clone()
    raw = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
    return {"dtype": name, "shape": list(tensor.shape), "data": base64.b64encode(raw).decode("ascii")}


def decode(data, depth: int = 0):
    """The value that :func:`encode` turned into ``data``; ``ValueError`` if ``data`` is anything else."""
    if depth > MAX_DEPTH:
        raise ValueError("nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, depth + 1) for v in data]
    if isinstance(data, dict) and len(data) == 1:
        (tag, inner), = data.items()
        if tag == "tuple" and isinstance(inner, list):
            return tuple(decode(v, depth + 1) for v in inner)
        if tag == "dict" and isinstance(inner, dict):
            return {k: decode(v, depth + 1) for k, v in inner.items()}
        if tag == "tensor" and isinstance(inner, dict):
            return _decode_tensor(inner)
    raise ValueError("not an encoded value")


def _decode_tensor(spec: dict) -> torch.Tensor:
    dtype, shape, text = DTYPES.get(spec.get("dtype")), spec.get("shape"), spec.get("data")
    if dtype is None or not isinstance(shape, list) or not isinstance(text, str) or len(shape) > 16 or \
            not all(type(n) is int and n >= 0 for n in shape) or set(spec) != {"dtype", "shape", "data"}:
        raise ValueError("not an encoded tensor")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise ValueError("bad tensor data") from error
    numel = math.prod(shape)
    if len(raw) != numel * torch.empty((), dtype=dtype).element_size():
        raise ValueError("tensor data does not match its shape")
    if numel == 0:
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(bytearray(raw), dtype=dtype).reshape(shape).clone()


def pack(kind: str, **fields) -> bytes:
    """One record, ready to write to the pipe (``value`` fields are encoded here)."""
    if "value" in fields:
        fields["value"] = encode(fields["value"])
    payload = json.dumps({"kind": kind, **fields}).encode("utf-8")
    return len(payload).to_bytes(4, "big") + payload


def unpack(data: bytes) -> tuple[list[dict], bool]:
    """The well-formed records in ``data``, in order, and whether that was all of ``data``: it
    stops at the first record that is not well formed (a submission wrote to the pipe)."""
    records, position = [], 0
    while position + 4 <= len(data):
        size = int.from_bytes(data[position:position + 4], "big")
        payload = data[position + 4:position + 4 + size]
        if len(payload) < size:
            break
        try:
            record = _checked(json.loads(payload.decode("utf-8")))
        except (ValueError, UnicodeDecodeError, RecursionError):
            break
        records.append(record)
        position += 4 + size
    return records, position == len(data)


def _checked(record) -> dict:
    """``record`` if it has exactly the fields of its kind, with their types; the value decoded."""
    if not isinstance(record, dict) or record.get("kind") not in FIELDS:
        raise ValueError("not a record")
    fields = FIELDS[record["kind"]]
    if set(record) != {"kind", *fields}:
        raise ValueError("wrong fields")
    for name, types in fields.items():
        if types is None:
            record[name] = decode(record[name])
        elif not isinstance(record[name], types) or isinstance(record[name], bool) and bool not in types:
            raise ValueError(f"field {name} has the wrong type")
    return record
