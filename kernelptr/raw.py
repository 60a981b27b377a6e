"""Raw pointers (`*const T`) made by `Arc::into_raw`, `into_foreign` and `as_ptr`."""

from __future__ import annotations

__all__ = ["RawPtr"]


class RawPtr:
    """A raw pointer from `Arc::into_raw` (`*const T`): an address that may own one count.

    `Arc::into_raw` hands the Arc's count to the pointer; exactly one `Arc::from_raw` may take
    it back. Raw pointers are `Copy` in Rust, so this value is never consumed; the model
    remembers whether its count was already reclaimed, which is how it detects a double free.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> p = kp.Arc.new(7, kp.GFP_KERNEL).into_raw()
    >>> p
    RawPtr(0xffff888000001008)
    """

    _kp_labelled = True

    def __init__(self, obj, address: int, *, owns: bool, origin: str):
        self._obj = obj
        self._label = None
        self.address = address
        self.owns = owns
        self.origin = origin
        self.reclaimed = False
        if owns:
            obj.hold("raw")
            obj.heap.raw_pointers.append(self)

    @property
    def target(self) -> int:
        """The address of the object (its ArcInner) this pointer points into."""
        return self._obj.address

    def _reclaim(self) -> None:
        self.reclaimed = True
        self._obj.hold("raw", -1)

    def __int__(self) -> int:
        return self.address

    def __repr__(self) -> str:
        return f"RawPtr({self.address:#x})"
