"""Checks used by the notebooks' test cells. Each failure says what was expected, what was found, and a hint.

The checks compare through values they compute themselves (float64 NumPy copies), check types exactly, and
keep their own references to the NumPy and torch functions they use, so that a solution which patches
``torch.allclose`` or returns an object whose ``__eq__`` is always true does not pass.
"""
import math

import numpy as np
import torch

_Tensor = torch.Tensor
_Parameter = torch.nn.Parameter
_detach, _to, _double, _long, _numpy = _Tensor.detach, _Tensor.to, _Tensor.double, _Tensor.long, _Tensor.numpy
_ndarray = np.ndarray
_asarray = np.asarray
_isfinite = np.isfinite
_abs = np.abs
_isclose = np.isclose
_argmax = np.argmax


class CheckFailed(AssertionError):
    """Raised by every check; a subclass of AssertionError so that nbgrader counts it as a failed test."""


def _fail(message, hint=None):
    raise CheckFailed(message + (f"\nHint: {hint}" if hint else ""))


def to_numpy(x, name="value"):
    """A float64 (or integer/bool) NumPy copy of a tensor, array, number or nested list, detached and on CPU."""
    if isinstance(x, _Tensor):
        if type(x) not in (_Tensor, _Parameter):  # a subclass could fake its values or its methods
            _fail(f"{name} should be a plain torch.Tensor, found {type(x).__name__}.")
        x = _to(_detach(x), "cpu")  # the real methods, whatever the object defines
        if x.is_complex():
            return _numpy(x.resolve_conj()).astype(np.complex128)
        if x.dtype == torch.bool:
            return _numpy(x).copy()
        return _numpy(_double(x)) if x.is_floating_point() else _numpy(_long(x))
    if type(x) is _ndarray:
        return x.copy()
    if isinstance(x, _ndarray):
        _fail(f"{name} should be a plain numpy array, found {type(x).__name__}.")
    if type(x) in (int, float, bool, list, tuple) or isinstance(x, (np.number, np.bool_)):
        return _asarray(x)
    _fail(f"{name} should be a tensor, an array or a number, found {type(x).__name__}.")


def check_type(value, expected_type, name="value", hint=None):
    """``value`` is an instance of ``expected_type`` (a type or tuple of types)."""
    if not isinstance(value, expected_type):
        names = expected_type.__name__ if isinstance(expected_type, type) else \
            " or ".join(t.__name__ for t in expected_type)
        _fail(f"{name} should be a {names}, found {type(value).__name__}.", hint)


def check_shape(x, shape, name="value", hint=None):
    """``x`` has exactly ``shape`` (use None in ``shape`` for any size in that dimension)."""
    check_type(x, (_Tensor, _ndarray), name)
    found = tuple(x.shape)
    ok = len(found) == len(shape) and all(e is None or e == f for e, f in zip(shape, found))
    if not ok:
        _fail(f"{name} should have shape {tuple(shape)}, found {found}.",
              hint or "print(x.shape) after each step; check which dimension is the batch, channel or time.")


def check_dtype(x, dtype, name="value", hint=None):
    """``x`` (a tensor) has dtype ``dtype``."""
    check_type(x, _Tensor, name)
    if x.dtype != dtype:
        _fail(f"{name} should have dtype {dtype}, found {x.dtype}.",
              hint or f"convert with .to({dtype}) or create the tensor with dtype={dtype}.")


def check_close(actual, expected, name="value", atol=1e-5, rtol=1e-4, hint=None):
    """``actual`` equals ``expected`` within ``atol + rtol * |expected|`` element-wise, with equal shapes."""
    a, e = to_numpy(actual, name), to_numpy(expected, "expected")
    if a.shape != e.shape:
        _fail(f"{name} should have shape {e.shape}, found {a.shape}.", hint)
    if e.size == 0:
        return
    if not _isfinite(a).all() and _isfinite(e).all():
        _fail(f"{name} contains NaN or inf values, expected finite values.",
              hint or "look for exp() of a large number, log(0) or a division by zero.")
    close = _isclose(a, e, atol=atol, rtol=rtol, equal_nan=True)
    if not close.all():
        err = _abs(a - e)
        worst = np.unravel_index(_argmax(np.where(close, 0, err)), a.shape) if a.ndim else ()
        where = f" at index {tuple(int(i) for i in worst)}" if a.ndim else ""
        _fail(f"{name} differs from the expected value{where}: expected {e[worst].item():.6g}, found {a[worst].item():.6g} "
              f"(tolerance atol={atol}, rtol={rtol}; {int((~close).sum())} of {close.size} values differ).", hint)


def check_equal(actual, expected, name="value", hint=None):
    """Exact equality of numbers, strings or integer/bool arrays (no tolerance)."""
    if isinstance(expected, (str, bool)) or expected is None:
        if type(actual) is not type(expected) or actual != expected:
            _fail(f"{name} should be {expected!r}, found {actual!r}.", hint)
        return
    a, e = to_numpy(actual, name), to_numpy(expected, "expected")
    if a.shape != e.shape or not (a == e).all():
        _fail(f"{name} should be {e.tolist()!r}, found {a.tolist()!r}.", hint)


def check_range(value, low=-math.inf, high=math.inf, name="value", hint=None):
    """A real number (or 0-d tensor) in [low, high]. Returns nothing: nbgrader would read a number left at the
    end of a test cell as partial credit."""
    v = to_numpy(value, name)
    if v.size != 1:
        _fail(f"{name} should be a single number, found shape {v.shape}.", hint)
    v = float(v.reshape(()))
    if not (low <= v <= high):
        _fail(f"{name} should lie in [{low}, {high}], found {v:.6g}.", hint)


def check_choice(answer, options, name="answer"):
    """A multiple-choice answer: one of ``options`` (strings such as "a", "b", ...)."""
    if type(answer) is not str or answer not in options:
        _fail(f"{name} should be one of {sorted(options)} (a string), found {answer!r}.",
              "set the variable to the letter of the option you choose, e.g. answer = \"b\".")
