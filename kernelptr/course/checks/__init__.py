"""The exercises' checks, one module per notebook (`ex03.py` for `03_intrusive_lists`), each
check a function named `exNN_what` after its notebook: `checks.ex03_build(build)`.

Each check runs the learner's answer on fresh heaps, recorded and on an operation budget,
inspects what it did (which operations, on which objects, under which lock, whether
`kp.unchecked` was used) on at least two different instances, and returns a `Verdict`.
"""

from .ex00 import ex00_alloc_in_lock, ex00_two_owners
from .ex01 import ex01_header_bytes, ex01_predict_count, ex01_saturate
from .ex02 import ex02_make_pair, ex02_publish
from .ex03 import ex03_build, ex03_drop_low
from .ex04 import ex04_enqueue_once, ex04_share_front
from .ex05 import ex05_dispatchable, ex05_square
from .ex06 import ex06_null_open, ex06_write_only
from .ex07 import ex07_deliver, ex07_kick_all
from ._common import Event, Item, Job, Task

__all__ = [
    "ex00_two_owners", "ex00_alloc_in_lock",
    "ex01_predict_count", "ex01_saturate", "ex01_header_bytes",
    "ex02_publish", "ex02_make_pair",
    "ex03_build", "ex03_drop_low",
    "ex04_share_front", "ex04_enqueue_once",
    "ex05_square", "ex05_dispatchable",
    "ex06_write_only", "ex06_null_open",
    "ex07_deliver", "ex07_kick_all",
    "Job", "Item", "Task", "Event",
]
