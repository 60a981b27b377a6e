"""Keyboard arrows for a Stepper: ← → Home End step the picture, like Python Tutor."""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["StepKeys"]

# Listens on the whole page, but only for the Stepper the learner last clicked, and never
# while they type in a cell editor or a text field. A key becomes a message to Python.
_ESM = """
const MOVES = {ArrowLeft: "prev", ArrowRight: "next", Home: "first", End: "last"};

function render({ model, el }) {
  el.classList.add("kp-keys");
  el.textContent = model.get("hint");
  el.title = model.get("help");
  el.style.cssText = "font-size:12px;color:#666;padding:2px 6px;margin-left:8px;white-space:nowrap";
  const activate = () => { window.__kpActiveStepper = el; };
  let box = null;
  const attach = () => {
    box = el.closest(".kp-stepper");
    if (box === null) { requestAnimationFrame(attach); return; }
    box.addEventListener("pointerdown", activate);
  };
  attach();
  const onKey = (event) => {
    if (window.__kpActiveStepper !== el || !el.isConnected || !(event.key in MOVES)) return;
    const focus = document.activeElement;
    if (focus && (focus.closest(".cm-editor") || ["INPUT", "TEXTAREA", "SELECT"].includes(focus.tagName))) return;
    event.preventDefault();
    event.stopPropagation();
    model.send({ move: MOVES[event.key] });
  };
  document.addEventListener("keydown", onKey, true);
  return () => {
    document.removeEventListener("keydown", onKey, true);
    if (box !== null) box.removeEventListener("pointerdown", activate);
  };
}
export default { render };
"""


class StepKeys(anywidget.AnyWidget):
    """The keyboard part of a `widgets.Stepper`: after a click on the Stepper, ← → step,
    Home and End jump to the first and last frame (messages handled in Python).

    >>> keys = StepKeys(lambda move: print("move", move))
    >>> keys._on_key(keys, {"move": "next"}, [])
    move next
    """

    _esm = _ESM
    hint = traitlets.Unicode("keys: ← →").tag(sync=True)
    help = traitlets.Unicode("click the Stepper, then ← → step, Home and End jump to the "
                             "first and last step").tag(sync=True)

    def __init__(self, on_move, **kwargs):
        super().__init__(**kwargs)
        self._on_move = on_move
        self.on_msg(self._on_key)

    def _on_key(self, _widget, content, _buffers) -> None:
        move = content.get("move") if isinstance(content, dict) else None
        if move in ("first", "prev", "next", "last"):
            self._on_move(move)
