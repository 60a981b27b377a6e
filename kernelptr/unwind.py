"""Learner code that raises inside a destructor: Rust's unwinding, as the model plays it.

Rust code that panics unwinds: each value still owned on the way out is dropped, and a
destructor that panics does not stop the others (the drop glue goes on with the remaining
fields). A second panic while one is unwinding aborts the process. The kernel is built with
`panic=abort`, so there a panic is an oops and nothing unwinds at all; the model unwinds
like userspace Rust instead, so that a learner's `drop()` or `run()` that raises leaves the
simulated heap consistent, and then re-raises the learner's own exception with its own
traceback.

The model applies it this way: an exception raised by an `impl Drop` (or anything else a
destructor runs) is *caught* (`caught`) and the destruction carries on; when the operation
that started it has finished its bookkeeping and recorded its event, the exception is
raised again (`resume`). Two or more of them in one operation raise `kp.Abort` (from the
first), as Rust aborts on a panic during unwinding.
"""

from __future__ import annotations

__all__ = ["caught", "resume", "begin", "end", "drop_unwinding", "unwind_out_of"]

_panics: list = []
_depth = [0]        # destructors running now (nested `drop_value` calls)


def begin() -> None:
    """A destructor starts: panics caught from here wait for the outermost one to end."""
    _depth[0] += 1


def end() -> None:
    """The destructor that `begin` announced has finished."""
    _depth[0] -= 1


def drop_unwinding(owner) -> None:
    """Drop `owner` (a handle, a list) as part of unwinding: a panic it raises is caught,
    not propagated, and raised by `resume` with the others."""
    begin()
    try:
        owner.drop()
    except BaseException as error:
        caught(error)
    finally:
        end()


def unwind_out_of(where: str, error: BaseException, owner) -> None:
    """`error` unwinds out of `where` (a method, the worker), which owned `owner`: drop it on
    the way out, then raise `error` (or `kp.Abort`, when that drop panicked too). Inside a
    destructor, the raise waits for the outermost one (`resume`)."""
    from .rust import implicit

    caught(error)
    try:
        with implicit(f"unwinding out of {where}"):
            drop_unwinding(owner)
        resume()
    finally:
        # No cycle (this frame -> `error` -> its traceback -> this frame) that would keep
        # `owner`'s handle alive until the next full collection (as `except ... as` does).
        del error, owner


def caught(error: BaseException) -> None:
    """Keep `error` (raised by learner code during a destructor) until `resume`."""
    if not any(error is p for p in _panics):
        _panics.append(error)


def resume() -> None:
    """Raise the panics caught so far, once no destructor is running any more: the single
    panic itself, or `kp.Abort` when a destructor panicked while another panic unwound."""
    if _depth[0] or not _panics:
        return
    first, more = _panics[0], len(_panics) - 1
    _panics.clear()
    try:
        if not more:
            raise first
        from .errors import Abort

        raise Abort(
            f"a destructor raised {type(first).__name__} and {more} more panic(s) happened "
            "while it unwound: Rust aborts the process when a destructor panics during "
            "unwinding",
            rule="drop() must not panic; a panic while another one unwinds aborts (and the "
                 "kernel, built with panic=abort, already stops at the first panic)",
            fix="make drop() infallible: no raise, no unwrap in a destructor") from first
    finally:
        # No cycle (this frame -> `first` -> its traceback -> this frame) that would keep
        # the handles in the traceback's frames alive until the next full collection.
        del first
