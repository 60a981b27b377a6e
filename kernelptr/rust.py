"""Kernel Rust for the model: the statement each operation stands for, and declarations.

Every model operation records with its event the kernel Rust it models (`Event.rust`):
`let b = a.clone();`, `q.push_back(la);`, `drop(b);`. The operation builds a `Stmt` (a
template plus the handles and values it uses) and passes it to `heap.emit(..., rust=stmt)`.
The names of the operands are the learner's variables when the event is emitted; the name a
result is bound to is known only once the Python statement has finished, so a recording
(`kp.record()`) fills results in at the next event, exactly as it does for the pictures'
labels. Events in `heap.events` outside a recording keep the names known at emit time (a
result is then shown as an expression statement).

The conventions, the same for every operation:

- A result bound to a name is a `let` (`let mut` for lists, lock guards and cursors); bound
  to a field or an element (`guard.value = ...`), it is an assignment (`*guard = ...`).
- A result that a later step of the same Python statement consumes is written inside that
  step (`q.push_back(ListArc::new(..)?)`); its own step shows the sub-expression.
- Allocations end in `?` (`AllocError` converts to the kernel's `Error`). An `Option` result
  that is `Some` ends in `.ok_or(ENOENT)?`; a `None` gets a `// None: ...` comment.
- Struct values are written as literals. A struct with pinned fields (`ListLinks`, `Work`, a
  `SpinLock`) cannot exist as a plain value: it is built in place with `pin_init!` and the
  `pin_init` constructor (`Arc::pin_init(pin_init!(Job { .., links <- ListLinks::new() }),
  GFP_KERNEL)?`).
- Implicit drops, which the compiler inserts and nobody writes (the end of a `kp.scope()`
  block, a destructor dropping the fields it owns, a list dropping its items), are comments
  naming the drop: `// end of scope: drop(b)`.
- A step inside a model-level call that the learner made as one statement (Binder's
  `Thread::push_work`, a worker running queued work) shows that call, then the step inside it
  in a comment: `t.push_work(noop);  // in Thread::push_work: let mut guard = ...`.
- Steps that are no Rust statement of the learner's program at all (the C caller of a
  `#[vtable]` ops table, a worker thread's own bookkeeping) are a comment only; their ops are
  listed in `NO_STATEMENT`.

`Recording.rust()` joins the steps into one transcript; `rust_decl(T)` writes the declaration a
`@kp.struct` class stands for.

>>> import kernelptr as kp
>>> heap = kp.reset()
>>> with kp.record() as rec:
...     a = kp.Arc.new(7, kp.GFP_KERNEL)
...     b = a.clone()
...     b.drop()
>>> [f.event.rust for f in rec.frames]
['let a = Arc::new(7, GFP_KERNEL)?;', 'let b = a.clone();', 'drop(b);']
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import re
import string
import sys
import types
import weakref

from .events import is_user_frame
from .result import Err, Ok

__all__ = ["Stmt", "Code", "ref", "mut_ref", "alloc_expr", "pin_init_expr", "literal", "rust_type",
           "rust_decl", "implicit", "compound", "NO_STATEMENT", "has_statement",
           "Transcript", "capture", "rust_ident"]

#: Ops whose event is only a comment: no statement of the learner's program stands for them.
NO_STATEMENT = frozenset({
    "worker",                     # the workqueue's worker thread picks an item
    "KBox::drop",                 # the worker frees a closure's box after running it
    "std::Arc::set_strong_count",  # a demonstration aid: pretend the count is n
})

_RUST_KEYWORDS = frozenset(
    "as async await box break const continue crate do dyn else enum extern false final fn for "
    "gen if impl in let loop macro match mod move mut override priv pub ref return self Self "
    "static struct super trait true try type typeof unsafe unsized use virtual where while "
    "yield".split())
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EMPTY: dict = {}
_NO = object()          # "this operation has no result" (distinct from a result of None)
_SOME = object()        # "it returned something", once a recording has let go of the value


@functools.lru_cache(maxsize=1)
def _model() -> types.SimpleNamespace:
    """The model's classes this module tells apart (imported once, on first use: they
    import this module themselves)."""
    from .list.cursor import Cursor, CursorPeek
    from .list.list import List
    from .lock import Guard, SpinLock
    from .ownership import Handle
    from .raw import RawPtr

    return types.SimpleNamespace(Cursor=Cursor, CursorPeek=CursorPeek, List=List, Guard=Guard,
                                 SpinLock=SpinLock, Handle=Handle, RawPtr=RawPtr)


def has_statement(op: str) -> bool:
    """Whether events of `op` stand for a Rust statement (False: only a comment)."""
    return op not in NO_STATEMENT and not op.endswith("(C caller)")


def rust_ident(name: str) -> str:
    """A Python name as a Rust identifier (`r#type` for a Rust keyword).

    >>> rust_ident("job"), rust_ident("move")
    ('job', 'r#move')
    """
    return f"r#{name}" if name in _RUST_KEYWORDS and name not in ("self", "Self") else name


# -- operands --------------------------------------------------------------------------------
class Code(str):
    """Rust text used as it is in a statement (a literal, flags, a type)."""

    __slots__ = ()


class _Lazy:
    """Rust text computed when first needed: an operation that records no event never pays
    for writing its literals; `capture` computes it at emit time, before the value can
    change."""

    __slots__ = ("_fn", "_text")

    def __init__(self, fn):
        self._fn = fn
        self._text = None

    def force(self) -> str:
        if self._text is None:
            self._text = self._fn()
            self._fn = None
        return self._text

    def __str__(self) -> str:
        return self.force()

    def __repr__(self) -> str:
        return repr(self.force())


class _Ref:
    __slots__ = ("target", "prefix")

    def __init__(self, target, prefix: str):
        self.target = target
        self.prefix = prefix


def ref(x) -> _Ref:
    """The operand `&x`."""
    return _Ref(_freeze(x), "&")


def mut_ref(x) -> _Ref:
    """The operand `&mut x`."""
    return _Ref(_freeze(x), "&mut ")


def _rust_str(text: str, prefix: str = "") -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif not ch.isprintable():
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return f'{prefix}"{"".join(out)}"'


@functools.lru_cache(maxsize=256)
def _snake(name: str) -> str:
    base = re.split(r"[<:\[ ]", name, maxsplit=1)[0] or "value"
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", base).lower()
    snake = re.sub(r"\W", "_", snake) or "value"
    return rust_ident(snake if not snake[0].isdigit() else "_" + snake)


def _is_struct(value) -> bool:
    return getattr(type(value), "_kp_struct", False)


_PINNED_KINDS = ("ListLinks", "ListLinksSelfPtr", "AtomicTracker")


def _special_init(spec, cls) -> tuple[str, bool]:
    """How a model-initialised field is written in an initializer: (text, pinned)."""
    name = type(spec).__name__
    if name in _PINNED_KINDS:
        return f"{name}::new()", True
    if name == "Work":
        return f'new_work!("{getattr(cls, "_kp_type_name", cls.__name__)}::work")', True
    if name == "_PhantomPinned":        # a zero-sized value, moved in like any other
        return "PhantomPinned", False
    return f"{name}::new()", True


def _struct_literal(value) -> tuple[str, bool]:
    """`Job { n: 1, links <- ListLinks::new() }` and whether it needs pinned init."""
    from .lock import SpinLock

    cls = type(value)
    special = getattr(cls, "_kp_special", {})
    parts, pinned = [], False
    for field in cls._kp_fields:
        rf = rust_ident(field)
        if field in special:
            text, pin = _special_init(special[field], cls)
            pinned |= pin
            parts.append(f"{rf} <- {text}" if pin else f"{rf}: {text}")
            continue
        v = getattr(value, field)
        if isinstance(v, SpinLock):
            parts.append(f"{rf} <- new_spinlock!({literal(v._value)})")
            pinned = True
        elif _is_struct(v):
            text, pin = _struct_literal(v)
            pinned |= pin
            parts.append(f"{rf} <- pin_init!({text})" if pin else f"{rf}: {text}")
        else:
            parts.append(f"{rf}: {literal(v)}")
    name = getattr(cls, "_kp_type_name", cls.__name__).split("<", 1)[0]
    return (f"{name} {{ {', '.join(parts)} }}" if parts else f"{name} {{}}"), pinned


def literal(value) -> str:
    """A Python value as a Rust expression (`"x"`, `42`, `Job { n: 1 }`, ...).

    >>> literal("a\\"b"), literal(3), literal(True), literal(None), literal(b"\\x00A")
    ('"a\\\\"b"', '3', 'true', '()', 'b"\\\\x00A"')
    """
    from .ownership import Handle

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        return _rust_str(value)
    if isinstance(value, bytes):
        return 'b"' + "".join(chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\x{b:02x}"
                              for b in value) + '"'
    if value is None:
        return "()"
    if _is_struct(value):
        text, pinned = _struct_literal(value)
        return f"pin_init!({text})" if pinned else text
    if isinstance(value, tuple):
        return "(" + ", ".join(literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, Handle):
        return _fallback(value, None)
    return _snake(type(value).__name__)


def _flags(flags) -> str:
    text = repr(flags)
    return text if re.fullmatch(r"[A-Z_][A-Z0-9_]*( \| [A-Z_][A-Z0-9_]*)*", text) else \
        "GFP_KERNEL"


def alloc_expr(kind: str, value, flags, id: int | None = None) -> Code:
    """The allocating constructor for `value`: `Arc::new(v, GFP_KERNEL)?`, or
    `Arc::pin_init(pin_init!(..), GFP_KERNEL)?` when the struct has pinned fields.

    >>> from kernelptr.list.example import Job
    >>> import kernelptr as kp
    >>> alloc_expr("ListArc", Job(1), kp.GFP_KERNEL)
    'ListArc::pin_init(pin_init!(Job { n: 1, links <- ListLinks::new() }), GFP_KERNEL)?'
    """
    return _Lazy(lambda: _alloc_text(kind, value, flags, id))


def pin_init_expr(kind: str, value, flags) -> Code:
    """The pinning constructor: `UniqueArc::pin_init(pin_init!(Job { .. }), GFP_KERNEL)?`
    (a value that needs no pinned init is its own initializer).

    >>> import kernelptr as kp
    >>> pin_init_expr("UniqueArc", 5, kp.GFP_KERNEL)
    'UniqueArc::pin_init(5, GFP_KERNEL)?'
    """
    def text() -> str:
        if _is_struct(value):
            lit, pinned = _struct_literal(value)
            lit = f"pin_init!({lit})" if pinned else lit
        else:
            lit = literal(value)
        return f"{kind}::pin_init({lit}, {_flags(flags)})?"
    return _Lazy(text)


def _alloc_text(kind: str, value, flags, id) -> str:
    path = kind if not id else f"{kind}::<_, {id}>"
    if _is_struct(value):
        text, pinned = _struct_literal(value)
        if pinned:
            return f"{path}::pin_init(pin_init!({text}), {_flags(flags)})?"
        return f"{path}::new({text}, {_flags(flags)})?"
    return f"{path}::new({literal(value)}, {_flags(flags)})?"


def write_expr(u, value, *, pinned: bool = False) -> "Stmt":
    """`u.write(v)`, or `u.pin_init_with(..)?` when the result is pinned or the struct has
    pinned fields (such a value can only be initialised in place)."""
    if _is_struct(value):
        text, pin_fields = _struct_literal(value)
        if pin_fields:
            return Stmt("{}.pin_init_with(pin_init!(%s))?" % _brace(text), u)
    else:
        text = literal(value)
    if pinned:
        return Stmt("{}.pin_init_with(%s)?" % _brace(text), u)
    return Stmt("{}.write(%s)" % _brace(text), u)


def _brace(text: str) -> str:
    """Escape braces so `text` survives `str.format`."""
    return text.replace("{", "{{").replace("}", "}}")


# -- types -------------------------------------------------------------------------------------
_PY_TYPES = {"int": "i64", "str": "&'static str", "bool": "bool", "float": "f64",
             "bytes": "KVec<u8>", "NoneType": "()"}


@functools.lru_cache(maxsize=512)
def _fix_type(text: str) -> str:
    text = re.sub(r"\bString\b", "&'static str", text)
    text = re.sub(r"\bstd::Arc<", "std::sync::Arc<", text)
    text = re.sub(r"(?<![:\w])Weak<", "std::sync::Weak<", text)
    text = re.sub(r"\bArcBorrow<(?!')", "ArcBorrow<'_, ", text)

    def node(m):
        k, v = (_PY_TYPES.get(t.strip(), t.strip()) for t in m.group(2).split(",", 1))
        return f"{m.group(1)}<{k}, {v}>"
    return re.sub(r"\b(RBTreeNode|RBTreeNodeReservation)<Node<([^<>]*)>>", node, text)


def rust_type(thing) -> str | None:
    """The Rust type of a handle, list, tuple of handles, ... as a `let` would declare it
    (None when the model cannot say).

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> rust_type(kp.Arc.new("x", kp.GFP_KERNEL)), rust_type(kp.RBTreeNode.new(1, "a", kp.GFP_KERNEL))
    ("Arc<&'static str>", "RBTreeNode<i64, &'static str>")
    """
    m = _model()
    Handle, List, RawPtr = m.Handle, m.List, m.RawPtr
    if isinstance(thing, RawPtr):
        return "*mut c_void" if thing.origin == "into_foreign" else \
            f"*const {_fix_type(thing._obj.type_name)}"
    if isinstance(thing, (Handle, List)):
        return _fix_type(thing.type_str())
    if isinstance(thing, tuple) and thing and all(isinstance(t, Handle) for t in thing):
        return "(" + ", ".join(rust_type(t) for t in thing) + ")"
    return None


# -- statements ------------------------------------------------------------------------------
class Stmt:
    """The Rust an operation stands for: a `str.format` template whose `{}` fields are the
    operands (handles, lists, locks, ... named when rendered; values written as literals at
    once), and what the operation returns.

    `result` is the value the operation returned (`None` is a result too: an empty
    `Option`); leave it out for an operation that returns nothing. `mut` makes the binding
    `let mut`; `option` marks an `Option` result; `must_use` binds an unnamed result to `_`;
    `typed` always writes the binding's type (a coercion is made by the type); `unnamed` is the
    binding for a result the learner did not name (a lock guard must be held by something);
    `inline` is the template used when a later step consumes the result (and, with `coerce`,
    when the result is bound: `let d: ListArc<dyn T> = w;`, the type does the coercion);
    `ty` the result's Rust type when it is no handle; `none_note` explains an empty `Option`;
    `note` is a comment after the statement.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); a = kp.Arc.new(1, kp.GFP_KERNEL)
    >>> Stmt("{}.clone()", a).expr(_Namer.empty())
    'arc.clone()'
    """

    __slots__ = ("template", "operands", "result", "mut", "option", "must_use", "typed",
                 "unnamed", "inline", "ty", "none_note", "note", "coerce")

    def __init__(self, template: str, *operands, result=_NO, mut=False, option=False,
                 must_use=False, typed=False, unnamed=None, inline=None, ty=None,
                 none_note="", note="", coerce=False):
        if isinstance(template, (Code, _Lazy)):  # ready-made Rust: braces are not fields
            template, operands = "{}", (template,) + operands
        self.template = template
        self.operands = tuple([_freeze(o) for o in operands])
        self.result = result
        self.mut = mut
        self.option = option
        self.must_use = must_use
        self.typed = typed
        self.unnamed = unnamed
        self.inline = inline
        self.ty = ty
        self.none_note = none_note
        self.note = note
        self.coerce = coerce

    def returning(self, result, **kw) -> "Stmt":
        """This statement with its result set (and other options); returns self."""
        self.result = result
        for k, v in kw.items():
            setattr(self, k, v)
        return self

    @property
    def has_result(self) -> bool:
        return self.result is not _NO

    def expr(self, namer, *, inline: bool = False) -> str:
        template = self.inline if inline and self.inline is not None else self.template
        return template.format(*(namer.operand(o) for o in self.operands))

    def __repr__(self) -> str:
        return f"Stmt({self.template!r})"


_SIMPLE = (bool, int, float, str, bytes, type(None))


def _freeze(o):
    """Values become literals (written at emit time, before they can change); nameable
    things (handles, lists, locks, ...) stay, to be named."""
    t = type(o)
    if t in _SIMPLE:
        return Code(literal(o))
    if t is Code or t is _Ref or t is _Lazy:
        return o
    if t.__name__ == "Flags":
        return Code(_flags(o))
    if isinstance(o, type):
        return Code(getattr(o, "_kp_type_name", o.__name__))
    if _is_struct(o):
        return _Lazy(lambda: literal(o))
    return o


def _strip(text: str) -> str:
    """A statement as a phrase inside a comment: no trailing `;`, no leading `// `."""
    text = text.strip()
    if text.startswith("// "):
        text = text[3:]
    return text[:-1] if text.endswith(";") else text


def _finish(stmt: Stmt, namer, binding, *, consumed=False, typed=False, ty=None) -> str:
    """The text of one statement: `binding` is the learner's name for the result (a Rust
    path, a tuple pattern, `Ok(x)`/`Err(x)`), or None."""
    text = _statement(stmt, namer, binding, consumed=consumed, typed=typed, ty=ty)
    return f"{text}  // {stmt.note}" if stmt.note and not consumed else text


def _statement(stmt: Stmt, namer, binding, *, consumed, typed, ty) -> str:
    expr = stmt.expr(namer, inline=stmt.coerce and binding is not None and not consumed)
    if expr.startswith("//"):
        return expr
    suffix, note = "", ""
    if stmt.option and stmt.has_result:
        if stmt.result is None:
            note = "  // None" + (f": {stmt.none_note}" if stmt.none_note else "")
        else:
            suffix = ".ok_or(ENOENT)?"
    if not stmt.has_result:
        return expr + ";"
    if consumed:
        return expr + suffix
    if stmt.result is None and stmt.option:
        binding = None
    if binding is None:
        if stmt.unnamed:
            binding = stmt.unnamed
        elif stmt.must_use:
            return f"let _ = {expr}{suffix};{note}"
        else:
            return f"{expr}{suffix};{note}"
    if binding.startswith(("Ok(", "Err(")):
        code = "EBUSY" if binding.startswith("Ok(") else "EINVAL"
        return f"let {binding} = {expr} else {{ return Err({code}); }};"
    if _IDENT.match(binding.replace("r#", "")) or binding.startswith("("):
        mut = "mut " if stmt.mut and not binding.startswith("(") else ""
        ty = ty if (typed or stmt.typed) else None
        annotation = f": {ty}" if ty else ""
        return f"let {mut}{binding}{annotation} = {expr}{suffix};{note}"
    return f"{binding} = {expr}{suffix};{note}"


# -- contexts: implicit drops and compound calls ---------------------------------------------
class _Implicit:
    __slots__ = ("stmt",)

    def __init__(self, stmt: Stmt):
        self.stmt = stmt


class _Call:
    """A model-level call the learner made as one statement; its steps are inside it."""

    __slots__ = ("stmt", "label", "ended", "binding", "resolved", "consumed", "ty")

    def __init__(self, stmt: Stmt, label: str):
        self.stmt = stmt
        self.label = label
        self.ended = False
        self.binding = None
        self.resolved = False
        self.consumed = False
        self.ty = None


_CONTEXT: list = []


@contextlib.contextmanager
def implicit(template: str, *operands):
    """Steps inside are implicit drops: their Rust is a comment `// <template>: drop(x)`."""
    _CONTEXT.append(_Implicit(Stmt(template, *operands)))
    try:
        yield
    finally:
        _CONTEXT.pop()


def compound(template: str, label: str | None = None, **options):
    """Decorate a model function that the learner calls as one Rust statement made of
    several steps. `template` names the parameters: `"{self}.push_work({work})"`; the
    function's return value is the result (`self` for `__init__`)."""
    fields = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    positional = re.sub(r"\{(\w+)\}", "{}", template)

    def deco(fn):
        sig = inspect.signature(fn)
        name = label or fn.__qualname__.replace(".", "::").replace("::__init__", "::new")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if any(isinstance(c, _Call) for c in _CONTEXT):
                return fn(*args, **kwargs)
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            call = _Call(Stmt(positional, *(bound.arguments[f] for f in fields), **options),
                         name)
            _CONTEXT.append(call)
            try:
                result = fn(*args, **kwargs)
            finally:
                _CONTEXT.remove(call)
                call.ended = True
            if not positional.startswith("//"):      # a comment stands for no value
                call.stmt.result = args[0] if fn.__name__ == "__init__" else result
                call.ty = rust_type(call.stmt.result)
            return result

        return wrapper

    return deco


class Step:
    """What `heap.emit` captured of an operation's Rust: the statement, the compound call it
    is part of and the implicit-drop context it runs in."""

    __slots__ = ("stmt", "call", "implicit", "ty")

    def __init__(self, stmt: Stmt, call, implicit, ty):
        self.stmt = stmt
        self.call = call
        self.implicit = implicit
        self.ty = ty

    def text(self, namer, binding=None, *, consumed=False, call_binding=None) -> str:
        """The event's Rust, given the learner's name for the result (`binding`)."""
        base = _finish(self.stmt, namer, binding, consumed=consumed, ty=self.ty)
        if self.implicit is not None:
            base = f"// {self.implicit.stmt.expr(namer)}: {_strip(base)}"
        if self.call is None:
            return base
        outer = _finish(self.call.stmt, namer, call_binding, consumed=self.call.consumed,
                        ty=self.call.ty)
        inner = _strip(base)
        if outer.startswith("//"):
            return f"{outer}: {inner}"
        return f"{outer}  // in {self.call.label}: {inner}"


def capture(stmt) -> Step | None:
    """At emit: the step for `stmt` (None for no Rust at all)."""
    if not isinstance(stmt, Stmt):
        if not stmt:
            return None
        stmt = Stmt(Code(stmt))
    for o in stmt.operands:
        if type(o) is _Lazy:
            o.force()
    call = next((c for c in _CONTEXT if isinstance(c, _Call)), None)
    imp = next((c for c in reversed(_CONTEXT) if isinstance(c, _Implicit)), None)
    ty = stmt.ty if stmt.ty is not None else (rust_type(stmt.result) if stmt.has_result
                                                else None)
    return Step(stmt, call, imp, ty)


# -- naming ------------------------------------------------------------------------------------
def _fallback(o, namer) -> str:
    """A name for something the learner did not name."""
    m = _model()
    Cursor, CursorPeek, List, Guard, SpinLock, Handle = (
        m.Cursor, m.CursorPeek, m.List, m.Guard, m.SpinLock, m.Handle)
    if isinstance(o, Guard):
        return "_guard"
    if isinstance(o, CursorPeek):
        cursor = namer.operand(o._cursor) if namer is not None else "cursor"
        return f"{cursor}.peek_{'next' if o._is_next else 'prev'}()"
    if isinstance(o, Cursor):
        return "cursor"
    if isinstance(o, Handle):
        source = _iterated_from(o)
        if source is not None and namer is not None:
            return _first_of(source, namer)
        return _handle_name(o)
    if isinstance(o, List):
        return "list"
    if isinstance(o, SpinLock):
        return rust_ident(o.name) if _IDENT.match(o.name) else "lock"
    name = type(o).__name__
    if name == "Queue":
        return "workqueue::system()" if o.name == "system_wq" else _snake(o.name)
    if callable(o) and not isinstance(o, type):
        fname = getattr(o, "__name__", "")
        return rust_ident(fname) if _IDENT.match(fname) else "move || {}"
    if name == "RawPtr":
        return "ptr"
    return _snake(name)


def _iterated_from(handle):
    """The list `handle` was read from (`q.iter().next()`), while it is still its first item."""
    source = getattr(handle, "__dict__", _EMPTY).get("_source")   # no __getattr__ detour
    return source if isinstance(source, _model().List) and source._first is handle._obj \
        else None


def _first_of(source, namer) -> str:
    return f"{namer.operand(source)}.iter().next().ok_or(ENOENT)?"


def _handle_name(handle) -> str:
    """An unnamed handle's name: the field holding it, else its pointee's type or its kind."""
    inside = handle._inside
    if inside and isinstance(inside[1], str) and _IDENT.match(inside[1]):
        return rust_ident(inside[1])
    obj = handle._obj
    if obj is None or not obj.type_name[:1].isupper() or obj.type_name in ("String", "T"):
        return _snake(handle.kind)      # `arc` for an Arc<i64>
    return _snake(obj.type_name)        # `job` for an Arc<Job>


def _label_path(label: str) -> str:
    """A Python label (`t.reply_work`, `items[0]`, `d['k']`) as a Rust place."""
    if _IDENT.match(label):
        return rust_ident(label)
    label = re.sub(r"\['([^'\\]*)'\]", lambda m: f'["{m.group(1)}"]', label)
    parts = re.split(r"(\.|\[[^\]]*\])", label)
    return "".join(rust_ident(p) if _IDENT.match(p) else p for p in parts)


def _first_name(ns, o) -> str | None:
    """The first public variable of namespace `ns` bound to `o` (a scan that stops there
    costs little even over a notebook's hundreds of globals)."""
    for key, value in ns.items():
        if value is o and key[:1] != "_":
            return key
    return None


class _Namer:
    """Names the learner gave things, looked up in their frame (shallow: the frame's own
    variables) and, in a recording, in `names_in`'s deep map (`items[0]`, `t.inner`)."""

    def __init__(self, frame=None, names=None, inline=None, scopes=None):
        self.frame = frame
        self.names = names or {}
        self._shallow = scopes      # the namespaces names are looked up in (see `_scopes`)
        self._wrapped = None        # id -> (name, Ok/Err) of the values inside Ok/Err
        self._inline = inline       # id -> text, for temporaries of the current statement
        self._operands: dict = {}   # id -> text already rendered

    @classmethod
    def empty(cls) -> "_Namer":
        return cls()

    def label(self, o) -> str | None:
        """The learner's label for `o` (a Python path), or None."""
        if o is None or isinstance(o, (bool, int, float, str, bytes)):
            return None     # small values are shared: identity says nothing about them
        own = getattr(o, "_label", None)
        if isinstance(own, str) and own:
            return own
        entry = self.names.get(id(o))
        if entry is not None and entry[1] is o:
            return entry[0]
        return self._in_scopes(o)

    def _scopes(self) -> list:
        """The namespaces names are looked up in, first match wins: the frame's locals, then
        its globals (or the `scopes` given)."""
        if self._shallow is None:
            frame = self.frame
            scopes = []
            if frame is not None:
                scopes.append(frame.f_locals)
                if frame.f_globals is not scopes[0]:
                    scopes.append(frame.f_globals)
            self._shallow = scopes
        return self._shallow

    def _in_scopes(self, o) -> str | None:
        """The first public name of `o` in the scopes, else the name of an `Ok`/`Err` that
        holds it (`r = q.enqueue(x)`: x travels in r); the `Ok`/`Err` contents are indexed
        once per namer, on the first name not found otherwise (a temporary)."""
        for ns in self._scopes():
            key = _first_name(ns, o)
            if key is not None:
                return key
        if self._wrapped is None:
            self._wrapped = self._results()
        hit = self._wrapped.get(id(o)) if self._wrapped else None
        return hit[0] if hit is not None and hit[1].value is o else None

    def _results(self) -> dict:
        """id(value) -> (name, wrapper) of the values the scopes' `Ok`/`Err` variables hold
        (first name wins); a namespace without any `Ok`/`Err` is skipped at C speed."""
        out: dict = {}
        for ns in reversed(self._scopes()):
            kinds = set(map(type, ns.values()))
            if not any(issubclass(t, (Ok, Err)) for t in kinds):
                continue
            for key, value in reversed(list(ns.items())):
                if isinstance(value, (Ok, Err)) and key[:1] != "_" and key not in ("In", "Out"):
                    out[id(value.value)] = (key, value)
        return out

    def _namespace(self):
        """(name, value) of the learner's frame: its locals, then its globals."""
        for ns in self._scopes():
            for k, v in list(ns.items()):
                if k[:1] != "_" and k != "In" and k != "Out":
                    yield k, v

    def name(self, o, *, target: bool = False) -> str | None:
        """`o`'s name as a Rust place, or None."""
        label = self.label(o)
        return None if label is None else self.path(label, target=target)

    def path(self, label: str, *, target: bool = False) -> str | None:
        """A label as a Rust place (`*guard` for `lock.value`), or None."""
        if label.endswith(".value"):
            via = self._guard_for(label[:-len(".value")])
            if via is not None:
                return f"*{via}" if target else via
        if not _IDENT.match(label.split(".")[0].split("[")[0]):
            return None
        return _label_path(label)

    def _guard_for(self, prefix: str) -> str | None:
        """For `lock.value` or `guard.value`: the name of the live guard that reaches it."""
        Guard, SpinLock = _model().Guard, _model().SpinLock
        holder = None
        for label, value in list(self.names.values()) + list(self._namespace()):
            if label == prefix:
                holder = value
                break
        if isinstance(holder, Guard):
            return _label_path(prefix)
        if isinstance(holder, SpinLock):
            for label, value in self._namespace():
                if isinstance(value, Guard) and value._lock is holder:
                    return _label_path(label)
        return None

    def inline(self, o) -> str | None:
        if self._inline is not None:
            return self._inline(o)
        return None

    def operand(self, o) -> str:
        t = type(o)
        if t is Code:
            return str(o)
        if t is _Lazy:
            return o.force()
        if t is _Ref:
            return o.prefix + self.operand(o.target)
        if t is _Held:
            return o.text(self)
        cache = self._operands
        hit = cache.get(id(o))
        if hit is None:
            hit = cache[id(o)] = self.name(o) or self.inline(o) or _fallback(o, self)
        return hit

    def binding(self, result) -> str | None:
        """How the learner bound `result`: a Rust place, `(a, b)`, `Ok(x)`, or None."""
        if result is None or result is _NO:
            return None
        if isinstance(result, (Ok, Err)):
            own = self.name(result, target=True)
            if own is not None:
                return own
            inner = self.name(result.value, target=True) if result.value is not None else None
            if inner is not None and _IDENT.match(inner.replace("r#", "")):
                return f"{type(result).__name__}({inner})"
            return None
        if isinstance(result, tuple):
            own = self.name(result, target=True)
            if own is not None:
                return own
            parts = [self.name(r, target=True) for r in result]
            if any(p is not None for p in parts) and all(
                    p is None or _IDENT.match(p.replace("r#", "")) for p in parts):
                return "(" + ", ".join(p or "_" for p in parts) + ")"
            return None
        return self.name(result, target=True)


def emit_text(step: Step, frame, location) -> str:
    """The event's Rust at emit time, outside a recording: operands named from the
    learner's frame (a temporary made earlier on the same line written in place); the
    result is not bound yet, so it is an expression statement."""
    def temporary(o):       # (no reference to `namer`: a cycle would keep the frame alive)
        made = getattr(o, "_kp_rust_expr", None)
        if made is None or made[0] != location:
            return None
        return _made_text(made[1], _Namer(frame))

    namer = _Namer(frame, inline=temporary)
    result = step.stmt.result if step.stmt.has_result else None
    own = namer.binding(result) if getattr(result, "_label", None) else None
    text = step.text(namer, own)
    if step.call is None and step.implicit is None and getattr(result, "_kp_weak_holder",
                                                                False):
        expr = step.stmt.expr(namer, inline=True) + (
            ".ok_or(ENOENT)?" if step.stmt.option else "")
        object.__setattr__(result, "_kp_rust_expr", (location, expr))
    return text


# -- events nobody listens to: the text written when first read --------------------------------
def _made_text(made, namer) -> str:
    """The expression of the earlier step of a statement that made a temporary (text, or a
    `_Deferred` step written now)."""
    return made if isinstance(made, str) else made.inline_text(namer)


class _Held(weakref.ref):
    """A handle operand of a `_Deferred` event, held weakly: an event never keeps a handle
    alive (a handle Python collects is a forgotten reference, `core::mem::forget`, and
    `heap.leaks()` counts on it). Captured at emit: its `kp.name` label or its name in the
    emitting function (a function's variables are gone once it returns; a module's stay, so
    those are looked up when the text is written), its name if it is gone or unnamed by then,
    the list it was read from, the step of the same statement that made it (a temporary)."""

    __slots__ = ("named", "fallback", "source", "made")

    def __new__(cls, handle, location, local):
        return super().__new__(cls, handle)

    def __init__(self, handle, location, local):
        super().__init__(handle)
        label = handle._label
        self.named = label if isinstance(label, str) and label else \
            _first_name(local, handle) if local is not None else None
        self.fallback = _handle_name(handle)
        self.source = _iterated_from(handle)
        made = getattr(handle, "__dict__", _EMPTY).get("_kp_rust_expr")
        self.made = made[1] if made is not None and made[0] == location else None

    def text(self, namer) -> str:
        name = namer.path(self.named) if self.named is not None else None
        handle = self()
        if not name and handle is not None:
            name = namer.name(handle)
        if name:
            return name
        if self.made is not None:
            return _made_text(self.made, namer)
        if self.source is not None:
            return _first_of(self.source, namer)
        return self.fallback


class _Deferred:
    """The Rust of an event emitted while nothing listened (no recording, no live view):
    the statement, handles held weakly, written when `event.rust` is first read (see
    `kernelptr.events.Event`), its operands named from the reader's frame, then from the
    module that emitted it (a notebook's namespace, when the event is shown after its cell
    ran)."""

    __slots__ = ("stmt", "own", "ty", "module")

    def __init__(self, stmt: Stmt, own, ty, module):
        self.stmt, self.own, self.ty, self.module = stmt, own, ty, module

    def text(self) -> str:
        namer = _Namer(scopes=_reader_scopes(self.module() if self.module else None))
        return _finish(self.stmt, namer, self.own, ty=self.ty)

    def inline_text(self, namer) -> str:
        """Its expression inside the later step of the same statement that consumed it."""
        return self.stmt.expr(namer, inline=True) + (".ok_or(ENOENT)?" if self.stmt.option
                                                     else "")


#: Frames that never read an event for the learner: the model's, the views', IPython's.
_NOT_READERS = ("kernelptr", "widgets", "IPython", "ipykernel", "tornado", "asyncio")


def _reader_scopes(module) -> list:
    """Where the learner reading an event names things: the innermost learner frame's
    locals (a comprehension's, then its function's) and globals, then `module`'s."""
    from .ownership import _INLINE

    scopes: list = []
    frame = sys._getframe(2)
    while frame is not None:
        top = frame.f_globals.get("__name__", "").split(".", 1)[0]
        if is_user_frame(frame) and top not in _NOT_READERS:
            local = frame.f_locals
            if local is not frame.f_globals:
                scopes.append(local)
            if frame.f_code.co_name not in _INLINE:
                scopes.append(frame.f_globals)
                break
        frame = frame.f_back
    space = getattr(module, "__dict__", None)
    if space is not None and all(space is not s for s in scopes):
        scopes.append(space)
    return scopes


_last_module: list = [None, None]     # id of a module's namespace, a weak reference to it


def _module_of(frame):
    """A weak reference to the module whose namespace is `frame`'s globals (None if none)."""
    space = frame.f_globals if frame is not None else None
    if space is None:
        return None
    key, ref = _last_module
    if key == id(space) and ref is not None and getattr(ref(), "__dict__", None) is space:
        return ref
    module = sys.modules.get(space.get("__name__"))
    if module is None or getattr(module, "__dict__", None) is not space:
        return None
    try:
        _last_module[:] = [id(space), weakref.ref(module)]
    except TypeError:
        return None
    return _last_module[1]


def _hold(o, location, local):
    """An operand as a `_Deferred` keeps it (None: one that must be named at once)."""
    t = type(o)
    if t is Code:
        return o
    if t is _Lazy:
        return Code(o.force())
    if t is _Ref:
        target = _hold(o.target, location, local)
        return None if target is None else _Ref(target, o.prefix)
    m = _model()
    if isinstance(o, m.Handle):
        return _Held(o, location, local)
    return o if isinstance(o, m.List) else None     # a list lives as long as its heap


def deferred(stmt, frame, location):
    """At emit, when nothing listens: the event's Rust as a `_Deferred`, written when it is
    first read, so that an operation pays for no naming. Written at once instead (as
    `emit_text` writes it) when it is plain text, a step inside a compound call or an
    implicit drop, or has an operand other than a handle or a list (a lock, a cursor, a
    queue may hold handles; such steps are rare)."""
    if not isinstance(stmt, Stmt) or _CONTEXT:
        step = capture(stmt)
        return stmt if step is None else emit_text(step, frame, location)
    local = frame.f_locals if frame is not None else None    # a function's variables
    if local is not None and local is frame.f_globals:
        local = None
    operands = []
    for o in stmt.operands:
        o = _hold(o, location, local)
        if o is None:
            return emit_text(capture(stmt), frame, location)
        operands.append(o)
    result = stmt.result
    own = _Namer(frame).binding(result) if getattr(result, "_label", None) else None
    ty = stmt.ty
    if ty is None and stmt.typed and stmt.has_result:
        ty = rust_type(result)
    stmt.operands = tuple(operands)
    _let_go(stmt)
    text = _Deferred(stmt, own, ty, _module_of(frame))
    if getattr(result, "_kp_weak_holder", False):
        object.__setattr__(result, "_kp_rust_expr", (location, text))
    return text


# -- recordings --------------------------------------------------------------------------------
class _Entry:
    __slots__ = ("event", "step", "binding", "resolved", "consumed", "opens_call")

    def __init__(self, event, step):
        self.event = event
        self.step = step
        self.opens_call = False         # the first step of its compound call
        self.binding = None
        self.resolved = step is None or not step.stmt.has_result
        self.consumed = False


_CODES: dict = {}       # text -> its Code: a recording's operands are a few names, repeated


def _code(text: str) -> Code:
    code = _CODES.get(text)
    if code is None:
        if len(_CODES) > 4096:
            _CODES.clear()
        code = _CODES[text] = Code(text)
    return code


def _detach(stmt: Stmt, texts: dict) -> None:
    """Replace `stmt`'s operands by the names they were given (so that it holds no
    handle)."""
    out = []
    for o in stmt.operands:
        if type(o) is _Ref:
            hit = texts.get(id(o.target))
            out.append(_Ref(_code(hit), o.prefix) if hit is not None else o)
        elif type(o) is _Lazy:
            out.append(Code(o.force()))
        else:
            hit = texts.get(id(o))
            out.append(_code(hit) if hit is not None and type(o) is not Code else o)
    stmt.operands = tuple(out)


def _let_go(stmt: Stmt) -> None:
    if stmt.result is not _NO and stmt.result is not None:
        stmt.result = _SOME


class _Bound(_Namer):
    """Operands rendered once (at emit) and replayed when the text is finally written."""

    def __init__(self, texts: dict):
        super().__init__()
        self.texts = texts

    def operand(self, o) -> str:
        hit = self.texts.get(id(o))
        return hit if hit is not None else super().operand(o)


class Transcript:
    """The Rust of a recording, step by step: operand names bound at each event, result
    names at the next one, temporaries of one Python statement folded into the step that
    consumes them. `Recording` feeds it; `texts()` and `lines()` read it."""

    #: How far back a temporary may have been made and still be folded in (one statement).
    _WINDOW = 8

    def __init__(self):
        self.entries: list[_Entry] = []
        #: location -> entries there that `settle` has still to name or let go of
        self._open: dict = {}
        self._calls: dict = {}          # id(compound call) -> its operands' names

    def add(self, event, step, names, frame) -> None:
        """At emit time: bind the step's operand names (and its call's, the first time)."""
        entry = _Entry(event, step)
        self.entries.append(entry)
        if step is None:
            return
        self._open.setdefault(event.location, []).append(entry)
        namer = _Namer(frame, names, inline=lambda o: self._temporary(o, event, step.call))
        texts = self._bind(step.stmt, namer)
        if step.implicit is not None:
            texts.update(self._bind(step.implicit.stmt, namer))
            _detach(step.implicit.stmt, texts)
        call = step.call
        if call is not None and id(call) not in self._calls:   # its first step
            entry.opens_call = True
            self._calls[id(call)] = self._bind(call.stmt, namer)
            _detach(call.stmt, self._calls[id(call)])
        _detach(step.stmt, texts)       # its statements hold the names now (memory per step)

    @staticmethod
    def _bind(stmt, namer) -> dict:
        texts = {}
        for o in stmt.operands:
            target = o.target if isinstance(o, _Ref) else o
            if not isinstance(target, Code):
                texts[id(target)] = namer.operand(target)
        return texts

    def _temporary(self, o, event, call) -> str | None:
        """If `o` is the unnamed result of an earlier step of the same statement (inside the
        same compound call, if any), that step's expression (and the step is marked
        consumed)."""
        for entry in reversed(self.entries[-self._WINDOW - 1:-1]):
            step = entry.step
            if step is None:
                continue
            other = step.call
            if other is not None and other is not call and other.ended:
                # the result of an earlier compound call of the same statement
                if entry.event.location != event.location:
                    return None
                if other.stmt.result is o and other.binding is None and not other.consumed:
                    other.consumed = other.resolved = True
                    result = other.stmt.result
                    _let_go(other.stmt)
                    texts = self._calls[id(other)]
                    return other.stmt.expr(_Bound(texts)) + (
                        ".ok_or(ENOENT)?" if other.stmt.option and result is not None else "")
                continue
            if entry.consumed or other is not call or step.stmt.unnamed:
                continue
            if entry.event.location != event.location:
                return None
            if step.stmt.result is o and entry.binding is None:
                entry.consumed = True
                entry.resolved = True
                return step.stmt.expr(_Bound(_EMPTY), inline=True) + (
                    ".ok_or(ENOENT)?" if step.stmt.option and o is not None else "")
        return None

    def settle(self, names, frame, location=None) -> None:
        """After a statement: the names its results are bound to now. Steps of the statement
        still running (at `location`) wait: `a, b = f(), g()` binds after both. The results
        are then let go of: a recording keeps no handle alive. Only the entries still open
        are visited, a line's at once, so that an event costs the same at any length of
        recording (and of a loop written on one line)."""
        namer = _Namer(frame, names)
        for where in [w for w in self._open if location is None or w != location]:
            still = [e for e in self._open.pop(where) if not self._settle(e, namer)]
            if still:
                self._open.setdefault(where, []).extend(still)

    @staticmethod
    def _settle(entry, namer) -> bool:
        """Name `entry`'s result and let go of it; False while its compound call runs."""
        stmt = entry.step.stmt
        if not entry.resolved:
            entry.binding = namer.binding(stmt.result)
            entry.resolved = True
        _let_go(stmt)
        call = entry.step.call
        if call is not None and call.ended and not call.resolved:
            call.binding = namer.binding(call.stmt.result)
            call.resolved = True
            _let_go(call.stmt)
        return call is None or call.resolved

    def texts(self) -> list[str]:
        """Each event's final Rust, in event order."""
        out = []
        for entry in self.entries:
            step = entry.step
            if step is None:
                out.append(entry.event.rust)
                continue
            namer = _Bound(self._calls.get(id(step.call), _EMPTY) if step.call else _EMPTY)
            out.append(step.text(namer, entry.binding, consumed=entry.consumed,
                                 call_binding=step.call.binding if step.call else None))
        return out

    def lines(self) -> list[str]:
        """The transcript: one statement per line, typed `let`s, each compound call once,
        temporaries folded into the statement that consumed them."""
        out = []
        for entry in self.entries:
            step = entry.step
            if step is None:
                if entry.event.rust:
                    out.append(entry.event.rust)
                continue
            if step.call is not None:
                if entry.opens_call and not step.call.consumed:
                    call = step.call
                    out.append(_finish(call.stmt, _Bound(self._calls[id(call)]), call.binding,
                                       typed=True, ty=call.ty))
                continue
            if entry.consumed:
                continue
            namer = _Bound(_EMPTY)
            if step.implicit is not None:
                out.append(step.text(namer, entry.binding))
            else:
                out.append(_finish(step.stmt, namer, entry.binding, typed=True, ty=step.ty))
        return out


def function(lines: list[str], name: str = "example") -> str:
    """Wrap statements into a function that parses: `fn example() -> Result { ..; Ok(()) }`."""
    body = "".join(f"    {line}\n" for line in lines)
    return f"fn {rust_ident(name)}() -> Result {{\n{body}    Ok(())\n}}\n"


# -- declarations ------------------------------------------------------------------------------
def _field_type(cls, field) -> tuple[str, bool]:
    """(Rust type, pinned) of one field of a `@kp.struct`."""
    special = getattr(cls, "_kp_special", {}).get(field)
    name = getattr(cls, "_kp_type_name", cls.__name__)
    if special is not None:
        kind = type(special).__name__
        if kind == "ListLinksSelfPtr":
            return f"ListLinksSelfPtr<{name}<dyn Trait>, {special.id}>", True
        if kind == "Work":
            return f"Work<{name}, {special.id}>", True
        if not hasattr(special, "id"):           # a marker such as PhantomPinned
            return repr(special), True
        return f"{kind}<{special.id}>", True
    from .struct import is_unpin

    ann = getattr(cls, "_kp_field_types", {}).get(field)
    # A field whose struct type is `!Unpin` (it holds links, a tracker, a lock...) is
    # structurally pinned: `tracked_by` delegation and `<-` initialisation need it `#[pin]`.
    pinned = getattr(ann, "_kp_struct", False) and not is_unpin(ann)
    return _annotation_type(ann), bool(pinned)


def _annotation_type(ann) -> str:
    from .traits.dynlist import Unsized

    if ann is Unsized:
        return "T"
    if isinstance(ann, type):
        return _PY_TYPES.get(ann.__name__, getattr(ann, "_kp_type_name", ann.__name__))
    text = ann if isinstance(ann, str) else repr(ann)
    text = text.replace("kp.", "").replace("[", "<").replace("]", ">")
    return _PY_TYPES.get(text, text)


def rust_decl(cls) -> str:
    """The Rust declaration a `@kp.struct` class stands for: the struct (with `#[pin_data]`
    and `#[pin]` where fields must not move) and the `impl_list_arc_safe!`,
    `impl_list_item!` and `impl_has_work!` lines its decorators model.

    >>> from kernelptr.list.example import Job
    >>> print(rust_decl(Job))
    #[pin_data]
    struct Job {
        n: i64,
        #[pin]
        links: ListLinks<0>,
    }
    <BLANKLINE>
    impl_list_arc_safe! {
        impl ListArcSafe<0> for Job { untracked; }
    }
    impl_list_item! {
        impl ListItem<0> for Job { using ListLinks { self.links }; }
    }
    """
    if not getattr(cls, "_kp_struct", False):
        from .errors import TypeMismatch

        raise TypeMismatch(f"rust_decl({cls!r}): not a @kp.struct class",
                           rule="only struct declarations have a Rust declaration to show",
                           fix="decorate the class with @kp.struct")
    name = getattr(cls, "_kp_type_name", cls.__name__)
    fields = [(f, *_field_type(cls, f)) for f in cls._kp_fields]
    generic = "<T: ?Sized>" if any(t == "T" for _, t, _ in fields) else ""
    pinned = any(p for _, _, p in fields) or bool(generic)
    lines = ["#[pin_data]"] if pinned else []
    lines.append(f"struct {name}{generic} {{")
    for field, ty, pin in fields:
        if pin or (generic and ty == "T"):
            lines.append("    #[pin]")
        if generic:
            ty = ty.replace(f"{name}<dyn Trait>", _dyn_self(cls, name))
        lines.append(f"    {rust_ident(field)}: {ty},")
    lines.append("}")
    macros = _macros(cls, name, generic)
    return "\n".join(lines) + ("\n\n" + "\n".join(macros) if macros else "")


def _dyn_self(cls, name: str) -> str:
    trait = _dyn_trait(cls)
    return f"{name}<dyn {trait}>" if trait else f"{name}<T>"


def _dyn_trait(cls) -> str | None:
    specs = cls.__dict__.get("_kp_dyn_specs", {})
    return next((t.__name__ for t in specs), None)


def _macros(cls, name: str, generic: str) -> list[str]:
    out = []
    self_ty = f"{name}<T>" if generic else name
    impl = "impl{T: ?Sized} " if generic else "impl "
    for id, (how, field) in sorted(cls.__dict__.get("_kp_list_arc_safe", {}).items()):
        body = "untracked;" if how == "untracked" else \
            f"tracked_by {rust_ident(field)}: {_field_type(cls, field)[0]};"
        out += ["impl_list_arc_safe! {",
                f"    {impl}ListArcSafe<{id}> for {self_ty} {{ {body} }}", "}"]
    for id, field in sorted(cls.__dict__.get("_kp_list_item", {}).items()):
        out += ["impl_list_item! {",
                f"    impl ListItem<{id}> for {name} {{ using ListLinks {{ "
                f"self.{rust_ident(field)} }}; }}", "}"]
    for trait_cls in cls.__dict__.get("_kp_dyn_specs", {}).values():
        for id, field in sorted(trait_cls.__dict__.get("_kp_list_item", {}).items()):
            out += ["impl_list_item! {",
                    f"    impl ListItem<{id}> for {trait_cls._kp_type_name} {{ using "
                    f"ListLinksSelfPtr {{ self.{rust_ident(field)} }}; }}", "}"]
    for id, field in sorted(cls.__dict__.get("_kp_has_work", {}).items()):
        out += ["impl_has_work! {",
                f"    impl HasWork<{name}, {id}> for {name} {{ self.{rust_ident(field)} }}",
                "}"]
    return out
