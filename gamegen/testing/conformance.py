"""``check_generator``: run one generator through every rule of the gamegen contract and report each broken rule."""

from __future__ import annotations

import contextlib
import inspect
import re
import tempfile
import time
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..api import run_generator
from ..bundle import Run, export_run, write_bundle
from ..errors import GamegenError, ParamError
from ..export import get_profile, list_profiles
from ..generator import Generator
from ..names import check_name
from ..params import Params
from ..registry import registry
from .bundle_checks import bundle_files, check_bundle
from .params_checks import check_defaults, check_out_of_range, check_schema, check_strict_numbers
from .rng_guard import GlobalRandomError, forbid_global_rng

__all__ = ["CHECKS", "ConformanceError", "ConformanceReport", "check_generator"]

CHECKS = (
    "registered",
    "declaration",
    "schema",
    "defaults",
    "quick_params",
    "out_of_range",
    "strict_numbers",
    "run",
    "global_rng",
    "asset_names",
    "bundle",
    "profiles",
    "same_seed",
    "seeds",
    "time_budget",
)
_VERSION = re.compile(r"^\d+(\.\d+)*([-.+]?[0-9A-Za-z.]+)?$")


@dataclass
class ConformanceReport:
    """What :func:`check_generator` found: the checks that passed, each failure's reason, and run timings."""

    generator: str
    passed: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    bundle: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return not self.failures

    def fail(self, check: str, error: BaseException | str) -> None:
        """Record a failed check with a one-line reason."""
        if isinstance(error, BaseException):
            prefix = "" if isinstance(error, (AssertionError, GamegenError)) else f"{type(error).__name__}: "
            error = prefix + (" ".join(str(error).split()) or type(error).__name__)
        self.failures[check] = error

    @contextlib.contextmanager
    def check(self, name: str) -> Iterator[None]:
        """Run the block as check ``name``: an exception inside it records a failure instead of propagating."""
        try:
            yield
        except Exception as exc:
            self.fail(name, exc)
        else:
            self.passed.append(name)

    def __str__(self) -> str:
        head = f"{self.generator}: {len(self.passed)} checks passed, {len(self.failures)} failed"
        return "\n".join([head, *(f"  [{name}] {reason}" for name, reason in self.failures.items())])


class ConformanceError(AssertionError):
    """A generator broke the contract; ``report`` says which checks failed and why."""

    def __init__(self, report: ConformanceReport):
        self.report = report
        super().__init__(str(report))


def _resolve(generator: str | type[Generator]) -> type[Generator]:
    if not isinstance(generator, str):
        return generator
    if generator in registry:
        return registry.get(generator)
    report = ConformanceReport(generator)
    broken = "".join(f"; entry point {k!r} failed to load: {v}" for k, v in sorted(registry.broken.items()))
    report.fail(
        "registered",
        f"generator {generator!r} is not registered: is its package installed (pip install -e .) "
        f'and declared under [project.entry-points."gamegen.generators"]?{broken}',
    )
    raise ConformanceError(report)


def _annotated_params(gen: type[Generator]) -> type[Params] | None:
    """The Params class ``generate``'s parameters are annotated with, when it can be resolved."""
    try:
        _self, first, *_rest = inspect.signature(gen.generate).parameters
        hint = typing.get_type_hints(gen.generate).get(first)
    except Exception:  # unannotated, or annotations that do not resolve (classes local to a function)
        return None
    return hint if isinstance(hint, type) and issubclass(hint, Params) else None


def _type_argument_problems(gen: type[Generator]) -> list[str]:
    """``params`` comes from ``Generator[MyParams]``: a ``generate`` annotated with another class, or a declared
    ``params`` that contradicts the type argument, means the schema is not the one the author meant."""
    problems = []
    for klass in gen.__mro__:
        if klass is Generator:
            break
        arguments = [
            typing.get_args(b) for b in vars(klass).get("__orig_bases__", ()) if typing.get_origin(b) is Generator
        ]
        argument = next((a[0] for a in arguments if a and isinstance(a[0], type)), None)
        declared = vars(klass).get("params")
        if argument is not None and declared is not None and declared is not argument:
            problems.append(
                f"{klass.__name__} declares params = {getattr(declared, '__name__', declared)!s} but subclasses "
                f"Generator[{argument.__name__}]: leave params out (it comes from the type argument)"
            )
    annotated = _annotated_params(gen)
    if annotated is not None and isinstance(gen.params, type) and not issubclass(gen.params, annotated):
        problems.append(
            f"generate() takes {annotated.__name__} but the parameters are {gen.params.__name__}: declare "
            f"`class {gen.__name__}(Generator[{annotated.__name__}])`"
        )
    return problems


def _check_declaration(gen: type[Generator]) -> None:
    """Every declaration problem at once: the registry's rules (name, derived kind, version, params, generate)
    and the kit's (version number, docstring, time budget, params from the type argument)."""
    problems: list[str] = []
    try:
        gen.check_declaration()
    except TypeError as exc:
        problems.append(str(exc))
    version = getattr(gen, "version", None)
    if isinstance(version, str) and not _VERSION.match(version):
        problems.append(f"version {version!r} is not a version number such as '1.0.0'")
    if not gen.summary():
        problems.append(f"{gen.__name__} has no docstring: its first line is the summary `gamegen list` shows")
    budget = gen.time_budget_s
    if isinstance(budget, bool) or not (isinstance(budget, (int, float)) and budget > 0):
        problems.append(f"time_budget_s must be a positive number of seconds, got {budget!r}")
    problems += _type_argument_problems(gen)
    if problems:
        raise AssertionError("; ".join(problems))


def _check_assets(run: Run) -> None:
    if not run.assets:
        raise AssertionError("generate() returned no assets")
    for asset in run.assets:
        check_name(asset.name)


def _write(run: Run, folder: Path) -> Path:
    write_bundle(folder, [export_run(run, run.generator.name)], run.profile)
    check_bundle(folder)
    return folder


def _differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(p for p in a.keys() | b.keys() if a.get(p) != b.get(p))


def _check_runs(
    gen: type[Generator],
    values: dict[str, Any],
    seeds: tuple[int, int],
    profiles: Sequence[str],
    root: Path,
    report: ConformanceReport,
    time_factor: float,
) -> None:
    """The checks that need output: three runs (seed a, a again, b) under the global-RNG guard, then bundles."""
    runs: list[Run] = []
    try:
        for seed in (seeds[0], seeds[0], seeds[1]):
            start = time.perf_counter()
            with forbid_global_rng(gen.name):
                runs.append(run_generator(gen, values, seed=seed))
            report.seconds.append(time.perf_counter() - start)
    except GlobalRandomError as exc:
        report.fail("global_rng", exc)
        return
    except Exception as exc:
        report.fail("run", exc)
        return
    report.passed += ["run", "global_rng"]
    with report.check("asset_names"):
        _check_assets(runs[0])
    with report.check("bundle"):
        labels = (f"seed-{seeds[0]}", f"seed-{seeds[0]}-again", f"seed-{seeds[1]}")
        first, again, other = (_write(run, root / label) for run, label in zip(runs, labels, strict=True))
        report.bundle = first
    if "bundle" in report.passed:
        with report.check("same_seed"):
            differ = _differing(bundle_files(first), bundle_files(again))
            differ = [p for p in differ if p != "manifest.json"] or differ  # the manifest differs by their hashes
            if differ:
                raise AssertionError(f"seed {seeds[0]} twice gave different bytes in {', '.join(differ)}")
        with report.check("seeds"):
            outputs = [{p: d for p, d in bundle_files(b).items() if p != "manifest.json"} for b in (first, other)]
            differ = _differing(*outputs)
            if gen.seeded and not differ:
                raise AssertionError(
                    f"seeds {seeds[0]} and {seeds[1]} gave identical files (declare seeded = False "
                    "if the output ignores the seed)"
                )
            if not gen.seeded and differ:
                raise AssertionError(
                    f"declares seeded = False but seeds {seeds[0]} and {seeds[1]} differ in {', '.join(differ)}"
                )
    with report.check("profiles"):
        for profile in (p for p in profiles if p != runs[0].profile.name):
            with contextlib.suppress(ParamError):  # a profile may refuse these parameters, if it says which and why
                _write(replace(runs[0], profile=get_profile(profile)), root / f"profile-{profile}")
    with report.check("time_budget"):
        budget = gen.time_budget_s * time_factor
        if min(report.seconds) > budget:
            raise AssertionError(f"fastest quick run took {min(report.seconds):.2f} s, over time_budget_s={budget:g}")


def check_generator(
    generator: str | type[Generator],
    *,
    params: dict[str, Any] | None = None,
    seeds: tuple[int, int] = (1, 2),
    profiles: Sequence[str] | None = None,
    workdir: str | Path | None = None,
    time_factor: float = 1.0,
    raise_on_failure: bool = True,
) -> ConformanceReport:
    """Check a generator (class or registered name) against the contract and return the report.

    Runs it at ``quick_params`` (updated with ``params``) for seeds ``a, a, b``; writes bundles under
    ``workdir`` (a temporary folder when None) and re-exports the first run for each of ``profiles`` (default:
    every registered profile; one may refuse the parameters with a ParamError). ``time_factor`` scales
    ``time_budget_s`` for slow machines. Raises :class:`ConformanceError` listing every failed check unless
    ``raise_on_failure`` is False.
    """
    gen = _resolve(generator)
    report = ConformanceReport(gen.name if isinstance(getattr(gen, "name", None), str) else gen.__qualname__)
    values = {**gen.quick_params, **(params or {})}
    with report.check("declaration"):
        _check_declaration(gen)
    with report.check("schema"):
        schema = check_schema(gen)
    if "schema" in report.passed:
        with report.check("defaults"):
            check_defaults(gen, schema)
    with report.check("quick_params"):
        gen.validate(values)
    with report.check("out_of_range"):
        check_out_of_range(gen, values)
    with report.check("strict_numbers"):
        check_strict_numbers(gen, values)
    if "declaration" in report.passed and "quick_params" in report.passed:
        profile_names = list(profiles) if profiles is not None else [p.name for p in list_profiles()]
        with contextlib.ExitStack() as stack:
            root = Path(workdir) if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
            _check_runs(gen, values, seeds, profile_names, root, report, time_factor)
            if workdir is None:
                report.bundle = None
    if raise_on_failure and report.failures:
        raise ConformanceError(report)
    return report
