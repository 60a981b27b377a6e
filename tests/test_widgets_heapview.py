"""widgets.HeapView: follows the heap, redraws once per burst, has an SVG fallback."""

import ipywidgets

import kernelptr as kp
import widgets


def test_heapview_is_an_ipywidget_showing_the_heap(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    view = widgets.HeapView(heap)
    assert isinstance(view, ipywidgets.DOMWidget)
    assert "<svg" in view.svg() and ">a<" in view.svg()
    view.close()


def test_heapview_refreshes_after_an_operation(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    view = widgets.HeapView(heap)
    assert ">b<" not in view.svg()
    b = a.clone()
    svg = view.svg()
    assert ">b<" in svg and ">2<" in svg
    assert svg.lower().count("#f0e442") >= 2     # the legend swatch and the marked change
    view.close()


def test_a_burst_of_operations_is_drawn_once(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    view = widgets.HeapView(heap)
    drawn = view.renders
    clones = [a.clone() for _ in range(50)]
    assert view.renders == drawn        # events only mark the view dirty
    view.svg()
    view.svg()
    assert view.renders == drawn + 1
    view.close()


def test_mimebundle_carries_an_svg_fallback(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    view = widgets.HeapView(heap)
    bundle = view._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == f"HeapView({heap!r})"
    view.close()


def test_close_unsubscribes(heap):
    view = widgets.HeapView(heap)
    view.close()
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    assert not view._dirty


def test_snapshot_in_names_handles_from_a_namespace(heap):
    ns = {"kp": kp}
    exec("x = kp.Arc.new(1, kp.GFP_KERNEL)", ns)
    snap = widgets.heapview.snapshot_in(heap, ns)
    assert [h.label for h in snap.handles] == ["x"]
