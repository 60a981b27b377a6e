"""Checks of notebook 06 (C vtables): a write-only device; what a NULL `open` means."""

from __future__ import annotations

from ...errors import KernelPtrError
from ...traits import Trait, c_vtable, impl_trait, vtable
from ..attempt import Hint, attempt
from ..runner import escalate, exercise
from ._common import fresh

__all__ = ["ex06_write_only", "ex06_null_open", "FileOps", "VFS_NULL"]

EINVAL, ENOTTY = 22, 25

#: What the VFS does when a `file_operations` slot is NULL: `do_dentry_open` skips a NULL
#: `open` (the open succeeds), `vfs_read`/`vfs_write` fail with -EINVAL, `vfs_ioctl` with
#: -ENOTTY (fs/open.c, fs/read_write.c, fs/ioctl.c).
VFS_NULL = {"open": 0, "read": -EINVAL, "write": -EINVAL, "ioctl": -ENOTTY}


@vtable
class FileOps(Trait):
    """A C `file_operations`-like table of the notebook 06 exercises: every method is
    optional."""

    def open(self): ...

    def read(self, n): ...

    def write(self, data): ...

    def ioctl(self, cmd): ...


@exercise
def ex06_write_only(LogFile):
    """`LogFile` is a write-only log device: it defines `open` (0) and `write` (takes every
    byte: returns len(data)) and nothing else, so its C table has NULL read and ioctl."""
    if LogFile is None or LogFile is Ellipsis:
        raise NotImplementedError
    if not isinstance(LogFile, type):
        raise Hint("LogFile must be a class (no decorator: the check implements FileOps).")
    try:
        impl_trait(FileOps)(LogFile)
    except KernelPtrError as err:
        raise Hint(f"kp.impl_trait(FileOps) refused LogFile: {err.what}.") from None
    has = {n: getattr(LogFile, f"HAS_{n.upper()}") for n in ("open", "read", "write", "ioctl")}
    extra = [n for n in ("read", "ioctl") if has[n]]
    if extra:
        raise Hint(f"LogFile defines {', '.join(extra)}: a method you define, even one that only "
                   "returns an error, fills its slot and the C side calls it. Leave it out: the "
                   "slot stays NULL and the VFS answers for it.")
    missing = [n for n in ("open", "write") if not has[n]]
    if missing:
        inherited = [n for n in missing if hasattr(LogFile, n)]
        raise Hint(f"LogFile must define {', '.join(missing)} in its own body" +
                   (" (an inherited method is not in this impl block, so its slot stays NULL)"
                    if inherited else "") + ".")
    with fresh():
        table = c_vtable(FileOps, LogFile, defaults=VFS_NULL)
        f = LogFile()
        opened = attempt(table.call, "open", f).result
        if opened != 0:
            raise Hint(f"open returned {opened!r}; a successful open returns 0.")
        for data in (b"hello", b"kernel log\n"):
            wrote = attempt(table.call, "write", f, data).result
            if wrote != len(data):
                raise Hint(f"writing {len(data)} bytes returned {wrote!r}: return how many "
                           "bytes were taken (all of them).")
        if attempt(table.call, "read", f, 4).result != VFS_NULL["read"]:
            raise Hint("reading should fail with -EINVAL from the C side.")
    nulls = sorted(n for n, slot in table.slots.items() if slot is None)
    return f"HAS_OPEN and HAS_WRITE are True; the C table has NULL in {', '.join(nulls)}, and " \
           "the VFS answers -EINVAL / -ENOTTY for them without calling anything."


@exercise
def ex06_null_open(answer):
    """What opening a file returns when its driver's `file_operations` has no `open`."""
    if answer is None or answer is Ellipsis:
        raise NotImplementedError

    class OnlyRead:
        def read(self, n):
            return b"\0" * n

    impl_trait(FileOps)(OnlyRead)
    actual = c_vtable(FileOps, OnlyRead, defaults=VFS_NULL).call("open", OnlyRead())
    if not isinstance(answer, int) or isinstance(answer, bool):
        raise Hint("answer with a number (what the open() system call returns).")
    if answer == actual:
        return f"{actual}: a NULL open means there is nothing to prepare, so the VFS skips it " \
               "and the open succeeds. Each C caller decides what its NULL slot means."
    rules = {-EINVAL: "-EINVAL is what vfs_write says for a NULL write: a file that cannot be "
                      "written must refuse writes. Must a file do something to be opened?",
             -ENOTTY: "-ENOTTY is vfs_ioctl's answer for a NULL ioctl. Each C caller decides "
                      "what its NULL slot means: must a file do something to be opened?",
             EINVAL: "kernel functions return negative error codes; and is a NULL open an "
                     "error at all?"}
    raise escalate(
        rule=rules.get(answer, "each C caller decides what a NULL slot means: ask whether a "
                               "file must do anything at all to be opened."),
        pointer="read do_dentry_open() in fs/open.c: find where it calls f_op->open, and what "
                "it does when that pointer is NULL.",
        answer=str(actual), why="do_dentry_open calls f_op->open only when it is set; a "
                                "NULL open skips the call and the open succeeds.")
