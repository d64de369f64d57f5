/* gamegen gallery: the 3D views' shared parts on top of the vendored three.js: a viewport that renders on demand
 * with orbit controls (drag to turn, wheel to zoom, right-drag to pan), a studio environment for PBR, textures
 * from the payload's data URLs (a local file could not be a WebGL texture under file://), PBR materials from a
 * texture set's maps and displaced terrain meshes from heightmap samples. */
"use strict";

(function () {
  const GG = (window.GG = window.GG || {});

  function orbit(THREE, camera, dom, target, onChange) {
    const sph = new THREE.Spherical().setFromVector3(camera.position.clone().sub(target));
    let drag = null;
    const apply = () => {
      sph.phi = Math.max(0.05, Math.min(Math.PI / 2 - 0.02, sph.phi));
      sph.radius = Math.max(0.3, Math.min(200, sph.radius));
      camera.position.copy(new THREE.Vector3().setFromSpherical(sph).add(target));
      camera.lookAt(target);
      onChange();
    };
    dom.addEventListener("contextmenu", (ev) => ev.preventDefault());
    dom.addEventListener("pointerdown", (ev) => {
      dom.setPointerCapture(ev.pointerId);
      drag = { x: ev.clientX, y: ev.clientY, pan: ev.button === 2 || ev.shiftKey };
    });
    dom.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      const dx = ev.clientX - drag.x;
      const dy = ev.clientY - drag.y;
      drag.x = ev.clientX;
      drag.y = ev.clientY;
      if (drag.pan) {
        const scale = sph.radius / dom.clientHeight;
        const right = new THREE.Vector3().setFromMatrixColumn(camera.matrix, 0);
        const up = new THREE.Vector3().setFromMatrixColumn(camera.matrix, 1);
        target.add(right.multiplyScalar(-dx * scale)).add(up.multiplyScalar(dy * scale));
      } else {
        sph.theta -= dx * 0.008;
        sph.phi -= dy * 0.008;
      }
      apply();
    });
    dom.addEventListener("pointerup", () => (drag = null));
    dom.addEventListener(
      "wheel",
      (ev) => {
        ev.preventDefault();
        sph.radius *= Math.exp(ev.deltaY * 0.001);
        apply();
      },
      { passive: false }
    );
    apply();
    return { spherical: sph, target, update: apply };
  }

  function studio(THREE, renderer) {
    // A soft studio: a sky-to-floor gradient dome and two softboxes, prefiltered for image-based lighting.
    const scene = new THREE.Scene();
    const dome = new THREE.SphereGeometry(10, 32, 16);
    const colors = [];
    const pos = dome.attributes.position;
    const top = new THREE.Color(0xdfe8f5);
    const bottom = new THREE.Color(0x2a2723);
    for (let i = 0; i < pos.count; i++) {
      const t = (pos.getY(i) / 10 + 1) / 2;
      const c = bottom.clone().lerp(top, Math.pow(t, 0.8));
      colors.push(c.r, c.g, c.b);
    }
    dome.setAttribute("color", new THREE.Float32BufferAttribute(colors, 3));
    scene.add(new THREE.Mesh(dome, new THREE.MeshBasicMaterial({ vertexColors: true, side: THREE.BackSide })));
    const box = (x, y, z, w, hgt, k) => {
      const m = new THREE.Mesh(new THREE.PlaneGeometry(w, hgt), new THREE.MeshBasicMaterial({ color: new THREE.Color(k, k, k * 0.96), side: THREE.DoubleSide }));
      m.position.set(x, y, z);
      m.lookAt(0, 0, 0);
      scene.add(m);
    };
    box(-5, 6, 4, 5, 3, 6);
    box(6, 3, -3, 3, 4, 2.5);
    const pmrem = new THREE.PMREMGenerator(renderer);
    const env = pmrem.fromScene(scene, 0, 0.1, 100, { size: 32 }).texture;
    pmrem.dispose();
    return env;
  }

  /** True when WebGL runs on the CPU (SwiftShader, llvmpipe): the views then skip multisampling and draw at one
   *  pixel per CSS pixel, which keeps them interactive there and changes nothing on a GPU. */
  GG.softwareGL = (() => {
    let answer = null;
    return () => {
      if (answer !== null) return answer;
      const gl = document.createElement("canvas").getContext("webgl2");
      const info = gl && gl.getExtension("WEBGL_debug_renderer_info");
      const name = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "";
      answer = /swiftshader|llvmpipe|software|basic render/i.test(name);
      const lose = gl && gl.getExtension("WEBGL_lose_context");
      if (lose) lose.loseContext();
      return answer;
    };
  })();

  /** A 3D viewport in `el`: {THREE, renderer, scene, camera, controls, canvas, render(), dispose()}. */
  GG.viewport = async function (el, opts) {
    const THREE = await GG.three();
    opts = Object.assign({ height: "max(360px, calc(100vh - 250px))", target: [0, 0, 0], camera: [0, 2, 4], fov: 40, environment: true }, opts || {});
    const wrap = GG.h("div", { class: "viewport", style: { height: opts.height } });
    el.appendChild(wrap);
    const soft = GG.softwareGL();
    const renderer = new THREE.WebGLRenderer({ antialias: !soft, preserveDrawingBuffer: true, alpha: false });
    renderer.setPixelRatio(soft ? 1 : Math.min(2, window.devicePixelRatio || 1));
    renderer.outputColorSpace = THREE.SRGBColorSpace;
    renderer.toneMapping = THREE.ACESFilmicToneMapping;
    renderer.toneMappingExposure = 0.9;
    const canvas = renderer.domElement;
    canvas.dataset.frames = "0";
    wrap.appendChild(canvas);
    const scene = new THREE.Scene();
    scene.background = new THREE.Color(0x1b1e24);
    if (opts.environment) scene.environment = studio(THREE, renderer);
    const camera = new THREE.PerspectiveCamera(opts.fov, 1, 0.01, 5000);
    camera.position.set(...opts.camera);
    let pending = false;
    let alive = true;
    const v = { THREE, renderer, scene, camera, canvas, wrap };
    v.render = () => {
      if (pending || !alive) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        if (!alive) return;
        renderer.render(scene, camera);
        canvas.dataset.frames = String(+canvas.dataset.frames + 1);
        if (v.onRender) v.onRender();
      });
    };
    const resize = () => {
      const w = Math.max(1, wrap.clientWidth);
      const hgt = Math.max(1, wrap.clientHeight);
      renderer.setSize(w, hgt, false);
      canvas.style.width = "100%";
      canvas.style.height = "100%";
      camera.aspect = w / hgt;
      camera.updateProjectionMatrix();
      v.render();
    };
    const observer = new ResizeObserver(resize);
    observer.observe(wrap);
    resize();
    v.controls = orbit(THREE, camera, canvas, new THREE.Vector3(...opts.target), v.render);
    v.dispose = () => {
      alive = false;
      observer.disconnect();
      scene.traverse((o) => {
        if (o.geometry) o.geometry.dispose();
        const mats = o.material ? (Array.isArray(o.material) ? o.material : [o.material]) : [];
        mats.forEach((m) => {
          Object.values(m).forEach((t) => t && t.isTexture && t.dispose());
          m.dispose();
        });
      });
      if (scene.environment) scene.environment.dispose();
      renderer.dispose();
      renderer.forceContextLoss();
    };
    /** Mark the canvas drawn once everything it shows is in the scene (tests and people wait for this). */
    v.ready = () => {
      v.onRender = () => {
        canvas.dataset.ready = "1";
        v.onRender = null;
      };
      v.render();
    };
    return v;
  };

  /** An <img> from a data URL, decoded. */
  GG.loadImage = (src) =>
    new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error("could not decode an image"));
      img.src = src;
    });

  /** A canvas texture from an image after a per-pixel channel remap fn(r,g,b,a) -> [r,g,b] (unity/hdrp masks). */
  GG.remapTexture = (THREE, img, fn) => {
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, c.width, c.height);
    const p = data.data;
    for (let i = 0; i < p.length; i += 4) {
      const out = fn(p[i], p[i + 1], p[i + 2], p[i + 3]);
      p[i] = out[0];
      p[i + 1] = out[1];
      p[i + 2] = out[2];
      p[i + 3] = 255;
    }
    ctx.putImageData(data, 0, 0);
    return new THREE.CanvasTexture(c);
  };

  const MAP_NAMES = {
    albedo: "albedo", base_color: "albedo", basecolor: "albedo", diffuse: "albedo", color: "albedo",
    normal: "normal", roughness: "roughness", ao: "ao", occlusion: "ao", height: "height", displacement: "height",
    orm: "orm", metallic: "metallic", metalness: "metallic", metallic_smoothness: "metallic_smoothness", mask_map: "mask_map",
  };
  /** The texture set's maps by role: {albedo: file, normal: file, ...} (from each file's meta.map). */
  GG.textureMaps = (card) => {
    const maps = {};
    for (const f of card.files) {
      const role = MAP_NAMES[(f.meta || {}).map];
      if (role && f.media_type.startsWith("image/") && !maps[role]) maps[role] = f;
    }
    return maps;
  };

  /** MeshStandardMaterial with every map the set has; textures repeat `repeat` times. */
  GG.pbrMaterial = async (THREE, card, payload, repeat) => {
    const maps = GG.textureMaps(card);
    const img = {};
    await Promise.all(
      Object.entries(maps).map(async ([role, f]) => {
        if (payload.images[f.path]) img[role] = await GG.loadImage(payload.images[f.path]);
      })
    );
    const tex = (image, srgb) => {
      const t = image instanceof THREE.Texture ? image : new THREE.Texture(image);
      t.wrapS = t.wrapT = THREE.RepeatWrapping;
      t.repeat.set(repeat[0], repeat[1]);
      t.anisotropy = 4;
      t.colorSpace = srgb ? THREE.SRGBColorSpace : THREE.NoColorSpace;
      t.needsUpdate = true;
      return t;
    };
    const m = new THREE.MeshStandardMaterial({ color: 0xffffff, roughness: 1, metalness: 0 });
    if (img.albedo) m.map = tex(img.albedo, true);
    if (img.normal) {
      m.normalMap = tex(img.normal, false);
      if ((maps.normal.meta || {}).normal_convention === "directx") m.normalScale.set(1, -1);
    }
    let orm = null;
    if (img.orm) orm = tex(img.orm, false);
    else if (img.metallic_smoothness) orm = tex(GG.remapTexture(THREE, img.metallic_smoothness, (r, g, b, a) => [g, 255 - a, r]), false);
    else if (img.mask_map) orm = tex(GG.remapTexture(THREE, img.mask_map, (r, g, b, a) => [g, 255 - a, r]), false);
    if (orm) {
      m.roughnessMap = orm;
      m.metalnessMap = orm;
      m.metalness = 1;
      if (!img.ao) m.aoMap = orm;
    }
    if (img.roughness && !orm) m.roughnessMap = tex(img.roughness, false);
    if (img.metallic && !orm) {
      m.metalnessMap = tex(img.metallic, false);
      m.metalness = 1;
    }
    if (img.ao) m.aoMap = tex(img.ao, false);
    if (img.height) {
      m.displacementMap = tex(img.height, false);
      m.displacementScale = +((maps.height.meta || {}).relief_depth || 0.02) * 2;
      m.displacementBias = -m.displacementScale / 2;
    }
    m.userData.maps = Object.keys(img);
    return m;
  };

  /** Heights of a payload grid as a Float32Array of metres (row-major, row 0 = far edge). */
  GG.heightsOf = (grid) => {
    const raw = atob(grid.data);
    const n = grid.w * grid.h;
    const out = new Float32Array(n);
    const range = grid.range_m || 1;
    for (let i = 0; i < n; i++) out[i] = ((raw.charCodeAt(2 * i) | (raw.charCodeAt(2 * i + 1) << 8)) / 65535) * range;
    return out;
  };

  /** A displaced terrain mesh geometry `size` units wide from a payload grid, sampled at most `maxSide` a side. */
  GG.terrainGeometry = (THREE, grid, size, exaggeration, maxSide) => {
    const heights = GG.heightsOf(grid);
    const stepX = Math.max(1, Math.ceil((grid.w - 1) / ((maxSide || 257) - 1)));
    const stepY = Math.max(1, Math.ceil((grid.h - 1) / ((maxSide || 257) - 1)));
    const cols = [];
    for (let x = 0; x < grid.w - 1; x += stepX) cols.push(x);
    cols.push(grid.w - 1);
    const rows = [];
    for (let y = 0; y < grid.h - 1; y += stepY) rows.push(y);
    rows.push(grid.h - 1);
    const geo = new THREE.PlaneGeometry(size, size, cols.length - 1, rows.length - 1);
    geo.rotateX(-Math.PI / 2);
    const pos = geo.attributes.position;
    const extent = grid.extent_m || grid.w;
    const scale = (size / extent) * exaggeration;
    let k = 0;
    for (const y of rows) for (const x of cols) pos.setY(k++, heights[y * grid.w + x] * scale);
    geo.computeVertexNormals();
    geo.userData.grid = { cols: cols.length, rows: rows.length };
    return geo;
  };

  /** Walls from a terrain geometry's border down to y = `floor`, so the terrain reads as a block of ground. */
  GG.terrainSkirt = (THREE, geo, floor) => {
    const { cols, rows } = geo.userData.grid;
    const pos = geo.attributes.position;
    const ring = [];
    for (let x = 0; x < cols; x++) ring.push(x);
    for (let y = 1; y < rows; y++) ring.push(y * cols + cols - 1);
    for (let x = cols - 2; x >= 0; x--) ring.push((rows - 1) * cols + x);
    for (let y = rows - 2; y >= 0; y--) ring.push(y * cols);
    const verts = [];
    for (let k = 0; k < ring.length - 1; k++) {
      const a = ring[k];
      const b = ring[k + 1];
      const [ax, ay, az, bx, by, bz] = [pos.getX(a), pos.getY(a), pos.getZ(a), pos.getX(b), pos.getY(b), pos.getZ(b)];
      verts.push(ax, ay, az, bx, floor, bz, bx, by, bz, ax, ay, az, ax, floor, az, bx, floor, bz);
    }
    const skirt = new THREE.BufferGeometry();
    skirt.setAttribute("position", new THREE.Float32BufferAttribute(verts, 3));
    skirt.computeVertexNormals();
    return skirt;
  };
})();
