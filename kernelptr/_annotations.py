"""Reading the learner's annotations the same way on every Python from 3.10 to 3.14.

Python 3.14 evaluates annotations lazily (PEP 649): a class's `__dict__` no longer holds
`__annotations__`, and reading `fn.__annotations__` or `inspect.signature(fn)` evaluates
them, raising `NameError` for a name that is not defined (`self: kp.Arc[Self]` without
importing `Self`). Older Pythons evaluated them when the class or function was defined.
Every annotation the model reads goes through this module:

- evaluated, as Python 3.10-3.13 evaluate them, whenever that works (a struct defined inside
  a function sees that function's local names);
- if one names something undefined (3.14 only: older Pythons raised `NameError` at the
  definition), all as their source text, exactly what `from __future__ import annotations`
  gives, which the model already understands; any other error is raised, as before;
- a string annotation (`self: "kp.ArcBorrow[Self]"`) always stays a string: it is parsed,
  never evaluated, here.
"""

import inspect

__all__ = ["annotations_of", "signature_of"]

try:
    import annotationlib  # Python 3.14+ (PEP 649): annotations evaluated when first read
except ImportError:
    annotationlib = None


def annotations_of(obj) -> dict:
    """The annotations written on a class (its own, not inherited ones) or a function.

    >>> class Job:
    ...     name: str
    ...     prio: "int"
    >>> annotations_of(Job)
    {'name': <class 'str'>, 'prio': 'int'}
    """
    if annotationlib is None:
        return dict(inspect.get_annotations(obj))
    try:
        return dict(annotationlib.get_annotations(obj, format=annotationlib.Format.VALUE))
    except NameError:  # Python 3.10-3.13 raised it at the definition; 3.14 lets it pass
        return dict(annotationlib.get_annotations(obj, format=annotationlib.Format.STRING))


def signature_of(fn) -> inspect.Signature:
    """`inspect.signature(fn)` without evaluating annotations that name undefined things
    (for its parameters; read annotations with `annotations_of`).

    >>> list(signature_of(lambda self, n: None).parameters)
    ['self', 'n']
    """
    if annotationlib is None:
        return inspect.signature(fn)
    return inspect.signature(fn, annotation_format=annotationlib.Format.FORWARDREF)
