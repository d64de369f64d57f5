/* gamegen gallery: the built-in viewers. Each matches assets by what their manifest says about their files
 * (meta.map, meta.height_encoding, meta.frame_size, media types, JSON formats), never by generator name, so a
 * plugin's assets get the same views. A plugin adds its own with GG.registerViewer (docs/writing-a-plugin.md). */
"use strict";

(function () {
  const GG = window.GG;
  const h = GG.h;
  const isImage = (f) => /^image\/(png|gif|jpeg|webp)$/.test(f.media_type);
  const isText = (f) => /^text\//.test(f.media_type) || /json$/.test(f.media_type) || /\.(json|ink|yarn|csv|txt|md|tmj|tsj|tres|tscn|xml|tmx)$/i.test(f.name);
  const meta = (f) => f.meta || {};
  const put = (el, ...kids) => GG.append(el, kids); // like el.append, but flattens arrays and skips null
  const seg = (items, current, onPick) =>
    h("div", { class: "seg" }, items.map(([value, label]) => h("button", { class: value === current ? "on" : "", dataset: { value }, onclick: (ev) => { ev.currentTarget.parentNode.querySelectorAll("button").forEach((b) => b.classList.toggle("on", b === ev.currentTarget)); onPick(value); } }, label)));
  const slider = (label, min, max, stepv, value, onInput) =>
    h("label", { class: "slider" }, h("span", { text: label }), h("input", { type: "range", min: String(min), max: String(max), step: String(stepv), value: String(value), oninput: (ev) => onInput(+ev.target.value) }));
  const check = (label, value, onChange, data) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", checked: value, dataset: data || {}, onchange: (ev) => onChange(ev.target.checked) }), h("span", { text: label }));
  const readJSON = (text) => {
    try {
      return JSON.parse(text);
    } catch (err) {
      return null;
    }
  };
  const pretty = (s) => String(s).replace(/_/g, " ");
  /** "dialogue_aldric_brightwater.ink" → "Aldric Brightwater" */
  const speaker = (name) => name.replace(/\.ink$/i, "").replace(/^(dialogue|npc)_/, "").replace(/^ql_[0-9a-f]+_/, "").split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");

  /* ---------- textures: maps, tiling and seams, a lit PBR sphere and plane ---------- */

  const textureCard = (card) => Object.keys(GG.textureMaps(card)).length >= 2;

  GG.registerViewer({
    name: "material",
    label: "3D",
    priority: 90,
    match: (card) => textureCard(card) && !!(GG.textureMaps(card).albedo || GG.textureMaps(card).normal),
    async render(el, card, api) {
      const ui = h("div", { class: "toolbar" });
      const stage = h("div", { class: "stage" });
      put(el, ui, stage);
      const [payload, v] = await Promise.all([api.payload(), GG.viewport(stage, { camera: [0, 2.1, 4.6] })]);
      if (!el.isConnected) return v.dispose;
      const { THREE, scene } = v;
      const sphereMat = await GG.pbrMaterial(THREE, card, payload, [2, 1]);
      const planeMat = await GG.pbrMaterial(THREE, card, payload, [2, 2]);
      const sphere = new THREE.Mesh(new THREE.SphereGeometry(1, 192, 96), sphereMat);
      sphere.position.set(-1.2, 1.0, 0);
      const plane = new THREE.Mesh(new THREE.PlaneGeometry(2.2, 2.2, 192, 192).rotateX(-Math.PI / 2), planeMat);
      plane.position.set(1.3, 0, 0);
      const sun = new THREE.DirectionalLight(0xfff4e6, 1.8);
      const place = (deg) => sun.position.set(Math.cos((deg * Math.PI) / 180) * 5, 4, Math.sin((deg * Math.PI) / 180) * 5);
      place(-40);
      scene.add(sphere, plane, sun, new THREE.AmbientLight(0xffffff, 0.05));
      v.controls.target.set(0, 0.6, 0);
      v.controls.update();
      const relief = [sphereMat, planeMat].map((m) => m.displacementScale);
      put(ui, 
        seg([["both", "Sphere + plane"], ["sphere", "Sphere"], ["plane", "Plane 2×2"]], "both", (s) => {
          sphere.visible = s !== "plane";
          plane.visible = s !== "sphere";
          v.render();
        }),
        slider("light", -180, 180, 1, -40, (deg) => (place(deg), v.render())),
        sphereMat.displacementMap ? slider("relief", 0, 4, 0.1, 1, (k) => ([sphereMat, planeMat].forEach((m, i) => ((m.displacementScale = relief[i] * k), (m.displacementBias = -m.displacementScale / 2))), v.render())) : null,
        check("studio light", true, (on) => ((scene.environmentIntensity = on ? 1 : 0), v.render())),
        h("span", { class: "hint", text: "maps: " + sphereMat.userData.maps.join(", ") + " · drag to turn, wheel to zoom" })
      );
      v.ready();
      return v.dispose;
    },
  });

  GG.registerViewer({
    name: "tiling",
    label: "Tiling",
    priority: 85,
    match: (card) => textureCard(card) && card.files.some((f) => isImage(f) && /[xy]/.test(meta(f).tiling || "")),
    async render(el, card, api) {
      const maps = card.files.filter((f) => isImage(f) && meta(f).map && /[xy]/.test(meta(f).tiling || ""));
      let current = maps.find((f) => meta(f).map === "albedo") || maps[0];
      const payload = await api.payload();
      const tile4 = h("div", { class: "tileview tile4" });
      const offset = h("div", { class: "tileview offset" });
      const guides = h("div", { class: "guides" });
      const readout = h("div", { class: "seam-readout" });
      const show = async (f) => {
        current = f;
        for (const view of [tile4, offset]) view.style.backgroundImage = "url(" + JSON.stringify(f.url) + ")";
        const q = meta(f).quality || {};
        readout.replaceChildren(h("span", { text: "measuring the seam…" }));
        const src = payload.images[f.path];
        const limit = q.seam_limit || 1.5;
        const rows = [];
        if (src) {
          const r = seamRatio(await GG.loadImage(src));
          el.dataset.seamX = r.x.toFixed(3);
          el.dataset.seamY = r.y.toFixed(3);
          const ok = r.x <= limit && r.y <= limit;
          el.dataset.seamOk = ok ? "1" : "0";
          rows.push(h("span", { class: "seam " + (ok ? "good" : "bad"), text: (ok ? "✓ seamless" : "✕ seam visible") + " — seam score in this page: x " + r.x.toFixed(2) + ", y " + r.y.toFixed(2) + " (limit " + limit + ")" }));
        }
        if (q.seam_x !== undefined) rows.push(h("span", { class: "seam-qc", text: "at export (manifest QC): x " + q.seam_x + ", y " + q.seam_y }));
        readout.replaceChildren(...rows);
      };
      put(el, 
        h(
          "div",
          { class: "toolbar" },
          seg(maps.map((f) => [f.path, pretty(meta(f).map)]), current.path, (p) => show(maps.find((f) => f.path === p))),
          check("tile borders", false, (on) => el.classList.toggle("show-guides", on))
        ),
        readout,
        h("div", { class: "tile-pair" }, h("figure", {}, h("div", { class: "tilebox" }, tile4, guides.cloneNode()), h("figcaption", { text: "2 × 2 — the texture repeated; a seam shows as a cross" })), h("figure", {}, h("div", { class: "tilebox" }, offset, guides), h("figcaption", { text: "half offset — the edges moved to the middle" })))
      );
      await show(current);
      el.dataset.ready = "1";
    },
  });

  /** gamegen's seam score (gamegen.texture.quality.seam_score) of an image, per axis: the mean step across the
   *  wrap-around edge over the 99th percentile of the mean steps between neighbouring columns (rows), RGB. */
  function seamRatio(img) {
    const c = document.createElement("canvas");
    const w = (c.width = img.naturalWidth);
    const hh = (c.height = img.naturalHeight);
    const ctx = c.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(img, 0, 0);
    const p = ctx.getImageData(0, 0, w, hh).data;
    const at = (x, y, ch) => p[4 * (y * w + x) + ch];
    const colSteps = new Float64Array(w - 1);
    const rowSteps = new Float64Array(hh - 1);
    let wrapX = 0;
    let wrapY = 0;
    for (let y = 0; y < hh; y++) {
      for (let ch = 0; ch < 3; ch++) {
        for (let x = 0; x < w - 1; x++) colSteps[x] += Math.abs(at(x + 1, y, ch) - at(x, y, ch));
        wrapX += Math.abs(at(0, y, ch) - at(w - 1, y, ch));
        if (y < hh - 1) for (let x = 0; x < w; x++) rowSteps[y] += Math.abs(at(x, y + 1, ch) - at(x, y, ch));
      }
    }
    for (let x = 0; x < w; x++) for (let ch = 0; ch < 3; ch++) wrapY += Math.abs(at(x, 0, ch) - at(x, hh - 1, ch));
    const p99 = (steps, n) => {
      const sorted = Array.from(steps, (v) => v / n).sort((a, b) => a - b);
      const k = 0.99 * (sorted.length - 1);
      const lo = Math.floor(k);
      return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (k - lo);
    };
    const eps = 1e-6;
    return { x: (wrapX / (3 * hh) + eps) / (p99(colSteps, 3 * hh) + eps), y: (wrapY / (3 * w) + eps) / (p99(rowSteps, 3 * w) + eps) };
  }
  GG.seamRatio = seamRatio;

  GG.registerViewer({
    name: "maps",
    label: "Maps",
    priority: 80,
    match: textureCard,
    render(el, card) {
      const maps = card.files.filter((f) => isImage(f) && meta(f).map);
      put(el, 
        h(
          "div",
          { class: "maps" },
          maps.map((f) => {
            const m = meta(f);
            const channels = m.channels ? Object.entries(m.channels).map(([k, v]) => k + ": " + v).join(" · ") : "";
            const slots = m.engine_slot ? Object.entries(m.engine_slot).map(([k, v]) => k + " " + Object.keys(v).join("/")).join(" · ") : "";
            return h(
              "figure",
              { class: "map", onclick: (ev) => ev.currentTarget.classList.toggle("big") },
              h("div", { class: "checker" }, h("img", { src: f.url, alt: f.name })),
              h("figcaption", {}, h("b", { text: pretty(m.map) }), h("span", { text: [m.color_space, m.normal_convention && "normal " + m.normal_convention, GG.bytes(f.bytes)].filter(Boolean).join(" · ") }), channels ? h("small", { text: channels }) : null, slots ? h("small", { text: slots }) : null)
            );
          })
        )
      );
    },
  });

  /* ---------- terrain: a displaced heightmap with its masks as layers, and a world's tiles together ---------- */

  const heightFile = (card) => card.files.find((f) => meta(f).height_encoding && /\.(png|raw|r16)$/i.test(f.name));
  const MASK_TINTS = { slope: "#ff6b5e", flow: "#4fa8ff", wear: "#ffb347", deposition: "#7ee07e" };

  function layerRole(f) {
    const m = meta(f);
    const stem = f.name.replace(/\.[^.]+$/, "").replace(/_x\d+_y\d+$/, "");
    if (m.preview) return "preview";
    if (m.legend) return "splat";
    if (m.encoding) return stem;
    return null;
  }

  /** Compose the base colour and the chosen masks into a canvas (sources are data URLs, so WebGL may use it). */
  async function composeLayers(card, payload, base, masks, opacity) {
    const files = card.files.filter((f) => payload.images[f.path] && layerRole(f));
    const byRole = Object.fromEntries(files.map((f) => [layerRole(f), f]));
    const baseFile = byRole[base];
    const first = await GG.loadImage(payload.images[(baseFile || files[0]).path]);
    const c = document.createElement("canvas");
    c.width = first.naturalWidth;
    c.height = first.naturalHeight;
    const ctx = c.getContext("2d");
    ctx.fillStyle = "#8d8a84";
    ctx.fillRect(0, 0, c.width, c.height);
    if (baseFile) ctx.drawImage(first, 0, 0, c.width, c.height);
    for (const role of masks) {
      const f = byRole[role];
      if (!f) continue;
      const img = await GG.loadImage(payload.images[f.path]);
      const tint = document.createElement("canvas");
      tint.width = c.width;
      tint.height = c.height;
      const t = tint.getContext("2d");
      t.drawImage(img, 0, 0, c.width, c.height);
      t.globalCompositeOperation = "multiply";
      t.fillStyle = MASK_TINTS[role] || "#e070ff";
      t.fillRect(0, 0, c.width, c.height);
      ctx.globalAlpha = opacity;
      ctx.globalCompositeOperation = "screen";
      ctx.drawImage(tint, 0, 0);
      ctx.globalAlpha = 1;
      ctx.globalCompositeOperation = "source-over";
    }
    return c;
  }

  GG.registerViewer({
    name: "terrain",
    label: "Terrain",
    priority: 90,
    match: (card) => !!heightFile(card),
    async render(el, card, api) {
      const payload = await api.payload();
      const grid = Object.values(payload.heights)[0];
      if (!grid) {
        put(el, h("p", { class: "note", text: "This heightmap's format cannot be previewed; see Images." }));
        return;
      }
      const roles = card.files.filter((f) => payload.images[f.path]).map(layerRole).filter(Boolean);
      const bases = ["preview", "splat"].filter((r) => roles.includes(r));
      const masks = roles.filter((r) => !bases.includes(r));
      const st = { base: bases[0] || "none", masks: new Set(), opacity: 0.85, exaggeration: 1.5, water: true };
      const side = h("aside", { class: "layers" });
      const stage = h("div", { class: "stage" });
      put(el, h("div", { class: "terrain-layout" }, stage, side));
      const v = await GG.viewport(stage, { camera: [0, 1.6, 2.3], environment: false });
      if (!el.isConnected) return v.dispose;
      const { THREE, scene } = v;
      const mat = new THREE.MeshStandardMaterial({ roughness: 0.92, metalness: 0 });
      const mesh = new THREE.Mesh(GG.terrainGeometry(THREE, grid, 2, st.exaggeration), mat);
      const earth = new THREE.MeshStandardMaterial({ color: 0x4a3f35, roughness: 1, side: THREE.DoubleSide });
      const skirt = new THREE.Mesh(GG.terrainSkirt(THREE, mesh.geometry, -0.04), earth);
      const rangeScale = () => (2 / (grid.extent_m || grid.w)) * st.exaggeration;
      const water = new THREE.Mesh(new THREE.PlaneGeometry(2, 2).rotateX(-Math.PI / 2), new THREE.MeshStandardMaterial({ color: 0x2f6f9f, transparent: true, opacity: 0.55, roughness: 0.15 }));
      const placeWater = () => (water.position.y = (grid.sea_m || 0) * rangeScale());
      placeWater();
      water.visible = grid.sea_m !== null && grid.sea_m !== undefined;
      const sun = new THREE.DirectionalLight(0xfff1dc, 2.4);
      sun.position.set(-2, 3, 1.5);
      water.scale.setScalar(0.998);
      scene.add(mesh, skirt, water, sun, new THREE.HemisphereLight(0xbcd4ff, 0x3b3326, 1.1));
      const preview2d = h("canvas", { class: "layer-preview" });
      const repaint = async () => {
        const c = await composeLayers(card, payload, st.base, [...st.masks], st.opacity);
        if (mat.map) mat.map.dispose();
        mat.map = new THREE.CanvasTexture(c);
        mat.map.colorSpace = THREE.SRGBColorSpace;
        mat.map.anisotropy = 4;
        mat.needsUpdate = true;
        preview2d.width = c.width;
        preview2d.height = c.height;
        preview2d.getContext("2d").drawImage(c, 0, 0);
        v.render();
      };
      const legend = Object.entries(payload.texts).map(([p, t]) => readJSON(t)).find((d) => d && d.channels);
      put(side, 
        h("h4", { text: "Colour" }),
        seg([...bases.map((b) => [b, pretty(b)]), ["none", "clay"]], st.base, (b) => ((st.base = b), repaint())),
        masks.length ? h("h4", { text: "Masks" }) : null,
        masks.map((m) => h("div", { class: "mask-row" }, h("i", { class: "swatch", style: { background: MASK_TINTS[m] || "#e070ff" } }), check(pretty(m), false, (on) => (on ? st.masks.add(m) : st.masks.delete(m), repaint()), { mask: m }))),
        masks.length ? slider("mask opacity", 0, 1, 0.05, st.opacity, (o) => ((st.opacity = o), repaint())) : null,
        h("h4", { text: "Shape" }),
        slider("height ×", 0.2, 5, 0.1, st.exaggeration, (k) => {
          st.exaggeration = k;
          mesh.geometry.dispose();
          mesh.geometry = GG.terrainGeometry(THREE, grid, 2, k);
          skirt.geometry.dispose();
          skirt.geometry = GG.terrainSkirt(THREE, mesh.geometry, -0.04);
          placeWater();
          v.render();
        }),
        water.visible ? check("sea level " + grid.sea_m + " m", true, (on) => ((water.visible = on), v.render())) : null,
        preview2d,
        legend ? h("div", { class: "legend" }, Object.entries(legend.channels).map(([ch, d]) => h("span", { class: "legend-item" }, h("i", { class: "swatch", style: { background: "rgb(" + (d.preview_color || [128, 128, 128]).join(",") + ")" } }), ch + " " + d.layer))) : null,
        h("p", { class: "hint", text: [grid.extent_m && grid.extent_m + " m wide", grid.range_m && grid.range_m + " m height range", grid.w + "×" + grid.h + " samples shown"].filter(Boolean).join(" · ") })
      );
      await repaint();
      v.ready();
      return v.dispose;
    },
  });

  GG.registerViewer({
    name: "world",
    label: "World",
    priority: 88,
    match: (card, api) => {
      const f = heightFile(card);
      return !!f && Array.isArray(meta(f).tile) && api.group().filter((c) => heightFile(c)).length > 1;
    },
    async render(el, card, api) {
      const tiles = api.group().filter((c) => heightFile(c) && Array.isArray(meta(heightFile(c)).tile));
      const stage = h("div", { class: "stage" });
      const note = h("p", { class: "hint", text: "Loading " + tiles.length + " tiles…" });
      put(el, stage, note);
      const [v, payloads] = await Promise.all([GG.viewport(stage, { camera: [0, 1.7, 2.6], environment: false }), Promise.all(tiles.map((c) => GG.loadPayload(c)))]);
      if (!el.isConnected) return v.dispose;
      const { THREE, scene } = v;
      const metas = tiles.map((c) => meta(heightFile(c)));
      const extent = metas[0].terrain_extent_m || 1;
      const nx = Math.max(...metas.map((m) => m.tile[0])) + 1;
      const ny = Math.max(...metas.map((m) => m.tile[1])) + 1;
      const unit = 2 / Math.max(nx, ny);
      const maxSide = Math.max(33, Math.floor(Math.sqrt(400000 / tiles.length)));
      const earth = new THREE.MeshStandardMaterial({ color: 0x4a3f35, roughness: 1, side: THREE.DoubleSide });
      const meshes = [];
      let highlight = true;
      for (let k = 0; k < tiles.length; k++) {
        const grid = Object.values(payloads[k].heights)[0];
        if (!grid) continue;
        const tex = await composeLayers(tiles[k], payloads[k], "preview", [], 1);
        const map = new THREE.CanvasTexture(tex);
        map.colorSpace = THREE.SRGBColorSpace;
        const geo = GG.terrainGeometry(THREE, Object.assign({}, grid, { extent_m: extent }), unit, 1.5, maxSide);
        const mine = tiles[k].id === card.id;
        const mesh = new THREE.Mesh(geo, new THREE.MeshStandardMaterial({ map, roughness: 0.92, color: mine || !highlight ? 0xffffff : 0x9a9a9a }));
        const skirt = new THREE.Mesh(GG.terrainSkirt(THREE, geo, -0.03), earth);
        const [tx, ty] = metas[k].tile;
        for (const m of [mesh, skirt]) m.position.set((tx + 0.5) * unit - (nx * unit) / 2, 0, (ty + 0.5) * unit - (ny * unit) / 2);
        mesh.userData.id = tiles[k].id;
        scene.add(mesh, skirt);
        meshes.push(mesh);
      }
      const sun = new THREE.DirectionalLight(0xfff1dc, 2.4);
      sun.position.set(-2, 3, 1.5);
      scene.add(sun, new THREE.HemisphereLight(0xbcd4ff, 0x3b3326, 1.1));
      note.textContent = tiles.length + " tiles (" + nx + " × " + ny + "), each " + extent + " m wide, placed by the tile index in their manifest entries.";
      stage.before(h("div", { class: "toolbar" }, check("highlight " + card.id, true, (on) => {
        highlight = on;
        meshes.forEach((m) => m.material.color.set(on && m.userData.id !== card.id ? 0x9a9a9a : 0xffffff));
        v.render();
      })));
      v.ready();
      return v.dispose;
    },
  });

  /* ---------- sprites: every animation and direction playing at the atlas's frame durations ---------- */

  /** The sprite sheets of a card: images whose meta gives a frame size and animations (a list, or name → frames);
   *  an upscaled copy (meta.scale > 1) only when there is no sheet at scale 1. */
  function spriteSheets(card) {
    const all = card.files.filter((f) => isImage(f) && Array.isArray(meta(f).frame_size) && meta(f).animations && typeof meta(f).animations === "object");
    const base = all.filter((f) => !meta(f).scale || meta(f).scale === 1);
    return base.length ? base : all;
  }

  /** {name: [{x, y, w, h, ms}]} from an Aseprite (frameTags) or TexturePacker (animations) atlas of `sheet`. */
  function animationsOf(texts, sheet) {
    const atlases = Object.values(texts).map(readJSON).filter((d) => d && d.frames && d.meta && d.meta.image === sheet.name);
    const ase = atlases.find((d) => Array.isArray(d.meta.frameTags));
    const out = {};
    const rect = (fr) => ({ x: fr.frame.x, y: fr.frame.y, w: fr.frame.w, h: fr.frame.h, ms: fr.duration || 100 });
    if (ase) {
      const frames = Array.isArray(ase.frames) ? ase.frames : Object.keys(ase.frames).sort((a, b) => +a - +b).map((k) => ase.frames[k]);
      for (const tag of ase.meta.frameTags) out[tag.name] = frames.slice(tag.from, tag.to + 1).map(rect);
      return out;
    }
    const tp = atlases.find((d) => d.animations);
    if (tp) for (const [name, keys] of Object.entries(tp.animations)) out[name] = keys.map((k) => rect(tp.frames[k]));
    return out;
  }
  GG.animationsOf = animationsOf;

  GG.registerViewer({
    name: "sprite",
    label: "Animations",
    priority: 90,
    match: (card) => spriteSheets(card).length > 0,
    async render(el, card, api) {
      const sheets = spriteSheets(card);
      const payload = await api.payload();
      const anims = {}; // animation name → {img, frames}
      for (const sheet of sheets) {
        const img = new Image();
        img.src = sheet.url;
        for (const [name, frames] of Object.entries(animationsOf(payload.texts, sheet))) if (!anims[name]) anims[name] = { img, frames };
      }
      const names = Object.keys(anims);
      if (!names.length) {
        put(el, h("p", { class: "note", text: "No atlas JSON names the frames of " + sheets.map((f) => f.name).join(", ") + "." }));
        return;
      }
      const sheet = sheets[0];
      const dirs = meta(sheet).directions || [];
      const split = (name) => {
        const d = dirs.find((dd) => name.endsWith("_" + dd));
        return d ? [name.slice(0, -d.length - 1), d] : [name, ""];
      };
      const bases = [...new Set(names.map((n) => split(n)[0]))];
      const cols = dirs.filter((d) => names.some((n) => split(n)[1] === d));
      if (!cols.length) cols.push("");
      const fw = meta(sheet).frame_size[0];
      const st = { playing: true, fps: 0, zoom: Math.max(1, Math.min(8, Math.round(96 / fw))), onion: false, bg: "checker" };
      const cells = [];
      const grid = h("div", { class: "anim-grid", style: { gridTemplateColumns: "auto repeat(" + cols.length + ", max-content)" } });
      put(grid, h("span"), ...cols.map((d) => h("span", { class: "anim-col", text: d || "" })));
      for (const base of bases) {
        const row = cols.map((d) => (d && anims[base + "_" + d] ? base + "_" + d : null));
        if (!row.some(Boolean)) row[0] = base; // an animation with one direction (hurt): in the first column
        const first = anims[row.find(Boolean)].frames;
        put(grid, h("div", { class: "anim-row" }, h("b", { text: base }), h("small", { text: first.length + " frames · " + first.reduce((s, f) => s + f.ms, 0) + " ms" })));
        for (const name of row) {
          if (!name) {
            put(grid, h("span"));
            continue;
          }
          const { img, frames } = anims[name];
          const canvas = h("canvas", { class: "anim", dataset: { anim: name, frame: "0" }, title: name + ": " + frames.map((f) => f.ms).join("/") + " ms" });
          cells.push({ canvas, img, frames, i: 0, acc: 0 });
          put(grid, h("div", { class: "anim-cell" }, canvas));
        }
      }
      const draw = (cell) => {
        const f = cell.frames[cell.i];
        const z = st.zoom;
        const c = cell.canvas;
        if (c.width !== f.w * z || c.height !== f.h * z) {
          c.width = f.w * z;
          c.height = f.h * z;
        }
        const ctx = c.getContext("2d");
        ctx.imageSmoothingEnabled = false;
        ctx.clearRect(0, 0, c.width, c.height);
        if (st.onion && cell.frames.length > 1) {
          const p = cell.frames[(cell.i + cell.frames.length - 1) % cell.frames.length];
          ctx.globalAlpha = 0.3;
          ctx.drawImage(cell.img, p.x, p.y, p.w, p.h, 0, 0, p.w * z, p.h * z);
          ctx.globalAlpha = 1;
        }
        ctx.drawImage(cell.img, f.x, f.y, f.w, f.h, 0, 0, f.w * z, f.h * z);
        c.dataset.frame = String(cell.i);
      };
      const counter = h("span", { class: "frame-counter" });
      const paintCounter = () => (counter.textContent = cells.length ? "frame " + (cells[0].i + 1) + "/" + cells[0].frames.length + " (" + cells[0].canvas.dataset.anim + ")" : "");
      const advance = (n) => {
        for (const c of cells) {
          c.i = (c.i + n + c.frames.length) % c.frames.length;
          c.acc = 0;
          draw(c);
        }
        paintCounter();
      };
      let last = performance.now();
      let raf = 0;
      const tick = (now) => {
        const dt = Math.min(250, now - last);
        last = now;
        if (st.playing) {
          for (const c of cells) {
            if (!c.img.complete) continue;
            c.acc += dt;
            let moved = false;
            for (let guard = 0; guard < 32; guard++) {
              const ms = st.fps ? 1000 / st.fps : c.frames[c.i].ms;
              if (c.acc < ms) break;
              c.acc -= ms;
              c.i = (c.i + 1) % c.frames.length;
              moved = true;
            }
            if (moved) draw(c);
          }
          paintCounter();
        }
        raf = requestAnimationFrame(tick);
      };
      const playBtn = h("button", { class: "btn play", title: "Play / pause", onclick: () => ((st.playing = !st.playing), (playBtn.textContent = st.playing ? "❚❚ Pause" : "▶ Play"), (el.dataset.playing = st.playing ? "1" : "0")) }, "❚❚ Pause");
      const stepBy = (n) => () => {
        st.playing = false;
        playBtn.textContent = "▶ Play";
        el.dataset.playing = "0";
        advance(n);
      };
      const stage = h("div", { class: "anim-stage bg-" + st.bg }, grid);
      const sheetJSON = Object.values(payload.texts).map(readJSON).find((d) => d && d.format === "gamegen.character.sheet/1");
      el.dataset.playing = "1";
      put(el, 
        h(
          "div",
          { class: "toolbar" },
          playBtn,
          h("button", { class: "btn", title: "Previous frame", onclick: stepBy(-1) }, "◀ step"),
          h("button", { class: "btn", title: "Next frame", onclick: stepBy(1) }, "step ▶"),
          counter,
          h("label", { class: "select" }, "timing ", h("select", { onchange: (ev) => (st.fps = +ev.target.value) }, [["0", "atlas durations"], ["4", "4 fps"], ["8", "8 fps"], ["12", "12 fps"], ["24", "24 fps"]].map(([v, l]) => h("option", { value: v }, l)))),
          slider("zoom", 1, 8, 1, st.zoom, (z) => ((st.zoom = z), cells.forEach(draw))),
          check("onion skin", false, (on) => ((st.onion = on), cells.forEach(draw))),
          seg([["checker", "▦"], ["dark", "■"], ["light", "□"]], st.bg, (b) => (stage.className = "anim-stage bg-" + b))
        ),
        h("div", { class: "sprite-layout" }, stage, h("aside", { class: "sprite-side" }, sheetJSON ? sheetCard(sheetJSON) : null, sheets.map((f) => h("figure", { class: "atlas" }, h("div", { class: "checker" }, h("img", { src: f.url, alt: f.name })), h("figcaption", { text: f.name + " · " + meta(f).frame_size.join("×") + " px frames" })))))
      );
      const images = [...new Set(cells.map((c) => c.img))];
      Promise.all(images.map((img) => (img.complete ? Promise.resolve() : new Promise((ok) => img.addEventListener("load", ok, { once: true }))))).then(() => {
        cells.forEach(draw);
        paintCounter();
        el.dataset.ready = "1";
      });
      raf = requestAnimationFrame(tick);
      return () => cancelAnimationFrame(raf);
    },
  });

  /* ---------- character sheets ---------- */

  function sheetCard(doc) {
    const stats = doc.stats || {};
    const max = Math.max(20, ...Object.values(stats).filter((n) => typeof n === "number"));
    return h(
      "div",
      { class: "sheet" },
      h("h3", { text: doc.name || "?" }),
      h("div", { class: "sheet-sub", text: ["level " + (doc.level ?? "?"), doc.role, doc.culture].filter(Boolean).join(" · ") }),
      h("div", { class: "stats" }, Object.entries(stats).map(([k, n]) => h("div", { class: "stat" }, h("span", { text: k.slice(0, 3).toUpperCase(), title: k }), h("i", { style: { width: (100 * n) / max + "%" } }), h("b", { text: String(n) })))),
      doc.derived ? h("div", { class: "derived" }, Object.entries(doc.derived).map(([k, n]) => h("span", {}, h("small", { text: k }), String(n)))) : null,
      doc.traits ? h("div", { class: "chips" }, doc.traits.map((t) => h("span", { class: "chip", text: t }))) : null,
      doc.inventory ? h("ul", { class: "inventory" }, doc.inventory.map((it) => h("li", { text: (it.count > 1 ? it.count + " × " : "") + it.item }))) : null,
      doc.gold !== undefined ? h("div", { class: "gold", text: doc.gold + " gold" }) : null,
      doc.backstory ? h("p", { class: "backstory", text: doc.backstory }) : null
    );
  }

  GG.registerViewer({
    name: "sheet",
    label: "Sheet",
    priority: 70,
    match: (card) => card.files.some((f) => meta(f).format === "gamegen.character.sheet/1") && !spriteSheets(card).length,
    async render(el, card, api) {
      const payload = await api.payload();
      const f = card.files.find((ff) => meta(ff).format === "gamegen.character.sheet/1");
      const doc = readJSON(payload.texts[f.path] || "null");
      put(el, doc ? sheetCard(doc) : h("p", { class: "note", text: "The sheet could not be read." }));
    },
  });

  /* ---------- dialogue: an Ink playthrough compiled in the page ---------- */

  GG.registerViewer({
    name: "ink",
    label: "Dialogue",
    priority: 90,
    match: (card) => card.files.some((f) => /\.ink$/i.test(f.name)),
    async render(el, card, api) {
      const inks = card.files.filter((f) => /\.ink$/i.test(f.name));
      const [payload, inkjs] = await Promise.all([api.payload(), GG.ink()]);
      const transcript = h("div", { class: "ink-transcript" });
      const choices = h("div", { class: "ink-choices" });
      const vars = h("table", { class: "kv ink-vars" });
      const errors = h("div", { class: "ink-errors" });
      let story = null;
      let names = [];
      const shared = {}; // like a game: one value per variable, carried from one giver's dialogue to the next
      const say = (text, tags, cls) => {
        const m = /^([^:]{1,40}):\s+(.*)$/s.exec(text.trim());
        const line = h("p", { class: "ink-line " + (cls || ""), title: (tags || []).join(" ") }, m ? [h("b", { text: m[1] }), " " + m[2]] : text.trim());
        put(transcript, line);
      };
      const paintVars = () => {
        vars.replaceChildren(
          ...names.map((n) => {
            const value = story.variablesState[n];
            shared[n] = value;
            const input =
              typeof value === "boolean"
                ? h("input", { type: "checkbox", checked: value, onchange: (ev) => ((story.variablesState[n] = ev.target.checked), paintVars()) })
                : h("input", { type: typeof value === "number" ? "number" : "text", value: String(value), onchange: (ev) => ((story.variablesState[n] = typeof value === "number" ? +ev.target.value : ev.target.value), paintVars()) });
            return h("tr", { dataset: { var: n } }, h("th", { text: n }), h("td", {}, input));
          })
        );
      };
      const run = () => {
        while (story.canContinue) {
          const text = story.Continue();
          if (text.trim()) say(text, story.currentTags);
        }
        choices.replaceChildren(
          ...story.currentChoices.map((ch, k) =>
            h("button", { class: "ink-choice", dataset: { index: k }, onclick: () => {
              say(ch.text, ch.tags, "player");
              story.ChooseChoiceIndex(ch.index);
              run();
            } }, h("span", { class: "n", text: k + 1 + "." }), " " + ch.text)
          )
        );
        if (!story.currentChoices.length) {
          put(choices, h("div", { class: "ink-end", text: "— END —" }));
          el.dataset.ended = "1";
        } else el.dataset.ended = "0";
        paintVars();
        transcript.scrollTop = transcript.scrollHeight;
      };
      const start = (f) => {
        transcript.replaceChildren();
        errors.replaceChildren();
        const src = payload.texts[f.path] || "";
        const problems = [];
        try {
          const compiler = new inkjs.Compiler(src, { errorHandler: (msg, type) => problems.push([msg, type]) });
          story = compiler.Compile();
        } catch (err) {
          problems.push([String(err && err.message ? err.message : err), 2]);
          story = null;
        }
        const bad = problems.filter(([, t]) => t === 2);
        put(errors, ...problems.map(([m, t]) => h("p", { class: t === 2 ? "error" : "warn", text: m })));
        if (!story || bad.length) {
          el.dataset.ended = "error";
          return;
        }
        names = [...src.matchAll(/^\s*VAR\s+(\w+)\s*=/gm)].map((m) => m[1]);
        for (const n of names) if (n in shared) story.variablesState[n] = shared[n];
        el.dataset.file = f.name;
        run();
      };
      let current = inks[0];
      put(el, 
        h("div", { class: "toolbar" }, inks.length > 1 ? seg(inks.map((f) => [f.path, speaker(f.name)]), current.path, (p) => start((current = inks.find((f) => f.path === p)))) : h("span", { class: "hint", text: current.name }), h("button", { class: "btn restart", title: "Play this conversation again, keeping the variables", onclick: () => start(current) }, "↺ Restart"), h("button", { class: "btn", title: "Forget every variable and restart", onclick: () => (Object.keys(shared).forEach((k) => delete shared[k]), start(current)) }, "Reset variables"), h("span", { class: "hint", text: "compiled in the page by inkjs" })),
        h("div", { class: "ink-layout" }, h("div", { class: "ink-play" }, transcript, choices, errors), h("aside", { class: "ink-side" }, h("h4", { text: "Variables" }), vars, h("p", { class: "hint", text: "Edit a value to try another branch, then pick a choice." })))
      );
      start(current);
    },
  });

  /* ---------- quest lines ---------- */

  GG.registerViewer({
    name: "quests",
    label: "Quest line",
    priority: 85,
    match: (card) => card.files.some((f) => meta(f).format === "gamegen.questline/1"),
    async render(el, card, api) {
      const payload = await api.payload();
      const f = card.files.find((ff) => meta(ff).format === "gamegen.questline/1");
      const doc = readJSON(payload.texts[f.path] || "null");
      if (!doc || !Array.isArray(doc.quests)) {
        put(el, h("p", { class: "note", text: "The quest line could not be read." }));
        return;
      }
      const depth = {};
      const byId = Object.fromEntries(doc.quests.map((q) => [q.id, q]));
      const level = (q, seen = new Set()) => {
        if (depth[q.id] !== undefined) return depth[q.id];
        if (seen.has(q.id)) return 0;
        seen.add(q.id);
        return (depth[q.id] = Math.max(0, ...(q.requires || []).map((r) => (byId[r] ? level(byId[r], seen) + 1 : 0))));
      };
      const quests = [...doc.quests].sort((a, b) => level(a) - level(b));
      const sm = doc.state_machine || {};
      const stateVar = Object.fromEntries((Array.isArray(sm.quests) ? sm.quests : []).map((q) => [q.quest, q.variable]));
      put(el, 
        h(
          "ol",
          { class: "questline" },
          quests.map((q) =>
            h(
              "li",
              { class: "quest", dataset: { quest: q.id }, style: { marginLeft: level(q) * 18 + "px" } },
              h("div", { class: "quest-head" }, h("span", { class: "qid", text: q.id }), h("h3", { text: q.title || q.id }), h("span", { class: "chip", text: q.objective }), q.level ? h("span", { class: "chip", text: "lvl " + q.level }) : null, (q.requires || []).map((r) => h("span", { class: "chip req", text: "after " + r }))),
              h("p", { class: "quest-sum", text: q.summary || "" }),
              h("p", { class: "quest-giver" }, h("b", { text: q.giver || "?" }), q.faction ? " · " + q.faction : "", q.motivation ? " — " + q.motivation : ""),
              h("ol", { class: "steps" }, (q.steps || []).map((s) => h("li", {}, h("span", { class: "chip", text: s.action }), " " + s.description + (s.location ? " (" + s.location + ")" : "")))),
              q.rewards ? h("div", { class: "rewards" }, Object.entries(q.rewards).filter(([, v]) => v && (!Array.isArray(v) || v.length)).map(([k, v]) => h("span", { class: "chip reward", text: k + " " + (Array.isArray(v) ? v.join(", ") : v) }))) : null,
              stateVar[q.id] ? h("div", { class: "hint", text: "state variable " + stateVar[q.id] }) : null
            )
          )
        ),
        Array.isArray(sm.states)
          ? h("div", { class: "state-machine" }, h("h3", { text: "Quest states" }), h("table", { class: "kv" }, sm.states.map((s) => h("tr", {}, h("th", { text: s.value + " " + s.name }), h("td", { text: s.meaning + (s.set_by ? " (set by the " + s.set_by + ")" : "") })))), sm.notes ? h("p", { class: "hint", text: sm.notes }) : null)
          : null
      );
    },
  });

  /* ---------- audio: a player with its waveform ---------- */

  GG.registerViewer({
    name: "audio",
    label: "Sound",
    priority: 90,
    match: (card) => card.files.some((f) => /^audio\//.test(f.media_type)),
    async render(el, card, api) {
      const payload = await api.payload();
      const rafs = [];
      for (const f of card.files.filter((ff) => /^audio\//.test(ff.media_type))) {
        const m = meta(f);
        const audio = h("audio", { controls: true, preload: "auto", src: f.url });
        const canvas = h("canvas", { class: "wave", width: "1000", height: "160" });
        const wave = payload.waves[f.path];
        const draw = () => {
          const ctx = canvas.getContext("2d");
          const W = canvas.width;
          const H = canvas.height;
          ctx.fillStyle = "#15181e";
          ctx.fillRect(0, 0, W, H);
          ctx.strokeStyle = "#2a2f39";
          ctx.beginPath();
          ctx.moveTo(0, H / 2);
          ctx.lineTo(W, H / 2);
          ctx.stroke();
          if (wave) {
            const n = wave.min.length;
            const played = audio.duration ? audio.currentTime / audio.duration : 0;
            for (let x = 0; x < W; x++) {
              const k = Math.floor((x / W) * n);
              const top = H / 2 - (wave.max[k] / 100) * (H / 2 - 4);
              const bottom = H / 2 - (wave.min[k] / 100) * (H / 2 - 4);
              ctx.fillStyle = x / W < played ? "#f3b94d" : "#5ec8a8";
              ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
            }
          }
          if (audio.duration) {
            ctx.fillStyle = "#fff";
            ctx.fillRect((audio.currentTime / audio.duration) * W, 0, 2, H);
          }
        };
        canvas.addEventListener("click", (ev) => {
          const r = canvas.getBoundingClientRect();
          if (audio.duration) audio.currentTime = ((ev.clientX - r.left) / r.width) * audio.duration;
          draw();
        });
        const loop = () => {
          draw();
          if (!audio.paused) rafs.push(requestAnimationFrame(loop));
        };
        audio.addEventListener("play", loop);
        audio.addEventListener("loadedmetadata", draw);
        audio.addEventListener("seeked", draw);
        const facts = [["duration", m.duration_s !== undefined ? (+m.duration_s).toFixed(3) + " s" : null], ["sample rate", m.sample_rate && m.sample_rate + " Hz"], ["bits", m.bits_per_sample], ["channels", m.channels], ["peak", m.peak_dbfs !== undefined ? m.peak_dbfs + " dBFS" : null], ["loudness", m.loudness], ["clipped samples", m.clipped_samples], ["DC offset", m.dc_offset]].filter(([, v]) => v !== null && v !== undefined);
        put(el, 
          h(
            "section",
            { class: "sound" },
            h("h3", { text: f.name }),
            canvas,
            audio,
            h("table", { class: "kv" }, facts.map(([k, v]) => h("tr", {}, h("th", { text: k }), h("td", { text: String(v) })))),
            m.synth ? h("details", {}, h("summary", { text: "synth settings" }), h("table", { class: "kv" }, Object.entries(m.synth).map(([k, v]) => h("tr", {}, h("th", { text: k }), h("td", { text: GG.fmt(v) }))))) : null
          )
        );
        draw();
      }
      el.dataset.ready = "1";
      return () => rafs.forEach(cancelAnimationFrame);
    },
  });

  /* ---------- anything else: images and text as they are ---------- */

  GG.registerViewer({
    name: "images",
    label: "Images",
    priority: 20,
    match: (card) => card.files.some(isImage) && !textureCard(card),
    render(el, card) {
      const pixel = card.pixel;
      put(el, 
        h("div", { class: "toolbar" }, check("pixelated", pixel, (on) => el.classList.toggle("pixel", on))),
        h(
          "div",
          { class: "images" },
          card.files.filter(isImage).map((f) => {
            const m = meta(f);
            const img = h("img", { src: f.url, alt: f.name });
            const size = h("span");
            img.addEventListener("load", () => {
              size.textContent = img.naturalWidth + "×" + img.naturalHeight;
              img.classList.toggle("small", Math.max(img.naturalWidth, img.naturalHeight) < 256);
            });
            const about = [m.encoding, m.animation && "animation " + m.animation, m.frame && "frame " + m.frame].filter(Boolean).join(" · ");
            return h("figure", { class: "image", onclick: (ev) => ev.currentTarget.classList.toggle("big") }, h("div", { class: "checker" }, img), h("figcaption", {}, h("b", { text: f.name }), size, about ? h("small", { text: about }) : null));
          })
        )
      );
      if (pixel) el.classList.add("pixel");
    },
  });

  GG.registerViewer({
    name: "text",
    label: "Text",
    priority: 10,
    match: (card) => card.files.some(isText),
    async render(el, card, api) {
      const payload = await api.payload();
      const files = card.files.filter((f) => isText(f) && payload.texts[f.path] !== undefined);
      const body = h("pre", { class: "text-body" });
      const show = (f) => {
        let text = payload.texts[f.path];
        if (/json$/.test(f.media_type) && text.length < 400000) {
          const doc = readJSON(text);
          if (doc !== null) text = JSON.stringify(doc, null, 2);
        }
        body.textContent = text + (payload.truncated.includes(f.path) ? "\n… (the first 256 KiB of " + GG.bytes(f.bytes) + ")" : "");
      };
      if (!files.length) {
        put(el, h("p", { class: "note", text: "No text to show." }));
        return;
      }
      put(el, h("div", { class: "toolbar" }, seg(files.map((f) => [f.path, f.name]), files[0].path, (p) => show(files.find((f) => f.path === p)))), body);
      show(files[0]);
    },
  });
})();
