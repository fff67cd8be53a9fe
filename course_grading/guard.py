"""Code the autograder runs inside the student's kernel, around the graded test cells.

Test cells run in the same Python process as the student's code, so a submission can patch what they rely
on: rebind ``check_close`` to a no-op, replace ``torch.allclose``, swap a function's ``__code__``, add an
AST transformer that deletes asserts, install a torch function mode, hook ``showtraceback``. The guard
undoes all of that before every test cell:

1. ``install`` runs once, before the first cell of the notebook: it imports the modules the tests rely on
   and snapshots them (module and class dictionaries, function code objects, IPython's hooks).
2. ``restore`` runs before each test cell: it puts every snapshotted object back, drops torch modes and
   re-runs the setup cell's import statements so that the notebook's names point to the real helpers.
   It prints a token derived from a per-run secret; the grader scores the test cell only if the token
   comes back, so a kernel whose cell execution was hijacked scores 0 instead of passing everything.

Both functions are sent to the kernel as source text (``install_code``/``restore_code``); they import
nothing from this package, which a submission could have replaced in ``sys.modules``.
"""
import inspect
import textwrap

# Modules whose attributes, classes and functions the tests use (missing ones are skipped).
GUARDED_MODULES = [
    "builtins", "math", "numpy", "torch", "torch.nn", "torch.nn.functional", "torch.nn.init",
    "torch.nn.modules.module", "torch.nn.modules.linear", "torch.nn.modules.container", "torch.nn.modules.conv",
    "torch.nn.modules.activation", "torch.nn.modules.loss", "torch.nn.parameter", "torch.optim",
    "torch.optim.optimizer", "torch.optim.sgd", "torch.optim.adam", "torch.autograd", "torch.fft",
    "torch.functional", "torch._tensor", "torch.nn.modules.rnn", "torch.nn.modules.pooling",
    "torch.nn.modules.batchnorm", "torch.utils.data", "torchaudio", "torchaudio.functional", "torchaudio.transforms",
    "torchmetrics.functional", "torchmetrics.functional.classification", "torchmetrics.functional.audio",
    "course_utils", "course_utils.testing", "course_utils.data", "course_utils.audio", "course_utils.signals",
    "course_utils.digits", "course_utils.guitar_amp", "course_utils.degradations", "course_utils.denoising",
]
# Builtins a test may call, restored where the notebook rebinds them to a function or class.
BUILTIN_NAMES = ["isinstance", "issubclass", "type", "len", "sum", "abs", "min", "max", "round", "all", "any",
                 "float", "int", "str", "bool", "tuple", "list", "dict", "set", "print", "range", "zip", "map",
                 "sorted", "enumerate", "getattr", "hasattr", "repr", "iter", "next", "super", "object",
                 "AssertionError", "Exception", "BaseException", "__import__", "exec", "compile", "callable"]


def _is_code(v):
    """Objects worth restoring: functions, classes, modules and descriptors, not a library's data values."""
    import types
    return callable(v) or isinstance(v, (types.ModuleType, staticmethod, classmethod, property))


def _install(secret, modules, builtin_names, is_code):
    import builtins
    import importlib
    import sys
    import types

    loaded = {}
    for name in modules:
        try:
            loaded[name] = importlib.import_module(name)
        except Exception:
            pass
    shell = get_ipython()  # noqa: F821 (the kernel's shell)
    functions, classes = [], []

    def snap_dict(d):
        for v in list(d.values()):
            if isinstance(v, types.FunctionType):
                functions.append((v, v.__code__, v.__defaults__, v.__kwdefaults__))

    for mod in loaded.values():
        snap_dict(vars(mod))
        for v in list(vars(mod).values()):
            if isinstance(v, type) and getattr(v, "__module__", "").split(".")[0] in ("torch", "numpy", "course_utils"):
                classes.append(v)
    for cls in type(shell).__mro__:
        classes.append(cls)
    classes = list({id(c): c for c in classes}.values())
    class_dicts = []
    for cls in classes:
        try:
            d = dict(vars(cls))
        except TypeError:
            continue
        snap_dict({k: v for k, v in d.items() if isinstance(v, types.FunctionType)})
        class_dicts.append((cls, {k: v for k, v in d.items() if is_code(v)}))
    trans = shell.input_transformer_manager
    state = dict(
        modules={n: (m, {k: v for k, v in vars(m).items() if is_code(v)}) for n, m in loaded.items()},
        functions=functions, classes=class_dicts,
        builtins={n: getattr(builtins, n) for n in builtin_names if hasattr(builtins, n)},
        shell_attrs=set(vars(shell)),
        lists=[(obj, attr, list(getattr(obj, attr))) for obj, attr in [
            (shell, "ast_transformers"), (shell, "input_transformers_post"),
            (shell, "input_transformers_cleanup"), (trans, "cleanup_transforms"),
            (trans, "line_transforms"), (trans, "token_transformers")] if hasattr(obj, attr)],
        events={k: list(v) for k, v in shell.events.callbacks.items()},
        custom=(shell.custom_exceptions, shell.CustomTB),
        hooks=(sys.__excepthook__, sys.displayhook, sys.stdout, sys.stderr),
    )
    sys.modules["_course_guard_" + secret] = types.SimpleNamespace(state=state)


def _restore(secret, setup_imports, is_code):
    import sys
    state = sys.modules["_course_guard_" + secret].state
    import builtins
    shell = get_ipython()  # noqa: F821
    for name, (mod, d) in state["modules"].items():
        sys.modules[name] = mod
        current = vars(mod)
        for k, v in d.items():
            if current.get(k, d) is not v:
                setattr(mod, k, v)
    for cls, d in state["classes"]:
        current = dict(vars(cls))
        for k in [k for k in current.keys() - d.keys() if is_code(current[k])]:
            try:
                delattr(cls, k)
            except (AttributeError, TypeError):
                pass
        for k, v in d.items():
            if current.get(k, d) is not v:
                try:
                    setattr(cls, k, v)
                except (AttributeError, TypeError):
                    pass
    for f, code, defaults, kwdefaults in state["functions"]:
        if f.__code__ is not code:  # assign only what changed: an assignment slows later calls down
            f.__code__ = code
        if f.__defaults__ is not defaults:
            f.__defaults__ = defaults
        if f.__kwdefaults__ is not kwdefaults:
            f.__kwdefaults__ = kwdefaults
    for k, v in state["builtins"].items():
        setattr(builtins, k, v)
    ns = shell.user_ns
    ns["__builtins__"] = builtins
    for k, v in state["builtins"].items():
        if k in ns and ns[k] is not v and callable(ns[k]):
            del ns[k]
    for k in set(vars(shell)) - state["shell_attrs"]:  # instance attributes that shadow a method
        if callable(getattr(type(shell), k, None)):
            delattr(shell, k)
    for obj, attr, items in state["lists"]:
        getattr(obj, attr)[:] = items
    for k, v in state["events"].items():
        shell.events.callbacks[k] = list(v)
    shell.custom_exceptions, shell.CustomTB = state["custom"]
    sys.excepthook, sys.displayhook, sys.stdout, sys.stderr = state["hooks"]
    sys.settrace(None)
    sys.setprofile(None)
    try:  # torch function and dispatch modes pushed by the submission
        import torch
        while torch._C._len_torch_function_stack():
            torch._C._pop_torch_function_stack()
        while torch._C._len_torch_dispatch_stack():
            torch._C._pop_torch_dispatch_stack()
    except Exception:
        pass
    exec(setup_imports, ns)
    import hashlib
    print("course-guard " + hashlib.sha256(("ok" + secret).encode()).hexdigest()[:16])


def token(secret):
    """What ``restore`` prints when it ran to the end."""
    import hashlib
    return "course-guard " + hashlib.sha256(("ok" + secret).encode()).hexdigest()[:16]


def _in_clean_namespace(code):
    """A cell that runs ``code`` in its own namespace, away from names the notebook may have rebound."""
    return (f"exec(compile({code!r}, '<course-guard>', 'exec'), "
            "{'__builtins__': __import__('builtins'), 'get_ipython': get_ipython})\n")


def install_code(secret):
    return _in_clean_namespace(
        inspect.getsource(_is_code) + textwrap.dedent(inspect.getsource(_install)) +
        f"_install({secret!r}, {GUARDED_MODULES!r}, {BUILTIN_NAMES!r}, _is_code)\n")


def restore_code(secret, setup_imports=""):
    return _in_clean_namespace(
        inspect.getsource(_is_code) + textwrap.dedent(inspect.getsource(_restore)) +
        f"_restore({secret!r}, {setup_imports!r}, _is_code)\n")


def setup_imports(source):
    """The top-level import statements of the setup cell, as code."""
    import ast
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    return "\n".join(ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))
