/* gamegen gallery: picks, rejects and stars. Kept in localStorage (per bundle), exported as picks.json
 * ({"picks": [...], "rejects": [...], "stars": {id: n}}, ids as in the manifest), and, when the page is served by
 * `gamegen view --serve`, written straight into BUNDLE/picks.json on every change. */
"use strict";

(function () {
  const GG = (window.GG = window.GG || {});
  const served = location.protocol === "http:" || location.protocol === "https:";
  let key = "";
  let order = new Map(); // id → its place on the page
  const st = { picks: new Set(), rejects: new Set(), stars: new Map() };
  let timer = null;
  let sending = Promise.resolve();

  function load(doc) {
    st.picks = new Set(doc.picks || []);
    st.rejects = new Set(doc.rejects || []);
    st.stars = new Map(Object.entries(doc.stars || {}).filter(([, n]) => n > 0));
  }

  /** The picks document, ids in page order. */
  function documentOf() {
    const rank = (id) => (order.has(id) ? order.get(id) : order.size);
    const sorted = (ids) => [...ids].sort((a, b) => rank(a) - rank(b));
    const stars = {};
    for (const id of sorted(st.stars.keys())) stars[id] = st.stars.get(id);
    return { picks: sorted(st.picks), rejects: sorted(st.rejects), stars };
  }

  function status(text, cls) {
    const el = document.getElementById("save-status");
    if (!el) return;
    el.textContent = text;
    el.className = "save-status " + (cls || "");
  }

  function save(id) {
    const doc = documentOf();
    try {
      localStorage.setItem(key, JSON.stringify(doc));
    } catch (err) {
      /* storage full or disabled: the export still works */
    }
    if (served) {
      clearTimeout(timer);
      status("saving…", "busy");
      timer = setTimeout(() => (sending = sending.then(() => post(documentOf()))), 150);
    } else status("kept in this browser · export to save", "");
    GG.onPicksChanged(id);
  }

  async function post(doc) {
    try {
      const res = await fetch("/picks.json", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(doc) });
      const reply = await res.json();
      if (!res.ok || !reply.ok) throw new Error(reply.error || res.statusText);
      status("saved to picks.json ✓", "ok");
      GG.lastSaved = doc;
    } catch (err) {
      status("not saved: " + err.message, "bad");
    }
  }

  GG.picks = {
    served,
    async init(model) {
      key = model.store_key;
      order = new Map(model.cards.map((c, i) => [c.id, i]));
      let stored = null;
      try {
        stored = JSON.parse(localStorage.getItem(key) || "null");
      } catch (err) {
        stored = null;
      }
      load(stored || model.picks || {});
      status(served ? "saves to picks.json" : stored ? "kept in this browser · export to save" : "", "");
      if (served) {
        try {
          const res = await fetch("/picks.json", { cache: "no-store" });
          if (res.ok) {
            load(await res.json());
            GG.onPicksChanged(null);
          }
        } catch (err) {
          /* no picks.json yet */
        }
      }
    },
    status(id) {
      return { state: st.picks.has(id) ? "pick" : st.rejects.has(id) ? "reject" : null, stars: st.stars.get(id) || 0 };
    },
    toggle(id, what) {
      const [mine, other] = what === "pick" ? [st.picks, st.rejects] : [st.rejects, st.picks];
      if (mine.has(id)) mine.delete(id);
      else {
        mine.add(id);
        other.delete(id);
      }
      save(id);
    },
    star(id, n) {
      if (!n || st.stars.get(id) === n) st.stars.delete(id);
      else st.stars.set(id, n);
      save(id);
    },
    counts(ids) {
      const c = { all: ids.length, picked: 0, rejected: 0, starred: 0, unreviewed: 0 };
      for (const id of ids) {
        const s = this.status(id);
        if (s.state === "pick") c.picked++;
        if (s.state === "reject") c.rejected++;
        if (s.stars) c.starred++;
        if (!s.state && !s.stars) c.unreviewed++;
      }
      return c;
    },
    document: documentOf,
    /** Download picks.json (the way to save it from file://). */
    download() {
      const blob = new Blob([JSON.stringify(documentOf(), null, 2) + "\n"], { type: "application/json" });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "picks.json";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    },
    /** Resolves once every change so far has reached the server (serve mode). */
    flushed() {
      return new Promise((resolve) => setTimeout(() => sending.then(resolve), 200));
    },
  };
})();
