/* The chairman's screen: the current item and its clock, the speaker timer, the agenda. */
(function () {
  "use strict";
  const list = document.getElementById("agenda");
  Live.onTick((snap, now) => {
    Live.renderClock(snap, now);
    Live.renderAgenda(list, snap, now, null);
  });
})();
