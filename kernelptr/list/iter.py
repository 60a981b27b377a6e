"""Iterating a `List`: borrowing (`Iter`) and consuming (`IntoIter`)."""

from __future__ import annotations

from .. import unwind
from ..errors import BorrowError
from ..rust import Stmt, implicit

__all__ = ["Iter", "IntoIter"]


class Iter:
    """A borrowing iterator over a list: the kernel's `list::Iter<'a, T, ID>`.

    It yields an `ArcBorrow` of each item front to back, exactly once, then stops for good
    (it is fused). Changing the list ends its borrow; using it afterwards raises
    `BorrowError`.

    >>> from kernelptr.list.example import queue
    >>> it = iter(queue(1))                         # a List<Job, 0> holding Job(1)
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

    def __repr__(self) -> str:
        return _iter_repr("Iter", self._list)


def _iter_repr(kind: str, lst) -> str:
    return f"{kind}<{lst.type_name}, {lst.id}>"


class IntoIter:
    """A consuming iterator: the kernel's `list::IntoIter<T, ID>` (`next` pops the front,
    `next_back` pops the back), yielding each item's `ListArc`.

    >>> from kernelptr.list.example import queue
    >>> it = queue(1, 2, 3).into_iter()             # Job(1), Job(2), Job(3)
    >>> it.next_back().n, [la.n for la in it]
    (3, [1, 2])
    """

    def __init__(self, lst):
        self._list = lst

    def __iter__(self) -> "IntoIter":
        return self

    def __next__(self):
        la = self._list._pop_end("IntoIter::next", back=False, rust=Stmt("{}.next()", self))
        if la is None:
            self._finish()
            raise StopIteration
        return la

    def next_back(self):
        """`DoubleEndedIterator::next_back`: pop the back, or None when empty."""
        return self._list._pop_end("IntoIter::next_back", back=True,
                                   rust=Stmt("{}.next_back()", self))

    def _finish(self) -> None:
        self._list._state = "dropped"

    def drop(self) -> None:
        """Drop the iterator: the ListArcs still in it are dropped."""
        with implicit("drop({}) drops the items left", self):
            self._list._drop_items()
        self._finish()
        unwind.resume()

    def __repr__(self) -> str:
        return _iter_repr("IntoIter", self._list)
