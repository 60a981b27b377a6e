# %% [md] slide
# # 06 · `#[vtable]`: C ops tables with NULL slots
#
# **You will learn**
# - why C ops tables (`file_operations`, ...) have optional callbacks;
# - what `#[vtable]` generates: a `HAS_<NAME>` constant per method;
# - how the table gets a NULL where the type defines nothing, and how the C side checks.

# %% slide
import kernelptr as kp

heap = kp.reset()

# %% [md]
# ## A trait whose methods are optional
# `@kp.vtable` on a trait adds `HAS_<NAME> = False` for every method; on an implementation
# `kp.impl_trait` sets `HAS_<NAME> = True` for each method the type defines.

# %%
@kp.vtable
class FileOps(kp.Trait):
    def open(self): ...
    def read(self, n): ...
    def write(self, data): ...
    def ioctl(self, cmd): ...

@kp.impl_trait(FileOps)
class RandomFile:
    def open(self):
        return 0
    def read(self, n):
        return bytes(range(n))

FileOps.HAS_READ, RandomFile.HAS_OPEN, RandomFile.HAS_READ, RandomFile.HAS_WRITE

# %% [md] subslide
# ## The C table
# `kp.c_vtable` builds what the kernel's abstraction hands to C: a function pointer where
# `HAS_X` is true and NULL elsewhere. Each C caller decides what a NULL slot means: `vfs_write`
# returns `-EINVAL` for a file without `write`, `vfs_ioctl` returns `-ENOTTY` (-25).

# %%
table = kp.c_vtable(FileOps, RandomFile, defaults={"ioctl": -25})
table.slots

# %% [md] subslide
# ## The C caller checks the slot
# C code tests each optional callback before calling it; an absent `write` gives `-EINVAL`,
# an absent `ioctl` `-ENOTTY`. The trait's default body never runs (in the kernel it is
# `build_error!(VTABLE_DEFAULT_ERROR)`).

# %%
f = RandomFile()
table.call("open", f), table.call("read", f, 4), table.call("write", f, b"x"), table.call("ioctl", f, 0x5401)

# %% [md] slide
# ## Exercise 1: a read-only file
# Write a class `MyFile` (no decorator) that defines only `open` and `read` for the
# check's `FileOps` (which also has `write` and `ioctl`).

# %% exercise
MyFile = ...  # your turn: replace with a class definition

# %% solution
class MyFile:
    def open(self):
        return 0
    def read(self, n):
        return b"\0" * n

# %% check
from kernelptr.course import checks
checks.ex06_only_open_and_read(MyFile)

# %% [md] subslide
# ## Exercise 2: calling a NULL slot
# What does the C caller (`vfs_write`) return when a file defines no `write`? Answer with the
# number `table.call("write", ...)` gives.

# %% exercise
WRITE_RESULT = ...  # your turn: a number

# %% solution
WRITE_RESULT = -22

# %% check
checks.ex06_null_slot(WRITE_RESULT)

# %% [md] slide
# ## Summary
# - `#[vtable]` (rust/macros/vtable.rs): trait side `const HAS_FOO: bool = false;`, impl
#   side `true` for each defined method; `USE_VTABLE_ATTR`.
# - The abstraction builds the C ops table with NULL where `HAS_FOO` is false; default
#   bodies call `build_error!(VTABLE_DEFAULT_ERROR)`.
# - Next: `07_case_study_todo_list`.
