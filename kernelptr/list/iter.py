"""Iterating a `List`: borrowing (`Iter`) and consuming (`IntoIter`)."""

from __future__ import annotations

from ..errors import BorrowError

__all__ = ["Iter", "IntoIter"]


class Iter:
    """A borrowing iterator over a list: the kernel's `list::Iter<'a, T, ID>`.

    It yields an `ArcBorrow` of each item front to back, exactly once, then stops for good
    (it is fused). Changing the list ends its borrow; using it afterwards raises
    `BorrowError`.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> @kp.impl_list_item(id=0, using="links")
    ... @kp.impl_list_arc_safe(id=0, untracked=True)
    ... @kp.struct
    ... class Job:
    ...     n: int
    ...     links: kp.ListLinks[0]
    >>> q = kp.List(Job)
    >>> q.push_back(kp.ListArc.new(Job(1), kp.GFP_KERNEL))
    >>> it = iter(q)
    >>> next(it).n, next(it, None)
    (1, None)

    **Invariants**: the list does not change while the iterator is used.
    """

    def __init__(self, lst):
        self._list = lst
        self._generation = lst._generation
        self._current = lst._first
        self._stop = lst._first

    def __iter__(self) -> "Iter":
        return self

    def __next__(self):
        lst = self._list
        if lst._generation != self._generation or lst._dropped:
            raise BorrowError(
                f"{lst.type_str()} iterator used after the list was changed",
                rule="an Iter borrows the list shared: the list cannot change while the "
                     "iterator is still used",
                rustc="error[E0502]: cannot borrow the list as mutable because it is also "
                      "borrowed as immutable",
                fix="finish the loop first, or collect the items you need (clone_arc) before "
                    "changing the list")
        cur = self._current
        if cur is None:
            raise StopIteration
        nxt = cur.links[lst.id][1]
        # INVARIANT: the ring closes at `stop`; after it the iterator stays exhausted.
        self._current = None if nxt is self._stop or nxt is None else nxt
        return lst._borrow(cur)


class IntoIter:
    """A consuming iterator: the kernel's `list::IntoIter<T, ID>` (`next` pops the front,
    `next_back` pops the back), yielding each item's `ListArc`.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> @kp.impl_list_item(id=0, using="links")
    ... @kp.impl_list_arc_safe(id=0, untracked=True)
    ... @kp.struct
    ... class Job:
    ...     n: int
    ...     links: kp.ListLinks[0]
    >>> q = kp.List(Job)
    >>> for n in (1, 2, 3):
    ...     q.push_back(kp.ListArc.new(Job(n), kp.GFP_KERNEL))
    >>> it = q.into_iter()
    >>> it.next_back().n, [la.n for la in it]
    (3, [1, 2])
    """

    def __init__(self, lst):
        self._list = lst

    def __iter__(self) -> "IntoIter":
        return self

    def __next__(self):
        la = self._list._pop_end("IntoIter::next", back=False)
        if la is None:
            self._finish()
            raise StopIteration
        return la

    def next_back(self):
        """`DoubleEndedIterator::next_back`: pop the back, or None when empty."""
        return self._list._pop_end("IntoIter::next_back", back=True)

    def _finish(self) -> None:
        self._list._state = "dropped"

    def drop(self) -> None:
        """Drop the iterator: the ListArcs still in it are dropped."""
        self._list._drop_items()
        self._finish()
