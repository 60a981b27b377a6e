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
# ## Exercise 1: a write-only log device
# Write a class `LogFile` (no decorator) for the check's `FileOps` (`open`, `read`, `write`,
# `ioctl`): a log that can be opened (`open` returns 0) and written to (`write` takes every
# byte it is given and returns how many), and nothing else. Reading it or calling `ioctl` on
# it must fail in the C caller, without any Rust code running.

# %% exercise
LogFile = ...  # your turn: replace with a class definition

# %% solution
class LogFile:
    def open(self):
        return 0
    def write(self, data):
        return len(data)

# %% check
from kernelptr.course import checks
checks.ex06_write_only(LogFile)

# %% [md] subslide
# ## Exercise 2: a NULL `open`
# The cells above showed what `vfs_write` and `vfs_ioctl` return for a NULL slot. A driver's
# `file_operations` may leave `open` NULL too. What does opening such a file return (the
# value `open()` gives back to the caller)? Decide first; a wrong answer gets the rule, then
# where to look in the kernel, and the answer only after the third try.

# %% exercise
OPEN_RESULT = ...  # your turn: a number

# %% solution
OPEN_RESULT = 0

# %% check
checks.ex06_null_open(OPEN_RESULT)

# %% [md] slide
# ## Summary
# - `#[vtable]` (rust/macros/vtable.rs): trait side `const HAS_FOO: bool = false;`, impl
#   side `true` for each defined method; `USE_VTABLE_ATTR`.
# - The abstraction builds the C ops table with NULL where `HAS_FOO` is false; default
#   bodies call `build_error!(VTABLE_DEFAULT_ERROR)`.
# - Next: `07_case_study_todo_list`.
