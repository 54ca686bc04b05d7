// incitewatch desk: progressive enhancement only; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Bring the evidence span into view and give it focus, so keyboard users land on it too.
  var marked = document.getElementById("hl");
  if (marked) {
    marked.scrollIntoView({ block: "center" });
    marked.focus({ preventScroll: true });
  }
  // Secrets shown once (new users' password and token): select on click for copying.
  document.querySelectorAll("code.secret").forEach(function (node) {
    node.addEventListener("click", function () {
      var range = document.createRange();
      range.selectNodeContents(node);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    });
  });
});
