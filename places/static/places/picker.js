// The pickers' search box (places/_picker.html): Enter searches at once instead of sending the form the picker
// is in. A static file rather than hx-on or a trigger filter (keydown[key=='Enter']): htmx would evaluate those
// as code, which the Content-Security-Policy does not allow (core/middleware.py; htmx's allowEval is off).
// Loaded by every picker on a page: the first load adds the one listener.
(function () {
  "use strict";
  if (window.minshengPicker) { return; }
  window.minshengPicker = true;
  document.addEventListener("keydown", function (event) {
    var box = event.key === "Enter" && event.target.closest && event.target.closest(".picker input[type=search]");
    if (!box) { return; }
    event.preventDefault();
    if (window.htmx) { htmx.trigger(box, "search"); }
  });
})();
