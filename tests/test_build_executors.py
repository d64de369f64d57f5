"""Executors: the same bytes in this process, a process pool, a Dask LocalCluster or any Executor, in any order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import build_gens
import numpy as np
import pytest
from build_gens import tree
from click.testing import CliRunner
from PIL import Image

import gamegen
from gamegen import GamegenError
from gamegen.builds import BuildError, build
from gamegen.builds.executors import worker_environment
from gamegen.cli import main
from gamegen.machine import thread_budget

distributed = pytest.importorskip("distributed")
TESTS = Path(__file__).parent


@pytest.fixture(autouse=True)
def gens(isolated_registry):
    build_gens.register(isolated_registry)


@pytest.fixture(scope="module")
def client():
    """A real two-process Dask LocalCluster whose workers can import the test generators; one per module."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")])))
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
            ) as cluster,
            distributed.Client(cluster) as c,
        ):
            yield c


MIXED = {
    "name": "mixed",
    "seed": 11,
    "profile": "unreal",
    "asset": [
        {"name": "rock", "generator": "buildtest.speckle", "variations": 4, "params": {"size": 16}},
        {
            "name": "world",
            "generator": "buildtest.tile",
            "params": {"grid": 3},
            "matrix": {"tile_x": [0, 1, 2], "tile_y": [0, 1, 2]},
        },
        {"name": "sky", "generator": "buildtest.speckle", "seed": 3},
    ],
}


def test_output_is_byte_identical_on_every_executor_and_in_any_order(tmp_path, client):
    reference = build(MIXED, out=tmp_path / "local", cache=tmp_path / "c-local", executor="local")
    assert sorted(reference.built) == sorted(a.id for a in reference.assets) and len(reference.assets) == 14
    expected = tree(tmp_path / "local")
    reordered = {**MIXED, "asset": MIXED["asset"][::-1]}
    with ThreadPoolExecutor(3) as threads:
        runs = {
            "processes": dict(executor="processes", jobs=2),
            "default, 2 jobs": dict(jobs=2),
            "dask": dict(executor=client),
            "threads": dict(executor=threads),
            "reordered": dict(executor=threads, recipe=reordered),
        }
        for label, kw in runs.items():
            report = build(kw.pop("recipe", MIXED), out=tmp_path / label, cache=tmp_path / f"c-{label}", **kw)
            assert len(report.built) == 14, label
            assert tree(tmp_path / label) == expected, label


def test_an_8x8_landscape_world_builds_tile_by_tile_on_a_local_cluster(tmp_path, client):
    cells = list(range(8))
    cheap = {
        "octaves": 1,
        "warp_strength": 0.0,
        "erosion_iterations": 0,
        "thermal_iterations": 0,
        "mesh_resolution": 16,
    }
    world = {
        "name": "world",
        "asset": [
            {
                "name": "w",
                "generator": "landscape.world",
                "params": {"grid": 8, "tile_size": 17, **cheap},
                "matrix": {"tile_x": cells, "tile_y": cells},
            }
        ],
    }
    report = build(world, out=tmp_path / "dask", cache=tmp_path / "c-dask", executor=client)
    assert len(report.built) == 64 and report.executor.startswith("dask (tcp://")
    some = ["w-0-0", "w-3-4", "w-7-7"]
    build(world, out=tmp_path / "local", cache=tmp_path / "c-local", only=some)
    dask_files = {k: v for k, v in tree(tmp_path / "dask").items() if k.split("/")[0] in some}
    assert {k: v for k, v in tree(tmp_path / "local").items() if k != "manifest.json"} == dask_files
    tiles = {
        (x, y): np.asarray(Image.open(next((tmp_path / f"dask/w-{x}-{y}").glob("height*.png"))))
        for x in cells
        for y in cells
    }
    assert all(t.dtype == np.uint16 and t.shape == (17, 17) for t in tiles.values())
    for x in range(7):
        for y in range(7):
            assert np.array_equal(tiles[x, y][:, -1], tiles[x + 1, y][:, 0])
            assert np.array_equal(tiles[x, y][-1, :], tiles[x, y + 1][0, :])


def _crate_pids(out: Path) -> set[int]:
    return {json.loads(p.read_text())["pid"] for p in out.glob("crate-*/result.json")}


@pytest.mark.parametrize(("where", "model"), [("processes", "folder"), ("dask", "folder"), ("processes", "hub id")])
def test_neural_jobs_are_pinned_to_one_worker_process(tmp_path, client, monkeypatch, where, model):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"w")
    if model == "hub id":  # named only by its id: no input_files, yet a model all the same
        build_gens.offline_hub(monkeypatch, tmp_path / "hf")("org/crates", b"w")
    spec = {
        "name": "n",
        "asset": [
            {
                "name": "crate",
                "generator": "buildtest.model",
                "variations": 4,
                "params": {"model": str(folder) if model == "folder" else "org/crates"},
            },
            {"name": "rock", "generator": "buildtest.speckle", "variations": 4},
        ],
    }
    executor = {"processes": "processes", "dask": client}[where]
    build(spec, out=tmp_path / "out", cache=tmp_path / "cache", executor=executor, jobs=2)
    pids = _crate_pids(tmp_path / "out")
    assert len(pids) == 1 and os.getpid() not in pids


def test_pool_workers_share_the_cores_instead_of_each_claiming_all(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_NUM_THREADS", raising=False)
    cores = len(os.sched_getaffinity(0))
    assert worker_environment(2)["NUMBA_NUM_THREADS"] == str(max(1, cores // 2))
    assert worker_environment(1)["NUMBA_NUM_THREADS"] == str(cores)
    spec = {"name": "t", "asset": [{"name": "t", "generator": "buildtest.threads"}]}
    build(spec, out=tmp_path / "out", cache=tmp_path / "cache", executor="processes", jobs=2)
    assert json.loads((tmp_path / "out/t/threads.json").read_text()) == {"numba": str(max(1, cores // 2))}
    monkeypatch.setenv("NUMBA_NUM_THREADS", "7")
    assert worker_environment(2)["NUMBA_NUM_THREADS"] == "7"


def test_executor_dask_starts_and_stops_its_own_local_cluster(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    report = build(MIXED, out=tmp_path / "out", cache=tmp_path / "cache", executor="dask", jobs=2)
    assert report.executor.startswith("dask (tcp://127.0.0.1") and len(report.built) == 14
    build(MIXED, out=tmp_path / "local", cache=tmp_path / "c-local")
    assert tree(tmp_path / "out") == tree(tmp_path / "local")


def test_the_cli_builds_on_a_dask_scheduler_address(tmp_path, client, install_plugin):
    install_plugin("buildtest-gens", {}, {"buildtest": "build_gens"})
    recipe = tmp_path / "gamegen.toml"
    recipe.write_text('name = "cli"\n\n[[asset]]\nname = "rock"\ngenerator = "buildtest.speckle"\nvariations = 3\n')
    address = client.scheduler.address
    res = CliRunner().invoke(main, ["build", str(recipe), "-o", str(tmp_path / "out"), "--executor", address, "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["executor"].startswith(f"dask ({address}") and report["counts"]["built"] == 3


@pytest.mark.parametrize(
    ("executor", "jobs", "message"),
    [
        ("local", 2, "executor 'local' runs one asset at a time; use 'processes' or 'dask' for jobs=2"),
        ("threads", 1, "unknown executor 'threads' (use local, processes, dask, a Dask scheduler address"),
    ],
)
def test_bad_executors_are_refused_clearly(tmp_path, executor, jobs, message):
    with pytest.raises(GamegenError, match=message.replace("(", r"\(")):
        build(MIXED, out=tmp_path / "out", cache=tmp_path / "cache", executor=executor, jobs=jobs)


def test_a_worker_that_dies_fails_its_asset_instead_of_hanging(tmp_path):
    spec = {
        "name": "crash",
        "asset": [
            {"name": "doomed", "generator": "buildtest.speckle", "params": {"crash": True}},
            {"name": "rock", "generator": "buildtest.speckle", "variations": 3},
        ],
    }
    with pytest.raises(BuildError, match=r"doomed: BrokenProcessPool: ") as info:
        build(spec, out=tmp_path / "out", cache=tmp_path / "cache", executor="processes", jobs=2, keep_going=True)
    assert info.value.report.ids("failed")[0] == "doomed" and not (tmp_path / "out").exists()


def test_a_worker_imports_only_what_its_asset_needs(tmp_path):
    """Exporters are declared on asset types: exporting a heightmap for Unity loads no other family or plugin."""
    code = (
        "import sys\n"
        "from gamegen.builds.executors import run_job\n"
        "from gamegen.builds.recipe import BuildJob\n"
        "from gamegen.landscape.heightmap import Heightmap\n"
        "result = run_job(BuildJob('t', 't', Heightmap, Heightmap.validate({'size': 65}), 1), 'unity')\n"
        "assert result.error is None and any(p.endswith('.raw') for p in result.exported.files), result\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    others = [m for m in loaded if m.startswith(("gamegen.texture", "gamegen.character", "gamegen.narrative"))]
    plugins = [m for m in loaded if m.startswith(("gamegen_sfx", "gamegen_dungeon", "torch", "diffusers"))]
    assert others == [] and plugins == [], others + plugins


def test_a_pool_holds_jobs_ready_but_names_only_those_that_run(monkeypatch):
    """Jobs queued at a pool beyond its slots start the moment a worker frees; progress names each job once, before
    its result, and after a failure what never began is handed back."""
    import time
    from types import SimpleNamespace

    from gamegen.builds import schedule
    from gamegen.builds.executors import BuildExecutor, JobResult, Pool

    def fake_job(job, profile, device=None):
        time.sleep(0.02)
        failed = job.asset_id == "c"
        return JobResult(job.asset_id, None if failed else object(), "boom" if failed else None, 0.02)

    monkeypatch.setattr(schedule, "run_job", fake_job)
    todo = [
        schedule.Planned(SimpleNamespace(asset_id=name), None, False, expected)
        for name, expected in zip("abcdefgh", (0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01), strict=True)
    ]
    events: list[tuple[str, str]] = []
    with ThreadPoolExecutor(2) as threads:
        left = schedule.run(
            todo,
            BuildExecutor([Pool(threads, 2, queued=2)], [], "threads"),
            "generic",
            False,
            lambda planned, result: events.append(("done", planned.job.asset_id)),
            lambda batch: events.extend(("start", p.job.asset_id) for p in batch),
        )
    started = [name for kind, name in events if kind == "start"]
    done = [name for kind, name in events if kind == "done"]
    assert started[:2] == ["a", "b"] and len(started) == len(set(started)) and "c" in done
    assert all(events.index(("start", name)) < events.index(("done", name)) for name in done)
    assert sorted(done + [p.job.asset_id for p in left]) == list("abcdefgh") and len(left) >= 2


def _timed_run(monkeypatch, expected: dict[str, float], slots: int) -> tuple[dict[str, float], dict[str, float]]:
    """Run fake 0.1 s jobs with these expected seconds on a pool of ``slots`` that holds one more ready (its thread
    pool has threads to spare, so a held job starts at once): when each started and ended."""
    import time
    from types import SimpleNamespace

    from gamegen.builds import schedule
    from gamegen.builds.executors import BuildExecutor, JobResult, Pool

    starts: dict[str, float] = {}
    ends: dict[str, float] = {}

    def fake_job(job, profile, device=None):
        starts[job.asset_id] = time.perf_counter()
        time.sleep(0.1)
        ends[job.asset_id] = time.perf_counter()
        return JobResult(job.asset_id, object(), None, 0.1)

    monkeypatch.setattr(schedule, "run_job", fake_job)
    todo = [schedule.Planned(SimpleNamespace(asset_id=n), None, False, e) for n, e in expected.items()]
    with ThreadPoolExecutor(slots + 3) as threads:
        left = schedule.run(
            todo, BuildExecutor([Pool(threads, slots, queued=1)], [], "threads"), "generic", False,
            lambda planned, result: None, lambda batch: None,
        )
    assert left == []
    return starts, ends


def test_a_pool_holds_no_long_job_behind_a_running_one(monkeypatch):
    """A long job with too little work behind it waits for a free slot: held at a busy worker, it could wait there
    while another lane ran dry. A short one, or a long one with enough work behind it, is held ready."""
    starts, ends = _timed_run(monkeypatch, {"long": 2.0, "longer": 3.0, "short": 0.05, "shorter": 0.01}, slots=1)
    assert starts["long"] >= ends["longer"]  # not held: it waited for the slot
    assert starts["short"] < ends["long"]  # held while the long job ran, so it began the moment a thread could
    starts, ends = _timed_run(monkeypatch, {"a": 1.0, "b": 0.5, "c": 0.5, "d": 0.5, "e": 0.5}, slots=1)
    assert starts["b"] < ends["a"]  # 1.5 s of work behind it: held


_FORK_BUILD = """
import json, os, sys, types
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import build_gens, gamegen
from gamegen.builds import build
build_gens.register(gamegen.registry)
sys.modules["gamegen_fork_marker"] = types.ModuleType("gamegen_fork_marker")
spec = {"name": "p", "asset": [{"name": "p", "generator": "buildtest.process", "variations": 4}]}
for run in ("first", "after-kernels"):
    if run == "after-kernels":
        import numba
        numba.get_num_threads()  # starts numba's threading layer: forking is no longer safe
    out = Path(sys.argv[2]) / run
    build(spec, out=out, cache=Path(sys.argv[2]) / "cache", jobs=2, force=True)
    facts = [json.loads(p.read_text()) for p in sorted(out.glob("p-*/process.json"))]
    print(json.dumps({"run": run, "me": os.getpid(), "facts": facts}))
"""


def test_workers_are_forked_with_the_builds_modules_only_while_that_is_safe(tmp_path):
    """A fresh build process forks its worker (which starts with every module loaded, its numba limited to its share
    of the cores); once numba's threading layer runs in the build process, workers are spawned instead."""
    runs = subprocess.run(
        [sys.executable, "-c", _FORK_BUILD, str(TESTS), str(tmp_path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    first, after = (json.loads(line) for line in runs)
    share = int(os.environ.get("NUMBA_NUM_THREADS") or max(1, len(os.sched_getaffinity(0)) // 2))
    for run, inherited in ((first, True), (after, False)):
        workers = [f for f in run["facts"] if f["pid"] != run["me"]]
        assert workers and {f["ppid"] for f in workers} == {run["me"]}, run
        assert {f["inherited"] for f in workers} == {inherited}, run
        assert {f["numba"] for f in workers} == {min(share, os.cpu_count() or 1)}, run


class Where(gamegen.Generator):
    """Says which process ran it and how many numba threads it may use there (after a short wait)."""

    name = "buildtest.where"
    kind = "buildtest"
    version = "1.0.0"

    def generate(self, params, ctx):
        import time

        import numba

        time.sleep(0.3)
        from gamegen.machine import thread_budget

        facts = {"pid": os.getpid(), "numba": numba.get_num_threads(), "budget": thread_budget()}
        return [gamegen.DataAsset("where", facts)]


def test_by_default_one_lane_runs_in_this_process_beside_worker_processes(tmp_path, isolated_registry):
    """This process has loaded the generators already: it runs jobs too, with its share of the cores."""
    import numba

    isolated_registry.register(Where)
    spec = {"name": "w", "asset": [{"name": "w", "generator": "buildtest.where", "variations": 4}]}
    report = build(spec, out=tmp_path / "out", cache=tmp_path / "cache", jobs=2)
    assert report.executor == "this process and 1 worker process"
    ran = [json.loads(p.read_text()) for p in sorted((tmp_path / "out").glob("w-*/where.json"))]
    assert len({r["pid"] for r in ran}) == 2 and os.getpid() in {r["pid"] for r in ran}
    cores = max(1, len(os.sched_getaffinity(0)) // 2)
    share = min(cores, numba.config.NUMBA_NUM_THREADS)
    assert {r["numba"] for r in ran if r["pid"] == os.getpid()} == {share}
    assert {r["budget"] for r in ran if r["pid"] == os.getpid()} == {cores}  # its files are encoded on its share too
    assert thread_budget() == int(os.environ.get("NUMBA_NUM_THREADS") or len(os.sched_getaffinity(0)))  # not here
