"""The item type the list docstrings use: `Job`, one number and one `ListLinks<0>`.

It is declared the way a learner declares any list item:

>>> import kernelptr as kp
>>> @kp.impl_list_item(id=0, using="links")
... @kp.impl_list_arc_safe(id=0, untracked=True)
... @kp.struct
... class Job:
...     n: int
...     links: kp.ListLinks[0]
>>> Job(1)
Job(n=1)
"""

from __future__ import annotations

from .links import ListLinks, impl_list_arc_safe, impl_list_item
from ..struct import struct

__all__ = ["Job", "queue"]


@impl_list_item(id=0, using="links")
@impl_list_arc_safe(id=0, untracked=True)
@struct
class Job:
    """A list item for the examples: `struct Job { n: i64, links: ListLinks<0> }`."""

    n: int
    links: ListLinks[0]


def queue(*ns: int):
    """A `List<Job, 0>` holding `Job(n)` for each `n`, front to back."""
    from .list import List
    from .list_arc import ListArc
    from ..flags import GFP_KERNEL

    q = List(Job)
    for n in ns:
        q.push_back(ListArc.new(Job(n), GFP_KERNEL))
    return q
