/* gamegen gallery: A-vs-B compare of two assets' images. Slider (drag to wipe), difference (the browser blends
 * the two images, so it works from file:// where pixels cannot be read) and side by side. */
"use strict";

(function () {
  const GG = (window.GG = window.GG || {});
  const modes = ["slider", "difference", "side"];
  const labels = { slider: "Slider", difference: "Difference", side: "Side by side" };
  let current = { a: null, b: null, mode: "slider", image: null, split: 50, gain: 1 };

  const images = (card) => card.files.filter((f) => /^image\/(png|gif|jpeg|webp)$/.test(f.media_type));

  function imageFor(card, name) {
    const list = images(card);
    return list.find((f) => f.name === name) || list.find((f) => f.path === card.preview) || list[0] || null;
  }

  function render() {
    const h = GG.h;
    const root = document.getElementById("compare");
    const { a, b, mode } = current;
    const common = images(a).map((f) => f.name).filter((n) => images(b).some((g) => g.name === n));
    const fa = imageFor(a, current.image);
    const fb = imageFor(b, current.image || (fa && fa.name));
    const pixel = a.pixel || b.pixel;
    const img = (f, cls) => (f ? h("img", { class: cls, src: f.url, alt: f.name, draggable: "false" }) : h("div", { class: cls + " none", text: "no image" }));
    let stage;
    if (mode === "side") {
      stage = h("div", { class: "cmp-side" }, h("figure", {}, img(fa, "cmp-img"), h("figcaption", { text: "A · " + a.id })), h("figure", {}, img(fb, "cmp-img"), h("figcaption", { text: "B · " + b.id })));
    } else {
      const top = img(fa, "cmp-img cmp-top");
      const base = img(fb, "cmp-img cmp-base");
      stage = h("div", { class: "cmp-stack " + mode, style: { filter: mode === "difference" ? "brightness(" + current.gain + ")" : "" } }, base, top);
      if (mode === "slider") {
        const handle = h("div", { class: "cmp-handle" });
        stage.appendChild(handle);
        const set = (x) => {
          current.split = Math.max(0, Math.min(100, x));
          top.style.clipPath = "inset(0 " + (100 - current.split) + "% 0 0)";
          handle.style.left = current.split + "%";
        };
        set(current.split);
        const move = (ev) => {
          const r = stage.getBoundingClientRect();
          set(((ev.clientX - r.left) / r.width) * 100);
        };
        stage.addEventListener("pointerdown", (ev) => {
          stage.setPointerCapture(ev.pointerId);
          move(ev);
          stage.onpointermove = move;
        });
        stage.addEventListener("pointerup", () => (stage.onpointermove = null));
      }
      stage.appendChild(h("span", { class: "cmp-tag a", text: "A" }));
      stage.appendChild(h("span", { class: "cmp-tag b", text: "B" }));
    }
    const bar = h(
      "div",
      { class: "cmp-bar" },
      h("div", { class: "seg" }, modes.map((m) => h("button", { class: m === mode ? "on" : "", onclick: () => ((current.mode = m), render()) }, labels[m]))),
      common.length > 1
        ? h("select", { class: "cmp-map", onchange: (ev) => ((current.image = ev.target.value), render()) }, common.map((n) => h("option", { value: n, selected: fa && n === fa.name }, n)))
        : null,
      mode === "difference" ? h("label", { class: "gain" }, "gain ", h("input", { type: "range", min: "1", max: "8", step: "0.5", value: String(current.gain), oninput: (ev) => ((current.gain = +ev.target.value), (stage.style.filter = "brightness(" + current.gain + ")")) })) : null,
      h("span", { class: "cmp-names" }, h("b", { text: "A " }), a.id + " (seed " + a.seed + ")", h("b", { text: "   B " }), b.id + " (seed " + b.seed + ")"),
      h("button", { class: "close", title: "Close (Esc)", onclick: close }, "✕")
    );
    root.replaceChildren(h("div", { class: "cmp-panel" + (pixel ? " pixel" : "") }, bar, stage));
    root.dataset.mode = mode;
  }

  function close() {
    const root = document.getElementById("compare");
    root.classList.remove("open");
    root.replaceChildren();
  }

  GG.compare = {
    open(a, b) {
      current = Object.assign(current, { a, b });
      document.getElementById("compare").classList.add("open");
      render();
    },
    close,
    toggleMode() {
      current.mode = modes[(modes.indexOf(current.mode) + 1) % modes.length];
      render();
    },
  };
})();
