// The reference server of bench/: Node's socket.io doing live's job, as plainly as socket.io is used.
//
// The same contract as live for what the benchmark drives (docs/protocol.md):
// - GET /q/<site> sets the phone's device cookie; GET /k/<role> sets a staff session cookie (303);
// - a phone connects with auth {screen: "phone", site} and joins "phones" and "device:<id>";
//   a staff screen with auth {screen} joins "screens" (and "desk" for moderator/admin) and gets a
//   state.snapshot of about the size of live's;
// - question.submit is validated like live's (id, site, text ≤ 1000 characters), written to Redis
//   (SET NX + INCR in one MULTI; Redis runs appendonly yes, appendfsync always), then acknowledged;
// - question.approve / question.show / question.answer change the question (version checked);
//   show and answer broadcast question.current {seq, question} to the staff screens, then to every
//   phone, and question.status to the asker's phone.
//
// Usage: node server.js --port 5100 --redis redis://127.0.0.1:6379/0
"use strict";

const http = require("http");
const crypto = require("crypto");
const { Server } = require("socket.io");
const { createClient } = require("redis");

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const PORT = Number(option("port", "5100"));
const REDIS = option("redis", "redis://127.0.0.1:6379/0");
const PREFIX = option("prefix", "ref");

const SITES = [{ id: "hall", code: "hall", name: "Hội trường tỉnh", kind: "hall" }];
for (let i = 0; i < 56; i++) {
  const code = String(1270 + i);
  SITES.push({ id: code, code, name: `Xã điểm cầu số ${i + 1}`, kind: "commune" });
}
const SITE_NAMES = Object.fromEntries(SITES.map((s) => [s.id, s.name]));
const ID = /^[A-Za-z0-9_-]{16,64}$/;
const PAGE = `<!doctype html><html lang="vi"><meta charset="utf-8"><title>Gửi câu hỏi</title>${"<p>…</p>".repeat(400)}</html>`;
const STAFF_ROOMS = { moderator: ["desk"], admin: ["desk"], mc: ["queue"], chair: ["queue"] };

function cookies(header) {
  const out = {};
  for (const part of (header || "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

async function main() {
  const redis = createClient({ url: REDIS });
  redis.on("error", (e) => console.error("redis", e.message));
  await redis.connect();
  const key = (k) => `${PREFIX}:${k}`;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let m;
    if ((m = url.pathname.match(/^\/q\/([^/]+)$/)) && SITE_NAMES[m[1]]) {
      const headers = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" };
      if (!cookies(req.headers.cookie).live_device) {
        headers["set-cookie"] = `live_device=${crypto.randomBytes(16).toString("base64url")}; HttpOnly; SameSite=Lax; Path=/`;
      }
      res.writeHead(200, headers);
      res.end(PAGE);
    } else if ((m = url.pathname.match(/^\/k\/([a-z-]+)$/))) {
      res.writeHead(303, { location: `/${m[1]}`, "set-cookie": `live_session=${m[1]}; HttpOnly; SameSite=Lax; Path=/` });
      res.end();
    } else if (url.pathname === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "ok", connections: io.engine.clientsCount }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  const io = new Server(server, { transports: ["websocket"], serveClient: false });

  async function seq() {
    return Number(await redis.incr(key("seq")));
  }
  async function snapshot() {
    return {
      seq: Number((await redis.get(key("seq"))) || 0),
      server_time: Date.now() / 1000,
      conference: { title: "Hội nghị đối thoại giữa Chủ tịch UBND tỉnh với thanh niên năm 2025", theme: "…" },
      agenda: Array.from({ length: 12 }, (_, i) => ({ id: `a${i}`, title: `Mục ${i + 1} của chương trình`, planned: 600 })),
      clock: {}, speaker: {}, sites: SITES, floor: { holder: null, requests: [] },
      current_question: null,
    };
  }
  function shown(q) {
    return q && { id: q.id, text: q.text, site: q.site, site_name: SITE_NAMES[q.site], group: q.group || null,
      origin: SITE_NAMES[q.site] };
  }

  io.on("connection", async (socket) => {
    const auth = socket.handshake.auth || {};
    const jar = cookies(socket.handshake.headers.cookie);
    if (auth.screen === "phone") {
      if (!jar.live_device) return socket.disconnect(true);
      socket.join(["phones", `device:${jar.live_device}`]);
      socket.data.device = jar.live_device;
    } else {
      const role = jar.live_session;
      if (!role || role !== auth.screen) return socket.disconnect(true);
      socket.join(["screens", `role:${role}`, ...(STAFF_ROOMS[role] || [])]);
      socket.emit("state.snapshot", await snapshot());
    }

    socket.on("question.submit", async (payload, ack) => {
      if (typeof ack !== "function") return;
      const p = payload || {};
      const text = typeof p.text === "string" ? p.text.normalize("NFC").trim() : "";
      if (!ID.test(p.id || "")) return ack({ ok: false, code: "question.bad_id" });
      if (!SITE_NAMES[p.site]) return ack({ ok: false, code: "question.bad_site" });
      if (!text) return ack({ ok: false, code: "question.empty" });
      if ([...text].length > 1000) return ack({ ok: false, code: "question.too_long" });
      try {
        const now = Date.now() / 1000;
        const code = crypto.randomBytes(4).toString("hex").slice(0, 6).toUpperCase();
        const q = { id: p.id, code, site: p.site, text, name: p.name || "", group: p.group || null,
          status: "received", version: 1, received_at: now, device: socket.data.device };
        const [stored, n] = await redis.multi().set(key(`q:${p.id}`), JSON.stringify(q), { NX: true }).incr(key("seq")).exec();
        if (stored === null) {
          const old = JSON.parse(await redis.get(key(`q:${p.id}`)));
          return ack({ ok: true, id: old.id, code: old.code, status: old.status, repeated: true });
        }
        io.to("desk").emit("question.added", { seq: Number(n), question: q, similar: [] });
        ack({ ok: true, id: q.id, code, status: "received", repeated: false });
      } catch (e) {
        ack({ ok: false, code: "store.unavailable", retry: true });
      }
    });

    socket.on("question.mine", async (payload, ack) => {
      if (typeof ack !== "function") return;
      const ids = (payload && payload.ids) || [];
      if (!Array.isArray(ids) || ids.length > 50 || !ids.every((i) => ID.test(i))) return ack({ ok: false, code: "question.malformed" });
      const found = ids.length ? await redis.mGet(ids.map((i) => key(`q:${i}`))) : [];
      ack({ ok: true, questions: found.filter(Boolean).map((j) => {
        const q = JSON.parse(j);
        return { id: q.id, code: q.code, text: q.text, site: q.site, status: q.status, received_at: q.received_at };
      }) });
    });

    const moves = { approve: ["received", "approved"], show: ["approved", "on_screen"], answer: ["on_screen", "answered"] };
    for (const [action, [from, to]] of Object.entries(moves)) {
      socket.on(`question.${action}`, async (payload, ack) => {
        if (typeof ack !== "function") return;
        const role = jar.live_session;
        if (action === "approve" ? !["moderator", "admin"].includes(role) : !["mc", "admin"].includes(role)) {
          return ack({ ok: false, code: "auth.denied" });
        }
        const p = payload || {};
        const raw = ID.test(p.id || "") && (await redis.get(key(`q:${p.id}`)));
        if (!raw) return ack({ ok: false, code: "question.not_found" });
        const q = JSON.parse(raw);
        if (q.version !== p.version) return ack({ ok: false, code: "question.conflict", params: { version: q.version } });
        if (q.status !== from) return ack({ ok: false, code: "question.bad_transition" });
        q.status = to;
        q.version += 1;
        const [, n] = await redis.multi().set(key(`q:${q.id}`), JSON.stringify(q)).incr(key("seq")).exec();
        const s = Number(n);
        io.to("desk").emit("question.changed", { seq: s, question: q });
        if (action !== "approve") {
          const current = { seq: s, question: action === "show" ? shown(q) : null };
          io.to("screens").emit("question.current", current);
          io.to("phones").emit("question.current", current);
        }
        io.to(`device:${q.device}`).emit("question.status", { id: q.id, code: q.code, status: q.status });
        ack({ ok: true, seq: s, question: q });
      });
    }
    socket.onAny((event, ...args) => {
      const ack = args[args.length - 1];
      if (!["question.submit", "question.mine", ...Object.keys(moves).map((a) => `question.${a}`)].includes(event) && typeof ack === "function") {
        ack({ ok: false, code: "request.unknown_event" });
      }
    });
  });

  server.listen(PORT, "127.0.0.1", 2048, () => console.log(`reference: socket.io ${require("socket.io/package.json").version} on ${PORT}`));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
