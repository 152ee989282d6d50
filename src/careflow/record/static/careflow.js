// Move the focus into a form opened in place (htmx swaps it into #event-slot), so keyboard and screen-reader
// users land on it; an error message, if any, is read first.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  if (!target || target.id !== "event-slot") { return; }
  var focusable = target.querySelector("[role=alert]") || target.querySelector("input:not([type=hidden]), select, textarea, button");
  if (focusable) {
    if (focusable.getAttribute("role") === "alert") { focusable.setAttribute("tabindex", "-1"); }
    focusable.focus();
  }
});

// A print button where JavaScript runs (the browser's own Print works everywhere; the print stylesheet applies).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
