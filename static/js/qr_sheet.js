/* The printable QR sheet: the Print button (no inline handler: the Content-Security-Policy
 * allows scripts from files only). Everything else on the page is static HTML and CSS. */
(function () {
  "use strict";
  const button = document.getElementById("print");
  if (button) button.addEventListener("click", () => window.print());
})();
