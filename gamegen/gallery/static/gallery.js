/* gamegen gallery: the page's core. Reads the inline model, renders the grid of cards, moves the focus with the
 * keyboard, opens an asset's viewers, and loads what a viewer needs (payloads, three.js, inkjs) only when asked.
 * Works from file:// (classic scripts, no fetch); viewers register with GG.registerViewer (see viewers.js). */
"use strict";

(function () {
  const GG = (window.GG = window.GG || {});
  const viewers = [];
  const payloads = {};
  let model = null;
  let cards = [];
  const state = { focus: 0, filter: "all", query: "", marked: [], detail: null, tab: null, cleanup: null };

  /* ---------- small helpers ---------- */

  /** h("div", {class: "x", onclick: f, dataset: {...}, style: {...}}, child, "text", [children]) */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key === "dataset") Object.assign(el.dataset, value);
      else if (key === "style") Object.assign(el.style, value);
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : value);
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }
  function once(fn) {
    let promise = null;
    return () => (promise = promise || fn());
  }
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = () => resolve();
      s.onerror = () => reject(new Error("could not load " + src));
      document.head.appendChild(s);
    });
  }
  function bytes(n) {
    if (n < 1024) return n + " B";
    if (n < 1 << 20) return (n / 1024).toFixed(1) + " KiB";
    return (n / (1 << 20)).toFixed(1) + " MiB";
  }
  function fmt(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(+value.toFixed(4));
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }
  const baseName = (path) => path.slice(path.lastIndexOf("/") + 1);
  const shortSeed = (seed) => (seed.length > 8 ? seed.slice(0, 4) + "…" + seed.slice(-3) : seed);

  /* ---------- lazily loaded libraries and payloads ---------- */

  // Vendored classic builds, loaded one after another the first time a viewer asks (three.cjs needs `exports`).
  let chain = Promise.resolve();
  const serial = (fn) => (chain = chain.then(fn, fn));
  GG.three = once(() =>
    serial(async () => {
      window.exports = {};
      try {
        await loadScript("static/vendor/three.cjs");
        window.THREE = window.exports;
      } finally {
        delete window.exports;
      }
      return window.THREE;
    })
  );
  GG.ink = once(() => serial(() => loadScript("static/vendor/ink-full.js").then(() => window.inkjs)));

  function payloadEntry(key) {
    if (!payloads[key]) {
      let resolve, reject;
      const promise = new Promise((ok, fail) => ((resolve = ok), (reject = fail)));
      payloads[key] = { promise, resolve, reject, requested: false };
    }
    return payloads[key];
  }
  /** Called by each data/<key>.js file. */
  GG.payload = (key, data) => payloadEntry(key).resolve(data);
  /** The payload of a card (texts, images as data URLs, heights, waveforms): a Promise. */
  GG.loadPayload = (card) => {
    if (!card.payload) return Promise.resolve({ texts: {}, images: {}, heights: {}, waves: {}, truncated: [] });
    const key = baseName(card.payload).replace(/\.js$/, "");
    const entry = payloadEntry(key);
    if (!entry.requested) {
      entry.requested = true;
      loadScript(card.payload).catch(entry.reject);
    }
    return entry.promise;
  };

  /* ---------- viewer registry (gamegen's and plugins') ---------- */

  /** Register a viewer: {name, label, match(card, api) -> bool, render(el, card, api) -> cleanup?, priority}. */
  GG.registerViewer = (viewer) => {
    if (!viewer || !viewer.name || typeof viewer.match !== "function" || typeof viewer.render !== "function") {
      throw new Error("GG.registerViewer needs {name, match(card), render(el, card, api)}");
    }
    const at = viewers.findIndex((v) => v.name === viewer.name);
    if (at >= 0) viewers.splice(at, 1);
    viewers.push(Object.assign({ label: viewer.name, priority: 50 }, viewer));
    viewers.sort((a, b) => b.priority - a.priority);
  };

  function apiFor(card) {
    return {
      h,
      fmt,
      bytes,
      model,
      payload: () => GG.loadPayload(card),
      three: GG.three,
      ink: GG.ink,
      files: (test) => card.files.filter(test || (() => true)),
      file: (name) => card.files.find((f) => f.name === name || f.path === name),
      group: () => groupOf(card).cards.map((i) => cards[i]),
      meta: (f) => f.meta || {},
    };
  }
  GG.api = apiFor;

  function viewersFor(card) {
    const api = apiFor(card);
    return viewers.filter((v) => {
      try {
        return v.match(card, api);
      } catch (err) {
        console.error("viewer " + v.name + " failed to match:", err);
        return false;
      }
    });
  }
  GG.viewersFor = viewersFor;

  /* ---------- the grid ---------- */

  const groupOf = (card) => model.groups[card._group];
  const cardEl = (i) => document.getElementById("card-" + i);

  function matchesFilter(i) {
    const card = cards[i];
    const status = GG.picks.status(card.id);
    const f = state.filter;
    if (f === "picked" && status.state !== "pick") return false;
    if (f === "rejected" && status.state !== "reject") return false;
    if (f === "starred" && !status.stars) return false;
    if (f === "unreviewed" && (status.state || status.stars)) return false;
    if (state.query) {
      const hay = (card.id + " " + card.generator + " " + (card.snippet || "")).toLowerCase();
      if (!hay.includes(state.query)) return false;
    }
    return true;
  }

  /** Indices of the cards shown, in page order. */
  function visible() {
    return Array.from(document.querySelectorAll("#grid .card:not([hidden])"), (el) => +el.dataset.index);
  }

  function renderCard(card, i) {
    const el = h("article", {
      class: "card" + (card.pixel ? " pixel" : ""),
      id: "card-" + i,
      tabindex: "-1",
      dataset: { id: card.id, index: i },
      onclick: (ev) => {
        if (ev.target.closest("button")) return;
        if (ev.shiftKey) return toggleMark(i);
        focus(i);
        openDetail(i);
      },
    });
    const thumb = card.thumb
      ? h("img", { src: card.thumb, alt: card.id, loading: "lazy", decoding: "async", draggable: "false" })
      : h("pre", { class: "snippet", text: card.snippet || card.files.map((f) => f.name).join("\n") });
    append(el, [
      h("div", { class: "thumb" + (card.thumb ? "" : " text") }, thumb, card.ai ? h("span", { class: "ai-badge", title: "AI-made: a trained model made this asset", text: "AI" }) : null, h("span", { class: "mark-badge" }), h("span", { class: "state-badge" })),
      h(
        "div",
        { class: "card-foot" },
        h("div", { class: "card-title" }, h("span", { class: "card-id", title: card.id, text: card.id }), h("span", { class: "card-seed", title: "seed " + card.seed, text: "seed " + shortSeed(card.seed) })),
        h(
          "div",
          { class: "card-actions" },
          h("button", { class: "act pick", title: "Pick (p)", "aria-label": "pick", onclick: () => GG.picks.toggle(card.id, "pick") }, "✓"),
          h("button", { class: "act reject", title: "Reject (x)", "aria-label": "reject", onclick: () => GG.picks.toggle(card.id, "reject") }, "✕"),
          h("span", { class: "stars" }, [1, 2, 3, 4, 5].map((n) => h("button", { class: "star", title: n + " star" + (n > 1 ? "s" : "") + " (" + n + ")", "aria-label": n + " stars", onclick: () => GG.picks.star(card.id, n) }, "★")))
        )
      ),
    ]);
    return el;
  }

  function paintCard(i) {
    const el = cardEl(i);
    if (!el) return;
    const status = GG.picks.status(cards[i].id);
    el.classList.toggle("picked", status.state === "pick");
    el.classList.toggle("rejected", status.state === "reject");
    el.dataset.stars = status.stars || 0;
    el.querySelector(".state-badge").textContent = status.state === "pick" ? "✓" : status.state === "reject" ? "✕" : "";
    el.querySelectorAll(".star").forEach((s, k) => s.classList.toggle("on", k < (status.stars || 0)));
    const mark = state.marked.indexOf(i);
    el.classList.toggle("marked", mark >= 0);
    el.querySelector(".mark-badge").textContent = mark >= 0 ? "AB"[mark] : "";
  }

  function renderSet(group, g, cls) {
    const first = cards[group.cards[0]];
    const n = group.cards.length;
    const what = model.bundle_format === "gamegen.variations/1" ? "variations" : "variants";
    const grid = h("div", { class: "grid" }, group.cards.map((i) => renderCard(cards[i], i)));
    return h(
      "section",
      { class: cls, id: "group-" + g, dataset: { group: g } },
      h("header", { class: "set-head" }, h("h3", { text: group.name }), h("span", { class: "group-gen", text: group.generator + " " + first.version }), h("span", { class: "group-count", text: n > 1 ? n + " " + what : "" })),
      grid
    );
  }

  // Variations: one grid per asset. A bundle: a section per kind; single assets share its grid, a recipe asset's
  // variants or tiles get a row of their own, so they sit side by side.
  function renderGrid(main) {
    const frag = document.createDocumentFragment();
    if (model.bundle_format === "gamegen.variations/1") {
      model.groups.forEach((group, g) => frag.appendChild(renderSet(group, g, "group")));
    } else {
      const kinds = [];
      model.groups.forEach((group, g) => {
        const kind = cards[group.cards[0]].kind;
        let entry = kinds.find((k) => k.kind === kind);
        if (!entry) kinds.push((entry = { kind, singles: [], sets: [] }));
        (group.cards.length > 1 ? entry.sets : entry.singles).push([group, g]);
      });
      for (const { kind, singles, sets } of kinds) {
        const count = singles.length + sets.reduce((s, [grp]) => s + grp.cards.length, 0);
        const grid = h("div", { class: "grid" });
        for (const [group] of singles) grid.appendChild(renderCard(cards[group.cards[0]], group.cards[0]));
        for (const [group, g] of sets) grid.appendChild(renderSet(group, g, "set"));
        frag.appendChild(h("section", { class: "group kind", dataset: { kind } }, h("header", { class: "group-head" }, h("h2", { text: kind }), h("span", { class: "group-count", text: count + " asset" + (count > 1 ? "s" : "") })), grid));
      }
    }
    main.appendChild(frag);
    cards.forEach((_, i) => paintCard(i));
  }

  function applyFilter() {
    cards.forEach((_, i) => (cardEl(i).hidden = !matchesFilter(i)));
    document.querySelectorAll("section.group, section.set").forEach((s) => (s.hidden = !s.querySelector(".card:not([hidden])")));
    const vis = visible();
    if (vis.length && !vis.includes(state.focus)) focus(vis[0], false);
    updateCounts();
  }

  function updateCounts() {
    const counts = GG.picks.counts(cards.map((c) => c.id));
    document.querySelectorAll(".filter").forEach((b) => {
      const n = counts[b.dataset.filter];
      b.querySelector(".n").textContent = n;
      b.classList.toggle("on", b.dataset.filter === state.filter);
    });
  }

  /* ---------- focus, keyboard, marks ---------- */

  function focus(i, scroll = true) {
    const prev = cardEl(state.focus);
    if (prev) prev.classList.remove("focused");
    state.focus = i;
    const el = cardEl(i);
    if (!el) return;
    el.classList.add("focused");
    if (scroll) el.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function step(dir) {
    const vis = visible();
    if (!vis.length) return;
    let at = vis.indexOf(state.focus);
    if (at < 0) return focus(vis[0]);
    if (dir === "left" || dir === "right") {
      at = Math.max(0, Math.min(vis.length - 1, at + (dir === "right" ? 1 : -1)));
      return focus(vis[at]);
    }
    // up/down: the card in the next row whose centre is closest to this one's
    const here = cardEl(vis[at]).getBoundingClientRect();
    const cx = here.left + here.width / 2;
    const delta = dir === "down" ? 1 : -1;
    let rowTop = null;
    let best = null;
    for (let k = at + delta; k >= 0 && k < vis.length; k += delta) {
      const r = cardEl(vis[k]).getBoundingClientRect();
      if (Math.abs(r.top - here.top) < 4) continue;
      if (rowTop === null) rowTop = r.top;
      if (Math.abs(r.top - rowTop) >= 4) break;
      const d = Math.abs(r.left + r.width / 2 - cx);
      if (best === null || d < best.d) best = { d, i: vis[k] };
    }
    if (best) focus(best.i);
  }

  function toggleMark(i) {
    const at = state.marked.indexOf(i);
    const before = state.marked.slice();
    if (at >= 0) state.marked.splice(at, 1);
    else state.marked.push(i);
    if (state.marked.length > 2) state.marked.shift();
    new Set([...before, ...state.marked]).forEach(paintCard);
    const btn = document.getElementById("compare-btn");
    btn.disabled = state.marked.length !== 2;
    btn.querySelector(".n").textContent = state.marked.length + "/2";
  }

  function currentCard() {
    return state.detail !== null ? state.detail : state.focus;
  }

  function onKey(ev) {
    const typing = ev.target.closest && ev.target.closest("input, textarea, select");
    if (typing && ev.key === "Escape") typing.blur();
    else if (typing) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const key = ev.key;
    if (document.getElementById("compare").classList.contains("open")) {
      if (key === "Escape") GG.compare.close();
      else if (key === "m") GG.compare.toggleMode();
      else return;
      return ev.preventDefault();
    }
    if (document.getElementById("help").classList.contains("open")) {
      if (key === "Escape" || key === "?") toggleHelp();
      return;
    }
    const i = currentCard();
    const card = cards[i];
    const arrows = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down" };
    if (arrows[key]) {
      if (state.detail !== null) {
        if (key === "ArrowUp" || key === "ArrowDown") return;
        const vis = visible();
        const at = vis.indexOf(state.detail);
        const next = vis[Math.max(0, Math.min(vis.length - 1, at + (key === "ArrowRight" ? 1 : -1)))];
        if (next !== undefined && next !== state.detail) {
          focus(next);
          openDetail(next);
        }
      } else step(arrows[key]);
    } else if (key === "p") GG.picks.toggle(card.id, "pick");
    else if (key === "x") GG.picks.toggle(card.id, "reject");
    else if (/^[0-5]$/.test(key)) GG.picks.star(card.id, +key);
    else if (key === "Enter" || key === " ") state.detail === null ? openDetail(i) : closeDetail();
    else if (key === "Escape") state.detail !== null ? closeDetail() : null;
    else if (key === "c") toggleMark(i);
    else if (key === "v" && state.marked.length === 2) GG.compare.open(cards[state.marked[0]], cards[state.marked[1]]);
    else if (key === "?") toggleHelp();
    else return;
    ev.preventDefault();
  }

  function toggleHelp() {
    document.getElementById("help").classList.toggle("open");
  }

  /* ---------- detail: an asset's viewers and its provenance ---------- */

  function closeDetail() {
    if (state.cleanup) {
      try {
        state.cleanup();
      } catch (err) {
        console.error(err);
      }
      state.cleanup = null;
    }
    state.detail = null;
    const d = document.getElementById("detail");
    d.classList.remove("open");
    d.querySelector(".detail-body").replaceChildren();
    document.body.classList.remove("detail-open");
    const el = cardEl(state.focus);
    if (el) el.focus({ preventScroll: true });
  }

  function paintDetailHead() {
    if (state.detail === null) return;
    const card = cards[state.detail];
    const status = GG.picks.status(card.id);
    const d = document.getElementById("detail");
    d.querySelector(".d-pick").classList.toggle("on", status.state === "pick");
    d.querySelector(".d-reject").classList.toggle("on", status.state === "reject");
    d.querySelectorAll(".d-stars .star").forEach((s, k) => s.classList.toggle("on", k < (status.stars || 0)));
  }

  function openDetail(i) {
    if (state.cleanup) closeDetailBodyOnly();
    state.detail = i;
    const card = cards[i];
    const d = document.getElementById("detail");
    const list = viewersFor(card);
    const tabs = [...list.map((v) => ({ name: v.name, label: v.label, viewer: v })), { name: "info", label: "Info", viewer: infoViewer }];
    const chosen = tabs.find((t) => t.name === state.tab) || tabs[0];
    const vis = visible();
    const at = vis.indexOf(i);
    const head = d.querySelector(".detail-head");
    head.replaceChildren(
      h("button", { class: "nav", title: "Previous (←)", disabled: at <= 0, onclick: () => at > 0 && (focus(vis[at - 1]), openDetail(vis[at - 1])) }, "‹"),
      h(
        "div",
        { class: "d-title" },
        h("h1", { text: card.id }),
        h("div", { class: "d-sub" }, h("span", { text: card.generator + " " + card.version }), h("span", { text: "seed " + card.seed }), h("span", { text: card.profile }), card.ai ? h("span", { class: "ai-label", text: "AI-made" }) : h("span", { class: "proc-label", text: "procedural" }))
      ),
      h(
        "div",
        { class: "d-actions" },
        h("button", { class: "act pick d-pick", title: "Pick (p)", onclick: () => GG.picks.toggle(card.id, "pick") }, "✓ Pick"),
        h("button", { class: "act reject d-reject", title: "Reject (x)", onclick: () => GG.picks.toggle(card.id, "reject") }, "✕ Reject"),
        h("span", { class: "stars d-stars" }, [1, 2, 3, 4, 5].map((n) => h("button", { class: "star", title: n + " (" + n + ")", onclick: () => GG.picks.star(card.id, n) }, "★")))
      ),
      h("button", { class: "nav", title: "Next (→)", disabled: at < 0 || at >= vis.length - 1, onclick: () => at < vis.length - 1 && (focus(vis[at + 1]), openDetail(vis[at + 1])) }, "›"),
      h("button", { class: "close", title: "Close (Esc)", onclick: closeDetail }, "✕")
    );
    const bar = d.querySelector(".tabs");
    bar.replaceChildren(...tabs.map((t) => h("button", { class: "tab" + (t === chosen ? " on" : ""), dataset: { tab: t.name }, onclick: () => showTab(card, t) }, t.label)));
    d.classList.add("open");
    document.body.classList.add("detail-open");
    paintDetailHead();
    showTab(card, chosen, true);
  }

  function closeDetailBodyOnly() {
    try {
      state.cleanup();
    } catch (err) {
      console.error(err);
    }
    state.cleanup = null;
  }

  function showTab(card, tab, keepChoice) {
    if (state.cleanup) closeDetailBodyOnly();
    if (!keepChoice) state.tab = tab.name;
    const d = document.getElementById("detail");
    d.querySelectorAll(".tab").forEach((b) => b.classList.toggle("on", b.dataset.tab === tab.name));
    const body = d.querySelector(".detail-body");
    const pane = h("div", { class: "pane pane-" + tab.name.replace(/[^\w-]/g, "_"), dataset: { viewer: tab.name } });
    body.replaceChildren(pane);
    try {
      const cleanup = tab.viewer.render(pane, card, apiFor(card));
      state.cleanup = typeof cleanup === "function" ? cleanup : null;
      if (cleanup && typeof cleanup.then === "function") {
        cleanup.then((fn) => {
          if (typeof fn !== "function") return;
          if (pane.isConnected) state.cleanup = fn;
          else fn();
        }, (err) => failed(pane, err));
      }
    } catch (err) {
      failed(pane, err);
    }
  }

  function failed(pane, err) {
    console.error(err);
    pane.appendChild(h("p", { class: "error", text: "This view failed: " + (err && err.message ? err.message : err) }));
  }
  GG.failed = failed;

  /* ---------- provenance, QC and the command that recreates the asset ---------- */

  function table(rows, cls) {
    return h("table", { class: "kv " + (cls || "") }, rows.map(([k, v]) => h("tr", {}, h("th", { text: k }), h("td", {}, v instanceof Node ? v : fmt(v)))));
  }

  function copyText(text, button) {
    const done = () => {
      button.textContent = "Copied";
      setTimeout(() => (button.textContent = "Copy"), 1200);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
    else fallbackCopy(text, done);
  }
  function fallbackCopy(text, done) {
    const area = h("textarea", { style: { position: "fixed", opacity: "0" } });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    done();
  }

  const infoViewer = {
    name: "info",
    render(el, card) {
      const prov = card.provenance || {};
      const models = Array.isArray(prov.models) ? prov.models : [];
      const cmd = h("code", { class: "cmd", text: card.command });
      const copy = h("button", { class: "copy", onclick: () => copyText(card.command, copy) }, "Copy");
      const byFile = {};
      card.qc.forEach((r) => (byFile[r.file] = byFile[r.file] || []).push(r));
      const qcRows = Object.entries(byFile).map(([file, rows]) =>
        h(
          "tr",
          { class: rows.some((r) => r.ok === false) ? "bad" : "" },
          h("th", { text: file }),
          h(
            "td",
            {},
            rows.filter((r) => r.ok !== null).map((r) => h("span", { class: "qc-check " + (r.ok ? "good" : "bad"), title: r.check }, (r.ok ? "✓ " : "✕ ") + r.check + " " + fmt(r.value) + (r.limit !== null && r.limit !== undefined ? " ≤ " + fmt(r.limit) : ""))),
            h("div", { class: "qc-values", text: rows.filter((r) => r.ok === null).map((r) => r.check + " " + fmt(r.value)).join(" · ") })
          )
        )
      );
      const passed = card.qc.filter((r) => r.ok === true).length;
      const failedN = card.qc.filter((r) => r.ok === false).length;
      append(el, [
        h(
          "div",
          { class: "info-cols" },
          h(
            "div",
            { class: "info-col" },
            h("h3", { text: "Recreate" }),
            h("div", { class: "cmd-row" }, cmd, copy),
            h("h3", { text: "Provenance" }),
            table([
              ["asset id", card.asset],
              ["generator", card.generator + " " + card.version],
              ["kind", card.kind],
              ["seed", String(card.seed)],
              ["profile", card.profile],
              ["made by", prov.method || "—"],
              ["AI-made", h("span", { class: card.ai ? "ai-label" : "proc-label", text: card.ai ? "yes — a trained model made it" : "no — procedural" })],
              ["source type", prov.digital_source_type ? baseName(prov.digital_source_type) : "—"],
              ["SDK", (prov.sdk || "gamegen") + " " + (prov.sdk_version || model.sdk)],
            ]),
            models.length ? h("h3", { text: "Models" }) : null,
            models.map((m) => table(Object.entries(m).map(([k, v]) => [k, v]), "model")),
            prov.inputs ? h("h3", { text: "Input files" }) : null,
            prov.inputs ? table(Object.entries(prov.inputs)) : null,
            h("h3", { text: "Parameters" }),
            table(Object.entries(card.params))
          ),
          h(
            "div",
            { class: "info-col" },
            h("h3", { text: "QC " }, h("span", { class: "qc-sum", text: card.qc.length ? passed + " passed" + (failedN ? ", " + failedN + " failed" : "") : "nothing recorded" })),
            card.qc.length ? h("table", { class: "qc" }, qcRows) : null,
            h("h3", { text: "Files" }),
            h(
              "table",
              { class: "files" },
              card.files.map((f) =>
                h("tr", {}, h("td", {}, h("a", { href: f.url, target: "_blank", rel: "noopener", text: f.name })), h("td", { text: f.media_type }), h("td", { class: "num", text: bytes(f.bytes) }), h("td", { class: "sha", title: f.sha256, text: f.sha256.slice(0, 12) }), h("td", { text: f.ai ? "AI" : "" }))
              )
            )
          )
        ),
      ]);
    },
  };

  /* ---------- the page ---------- */

  function renderChrome() {
    const app = document.getElementById("app");
    const n = cards.length;
    const kind = model.bundle_format === "gamegen.variations/1" ? "variations" : "bundle";
    const filters = [
      ["all", "All"],
      ["picked", "Picked"],
      ["rejected", "Rejected"],
      ["starred", "Starred"],
      ["unreviewed", "Unreviewed"],
    ];
    const top = h(
      "header",
      { class: "top" },
      h("div", { class: "brand" }, h("span", { class: "logo", text: "gamegen" }), h("span", { class: "bundle-name", text: model.title }), h("span", { class: "bundle-meta", title: "gamegen " + model.sdk, text: kind + " · " + n + " asset" + (n === 1 ? "" : "s") + " · " + model.profile })),
      h("nav", { class: "filters" }, filters.map(([f, label]) => h("button", { class: "filter", dataset: { filter: f }, onclick: () => ((state.filter = f), applyFilter()) }, label + " ", h("span", { class: "n" })))),
      h("input", { class: "search", type: "search", placeholder: "Filter by id, generator, text…", oninput: (ev) => ((state.query = ev.target.value.trim().toLowerCase()), applyFilter()) }),
      h("label", { class: "size", title: "Card size" }, h("span", { class: "label", text: "size" }), h("input", { type: "range", min: "120", max: "360", value: "190", oninput: (ev) => document.documentElement.style.setProperty("--card", ev.target.value + "px") })),
      h("button", { id: "compare-btn", class: "btn", disabled: true, title: "Mark two cards with c (or shift-click), then compare them (v)", onclick: () => state.marked.length === 2 && GG.compare.open(cards[state.marked[0]], cards[state.marked[1]]) }, "Compare ", h("span", { class: "n", text: "0/2" })),
      h("button", { id: "export-btn", class: "btn primary", title: "Download picks.json", onclick: () => GG.picks.download() }, "Export picks.json"),
      h("button", { class: "btn help-btn", title: "Keyboard shortcuts (?)", onclick: toggleHelp }, "?")
    );
    const main = h("main", { id: "grid" });
    const detail = h("div", { id: "detail", class: "detail", role: "dialog", "aria-modal": "true" }, h("div", { class: "detail-panel" }, h("div", { class: "detail-head" }), h("nav", { class: "tabs" }), h("div", { class: "detail-body" })));
    detail.addEventListener("click", (ev) => ev.target === detail && closeDetail());
    const help = h(
      "div",
      { id: "help", class: "help", onclick: (ev) => ev.target.id === "help" && toggleHelp() },
      h(
        "div",
        { class: "help-card" },
        h("h2", { text: "Keyboard" }),
        table([
          ["← → ↑ ↓", "move between cards (← → in an open asset: previous / next)"],
          ["Enter / Space", "open or close the asset"],
          ["p", "pick (again: undo)"],
          ["x", "reject (again: undo)"],
          ["1 – 5, 0", "stars; the same number again or 0 clears"],
          ["c · shift-click", "mark for comparison (two at most)"],
          ["v", "compare the two marked (m switches slider / difference / side by side)"],
          ["Esc", "close"],
        ])
      )
    );
    const compare = h("div", { id: "compare", class: "compare" });
    app.replaceChildren(top, main, detail, compare, help, h("div", { id: "save-status", class: "save-status", role: "status" }));
    return main;
  }

  /** Repaint what shows the picks of `id` (null: of every card). */
  GG.onPicksChanged = (id) => {
    cards.forEach((c, i) => (id === null || c.id === id) && paintCard(i));
    paintDetailHead();
    if (state.filter !== "all") applyFilter();
    else updateCounts();
  };

  GG.start = () => {
    const started = performance.now();
    model = JSON.parse(document.getElementById("gg-model").textContent);
    cards = model.cards;
    model.groups.forEach((g, k) => g.cards.forEach((i) => (cards[i]._group = k)));
    for (const card of cards) {
      for (const f of card.files) f.url = "../" + f.path.split("/").map(encodeURIComponent).join("/");
      card.qc = card.qc.map(([file, check, value, ok, limit]) => ({ file, check, value, ok, limit }));
    }
    GG.model = model;
    GG.cards = cards;
    GG.state = state;
    GG.picks.init(model);
    const main = renderChrome();
    renderGrid(main);
    applyFilter();
    if (cards.length) focus(0, false);
    document.addEventListener("keydown", onKey);
    document.body.dataset.ready = "1";
    GG.startMs = performance.now() - started;
  };
  GG.h = h;
  GG.append = append;
  GG.fmt = fmt;
  GG.bytes = bytes;
  GG.baseName = baseName;
  GG.openDetail = (i) => (focus(i), openDetail(i));
  GG.closeDetail = closeDetail;
  window.addEventListener("DOMContentLoaded", () => GG.start());
})();
