// The worklist (needs/triage.html): "tick all on this page" ticks or clears every need's box in its form.
// A static file, not an onclick attribute: the Content-Security-Policy runs no inline script (core/middleware.py).
document.addEventListener("change", function (event) {
  var all = event.target;
  if (!all.matches || !all.matches("input[data-tick-all]")) { return; }
  all.form.querySelectorAll("input[name=need]").forEach(function (box) { box.checked = all.checked; });
});
