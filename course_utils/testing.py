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


# --- Values judged outside the kernel --------------------------------------------------------------------------
# A hidden test may ``record`` the values a submission produced and check them in a ``### BEGIN JUDGE`` block.
# Run as a notebook, the block runs here, on ``records``. The course's autograder cuts the block out before the
# kernel sees the cell and runs it in the grader's own process, on the records read back from the cell's outputs
# (course_grading/judge.py): a verdict that code in the kernel can neither read nor forge.
RECORD_MIME = "application/vnd.course.record+json"


class Records(dict):
    """The recorded values by name; a missing one fails the test with a message that says so."""

    def __missing__(self, name):
        _fail(f"the test recorded no value {name!r}: it stopped before recording it, or the cell ran differently.")


records = Records()


def record_payload(name, value):
    """The JSON payload of a recorded value: text, None, or a number/array as exact float64/int64/bool bytes."""
    import base64
    if value is None or type(value) is str:
        return {"name": name, "text": value}
    a = to_numpy(value, name)
    if a.dtype.kind == "c":
        _fail(f"{name}: complex values cannot be recorded; record the real and imaginary parts.")
    if a.dtype.kind not in "biuf":
        _fail(f"{name}: only numbers, booleans, text or None can be recorded, not {a.dtype} values; "
              "record a list of strings as one text (json.dumps).")
    a = a.astype({"b": "?", "i": "<i8", "u": "<i8"}.get(a.dtype.kind, "<f8"), order="C")
    return {"name": name, "dtype": a.dtype.str, "shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode()}


def decode_record(payload):
    """(name, value) of a payload: the value is a str, None or a NumPy array. Raises ValueError if malformed."""
    import base64
    if not isinstance(payload, dict) or type(payload.get("name")) is not str:
        raise ValueError("a record without a name")
    if "text" in payload:
        if payload["text"] is not None and type(payload["text"]) is not str:
            raise ValueError(f"record {payload['name']!r}: text that is not a string")
        return payload["name"], payload["text"]
    dtype, shape = payload.get("dtype"), payload.get("shape")
    if dtype not in ("|b1", "<i8", "<f8") or not isinstance(shape, list) or \
            not all(type(n) is int and 0 <= n < 2**31 for n in shape) or type(payload.get("data")) is not str:
        raise ValueError(f"record {payload['name']!r}: malformed array")
    value = np.frombuffer(base64.b64decode(payload["data"], validate=True), dtype=dtype)
    if value.size != math.prod(shape):
        raise ValueError(f"record {payload['name']!r}: {value.size} values for shape {shape}")
    return payload["name"], value.reshape(shape).copy()


def record(name, value):
    """Record ``value`` (a tensor, array, number, string or None) under ``name`` for the test's judge block."""
    from IPython.display import display
    payload = record_payload(name, value)
    records[name] = decode_record(payload)[1]
    display({RECORD_MIME: payload, "text/plain": ""}, raw=True)
