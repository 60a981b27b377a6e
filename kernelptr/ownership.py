"""Rust ownership in Python: handles that can be moved, dropped, borrowed and forgotten.

Every Rust value the course shows (an `Arc`, a `ListArc`, a raw pointer, ...) is a *handle*
object. A method that takes `self` by value consumes its handle; any later use raises
`UseAfterMove` naming where it moved. Python's garbage collector never decides anything: a
handle Python collects while it still owns a count is *forgotten* (`core::mem::forget`), so
the count stays and `heap.leaks()` reports the object.
"""

from __future__ import annotations

import contextlib
import types

from . import unwind
from .errors import UseAfterFree, UseAfterMove
from .events import Location, is_user_frame, user_frame
from .heap import HeapObject, current_heap
from .interrupt import protect
from .types_ import safe_repr

__all__ = ["Handle", "drop", "scope", "name", "label_of"]


class Handle:
    """Base of every handle: one Rust value (`Arc<T>`, `ListArc<T, ID>`, ...) that refers to
    a heap object, with Rust's move semantics.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); a = kp.Arc.new(1, kp.GFP_KERNEL)
    >>> isinstance(a, kp.Handle), a.state, hex(a.address)
    (True, 'live', '0xffff888000001000')

    Subclasses set `kind` (shown in pictures) and `owning` (whether the handle owns one
    refcount). State is `live`, `moved` (consumed by a by-value method) or `dropped`.
    """

    kind = "Handle"
    owning = True
    _kp_weak_holder = True   # a heap object's ListArc-holder table does not keep it alive
    _id = None          # the list ID of a ListArc
    _vtable = None      # the vtable of a fat pointer (`Arc<dyn Trait>`)
    _dyn_name = None    # the trait of a fat pointer

    def __init__(self, obj: HeapObject | None, *, heap=None):
        heap = heap if heap is not None else (obj.heap if obj is not None else current_heap())
        object.__setattr__(self, "_heap", heap)
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_state", "live")
        object.__setattr__(self, "_moved_at", None)
        object.__setattr__(self, "_moved_by", None)
        object.__setattr__(self, "_label", None)
        object.__setattr__(self, "_inside", None)   # (container description) when owned by a value
        object.__setattr__(self, "_serial", heap._register(self))
        if self.owning and obj is not None:
            obj.owners.add(self)
            obj.touch()

    # -- state checks ----------------------------------------------------------------------
    def _who(self) -> str:
        label = label_of(self)
        return f"`{label}` ({self.type_str()})" if label else f"this {self.type_str()}"

    #: How to keep another reference before a move (the fix of a use-after-move error).
    _another_reference = "call .clone()"

    def type_str(self) -> str:
        """The Rust type of this handle, e.g. `Arc<Job>`."""
        return f"{self.kind}<{self._pointee_name()}>"

    def _pointee_name(self) -> str:
        """The pointee's type as `type_str` shows it (`dyn Trait` for a fat pointer)."""
        obj = self._obj
        return obj.type_name if obj is not None else "?"

    def _check(self, op: str) -> HeapObject:
        """Raise unless this handle may be used for `op`; return its object."""
        protect()
        if self._heap._retired:
            self._heap._require_current(f"{op} on {self.type_str()}")
        if self._state != "live":
            where = f" at {self._moved_at}" if self._moved_at else ""
            source = self._moved_at.source if self._moved_at else ""
            code = f" (`{source}`)" if source else ""
            by = f" by {self._moved_by}" if self._moved_by else ""
            verb = "dropped" if self._state == "dropped" else "moved"
            raise UseAfterMove(
                f"use of {verb} value: {self._who()} was {verb}{where}{code}{by}; "
                f"{op} needs it",
                rule="a method that takes `self` by value consumes the handle; the old name "
                     "cannot be used afterwards",
                rustc="error[E0382]: borrow of moved value",
                fix=f"use the value the consuming call returned, or {self._another_reference} "
                    "before moving it if you need another reference",
            )
        obj = self._obj
        if obj is not None and obj.freed:
            raise UseAfterFree(
                f"use after free: {self._who()} points at {obj.address:#x}, which was freed "
                f"at step {obj.freed_step}; {op} needs it",
                rule="an object is freed when its last reference is dropped; nothing may "
                     "reach it afterwards",
                fix="keep a counted reference (an Arc) alive for as long as you use it",
            )
        return obj

    def _consume(self, op: str, state: str = "moved") -> HeapObject:
        """Mark this handle moved (or dropped) by `op`; it must be usable. Returns its object."""
        obj = self._check(op)
        self._retire(state, op)
        return obj

    def _retire(self, state: str, op: str) -> None:
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_moved_at", Location.of(user_frame(2)))
        object.__setattr__(self, "_moved_by", op)
        if self._obj is not None:
            self._obj.owners.discard(self)
            self._obj.touch()
        holder = getattr(self._inside[0], "_kp_obj", None) if self._inside else None
        if holder is not None:      # a field of that object changed: its picture too
            holder.touch()

    def _transfer(self, op: str, **kw) -> "Handle":
        """Move this handle: the same reference continues in a new handle object."""
        obj = self._check(op)
        new = self._clone_handle(obj, **kw)
        self._retire("moved", op)
        return new

    def _clone_handle(self, obj, **kw) -> "Handle":
        return type(self)(obj)

    @property
    def address(self) -> int | None:
        """The address of the object this handle points at (its ArcInner)."""
        return self._obj.address if self._obj is not None else None

    @property
    def state(self) -> str:
        """`live`, `moved` or `dropped`."""
        return self._state

    def is_live(self) -> bool:
        return self._state == "live"

    # -- dropping --------------------------------------------------------------------------
    def drop(self) -> None:
        """Drop this handle (Rust `drop(x)`): give up what it owns."""
        self._check(f"drop({self.type_str()})")
        self._retire("dropped", "drop")

    def __del__(self):
        try:
            obj = self._obj
            if self.owning and self._state == "live" and obj is not None and not obj.freed:
                # INVARIANT: a reference Python forgot still counts (core::mem::forget).
                obj.forgotten += 1
                obj.owners.discard(self)
                obj.touch()
        except Exception:  # interpreter shutdown: nothing left to account for
            pass

    def __setattr__(self, key, value):
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            self._assign(key, value)

    def _assign(self, key, value):
        raise AttributeError(f"cannot assign {key!r} on {self.type_str()}")

    def __repr__(self) -> str:
        obj = self._obj
        if self._state != "live":
            return f"{self.type_str()}({self._state})"
        if obj is None:
            return f"{self.type_str()}(null)"
        if obj.freed:
            return f"{self.type_str()}(@{obj.address:#x}, freed)"
        return f"{self.type_str()}(@{obj.address:#x}, refcount={_count_text(obj)})"


def _count_text(obj: HeapObject) -> str:
    return "SATURATED" if obj.refcount.saturated else str(obj.refcount.read())


def drop(handle) -> None:
    """Rust `drop(x)`: consume a handle (or a list, lock guard, or anything with `drop`)."""
    if not callable(getattr(type(handle), "drop", None)):
        from .errors import TypeMismatch

        raise TypeMismatch(
            f"drop({handle!r}): that value owns nothing to give back",
            rule="drop(x) ends the life of an owner (a handle, a list, a guard); plain "
                 "values need no drop in the model",
            fix="drop the handle that owns the object")
    handle.drop()


# -- scopes ------------------------------------------------------------------------------
class _Scope:
    def __init__(self, heap):
        self.heap = heap
        self.start = heap._serial
        self.kept: set[int] = set()
        self.start_lists = len(heap.lists)
        self.start_trees = len(heap.trees)

    def keep(self, handle):
        """Let `handle` outlive the block (like returning it from a Rust block)."""
        self.kept.add(handle._serial)
        return handle


@contextlib.contextmanager
def scope():
    """A Rust block: when it ends, every handle created inside and still owned is dropped,
    newest first, and so is every list and RBTree created inside.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> with kp.scope():
    ...     a = kp.Arc.new("x", kp.GFP_KERNEL)
    ...     b = a.clone()
    >>> heap.free_count
    1
    """
    heap = current_heap()
    s = _Scope(heap)
    try:
        yield s
    except BaseException as error:
        # Unwinding: the block's own exception is the first panic; a destructor that panics
        # now makes it an abort (see kernelptr.unwind).
        unwind.caught(error)
        _leave(heap, s)
        raise
    _leave(heap, s)


def _leave(heap, s) -> None:
    """The end of a `scope()` block: drop what it still owns, newest first, every drop even
    if one of them panics; then raise what was caught."""
    from .rust import implicit

    with implicit("end of scope"):
        for lst in reversed(heap.lists[s.start_lists:]):
            if not lst._dropped and lst._inside is None:
                unwind.drop_unwinding(lst)
        for tree in reversed(heap.trees[s.start_trees:]):
            if not tree._dropped and tree._inside is None:
                unwind.drop_unwinding(tree)
        for serial in sorted((k for k in list(heap._handles.keys()) if k > s.start),
                             reverse=True):
            h = heap._handles.get(serial)
            if h is None or serial in s.kept or h._inside is not None:
                continue
            if h._state == "live" and (h.owning or getattr(h, "_scope_drop", False)):
                if h._obj is None or not h._obj.freed:
                    unwind.drop_unwinding(h)
    unwind.resume()


# -- names -------------------------------------------------------------------------------
def name(handle, label: str):
    """Give a handle (or list) the label pictures use, instead of its variable's name."""
    from .errors import TypeMismatch

    if not isinstance(handle, Handle) and not getattr(type(handle), "_kp_labelled", False):
        raise TypeMismatch(f"kp.name({safe_repr(handle)}, ...): only handles and lists have "
                           "labels",
                           rule="pictures label handles, lists, raw pointers and locks",
                           fix="name the handle: kp.name(a, 'job')")
    if not isinstance(label, str) or not label:
        raise TypeMismatch(f"kp.name(..., {safe_repr(label)}): a label is a non-empty string",
                           rule="a label is the name a picture shows, like a variable's",
                           rustc="error[E0308]: mismatched types (expected `&str`)",
                           fix="kp.name(a, 'job')")
    object.__setattr__(handle, "_label", label)
    return handle


_EXPANDERS: list = []   # functions (name, value) -> iterable of (label, value) one level down


def register_expander(fn) -> None:
    """Let names inside a kind of container be found (e.g. the list inside a SpinLock)."""
    _EXPANDERS.append(fn)


#: Values that can never hold a handle: skipped at once (names are looked up every event).
_PLAIN = (int, float, str, bytes, bool, type(None), type, types.ModuleType, types.FunctionType,
          types.BuiltinFunctionType, types.MethodType)


class Names(dict):
    """`names_in`'s answer: id(handle or list) -> (variable name, value), and in `frames`
    id -> the Python frame that name belongs to (`""` for module level, else the function's
    name)."""

    def __init__(self):
        super().__init__()
        self.frames: dict[int, str] = {}


_SKIP, _NAMED, _SEQUENCE, _MAPPING, _OTHER = range(5)
_KINDS: dict = {}       # type -> how `_walk` treats its values (asked for every variable)


def _kind(t: type) -> int:
    """How `_walk` treats values of type `t` (looked up in `_KINDS` first, in line)."""
    if issubclass(t, _PLAIN):
        kind = _SKIP
    elif issubclass(t, Handle) or getattr(t, "_kp_labelled", False):
        kind = _NAMED
    elif issubclass(t, (list, tuple)):
        kind = _SEQUENCE
    elif issubclass(t, dict):
        kind = _MAPPING
    else:
        kind = _OTHER
    if len(_KINDS) > 4096:              # a long session defines many classes
        _KINDS.clear()
    _KINDS[t] = kind
    return kind


def _walk(name: str, value, out: Names, depth: int, where: str = "", kind=None) -> None:
    if kind is None:
        kind = _kind(type(value))
    if kind == _SKIP or id(value) in out:
        return
    if kind == _NAMED:
        out[id(value)] = (name, value)
        out.frames[id(value)] = where
        if not isinstance(value, Handle):
            for fn in _EXPANDERS:
                for sub_name, sub in fn(name, value):
                    _walk(sub_name, sub, out, depth + 1, where)
        return
    if depth >= 2:
        return
    if kind == _SEQUENCE:
        items = enumerate(value[:64])
    elif kind == _MAPPING and len(value) <= 64:
        items = ((repr(k), v) for k, v in value.items())
    else:
        for fn in _EXPANDERS:
            for sub_name, sub in fn(name, value):
                _walk(sub_name, sub, out, depth + 1, where)
        return
    for k, v in items:
        sub = _KINDS.get(type(v))
        if sub is None:
            sub = _kind(type(v))
        if sub != _SKIP:                # no name is made for what cannot hold a handle
            _walk(f"{name}[{k}]", v, out, depth + 1, where, sub)


#: Frames that belong to the function around them: a comprehension or generator expression
#: (a frame of its own before Python 3.12) names its variables in its function's frame.
_INLINE = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>")


def _learner_frames(frame, limit: int) -> list:
    """The learner's frames from `frame` outwards (at most `limit`), skipping the model's,
    the views' and IPython's own."""
    found = []
    while frame is not None and len(found) < limit:
        mod = frame.f_globals.get("__name__", "").split(".", 1)[0]
        if is_user_frame(frame) and mod not in ("IPython", "ipykernel", "tornado", "asyncio"):
            found.append(frame)
        frame = frame.f_back
    return found


def _frame_names(frames) -> list[str]:
    """The name of each of `frames` (innermost first) as pictures show it: `""` for module
    level (a notebook's globals), else the function's name, numbered from the outermost call
    when a function is active more than once (`walk`, `walk#2`); a comprehension's frame
    takes its function's name (so Python 3.10 and 3.14 name the same variables alike)."""
    names: list = []
    seen: dict = {}
    for f in reversed(frames):          # outermost first, so numbering is stable
        if f.f_locals is f.f_globals:
            names.append("")
            continue
        base = f.f_code.co_name
        if base in _INLINE:
            names.append(names[-1] if names else "")
            continue
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return names[::-1]


def names_in(frame, limit: int = 4) -> Names:
    """Map id(handle or list) -> (variable name, value) over the user's frames, inner first
    (the innermost name of a value wins). `.frames` maps the same ids to the Python frame
    of each name: `""` for module level (a notebook's globals), the function's name for a
    local (see `_frame_names`), so two variables called `a` in different frames stay two
    things."""
    out = Names()
    seen_globals = False
    frames = _learner_frames(frame, limit)
    for frame, where in zip(frames, _frame_names(frames)):
        scopes = [(frame.f_locals, where)]
        if frame.f_locals is not frame.f_globals and not seen_globals:
            scopes.append((frame.f_globals, ""))
        if frame.f_locals is frame.f_globals:
            seen_globals = True
        for ns, place in scopes:
            for key, value in list(ns.items()):
                if key[:1] == "_" or key == "In" or key == "Out":
                    continue
                try:
                    kind = _KINDS.get(type(value))
                    if kind is None:
                        kind = _kind(type(value))
                    if kind != _SKIP:
                        _walk(key, value, out, 0, place, kind)
                except Exception:   # a learner's object whose __getattr__ or __repr__ raises
                    continue
    return out


def label_of(thing) -> str | None:
    """The label of a handle or list: its `kp.name`, else the learner's variable name."""
    if thing._label:
        return thing._label
    entry = names_in(user_frame(2)).get(id(thing))
    return entry[0] if entry else None


# -- reachability ------------------------------------------------------------------------
def _fields_of(value):
    """The values a struct or lock holds (its `_kp_values`), looked up on the type so that a
    learner's `__getattr__` is never called; None for anything else."""
    fields = getattr(type(value), "_kp_values", None)
    return None if fields is None else list(fields(value))


def _parts(value):
    """What a value directly contains, for the walks below (never raises)."""
    try:
        fields = _fields_of(value)
        if fields is not None:
            return fields
        if isinstance(value, (list, tuple)):
            return list(value)
        if isinstance(value, dict):
            return list(value.values())
    except Exception:       # a learner's container that fails to iterate holds nothing
        pass
    return ()


def handles_inside(value):
    """Owning handles stored inside a value (struct fields, lock contents, containers), at
    any depth: the walk is iterative and visits each container once."""
    stack, seen = [value], set()
    while stack:
        v = stack.pop()
        if isinstance(v, Handle):
            if v.owning and v._state == "live":
                yield v
            continue
        if isinstance(v, _PLAIN) or id(v) in seen:
            continue
        seen.add(id(v))
        stack.extend(reversed(_parts(v)))


def roots_of(heap):
    """Objects held from outside the heap: live handles not stored in any object (a handle
    in a lock or container inside an object is reached through that object), lists, raw
    pointers and anything else that holds a count (a queue)."""
    inside = {id(h) for o in heap._objects.values() for h in handles_inside(o.value)}
    for h in heap.handles():
        if h.owning and h._state == "live" and h._obj is not None and id(h) not in inside:
            yield h._obj
    for obj in heap.objects():
        if obj.held:
            yield obj


#: Destructors nest this deep before the rest are queued: a chain of 100,000 Arcs, each in
#: a field of the next, is dropped without recursing 100,000 times (Python's stack would
#: overflow); each nested drop costs about eight frames.
DROP_DEPTH = 32
_queued: list = []      # field lists whose drop waits for the outermost destructor


def drop_value(value) -> None:
    """Run a value's destructor: its `drop` method (an `impl Drop`), then its fields' drops
    in declaration order (lists, locks and handles it owns).

    It never raises: an exception from the learner's code (an `impl Drop` that raises) is
    caught and raised again once the operation has finished (`kernelptr.unwind`), after the
    remaining fields were dropped, as Rust's drop glue does. Nesting is bounded: beyond
    `DROP_DEPTH` nested destructors, fields wait in a queue that the outermost destructor
    empties, depth first, so the deepest objects of a very long chain are freed a little
    out of Rust's order.
    """
    items = _destructor(value)
    if unwind._depth[0] >= DROP_DEPTH:
        _queued.append(items)
        return
    unwind.begin()
    try:
        _drop_all(items)
        if unwind._depth[0] == 1:
            _drain()
    finally:
        unwind.end()


def _destructor(value) -> list:
    """Run `impl Drop` for a struct (catching a panic); return the fields to drop next."""
    hook = getattr(type(value), "drop", None)
    if getattr(type(value), "_kp_struct", False) and callable(hook):
        unwind.begin()
        try:
            hook(value)
        except BaseException as error:      # a panicking destructor: keep unwinding
            unwind.caught(error)
        finally:
            unwind.end()
    return list(_parts(value)) if not isinstance(value, (Handle, _PLAIN)) else []


def _drop_all(items) -> None:
    for v in items:
        try:
            if isinstance(v, Handle):
                if v._state == "live":
                    v.drop()
            elif callable(getattr(type(v), "_kp_drop_in_place", None)):
                v._kp_drop_in_place()
            elif not isinstance(v, _PLAIN) and (_fields_of(v) is not None or
                                                isinstance(v, (list, tuple, dict))):
                drop_value(v)
        except BaseException as error:      # raised by a nested destructor: keep going
            unwind.caught(error)


def _drain() -> None:
    """Drop the queued fields, each batch before its successors and after the batches it
    queues itself (depth first)."""
    while _queued:
        batch = _queued.pop(0)
        mark = len(_queued)
        _drop_all(batch)
        if len(_queued) > mark:        # what this batch queued goes first
            _queued[:] = _queued[mark:] + _queued[:mark]
