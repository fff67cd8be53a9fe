"""Code the autograder runs inside the student's kernel, around the graded test cells.

Test cells run in the same Python process as the student's code, so a submission can patch what they rely
on: rebind ``check_close`` to a no-op, replace ``torch.allclose``, swap a function's ``__code__``, add an
AST transformer that deletes asserts, install a torch function mode, hook ``showtraceback``. The guard
undoes all of that before every test cell:

1. ``install`` runs once, before the first cell of the notebook (while the kernel is still clean): it
   imports the modules the tests rely on and snapshots them (module and class dictionaries, function code
   objects), the internals of IPython and ipykernel that run a cell and send its outputs (the shell, its
   compiler and input transformers, the kernel and its message handlers, the session, the output streams,
   their classes and modules), numpy's private modules behind the public functions, and the live threads.
   It prints a digest of that state, which the grader keeps.
2. ``restore`` runs before each test cell: it puts every snapshotted object back, drops torch modes, asks
   threads started by the notebook's code to stop and re-runs the setup cell's import statements so that
   the notebook's names point to the real helpers. It prints, as one JSON line, what it had to put back,
   the threads still running, and a token: the hash of a fresh nonce (sent with this cell only) and the
   digest of the state after restoring. The grader scores the test cell only if the token matches the
   digest of the clean state, so a kernel whose cell execution was hijacked, or whose state could not be
   restored, scores 0 instead of passing everything.
3. ``verify`` runs after each test cell: it compares the state with the snapshot without changing it; an
   object that changed while the test ran (a thread that patches again) zeroes that test.

What was put back, changed or left running goes into the integrity report (see preprocessors.py). This is
a hardening, not a proof: code that controls the interpreter can imitate the guard. The sandbox (the kernel
cannot read the instructor's files or the gradebook) and the scores computed by the grader process from
the outputs are the lines that do not depend on the kernel's honesty.

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
    "course_utils.digits", "course_utils.guitar_amp", "course_utils.degradations", "course_utils.profiling",
    "course_utils.text", "course_utils.asr", "course_utils.tts", "torchaudio.models.decoder", "jiwer",
    "course_utils.denoising", "torch.nn.modules.normalization", "torch.nn.modules.sparse", "course_utils.project",
]
# Internals of the kernel and of the libraries behind the guarded functions, snapshotted and restored like
# the modules above; "numpy." snapshots every numpy module loaded at install (private ones behind isclose).
INTERNAL_MODULES = [
    "numpy.", "IPython.core.interactiveshell", "IPython.core.compilerop", "IPython.core.inputtransformer2",
    "IPython.core.displayhook", "IPython.core.displaypub", "IPython.core.events", "IPython.core.ultratb",
    "ipykernel.ipkernel", "ipykernel.kernelbase", "ipykernel.zmqshell", "ipykernel.iostream",
    "ipykernel.displayhook", "jupyter_client.session", "codeop", "ast", "traceback", "linecache", "json",
    "hashlib", "hmac", "threading", "warnings", "inspect", "types", "functools", "operator", "copy",
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


def _watched(shell, sys):
    """The objects that run a cell and carry its outputs: (label, object)."""
    kernel = getattr(shell, "kernel", None)
    objs = [("shell", shell), ("shell.compile", getattr(shell, "compile", None)),
            ("shell.input_transformer_manager", getattr(shell, "input_transformer_manager", None)),
            ("shell.displayhook", getattr(shell, "displayhook", None)),
            ("shell.display_pub", getattr(shell, "display_pub", None)), ("shell.events", shell.events),
            ("kernel", kernel), ("kernel.session", getattr(kernel, "session", None)),
            ("kernel.iopub_thread", getattr(kernel, "iopub_thread", None)),
            ("sys.stdout", sys.stdout), ("sys.stderr", sys.stderr)]
    return [(k, o) for k, o in objs if o is not None]


def _internal(k, v):
    """Attributes of the watched objects worth keeping: code, and the objects that run and send a cell."""
    return _is_code(v) and not isinstance(v, type) or k in (
        "compile", "input_transformer_manager", "displayhook", "display_pub", "events", "kernel", "session",
        "pub_thread", "iopub_socket", "iopub_thread", "shell", "data_pub", "display_trap", "builtin_trap")


def _from_notebook(f):
    """Is ``f`` (a function, method, callable object or thread) code written in the notebook?"""
    f = getattr(f, "_target", None) or (type(f).run if hasattr(type(f), "run") and hasattr(f, "ident") else f)
    code = getattr(f, "__code__", None) or getattr(getattr(f, "__func__", None), "__code__", None) or \
        getattr(getattr(type(f), "__call__", None), "__code__", None)
    where = getattr(code, "co_filename", "") or ""
    return "ipykernel_" in where or where.startswith("<") and where != "<course-guard>"


def _adoptable(old, new, name, from_notebook):
    """Is ``new`` a library's own wrapper around ``old`` (or, for an attribute added to a class, around the
    library's function ``name``)? torch wraps ``manual_seed`` and an optimizer class's ``step`` on first use."""
    import types
    f, depth = new, 0
    if getattr(new, "__wrapped__", None) is None:
        return False
    while f is not None and depth < 10:
        if old is not None and f is old:
            return True
        if from_notebook(f):
            return False
        nxt = getattr(f, "__wrapped__", None)
        if nxt is None:
            return old is None and isinstance(f, types.FunctionType) and f.__name__ == name
        f, depth = nxt, depth + 1
    return False


def _same(a, b):
    """The same object, or an equal one the kernel makes anew for every cell (a bound method such as
    builtins.input or sys.excepthook, IPython's wrapper of sys.stdout.write: same code, new closure)."""
    import types
    if a is b:
        return True
    if isinstance(a, types.MethodType) and isinstance(b, types.MethodType):
        return a.__func__ is b.__func__ and a.__self__ is b.__self__
    if isinstance(a, types.FunctionType) and isinstance(b, types.FunctionType):
        return a.__code__ is b.__code__ and a.__qualname__.endswith("<locals>.write")
    return False


def _install(modules, internal_modules, builtin_names, is_code, watched, internal):
    import builtins
    import importlib
    import sys
    import threading
    import types

    names = [n for n in modules + internal_modules if not n.endswith(".")]
    prefixes = tuple(n for n in internal_modules if n.endswith("."))
    loaded = {}
    for name in names:
        try:
            loaded[name] = importlib.import_module(name)
        except Exception:
            pass
    for name, mod in list(sys.modules.items()):
        if name.startswith(prefixes) and isinstance(mod, types.ModuleType):
            loaded[name] = mod
    shell = get_ipython()  # noqa: F821 (the kernel's shell)
    functions, classes = [], []

    def snap_dict(d, where):
        for k, v in list(d.items()):
            if isinstance(v, types.FunctionType):
                functions.append((f"{where}.{k}", v, v.__code__, v.__defaults__, v.__kwdefaults__))

    roots = ("torch", "numpy", "course_utils", "IPython", "ipykernel", "jupyter_client")
    for name, mod in loaded.items():
        snap_dict(vars(mod), name)
        for v in list(vars(mod).values()):
            if isinstance(v, type) and (getattr(v, "__module__", "") or "").split(".")[0] in roots:
                classes.append(v)
    objects = watched(shell, sys)
    for _, obj in objects:
        classes.extend(type(obj).__mro__)
    classes = list({id(c): c for c in classes}.values())
    class_dicts = []
    for cls in classes:
        try:
            d = dict(vars(cls))
        except TypeError:
            continue
        snap_dict({k: v for k, v in d.items() if isinstance(v, types.FunctionType)}, cls.__qualname__)
        class_dicts.append((cls, {k: v for k, v in d.items() if is_code(v)}))
    obj_state = []
    for label, obj in objects:
        attrs = {k: v for k, v in vars(obj).items() if internal(k, v)}
        traits = {k: v for k, v in getattr(obj, "_trait_values", {}).items() if internal(k, v)}
        dicts = {k: (v, dict(v)) for k, v in vars(obj).items() if k.endswith("_handlers") and isinstance(v, dict)}
        obj_state.append((label, obj, set(vars(obj)), attrs, traits, dicts))
    trans = shell.input_transformer_manager
    state = dict(
        modules={n: (m, {k: v for k, v in vars(m).items() if is_code(v)}) for n, m in loaded.items()},
        functions=functions, classes=class_dicts, objects=obj_state,
        builtins={n: getattr(builtins, n) for n in builtin_names if hasattr(builtins, n)},
        lists=[(lbl, obj, attr, list(getattr(obj, attr))) for lbl, obj, attr in [
            ("shell", shell, "ast_transformers"), ("shell", shell, "input_transformers_post"),
            ("shell", shell, "input_transformers_cleanup"), ("transformer", trans, "cleanup_transforms"),
            ("transformer", trans, "line_transforms"), ("transformer", trans, "token_transformers")]
            if hasattr(obj, attr)],
        events={k: list(v) for k, v in shell.events.callbacks.items()},
        custom=(shell.custom_exceptions, shell.CustomTB),
        hooks=(sys.__excepthook__, sys.excepthook, sys.displayhook, sys.stdout, sys.stderr),
        threads={t.ident for t in threading.enumerate()},
    )
    sys.modules["_course_guard"] = types.SimpleNamespace(state=state)
    print(f"course-guard-installed {len(functions)} functions, {len(class_dicts)} classes, {len(loaded)} modules")


def _restore(nonce, setup_imports, is_code, watched, same, from_notebook, adoptable, check_only=False):
    """Put the snapshot back (or, with check_only, only compare); print one JSON line with the report."""
    import builtins
    import ctypes
    import hashlib
    import json
    import sys
    import threading
    state = sys.modules["_course_guard"].state
    shell = get_ipython()  # noqa: F821
    changed = []

    def put(label, obj, key, value, how=setattr):
        changed.append(label)
        if not check_only:
            try:
                how(obj, key, value)
            except (AttributeError, TypeError):
                pass

    for name, (mod, d) in state["modules"].items():
        if sys.modules.get(name) is not mod:
            put(f"sys.modules[{name!r}]", sys.modules, name, mod, dict.__setitem__)
        current = vars(mod)
        for k, v in d.items():
            if not same(current.get(k, d), v):
                if adoptable(v, current.get(k), k, from_notebook):
                    d[k] = current[k]  # the library's own wrapper: the new reference
                else:
                    put(f"{name}.{k}", mod, k, v)
    for cls, d in state["classes"]:
        current = dict(vars(cls))
        for k in [k for k in current.keys() - d.keys() if is_code(current[k])]:
            if adoptable(None, current[k], k, from_notebook):
                d[k] = current[k]
            else:
                put(f"{cls.__qualname__}.{k} (added)", cls, k, None, lambda o, k, v: delattr(o, k))
        for k, v in d.items():
            if current.get(k, d) is not v:
                if adoptable(v, current.get(k), k, from_notebook):
                    d[k] = current[k]
                else:
                    put(f"{cls.__qualname__}.{k}", cls, k, v)
    for label, f, code, defaults, kwdefaults in state["functions"]:
        if f.__code__ is not code:  # assign only what changed: an assignment slows later calls down
            put(f"{label}.__code__", f, "__code__", code)
        if f.__defaults__ is not defaults:
            put(f"{label}.__defaults__", f, "__defaults__", defaults)
        if f.__kwdefaults__ is not kwdefaults:
            put(f"{label}.__kwdefaults__", f, "__kwdefaults__", kwdefaults)
    for label, obj, keys, attrs, traits, dicts in state["objects"]:
        current = vars(obj)
        for k in set(current) - keys:  # instance attributes that shadow a method
            if callable(getattr(type(obj), k, None)) or is_code(current[k]):
                put(f"{label}.{k} (added)", obj, k, None, lambda o, k, v: delattr(o, k))
        for k, v in attrs.items():
            if not same(current.get(k, attrs), v):
                put(f"{label}.{k}", current, k, v, dict.__setitem__)
        tv = getattr(obj, "_trait_values", {})
        for k, v in traits.items():
            if not same(tv.get(k, traits), v):
                put(f"{label}.{k}", tv, k, v, dict.__setitem__)
        for k, (d, items) in dicts.items():
            if current.get(k) is not d:
                put(f"{label}.{k}", current, k, d, dict.__setitem__)
            if d != items:
                put(f"{label}.{k}[...]", d, None, items, lambda o, _, v: (o.clear(), o.update(v)))
    for k, v in state["builtins"].items():
        if not same(getattr(builtins, k, None), v):
            put(f"builtins.{k}", builtins, k, v)
    ns = shell.user_ns
    if ns.get("__builtins__") is not builtins:
        put("__builtins__", ns, "__builtins__", builtins, dict.__setitem__)
    if not check_only:
        for k, v in state["builtins"].items():
            if k in ns and ns[k] is not v and callable(ns[k]):
                del ns[k]
    for label, obj, attr, items in state["lists"]:
        if getattr(obj, attr) != items:
            put(f"{label}.{attr}", getattr(obj, attr), slice(None), items, lambda o, k, v: o.__setitem__(k, v))
    for k, v in state["events"].items():  # callbacks the notebook added, or removed from the snapshot
        now = shell.events.callbacks.get(k, [])
        if any(from_notebook(f) for f in now) or any(f not in now for f in v):
            keep = [f for f in now if not from_notebook(f)]
            put(f"events.{k}", shell.events.callbacks, k, keep + [f for f in v if f not in keep], dict.__setitem__)
    if (shell.custom_exceptions, shell.CustomTB) != state["custom"]:
        changed.append("shell.set_custom_exc")
        if not check_only:
            shell.custom_exceptions, shell.CustomTB = state["custom"]
    hooks = (sys.__excepthook__, sys.excepthook, sys.displayhook, sys.stdout, sys.stderr)
    if not all(same(a, b) for a, b in zip(hooks, state["hooks"])):
        changed.append("sys hooks or streams")
        if not check_only:
            sys.__excepthook__, sys.excepthook, sys.displayhook, sys.stdout, sys.stderr = state["hooks"]
    if sys.gettrace() is not None or sys.getprofile() is not None:
        changed.append("sys.settrace/setprofile")
        if not check_only:
            sys.settrace(None)
            sys.setprofile(None)
    threads = [t for t in threading.enumerate() if t.ident not in state["threads"] and t.is_alive()
               and from_notebook(t)]
    try:  # torch function and dispatch modes pushed by the submission
        import torch
        if torch._C._len_torch_function_stack() or torch._C._len_torch_dispatch_stack():
            changed.append("torch modes")
            while not check_only and torch._C._len_torch_function_stack():
                torch._C._pop_torch_function_stack()
            while not check_only and torch._C._len_torch_dispatch_stack():
                torch._C._pop_torch_dispatch_stack()
    except Exception:
        pass
    if not check_only:
        for t in threads:  # threads the notebook's code started: asked to stop (they may refuse)
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(t.ident), ctypes.py_object(SystemExit))
        exec(setup_imports, ns)
    report = dict(changed=changed[:50], n_changed=len(changed),
                  threads=[f"{t.name} ({getattr(getattr(getattr(t, '_target', None), '__code__', None), 'co_filename', '?')})"
                           for t in threads][:10],
                  token=hashlib.sha256((nonce + ":ok").encode()).hexdigest()[:16])
    print("course-guard " + json.dumps(report))


def token(nonce):
    """The token ``restore`` prints when it ran to the end with this cell's nonce."""
    import hashlib
    return hashlib.sha256((nonce + ":ok").encode()).hexdigest()[:16]


def parse(out):
    """The report a guard cell printed, or None if it printed none (it did not run to the end)."""
    import json
    for line in (out or "").splitlines():
        if line.startswith("course-guard {"):
            try:
                return json.loads(line[len("course-guard "):])
            except ValueError:
                return None
    return None


def _in_clean_namespace(code):
    """A cell that runs ``code`` in its own namespace, away from names the notebook may have rebound."""
    return (f"exec(compile({code!r}, '<course-guard>', 'exec'), "
            "{'__builtins__': __import__('builtins'), 'get_ipython': get_ipython})\n")


def _helpers():
    return "".join(textwrap.dedent(inspect.getsource(f)) for f in (_is_code, _watched, _internal, _same, _from_notebook, _adoptable))


def install_code():
    return _in_clean_namespace(
        _helpers() + textwrap.dedent(inspect.getsource(_install)) +
        f"_install({GUARDED_MODULES!r}, {INTERNAL_MODULES!r}, {BUILTIN_NAMES!r}, _is_code, _watched, _internal)\n")


def restore_code(nonce, setup_imports="", check_only=False):
    return _in_clean_namespace(
        _helpers() + textwrap.dedent(inspect.getsource(_restore)) +
        f"_restore({nonce!r}, {setup_imports!r}, _is_code, _watched, _same, _from_notebook, _adoptable, check_only={check_only!r})\n")


def setup_imports(source):
    """The top-level import statements of the setup cell, as code."""
    import ast
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    return "\n".join(ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))
