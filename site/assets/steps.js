// A recording of the course site: one frame at a time, moved by its buttons, its slider,
// or the arrow keys (and Home / End) once it has the focus (click it). In a slide deck the
// keys then step the recording instead of the slides; click outside it to move slides again.
(function () {
  "use strict";
  var MOVES = { ArrowRight: "next", ArrowLeft: "prev", Home: "first", End: "last" };

  function setup(box) {
    var frames = box.querySelectorAll(".kp-frames > .frame");
    var slider = box.querySelector(".kp-steps-controls input[type=range]");
    var where = box.querySelector(".kp-where");
    var n = frames.length, i = 0;
    function show(k) {
      if (n === 0) return;
      i = Math.max(0, Math.min(n - 1, k));
      for (var j = 0; j < n; j++) frames[j].hidden = (j !== i);
      slider.value = i;
      where.textContent = "step " + (i + 1) + "/" + n;
    }
    function move(m) {
      show(m === "first" ? 0 : m === "last" ? n - 1 : m === "next" ? i + 1 : i - 1);
    }
    box.querySelectorAll("button[data-move]").forEach(function (b) {
      b.addEventListener("click", function () { move(b.getAttribute("data-move")); });
    });
    slider.addEventListener("input", function () { show(Number(slider.value)); });
    box.addEventListener("keydown", function (e) {
      var m = MOVES[e.key];
      if (!m) return;
      e.stopPropagation();              // not the slide deck's keys while stepping
      if (e.target === slider) return;  // the slider moves itself
      e.preventDefault();
      move(m);
    });
    box.classList.add("kp-live");
    show(Number(box.getAttribute("data-start")) || 0);
  }

  document.querySelectorAll(".kp-steps").forEach(setup);
})();
