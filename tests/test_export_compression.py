"""PNG compression: ``fast`` (the default) and ``small`` (today's level-6 bytes), deterministic everywhere.

Both decode to the same pixels and packet; ``small`` is byte for byte the encoder gamegen always had; each gives the
same bytes twice, on any number of export threads and through a process pool; the option reaches generate, variations,
recipes, build and the CLI, is part of the cache key, and a bad value is refused naming the choices.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

import build_gens
import numpy as np
import pytest
from build_gens import tree
from click.testing import CliRunner
from PIL import Image, PngImagePlugin

import gamegen
from gamegen.builds import BuildCache, RecipeError, build, parse_recipe
from gamegen.bundle import export_run
from gamegen.cli import main
from gamegen.export import ExportContext, get_profile
from gamegen.export.png import XMP_KEY, compression_scope, encode_png
from gamegen.provenance import provenance_record

XMP = '<x:xmpmeta xmlns:x="adobe:ns:meta/">gamegen ✓</x:xmpmeta>'


def old_encode_png(array: np.ndarray, xmp: str | None = None, compress_level: int = 6) -> bytes:
    """gamegen 0.2's encoder, verbatim: what ``small`` must reproduce byte for byte."""
    a = np.ascontiguousarray(array)
    if a.dtype == np.uint16:
        img = Image.frombytes("I;16", (a.shape[1], a.shape[0]), a.astype("<u2").tobytes())
    else:
        img = Image.fromarray(a)
    info = PngImagePlugin.PngInfo()
    if xmp is not None:
        info.add_itxt(XMP_KEY, xmp, lang="", tkey="", zip=False)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=compress_level, optimize=False, pnginfo=info)
    return buf.getvalue()


def arrays() -> dict[str, np.ndarray]:
    """Known arrays of every kind exporters write: smooth and noisy, grey, grey+alpha, RGB, RGBA, 16-bit."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:300, 0:257]
    smooth = (np.sin(x / 17.0) * np.cos(y / 23.0) + 1) / 2
    return {
        "grey": (smooth * 255).astype(np.uint8),
        "grey noisy": rng.integers(0, 256, (64, 65), dtype=np.uint8),
        "grey+alpha": rng.integers(0, 256, (33, 40, 2), dtype=np.uint8),
        "rgb": np.stack([smooth * 255, smooth[::-1] * 200, rng.random(smooth.shape) * 40], -1).astype(np.uint8),
        "rgba": rng.integers(0, 256, (50, 31, 4), dtype=np.uint8),
        "uint16": (smooth * 65535).astype(np.uint16),
        "uint16 noisy": rng.integers(0, 65536, (17, 1), dtype=np.uint16),
        "one pixel": np.array([[200]], np.uint8),
        "not contiguous": (smooth * 255).astype(np.uint8)[:, ::2],
        "tall noise": rng.integers(0, 256, (5000, 300), dtype=np.uint8),  # several strips and IDAT chunks
    }


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, each CRC checked."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(data, zlib.crc32(kind)), kind
        out.append((kind, data))
        pos += 12 + length
    assert out[-1] == (b"IEND", b"")
    return out


def decoded(png: bytes) -> tuple[str, np.ndarray, str | None]:
    with Image.open(io.BytesIO(png)) as img:
        img.load()
        return img.mode, np.asarray(img), img.info.get(XMP_KEY)


@pytest.mark.parametrize("name", list(arrays()))
def test_small_is_byte_identical_to_the_old_encoder(name):
    a = arrays()[name]
    assert encode_png(a, xmp=XMP, compression="small") == old_encode_png(a, xmp=XMP)
    assert encode_png(a, compression="small") == old_encode_png(a)
    assert encode_png(a, xmp=XMP) == old_encode_png(a, xmp=XMP)  # no compression named, none in force: small
    assert encode_png(a, xmp=XMP, compress_level=9, compression="fast") == old_encode_png(a, xmp=XMP, compress_level=9)


@pytest.mark.parametrize("name", list(arrays()))
def test_fast_reads_back_as_the_same_pixels_and_packet_and_is_deterministic(name):
    a = arrays()[name]
    fast, small = encode_png(a, xmp=XMP, compression="fast"), encode_png(a, xmp=XMP, compression="small")
    assert fast == encode_png(a.copy(), xmp=XMP, compression="fast")
    mode, pixels, packet = decoded(fast)
    assert (mode, packet) == decoded(small)[::2] and packet == XMP
    assert np.array_equal(pixels, decoded(small)[1])
    assert [k for k, _ in chunks(fast) if k != b"IDAT"] == [b"IHDR", b"iTXt", b"IEND"]
    assert [k for k, _ in chunks(encode_png(a, compression="fast"))][:2] == [b"IHDR", b"IDAT"]
    if name == "tall noise":
        assert [k for k, _ in chunks(fast)].count(b"IDAT") == 2


def test_fast_is_the_up_filter_with_zlib_rle_and_falls_back_to_pillow_for_other_arrays():
    a = arrays()["rgb"]
    stream = zlib.decompress(b"".join(d for k, d in chunks(encode_png(a, compression="fast")) if k == b"IDAT"))
    rows = np.frombuffer(stream, np.uint8).reshape(a.shape[0], -1)
    assert set(rows[:, 0]) == {2}  # every row Up-filtered
    assert len(encode_png(a, compression="fast")) < 1.5 * len(encode_png(a, compression="small"))
    for odd in (np.eye(5, dtype=bool), np.arange(12, dtype=np.uint16).reshape(2, 2, 3)):  # through Pillow, level 1
        assert encode_png(odd, xmp=XMP, compression="fast") == old_encode_png(odd, xmp=XMP, compress_level=1)


@pytest.mark.parametrize("name", list(arrays()))
def test_fast_deflates_byte_for_byte_as_the_standard_zlib_rle_strategy(name):
    """zlib-ng does the deflating (faster, whatever zlib the system has); its stream is what zlib's Z_RLE makes of
    the same filtered rows fed in the same strips, so the files are the ones gamegen 0.3-0.4 wrote with zlib."""
    from gamegen.export import png

    a = np.ascontiguousarray(arrays()[name])
    stream = b"".join(d for k, d in chunks(encode_png(a, compression="fast")) if k == b"IDAT")
    rows = np.frombuffer(zlib.decompress(stream), np.uint8).reshape(a.shape[0], -1)
    strip = max(1, png._STRIP_BYTES // rows.shape[1])
    deflate = zlib.compressobj(1, zlib.DEFLATED, 15, 8, zlib.Z_RLE)
    expected = b"".join(deflate.compress(rows[top : top + strip].tobytes()) for top in range(0, len(rows), strip))
    assert stream == expected + deflate.flush()


def test_a_scope_sets_the_compression_of_encoders_not_told_and_an_argument_wins():
    a = arrays()["grey"]
    with compression_scope("fast"):
        assert encode_png(a) == encode_png(a, compression="fast")
        assert encode_png(a, compression="small") == old_encode_png(a)
        with compression_scope("small"):
            assert encode_png(a) == old_encode_png(a)
    assert encode_png(a) == old_encode_png(a)


@pytest.mark.parametrize(
    "call",
    [
        lambda: encode_png(np.zeros((2, 2), np.uint8), compression="tiny"),
        lambda: ExportContext(get_profile("generic"), {}, compression="tiny"),
        lambda: gamegen.generate("buildtest.speckle", compression="tiny"),
        lambda: gamegen.generate_variations("buildtest.speckle", 2, compression="tiny"),
        lambda: export_run(gamegen.run_generator("buildtest.speckle"), "a", compression="tiny"),
        lambda: build(
            {"name": "t", "asset": [{"name": "a", "generator": "buildtest.speckle"}]}, out="x", compression="tiny"
        ),
    ],
)
def test_a_bad_compression_is_a_param_error_naming_the_option_and_the_choices(call, isolated_registry):
    build_gens.register(isolated_registry)
    with pytest.raises(gamegen.ParamError, match=r"compression='tiny': must be one of fast, small") as exc:
        call()
    assert exc.value.exit_code == 2


@pytest.fixture
def speckles(isolated_registry):
    build_gens.register(isolated_registry)


def test_export_threads_change_nothing_in_the_result():
    run = gamegen.run_generator("landscape.heightmap", {"size": 65})
    for compression in ("fast", "small"):
        one = export_run(run, "t", compression=compression, threads=1)
        many = export_run(run, "t", compression=compression, threads=8)
        again = export_run(run, "t", compression=compression)
        assert list(one.files.items()) == list(many.files.items()) == list(again.files.items())
        assert one.entry == many.entry == again.entry


def test_generate_writes_fast_by_default_and_small_on_request_the_same_twice(tmp_path):
    params = {"family": "stone", "size": 64, "preview": "sphere"}
    small_tree = None
    for compression in ("small", "fast", None):
        trees = []
        for i in range(2):
            out = tmp_path / f"{compression}-{i}"
            kw = {} if compression is None else {"compression": compression}
            gamegen.generate("texture.material", out=out, params=params, **kw)
            trees.append(tree(out))
        assert trees[0] == trees[1]
        if compression == "small":
            small_tree = trees[0]
        elif compression == "fast":
            fast_tree = trees[0]
    assert tree(tmp_path / "None-0") == fast_tree  # fast is the default
    pngs = [p for p in small_tree if p.endswith((".png", ".glb"))]
    assert pngs and all(small_tree[p] != fast_tree[p] for p in pngs)  # the glb's textures follow the option too
    assert all(small_tree[p] == fast_tree[p] for p in small_tree if p.endswith(".json") and "manifest" not in p)
    for p in (p for p in pngs if p.endswith(".png")):
        small, fast = decoded((tmp_path / "small-0" / p).read_bytes()), decoded((tmp_path / "fast-0" / p).read_bytes())
        assert small[0] == fast[0] and small[2] == fast[2] and np.array_equal(small[1], fast[1])


def test_small_glb_textures_are_todays():
    from gamegen.export.gltf import encode_glb

    run = gamegen.run_generator("texture.material", {"size": 64})
    mesh = next(a for a in run.assets if isinstance(a, gamegen.MeshAsset))
    exported = export_run(run, "m", compression="small")
    glb = exported.files["m/preview.glb"]
    record = next(f for f in exported.entry.files if f.path == "m/preview.glb")
    assert record.sha256 == hashlib.sha256(glb).hexdigest()
    prov = provenance_record(run.generator.name, run.generator.version, False, None)
    assert glb == encode_glb(mesh, provenance=prov)  # no scope: the encoder as it always was


def test_variations_and_their_contact_sheet_follow_the_option(tmp_path, speckles):
    for compression in ("fast", "small"):
        gamegen.generate_variations("buildtest.speckle", 2, out=tmp_path / compression, compression=compression)
    fast, small = tree(tmp_path / "fast"), tree(tmp_path / "small")
    assert fast.keys() == small.keys()
    assert all(fast[p] != small[p] for p in fast if p.endswith(".png"))
    assert (
        small["seed-0/buildtest.speckle/speckle.png"]
        == tree(_generated(tmp_path, "small"))["buildtest.speckle/speckle.png"]
    )


def _generated(tmp_path, compression):
    out = tmp_path / f"single-{compression}"
    gamegen.generate("buildtest.speckle", out=out, compression=compression)
    return out


RECIPE = {
    "name": "compressed",
    "seed": 3,
    "asset": [
        {"name": "rock", "generator": "buildtest.speckle", "variations": 3, "params": {"size": 64}},
        {
            "name": "world",
            "generator": "buildtest.tile",
            "params": {"grid": 2, "tile_size": 33},
            "matrix": {"tile_x": [0, 1]},
        },
    ],
}


def test_a_recipe_names_its_compression_and_bad_values_are_reported(speckles):
    assert parse_recipe(RECIPE).compression == "fast"
    recipe = parse_recipe({**RECIPE, "compression": "small"})
    assert recipe.compression == "small" and {j.compression for j in recipe.jobs} == {"small"}
    assert {j.compression for j in recipe.with_compression("fast").jobs} == {"fast"}
    with pytest.raises(RecipeError, match=r"compression='tiny': must be one of fast, small"):
        parse_recipe({**RECIPE, "compression": "tiny"})
    with pytest.raises(RecipeError, match=r"compression=6: must be one of fast, small"):
        parse_recipe({**RECIPE, "compression": 6})


def test_the_cache_key_includes_the_compression(tmp_path, speckles):
    cache = BuildCache(tmp_path / "cache")
    job = parse_recipe(RECIPE).jobs[0]
    keys = {c: cache.key(parse_recipe({**RECIPE, "compression": c}).jobs[0], "generic", []) for c in ("fast", "small")}
    assert keys["fast"] == cache.key(job, "generic", []) and keys["fast"] != keys["small"]


def test_switching_the_compression_rebuilds_and_switching_back_is_cached(tmp_path, speckles):
    def statuses(**kw):
        report = build(RECIPE, out=tmp_path / "out", cache=tmp_path / "cache", **kw)
        return set(report.ids("built")), set(report.ids("cached"))

    every = {"rock-1", "rock-2", "rock-3", "world-0", "world-1"}
    assert statuses() == (every, set())
    fast = tree(tmp_path / "out")
    assert statuses(compression="small") == (every, set())
    small = tree(tmp_path / "out")
    assert statuses(compression="fast") == (set(), every) and tree(tmp_path / "out") == fast
    report = build({**RECIPE, "compression": "small"}, out=tmp_path / "out", cache=tmp_path / "cache")
    assert set(report.cached) == every and tree(tmp_path / "out") == small


@pytest.mark.parametrize("compression", ["fast", "small"])
def test_a_process_pool_writes_the_same_bytes_as_this_process(tmp_path, speckles, compression):
    spec = {**RECIPE, "compression": compression}
    build(spec, out=tmp_path / "local", cache=tmp_path / "c1", executor="local")
    build(spec, out=tmp_path / "pool", cache=tmp_path / "c2", executor="processes", jobs=2)
    assert tree(tmp_path / "pool") == tree(tmp_path / "local")
    single = tmp_path / "single"
    gamegen.generate("buildtest.speckle", out=single, seed=build_seed(spec, "rock"), compression=compression, size=64)
    assert (tmp_path / "pool/rock-1/speckle.png").read_bytes() == (
        single / "buildtest.speckle/speckle.png"
    ).read_bytes()


def build_seed(spec, asset):
    return next(j.seed for j in parse_recipe(spec).jobs if j.asset_id == f"{asset}-1")


def test_the_cli_takes_compression_and_refuses_a_bad_one_with_exit_2(tmp_path, speckles):
    runner = CliRunner()
    ok = runner.invoke(main, ["generate", "buildtest.speckle", "-o", str(tmp_path / "g"), "--compression", "small"])
    assert ok.exit_code == 0, ok.output
    gamegen.generate("buildtest.speckle", out=tmp_path / "api", compression="small")
    assert tree(tmp_path / "g") == tree(tmp_path / "api")
    for command in (["generate", "buildtest.speckle", "-o", str(tmp_path / "x")], ["build", "-o", str(tmp_path / "y")]):
        bad = runner.invoke(main, [*command, "--compression", "tiny"])
        assert bad.exit_code == 2 and "'tiny' is not one of 'fast', 'small'" in bad.output
    recipe = tmp_path / "gamegen.toml"
    recipe.write_text('name = "r"\ncompression = "small"\n[[asset]]\nname = "a"\ngenerator = "buildtest.speckle"\n')
    built = runner.invoke(main, ["build", str(recipe), "-o", str(tmp_path / "b"), "--cache", str(tmp_path / "c")])
    assert built.exit_code == 0, built.output
    forced = runner.invoke(
        main, ["build", str(recipe), "-o", str(tmp_path / "f"), "--cache", str(tmp_path / "c"), "--compression", "fast"]
    )
    assert forced.exit_code == 0 and "built 1, cached 0" in forced.output, forced.output
    assert tree(tmp_path / "b")["a/speckle.png"] != tree(tmp_path / "f")["a/speckle.png"]
    recipe.write_text('name = "r"\ncompression = "tiny"\n[[asset]]\nname = "a"\ngenerator = "buildtest.speckle"\n')
    bad = runner.invoke(main, ["build", str(recipe), "-o", str(tmp_path / "z")])
    assert bad.exit_code == 2 and "compression='tiny': must be one of fast, small" in bad.output
