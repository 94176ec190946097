/* "Tôi cũng muốn hỏi" (me too) on the staff screens: how many young people support each question.
 *
 * The console, the MC, the chairman and the projector ask `supports.get` {ok, enabled, counts:
 * {question id: n}} on every (re)connection, then follow `supports.changed`: {counts: {question id:
 * n}} with only the counts that changed (at most once a second, live/realtime/support_counts.py), or
 * {enabled} when the admin turns the feature on or off. While it is off every count reads 0, so no
 * screen shows one. Listeners get the ids whose count changed, or null when every count may have.
 */
(function () {
  "use strict";
  const counts = new Map(); // question id → devices supporting it (only those above 0)
  const listeners = [];
  let enabled = true;
  let loaded = false;
  let retry = 0;

  function notify(ids) {
    for (const fn of listeners) fn(ids);
  }

  function load() {
    clearTimeout(retry);
    Live.socket.timeout(5000).emit("supports.get", {}, (err, reply) => {
      if (err || !reply || !reply.ok) {
        retry = setTimeout(() => Live.socket.connected && load(), 2000); // the counts come again shortly
        return;
      }
      counts.clear();
      for (const [id, n] of Object.entries(reply.counts || {})) if (n > 0) counts.set(id, n);
      enabled = reply.enabled !== false;
      loaded = true;
      notify(null);
    });
  }

  Live.socket.on("connect", load);
  Live.socket.on("supports.changed", (msg) => {
    if (!msg || typeof msg !== "object") return;
    let ids = [];
    if (typeof msg.enabled === "boolean" && msg.enabled !== enabled) {
      enabled = msg.enabled;
      ids = null;
    }
    if (msg.counts && typeof msg.counts === "object") {
      for (const [id, n] of Object.entries(msg.counts)) {
        if (typeof n === "number" && n > 0) counts.set(id, n);
        else counts.delete(id);
        if (ids) ids.push(id);
      }
    }
    if (ids === null || ids.length) notify(ids);
  });
  if (Live.socket.connected) load();

  window.LiveSupports = {
    /** How many young people support question ``id`` (0 while the feature is off). */
    count(id) {
      return enabled ? counts.get(id) || 0 : 0;
    },
    get enabled() {
      return enabled;
    },
    get loaded() {
      return loaded;
    },
    /** Call ``fn(ids)`` after every change: the ids whose count changed, or null for all. */
    onChange(fn) {
      listeners.push(fn);
    },
  };
})();
