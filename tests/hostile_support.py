"""Helpers for tests/test_hostile.py: run the real CLI in a fenced subprocess, snapshot a sandbox, check bundles.

Every child gets its own HOME and working folder, ``HF_HUB_OFFLINE=1``, a umask, a memory limit (RLIMIT_AS) and a
timeout, so a regression fails the test instead of hanging CI or eating the machine.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GAMEGEN = [sys.executable, "-m", "gamegen"]
MEMORY_LIMIT = 4 << 30  # numpy, numba and the CLI start well below this; a runaway input hits it fast
DEFAULT_TIMEOUT = 120.0
BUNDLE_FORMAT = "gamegen.bundle/1"
VARIATIONS_FORMAT = "gamegen.variations/1"
CACHE_DIR_NAME = ".gamegen-cache"


# --------------------------------------------------------------------------------------------------- running


class CliResult(tuple):
    """``(code, stdout, stderr)``, plus ``seconds`` (wall time) and ``args`` for messages."""

    def __new__(cls, code: int, stdout: str, stderr: str, seconds: float, args: Sequence[str]) -> CliResult:
        self = super().__new__(cls, (code, stdout, stderr))
        self.seconds = seconds
        self.args = list(args)
        return self

    @property
    def code(self) -> int:
        return self[0]

    @property
    def stdout(self) -> str:
        return self[1]

    @property
    def stderr(self) -> str:
        return self[2]

    def describe(self) -> str:
        return (
            f"gamegen {' '.join(self.args)}\n  exit {self.code} after {self.seconds:.1f} s\n"
            f"  stdout: {self.stdout[-2000:]!r}\n  stderr: {self.stderr[-3000:]!r}"
        )


def child_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GAMEGEN_CACHE", "XDG_CACHE_HOME", "PYTHONSTARTUP")}
    env.update(HOME=str(home), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
    env.pop("COLUMNS", None)
    if extra:
        env.update(extra)
    return env


def _limits(umask: int, memory: int | None):
    def apply() -> None:
        os.umask(umask)
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def start_cli(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path,
    home: Path,
    umask: int = 0o022,
    memory: int | None = MEMORY_LIMIT,
    env: dict[str, str] | None = None,
    wrapper: Sequence[str] = (),
) -> subprocess.Popen[str]:
    """Start ``gamegen ARGS`` in its own session (so a timeout can kill it with all its workers)."""
    command = [*wrapper, *GAMEGEN, *map(str, args)]
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=child_env(home, env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limits(umask, memory),
        start_new_session=True,
    )
    proc.gamegen_args = [str(a) for a in args]  # type: ignore[attr-defined]
    proc.started = time.monotonic()  # type: ignore[attr-defined]
    return proc


def kill_group(proc: subprocess.Popen[Any]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.kill()


def finish(proc: subprocess.Popen[str], timeout: float = DEFAULT_TIMEOUT) -> CliResult:
    """Wait for a child of :func:`start_cli`; past ``timeout`` it is killed and the test fails."""
    args = getattr(proc, "gamegen_args", [])
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        raise AssertionError(
            f"gamegen {' '.join(args)} did not finish within {timeout:g} s (killed)\n  stderr: {err[-2000:]!r}"
        ) from None
    finally:
        kill_group(proc)  # workers it may have left behind
    return CliResult(proc.returncode, out, err, time.monotonic() - proc.started, args)  # type: ignore[attr-defined]


def run_cli(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path,
    home: Path,
    timeout: float = DEFAULT_TIMEOUT,
    umask: int = 0o022,
    memory: int | None = MEMORY_LIMIT,
    env: dict[str, str] | None = None,
    wrapper: Sequence[str] = (),
) -> CliResult:
    """Run ``python -m gamegen ARGS`` and return ``(code, stdout, stderr)`` (a :class:`CliResult`)."""
    proc = start_cli(args, cwd=cwd, home=home, umask=umask, memory=memory, env=env, wrapper=wrapper)
    return finish(proc, timeout)


# --------------------------------------------------------------------------------------------------- stderr


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def warning_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


def assert_no_traceback(res: CliResult) -> None:
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout, res.describe()


def assert_one_error(res: CliResult, code: int, *needles: str, progress: bool = False) -> str:
    """Exit ``code``; stderr is one ``error:`` line (``warning:`` lines allowed, and ``build:`` progress lines
    with ``progress``), no traceback; the line contains every needle. Returns the line."""
    assert res.code == code, f"expected exit {code}\n{res.describe()}"
    assert_no_traceback(res)
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    errors = error_lines(res.stderr)
    others = [
        line
        for line in lines
        if not line.startswith(("error:", "warning:")) and not (progress and line.startswith("build: "))
    ]
    assert len(errors) == 1, f"expected exactly one 'error:' line\n{res.describe()}"
    assert not others, f"unexpected stderr lines {others!r}\n{res.describe()}"
    for needle in needles:
        assert needle in errors[0], f"{needle!r} not in the error line {errors[0]!r}"
    return errors[0]


def names_parameter(line: str, name: str) -> bool:
    """``name`` appears in ``line`` as a whole identifier (``size`` does not match inside ``tile_size``)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", line) is not None


# --------------------------------------------------------------------------------------------------- snapshots

Entry = tuple[str, str | None, int]  # (kind, sha256 or link target, permission bits)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _entry(path: str) -> Entry:
    st = os.lstat(path)
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        return ("link", os.readlink(path), mode)
    if stat.S_ISDIR(st.st_mode):
        return ("dir", None, mode)
    if stat.S_ISREG(st.st_mode):
        return ("file", sha256_file(Path(path)), mode)
    return ("other", None, mode)


def snapshot(root: Path) -> dict[str, Entry]:
    """Every path under ``root`` (links not followed) → (kind, sha256 / link target, mode); ``.`` is the root."""
    root = Path(root)
    out: dict[str, Entry] = {".": _entry(str(root))}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            out[os.path.relpath(full, root)] = _entry(full)
    return out


def diff(before: dict[str, Entry], after: dict[str, Entry]) -> list[str]:
    """Human-readable differences between two snapshots."""
    changes = []
    for path in sorted(set(before) | set(after)):
        a, b = before.get(path), after.get(path)
        if a == b:
            continue
        if a is None:
            changes.append(f"created {path} {b[0]}")
        elif b is None:
            changes.append(f"removed {path} {a[0]}")
        else:
            changes.append(f"changed {path}: {a} -> {b}")
    return changes


def within(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def lock_name(folder: Path) -> Path:
    folder = Path(folder)
    return folder.with_name(f".{folder.name}.gamegen-lock")


def is_gamegen_leftover(path: str) -> bool:
    return re.search(r"\.gamegen-(tmp|old)", path) is not None


# --------------------------------------------------------------------------------------------------- bundles


def assert_valid_bundle(folder: Path) -> dict[str, Any]:
    """``folder`` is a whole gamegen bundle: its manifest lists exactly its files, each with the right sha256."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_bytes())
    assert manifest.get("format") == BUNDLE_FORMAT, manifest.get("format")
    listed = {}
    for asset in manifest["assets"]:
        for record in asset["files"]:
            listed[record["path"]] = (record["sha256"], record["bytes"])
    present = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file() or p.is_symlink()}
    present.pop("manifest.json", None)
    assert set(present) == set(listed), f"files {sorted(set(present) ^ set(listed))} differ from the manifest"
    for rel, path in present.items():
        assert not path.is_symlink(), f"{rel} is a symbolic link"
        data = path.read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == listed[rel], f"{rel} does not match the manifest"
    return manifest


def assert_valid_variations(folder: Path, count: int) -> None:
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_bytes())
    assert manifest.get("format") == VARIATIONS_FORMAT, manifest.get("format")
    seeds = sorted(p for p in folder.iterdir() if p.name.startswith("seed-"))
    assert len(seeds) == count, [p.name for p in seeds]
    for sub in seeds:
        assert_valid_bundle(sub)


def leftovers(folder: Path) -> list[str]:
    """``.NAME.gamegen-tmp-*`` / ``.NAME.gamegen-old`` entries beside ``folder``."""
    folder = Path(folder)
    return sorted(
        p.name
        for p in folder.parent.iterdir()
        if p.name.startswith(f".{folder.name}.gamegen-tmp-") or p.name == f".{folder.name}.gamegen-old"
    )


# --------------------------------------------------------------------------------------------------- sandbox


@dataclass
class Sandbox:
    """A throw-away tree the children run in: HOME, a working folder with user files, a recipe folder, a victim.

    ``outs/`` is where tests put output folders. :meth:`assert_untouched_except` checks that nothing changed
    outside the given output folders, their lock files and gamegen's cache folders.
    """

    root: Path
    home: Path
    cwd: Path
    recipe_dir: Path
    outs: Path
    victim: Path
    outside: Path

    VICTIM_BYTES = b"precious user data, do not touch\n"
    VICTIM_MODE = 0o640

    @classmethod
    def create(cls, root: Path) -> Sandbox:
        root = Path(root)
        home, cwd, recipe_dir, outs = root / "home", root / "cwd", root / "recipe", root / "outs"
        for folder in (home, cwd, recipe_dir, outs):
            folder.mkdir(parents=True)
        (home / "notes.txt").write_text("my notes\n")
        (home / ".config").mkdir()
        (home / ".config" / "settings.ini").write_text("[x]\ny = 1\n")
        (cwd / "README.txt").write_text("a user's project\n")
        (cwd / "src").mkdir()
        (cwd / "src" / "main.py").write_text("print('hello')\n")
        victim = root / "victim.txt"
        victim.write_bytes(cls.VICTIM_BYTES)
        victim.chmod(cls.VICTIM_MODE)
        outside = root / "outside.txt"
        outside.write_text("\n".join(NAMES) + "\n")
        return cls(root, home, cwd, recipe_dir, outs, victim, outside)

    # running

    def run(self, *args: str | os.PathLike[str], cwd: Path | None = None, **kwargs: Any) -> CliResult:
        return run_cli(args, cwd=cwd or self.cwd, home=self.home, **kwargs)

    def start(self, *args: str | os.PathLike[str], cwd: Path | None = None, **kwargs: Any) -> subprocess.Popen[str]:
        return start_cli(args, cwd=cwd or self.cwd, home=self.home, **kwargs)

    # files

    def out(self, name: str = "OUT") -> Path:
        return self.outs / name

    def recipe(self, body: str, name: str = "gamegen.toml") -> Path:
        path = self.recipe_dir / name
        path.write_text(textwrap.dedent(body).lstrip())
        return path

    def snapshot(self) -> dict[str, Entry]:
        return snapshot(self.root)

    def victim_state(self) -> tuple[bytes, int, bool]:
        st = os.lstat(self.victim)
        return self.victim.read_bytes(), stat.S_IMODE(st.st_mode), stat.S_ISREG(st.st_mode)

    def assert_victim_intact(self) -> None:
        assert self.victim_state() == (self.VICTIM_BYTES, self.VICTIM_MODE, True), self.victim_state()

    def _prefixes(self, folders: Iterable[Path], whole: bool) -> list[str]:
        """Sandbox-relative paths of each folder (as given and resolved) and of its lock file."""
        prefixes = []
        for out in folders:
            for folder in {Path(os.path.abspath(out)), Path(os.path.realpath(out))}:
                for path in (folder, lock_name(folder)) if whole else (lock_name(folder),):
                    with contextlib.suppress(ValueError):
                        prefixes.append(path.relative_to(self.root).as_posix())
        return prefixes

    def changes(self, before: dict[str, Entry], allowed: list[str], cache: bool = True) -> list[str]:
        after = self.snapshot()
        bad = []
        for path in sorted(set(before) | set(after)):
            if before.get(path) == after.get(path):
                continue
            if any(within(path, p) for p in allowed):
                continue
            if cache and CACHE_DIR_NAME in Path(path).parts:
                continue
            bad.append(f"{path}: {before.get(path)} -> {after.get(path)}")
        return bad

    def assert_untouched_except(self, before: dict[str, Entry], *outs: Path, cache: bool = True) -> None:
        """Nothing changed but inside ``outs`` (as given and resolved), their lock files and cache folders."""
        bad = self.changes(before, self._prefixes(outs, whole=True), cache)
        assert not bad, "changed outside the output folder:\n  " + "\n  ".join(bad)

    def assert_untouched(self, before: dict[str, Entry], *lock_for: Path, cache: bool = True) -> None:
        """Nothing changed at all, but the lock files of ``lock_for`` and cache folders."""
        bad = self.changes(before, self._prefixes(lock_for, whole=False), cache)
        assert not bad, "changed by a refused or failed command:\n  " + "\n  ".join(bad)


NAMES = [
    "Aldric", "Berin", "Corwin", "Dagny", "Eirik", "Freya", "Gunnar", "Hilda", "Ingrid", "Jorund",
    "Katla", "Leif", "Magnus", "Nanna", "Olaf", "Ragna", "Sigrid", "Torvald", "Ulf", "Vigdis",
]  # fmt: skip


# --------------------------------------------------------------------------------------------------- locks


def lock_held(lock: Path, pid: int | None = None) -> bool:
    """True when another process holds the flock on ``lock`` (or the file names ``pid`` as its holder)."""
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        if pid is not None:
            with contextlib.suppress(OSError, ValueError):
                return int(os.pread(fd, 32, 0).decode().strip() or "0") == pid
        return False
    finally:
        os.close(fd)


def wait_until(condition, timeout: float = 60.0, interval: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


# --------------------------------------------------------------------------------------------------- read-only root

_RO_SCRIPT = r"""
set -u
mount --make-rprivate / || exit 97
pass=0
while [ $pass -lt 2 ]; do
  awk '{print $2}' /proc/self/mounts | sort -u | while IFS= read -r m; do
    m=$(printf '%b' "$m")
    mount -o remount,bind,ro "$m" 2>/dev/null || true
  done
  pass=$((pass + 1))
done
# what still takes writes gets an empty read-only file system over it (in this mount namespace only)
writable() {  # mount points whose visible (last) mount takes writes
  awk '{opts[$2] = $4} END {for (m in opts) if (opts[m] !~ /(^|,)ro(,|$)/) print m}' /proc/self/mounts
}
writable | while IFS= read -r m; do
  m=$(printf '%b' "$m")
  mount -t tmpfs -o ro,size=4k gamegen-hostile-ro "$m" 2>/dev/null || true
done
if writable | grep -q .; then exit 97; fi
# one fresh, empty, writable file system of its own (a cache, say): nothing of the machine's is in it
if [ -n "${GAMEGEN_HOSTILE_SCRATCH:-}" ]; then
  mount -t tmpfs -o size=64m gamegen-hostile-scratch "$GAMEGEN_HOSTILE_SCRATCH" || exit 97
fi
exec "$@"
"""


@functools.cache
def readonly_wrapper() -> tuple[str, ...] | None:
    """A command prefix that runs its command with every file system read-only (a private mount namespace),
    or None where that cannot be set up. Used for ``-o /``: a regression must not be able to wipe the machine."""
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return None
    script = Path(tempfile.gettempdir()) / f"gamegen-hostile-ro-{os.getpid()}.sh"
    script.write_text(_RO_SCRIPT)
    atexit.register(lambda: script.unlink(missing_ok=True))
    probe = Path(tempfile.mkdtemp(prefix="gamegen-hostile-probe-"))
    check = (
        "import os, sys\n"
        f"for d in ({str(probe)!r}, '/', {tempfile.gettempdir()!r}, {str(Path.cwd())!r}):\n"
        "    try:\n"
        "        fd = os.open(os.path.join(d, '.gamegen-hostile-probe'), os.O_CREAT | os.O_WRONLY, 0o600)\n"
        "    except OSError:\n"
        "        continue\n"
        "    os.close(fd); os.unlink(os.path.join(d, '.gamegen-hostile-probe')); sys.exit(3)\n"
    )
    prefixes = [("unshare", "--mount")] if os.geteuid() == 0 else []
    prefixes.append(("unshare", "--user", "--map-root-user", "--mount"))
    try:
        for prefix in prefixes:
            wrapper = (*prefix, "sh", str(script))
            try:
                res = subprocess.run([*wrapper, sys.executable, "-c", check], capture_output=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if res.returncode == 0:
                return wrapper
        return None
    finally:
        shutil.rmtree(probe, ignore_errors=True)


# --------------------------------------------------------------------------------------------------- tmpfs


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str = "2m"):
    """Mount a ``size`` tmpfs on ``folder`` for the block (root only); yields False where it cannot be mounted."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        yield False
        return
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if res.returncode != 0:
        yield False
        return
    try:
        yield True
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
