"""Compare a probe value from a submission with the solution's: ``None`` if they match, else why not."""

from __future__ import annotations

import torch


def compare(expected, got, rtol: float = 1e-4, atol: float = 1e-5) -> str | None:
    """``None`` if ``got`` matches ``expected``, else a short reason (expected vs got)."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"expected a tensor, got {type(got).__name__}"
        if tuple(got.shape) != tuple(expected.shape):
            return f"expected shape {tuple(expected.shape)}, got {tuple(got.shape)}"
        e, g = expected.double(), got.double()
        same_nan = torch.equal(torch.isnan(e), torch.isnan(g))
        close = torch.isclose(e.nan_to_num(), g.nan_to_num(), rtol=rtol, atol=atol).all()
        if same_nan and close:
            return None
        if e.numel() == 1:
            return f"expected {e.item():.5g}, got {g.item():.5g}"
        worst = (e - g).abs().nan_to_num(float("inf")).max().item()
        return f"values differ (largest difference {worst:.3g})"
    if isinstance(expected, bool) or isinstance(expected, str) or expected is None:
        return None if got == expected and type(got) is type(expected) else f"expected {expected!r}, got {_short(got)}"
    if isinstance(expected, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return f"expected a number, got {_short(got)}"
        return None if abs(got - expected) <= atol + rtol * abs(expected) else f"expected {expected:.5g}, got {got:.5g}"
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            return f"expected {len(expected)} items, got {_short(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            reason = compare(e, g, rtol, atol)
            if reason:
                return f"item {i}: {reason}"
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected keys {sorted(expected)}, got {_short(got)}"
        for key in expected:
            reason = compare(expected[key], got[key], rtol, atol)
            if reason:
                return f"{key}: {reason}"
        return None
    return f"cannot compare values of type {type(expected).__name__}"


def _short(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."
