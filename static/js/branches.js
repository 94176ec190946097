/* The branches' lists page: "Người nhập" starts with the name this computer's staff pages remember
 * (localStorage "live.name", as on the console), and a name typed here is remembered for them. */
(function () {
  "use strict";
  const by = document.getElementById("branch-by");
  const KEY = "live.name";
  if (!by) return;
  try {
    if (!by.value) by.value = localStorage.getItem(KEY) || ""; // a name typed before this ran is kept
  } catch (err) {
    /* storage refused (private mode): the name is typed each time */
  }
  const remember = () => {
    const name = by.value.trim().slice(0, 40);
    by.value = name;
    try {
      if (name) localStorage.setItem(KEY, name);
    } catch (err) {
      /* private browsing: the name still goes with this form */
    }
  };
  by.addEventListener("change", remember);
  if (by.form) by.form.addEventListener("submit", remember);
})();
