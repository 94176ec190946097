/* The secretariat's screen: the agenda and its clock (the question console joins it later). */
(function () {
  "use strict";
  const list = document.getElementById("agenda");
  Live.onTick((snap, now) => {
    Live.renderClock(snap, now);
    Live.renderAgenda(list, snap, now, null);
  });
})();
