// The reports page: the name typed here (the same one the secretariat's console remembers) goes
// into the audit log with every summary saved.
(function () {
  "use strict";
  const me = document.getElementById("me");
  if (!me) return;
  const KEY = "live.name";
  try {
    // a name typed before this script ran (a slow page) is kept, not overwritten
    if (!me.value) me.value = localStorage.getItem(KEY) || "";
  } catch (e) {
    /* storage refused (private mode): the name is typed each time */
  }
  me.addEventListener("change", () => {
    const name = me.value.trim();
    try {
      if (name) localStorage.setItem(KEY, name);
      else localStorage.removeItem(KEY);
    } catch (e) {
      /* nothing to remember then */
    }
  });
  for (const form of document.querySelectorAll("form.summary-form")) {
    form.addEventListener("submit", () => {
      const copy = form.querySelector("input.me-copy");
      if (copy) copy.value = me.value.trim();
    });
  }
})();
