/* The MC's tablet: run the agenda clock and the speaker timer with big buttons. */
(function () {
  "use strict";
  const { $, setText } = Live.dom;
  const T = Live.T;
  const list = $("#agenda");
  const dialog = $("#confirm");

  function confirmThen(text, action) {
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(text)) action();
      return;
    }
    setText("#confirm-text", text);
    dialog.returnValue = "";
    dialog.onclose = () => {
      if (dialog.returnValue === "ok") action();
    };
    dialog.showModal();
  }

  function pick(item) {
    if (item.id === Live.state.clock.current) return;
    confirmThen(T.confirm_jump.replace("{t}", item.title), () => Live.send("clock.jump", { item: item.id }));
  }

  document.querySelectorAll("[data-cmd]").forEach((btn) =>
    btn.addEventListener("click", () => {
      const payload = btn.dataset.seconds ? { seconds: parseInt(btn.dataset.seconds, 10) } : {};
      Live.send(btn.dataset.cmd, payload);
    }),
  );

  $("#btn-toggle").addEventListener("click", () => {
    const st = Live.clock.status(Live.state.clock);
    Live.send(st === "running" ? "clock.pause" : "clock.start", {});
  });
  $("#btn-finish").addEventListener("click", () => confirmThen(T.confirm_finish, () => Live.send("clock.finish", {})));
  $("#btn-speaker-toggle").addEventListener("click", () => {
    const sp = Live.state.speaker;
    Live.send(sp && sp.running_since !== null ? "speaker.stop" : "speaker.start", {});
  });

  Live.onTick((snap, now) => {
    const view = Live.renderClock(snap, now);
    Live.renderAgenda(list, snap, now, pick);
    const toggle = $("#btn-toggle");
    setText(toggle, view.status === "running" ? T.pause : view.status === "paused" ? T.resume : T.start);
    toggle.dataset.status = view.status;
    toggle.disabled = view.status === "finished";
    const i = view.index;
    $("#btn-prev").disabled = i <= 0;
    $("#btn-next").disabled = view.status === "finished" || (i >= 0 && i >= snap.agenda.length - 1);
    const sp = snap.speaker;
    const spBtn = $("#btn-speaker-toggle");
    setText(spBtn, sp && sp.running_since !== null ? T.pause : T.resume);
    spBtn.disabled = !sp || sp.duration <= 0;
  });
})();
