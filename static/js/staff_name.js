/* The staff pages made of plain forms (written replies, preparation, the script, the register of
 * requests): the name typed in #me goes with every action into the audit log (each form's hidden
 * input.by), remembered on this computer as on the console. The pages work without this script. */
(function () {
  "use strict";
  const me = document.getElementById("me");
  const KEY = "live.name";
  try {
    // a name typed before this script ran (a slow page) is kept, not overwritten
    if (!me.value) me.value = localStorage.getItem(KEY) || "";
  } catch (err) {
    /* storage refused (private mode): the name is typed each time */
  }
  me.addEventListener("change", () => {
    const name = me.value.trim().slice(0, 40);
    me.value = name;
    try {
      if (name) localStorage.setItem(KEY, name);
      else localStorage.removeItem(KEY);
    } catch (err) {
      /* private browsing: the name still goes with this page's forms */
    }
  });
  document.addEventListener("submit", (e) => {
    const by = e.target.querySelector("input.by");
    if (by) by.value = me.value.trim().slice(0, 40);
  });
})();
