"""`Result<T, E>` where the kernel hands ownership back in an error: `kp.Ok` and `kp.Err`."""

from __future__ import annotations

from .errors import KernelPtrError

__all__ = ["Ok", "Err", "Panic"]


class Panic(KernelPtrError):
    """A Rust `panic!`: here, `Result::unwrap()` on an `Err` (the kernel avoids panics).

    >>> import kernelptr as kp
    >>> kp.Err("busy").unwrap()
    Traceback (most recent call last):
    kernelptr.result.Panic: called `Result::unwrap()` on an `Err` value: 'busy'...
    """


class _Result:
    __slots__ = ("value",)
    __match_args__ = ("value",)

    def __init__(self, value):
        self.value = value

    def is_ok(self) -> bool:
        return isinstance(self, Ok)

    def is_err(self) -> bool:
        return isinstance(self, Err)

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.value is other.value

    __hash__ = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"


class Ok(_Result):
    """The success case of a Rust `Result`: `Ok(value)`.

    >>> import kernelptr as kp
    >>> r = kp.Ok(3)
    >>> r.is_ok(), r.unwrap()
    (True, 3)
    >>> match r:
    ...     case kp.Ok(v): print("got", v)
    got 3
    """

    __slots__ = ()

    def unwrap(self):
        """The value inside."""
        return self.value


class Err(_Result):
    """The failure case of a Rust `Result`: `Err(error)`, which may carry ownership back
    (`ListArc::try_from_arc` returns the very Arc it was given).

    >>> import kernelptr as kp
    >>> kp.Err("busy").is_err()
    True
    >>> kp.Err("busy").unwrap()
    Traceback (most recent call last):
    ...
    kernelptr.result.Panic: called `Result::unwrap()` on an `Err` value: 'busy'
      rule: unwrap panics on Err; kernel code handles the error instead of panicking
      fix:  use `match r: case kp.Ok(x): ... case kp.Err(e): ...`
    """

    __slots__ = ()

    def unwrap(self):
        """Panic: `called Result::unwrap() on an Err value`."""
        raise Panic(
            f"called `Result::unwrap()` on an `Err` value: {self.value!r}",
            rule="unwrap panics on Err; kernel code handles the error instead of panicking",
            fix="use `match r: case kp.Ok(x): ... case kp.Err(e): ...`")
