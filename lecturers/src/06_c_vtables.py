# %% [md] slide
# # 06 · `#[vtable]`: C ops tables with NULL slots
#
# **You will learn**
# - why C-to-Rust dispatch (`file_operations` and friends) cannot use trait objects: C
#   decides what the table looks like;
# - how the kernel builds the C table by hand, generic over the implementing type, with a
#   safe trait on top;
# - what `#[vtable]` generates (a `HAS_<NAME>` constant per method) and how a NULL slot
#   comes about;
# - what the C caller does with a NULL slot, which differs from slot to slot.

# %% [md] notes
# **Speaker notes.** Say: 05 was Rust calling Rust through rustc's vtables. Here C calls
# Rust, through a table whose layout C fixed decades ago; the design document's last section
# says trait objects do not help there. Ask: "Who calls a driver's `read`?" (the VFS, in C,
# through `file->f_op->read`).

# %%
import kernelptr as kp
import widgets

heap = kp.reset()

# %% [md] slide
# ## When C owns the vtable
# A C subsystem calls drivers through a struct of function pointers that **it** defines.
# The VFS calls a file's operations through `struct file_operations` (include/linux/fs.h),
# in the spirit of:
#
# ```c
# struct file_operations {
#         int     (*open)(struct inode *, struct file *);
#         ssize_t (*read)(struct file *, char __user *, size_t, loff_t *);
#         ssize_t (*write)(struct file *, const char __user *, size_t, loff_t *);
#         long    (*unlocked_ioctl)(struct file *, unsigned int, unsigned long);
#         /* ... a few dozen more, most of them optional ... */
# };
# ```
#
# A Rust `dyn Trait` vtable cannot stand in for it: its layout belongs to rustc
# (`drop_in_place`, `size`, `align`, then the methods, with Rust's calling convention), and
# it has no NULLs, since every method has a body. So the kernel **writes the C table itself**:
# `unsafe extern "C"` functions with C's signatures, generic over the Rust type that
# implements a safe trait, collected in one `const` table per type. Only generics, no trait
# objects. (Binder fills its own `file_operations` this way, leaving the rest zeroed.)

# %% [md] notes
# **Speaker notes.** Say: the C side only ever sees a pointer to a `const` struct; which
# Rust type stands behind it was decided at compile time, per type, by monomorphisation.
# Ask: "Why is a NULL slot better for C than a function that returns an error?" (the C
# caller can pick its own default, and can tell "not supported" from "failed").

# %% [md] slide
# ## A trait whose methods are optional: `#[vtable]`
# `#[vtable]` (`rust/macros/vtable.rs`) on the trait adds `const HAS_<NAME>: bool = false;`
# for every method; on an `impl` it adds `const HAS_<NAME>: bool = true;` for every method
# that impl block defines. A default body is never meant to run: it is
# `build_error!(VTABLE_DEFAULT_ERROR)`. (Simplified from `rust/kernel/miscdevice.rs`.)
#
# ```rust
# #[vtable]
# pub trait FileOps: Sized {
#     fn open(&self) -> Result { build_error!(VTABLE_DEFAULT_ERROR) }
#     fn read(&self, buf: &mut [u8]) -> Result<usize> { build_error!(VTABLE_DEFAULT_ERROR) }
#     fn write(&self, data: &[u8]) -> Result<usize> { build_error!(VTABLE_DEFAULT_ERROR) }
#     fn ioctl(&self, cmd: u32) -> Result<isize> { build_error!(VTABLE_DEFAULT_ERROR) }
# }
#
# struct RandomFile;
#
# #[vtable]
# impl FileOps for RandomFile {
#     fn open(&self) -> Result { Ok(()) }
#     fn read(&self, buf: &mut [u8]) -> Result<usize> { /* fill buf */ Ok(buf.len()) }
# }
# ```
# `@kp.vtable` and `kp.impl_trait` do the same to the Python classes.

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

FileOps.HAS_OPEN, FileOps.HAS_READ, FileOps.HAS_WRITE, FileOps.HAS_IOCTL

# %% [md] notes
# **Speaker notes.** Say: the macro reads only the tokens of the block it decorates; it
# knows nothing about what other code defines. Ask: "If `RandomFile` got `write` from
# somewhere else (a blanket impl, a Python base class), would the macro see it?"

# %% [md] subslide
# What the macro added, written out (the trait's four consts are the ones printed above):
#
# ```rust fragment=trait-items
# const USE_VTABLE_ATTR: ();
# const HAS_OPEN: bool = false;
# const HAS_READ: bool = false;
# const HAS_WRITE: bool = false;
# const HAS_IOCTL: bool = false;
# ```
# In `impl FileOps for RandomFile` the macro writes `const USE_VTABLE_ATTR: () = ();` and one
# `const HAS_<NAME>: bool = true;` per method the block defines.

# %% [md] subslide
# ## Predict: which slots are NULL?
# The abstraction fills a slot with a function pointer where `T::HAS_<NAME>` is true and
# leaves it NULL elsewhere. Which slots of `RandomFile`'s table are NULL?

# %%
widgets.Predict("Which slots of the C table for `RandomFile` are NULL?",
                lambda: kp.c_vtable(FileOps, RandomFile),
                answer=lambda table: ", ".join(n for n, s in table.slots.items() if s is None)
                or "none",
                choices=["none", "open, read", "write, ioctl", "read, write, ioctl"],
                hints=["the impl's HAS_<NAME> constants decide, and the macro sets one to "
                       "true for each method the impl block defines.",
                       "look at the Rust impl above: which methods does its block define?"])

# %% [md] slide
# ## The C table, drawn
# `kp.c_vtable(FileOps, RandomFile)` builds what the abstraction hands to C. In the kernel
# it is a `const` of the C struct, one per implementing type, chosen slot by slot from the
# `HAS_` consts (the pattern of `MiscdeviceVTable` in `rust/kernel/miscdevice.rs`):
#
# ```rust
# struct OpsTable<T: FileOps>(PhantomData<T>);
#
# impl<T: FileOps> OpsTable<T> {
#     /// # Safety
#     /// `file` is a file opened through this table.
#     unsafe extern "C" fn read(file: *mut bindings::file, buf: *mut u8, len: usize,
#                               pos: *mut i64) -> isize {
#         /* find the T in the file's private data, call T::read, turn Err into -errno */
#         todo!()
#     }
#     /* open, write and ioctl alike */
#
#     const VTABLE: bindings::file_operations = bindings::file_operations {
#         open: Some(Self::open),
#         read: if T::HAS_READ { Some(Self::read) } else { None },
#         write: if T::HAS_WRITE { Some(Self::write) } else { None },
#         unlocked_ioctl: if T::HAS_IOCTL { Some(Self::ioctl) } else { None },
#         // SAFETY: all zeroes (NULL everywhere) is a valid `file_operations`.
#         ..unsafe { MaybeUninit::zeroed().assume_init() }
#     };
# }
# ```

# %% subslide
table = kp.c_vtable(FileOps, RandomFile, defaults={"ioctl": -25})
widgets.draw_c_vtable(table)

# %% [md] notes
# **Speaker notes.** Show: the arrows are the only places where C can enter Rust code for
# this file. Ask: "Where is the trait's default body in this picture?" (nowhere: nothing
# points at it).

# %% [md] subslide
# ## The C caller checks the slot
# C tests an optional pointer before calling it, and each caller picks its own answer for
# NULL. `vfs_write` (fs/read_write.c) goes roughly like this, and `vfs_ioctl` (fs/ioctl.c)
# answers `-ENOTTY` ("not a typewriter": no such ioctl) when `unlocked_ioctl` is NULL:
#
# ```c
# if (file->f_op->write)
#         ret = file->f_op->write(file, buf, count, pos);
# else if (file->f_op->write_iter)
#         ret = new_sync_write(file, buf, count, pos);
# else
#         ret = -EINVAL;
# ```
# `table.call(name, ...)` plays the C caller: no Rust code runs for a NULL slot.

# %%
f = RandomFile()
table.call("open", f), table.call("read", f, 4), table.call("write", f, b"x"), \
    table.call("ioctl", f, 0x5401)

# %% [md] slide
# ## A `HAS_` const written by hand is kept
# The macro skips a `HAS_<NAME>` that the block already declares. A driver can keep a method
# in its impl (for its own Rust callers, say) while telling C that the slot is empty:
#
# ```rust
# struct QuietFile;
#
# #[vtable]
# impl FileOps for QuietFile {
#     const HAS_READ: bool = false;    // written by hand: the macro leaves it alone
#     fn open(&self) -> Result { Ok(()) }
#     fn read(&self, buf: &mut [u8]) -> Result<usize> { buf.fill(0); Ok(buf.len()) }
# }
# ```

# %%
@kp.impl_trait(FileOps)
class QuietFile:
    HAS_READ = False
    def open(self):
        return 0
    def read(self, n):
        return b"\0" * n

def read_quiet():
    return kp.c_vtable(FileOps, QuietFile).call("read", QuietFile(), 4)

widgets.Predict("Userspace reads 4 bytes from a `QuietFile`. What does the C side's read "
                "return (a number)?", read_quiet, answer=lambda result: result,
                hints=["the C side never looks at the Rust impl: it only sees the table, and "
                       "the table was filled from the HAS_ consts.",
                       "read the `vfs_write` snippet above: what does a C caller answer "
                       "when its slot is NULL? vfs_read does the same."])

# %% [md] notes
# **Speaker notes.** Say: commit first, then look at the picture below; the greyed `fn read`
# is the point. Ask: "What would `QuietFile.read(...)` called from Rust do?" (run normally:
# only C's view changed).

# %% [md] subslide
# The table, with the const the impl wrote:

# %%
widgets.draw_c_vtable(kp.c_vtable(FileOps, QuietFile))

# %% [md] slide
# ## Does this compile?
# The opposite mistake: an impl claims a method it does not define.
#
# ```rust
# struct LoudFile;
#
# #[vtable]
# impl FileOps for LoudFile {
#     const HAS_WRITE: bool = true;    // written by hand, but no `fn write` below
#     fn open(&self) -> Result { Ok(()) }
# }
# ```

# %%
@kp.impl_trait(FileOps)
class LoudFile:
    HAS_WRITE = True
    def open(self):
        return 0

def build_loud_table():
    table = kp.c_vtable(FileOps, LoudFile)
    return table.call("write", LoudFile(), b"hi")

widgets.DoesItCompile(build_loud_table, [
    "compiles; the C caller returns -EINVAL for write",
    "compiles; a write runs the trait's default body, which returns an error",
    ("the build fails: build_error!(VTABLE_DEFAULT_ERROR) became reachable", "BuildError"),
    "error[E0046]: not all trait items implemented, missing: write",
], hints=["check each choice against the rule it names.",
          "follow `T::HAS_WRITE` into the `const VTABLE` above: which function would the "
          "write slot point at, and what is its body?"])

# %% [md] notes
# **Speaker notes.** Say: let everyone commit before anyone opens the answer; then read the
# error's rule aloud together. Ask, after the reveal: "Which of the four choices could a C
# programmer's instinct pick, and why is it wrong here?"

# %% [md] slide
# ## Exercise 1: a write-only log device
# Write a class `LogFile` (no decorator) for the check's `FileOps` (`open`, `read`, `write`,
# `ioctl`): a log that can be opened (`open` returns 0) and written to (`write` takes every
# byte it is given and returns how many), and nothing else. Reading it or calling `ioctl` on
# it must fail in the C caller, without any Rust code running.

# %% [md] notes
# **Speaker notes.** Say: about five minutes; then let a student show their class with
# `widgets.draw_c_vtable(kp.c_vtable(checks.FileOps, LogFile))` and read the table aloud.

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
# - C-to-Rust dispatch follows C's layout: a struct of function pointers such as
#   `file_operations`. Trait objects do not fit (rustc's vtable layout, no NULLs), so the
#   kernel writes the C table by hand: `unsafe extern "C"` functions generic over the
#   implementing type, one `const` table per type, a safe trait on top.
# - `#[vtable]` (`rust/macros/vtable.rs`): on the trait `const HAS_<NAME>: bool = false;`
#   and `USE_VTABLE_ATTR`; on an impl `true` for each method that block defines; a
#   `HAS_<NAME>` written by hand is kept either way.
# - A slot is NULL where `HAS_<NAME>` is false; default bodies are
#   `build_error!(VTABLE_DEFAULT_ERROR)`, so a table that could reach one fails the build.
# - The C caller decides what a NULL slot means, slot by slot: `-EINVAL` for `write`,
#   `-ENOTTY` for `ioctl`, and for `open` what exercise 2 found.
# - Next: `07_case_study_todo_list`, where every pointer of the course meets in Binder.

# %% [md] notes
# **Speaker notes.** Say: Rust-to-Rust dispatch uses trait objects, C-to-Rust dispatch uses
# hand-built C tables; both are vtables, only the owner of the layout differs. Ask: "Name
# another C ops table a Rust driver has to fill" (block devices, network devices,
# filesystems: each has its own struct of function pointers).
