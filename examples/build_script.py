"""A game's own asset build step, using gamegen's Python API instead of the ``gamegen build`` command.

    python examples/build_script.py                      # build examples/starter into ./starter-bundle
    python examples/build_script.py --jobs 2 --profile godot

Everything ``gamegen build`` does is one call: the recipe is checked as a whole, unchanged assets come from the
cache, and the bundle is swapped in only if every asset succeeded. Around that call a build script adds what
its game needs: here, a profile chosen on the command line and a summary of what changed.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import gamegen
from gamegen.builds import BuildError, RecipeError, parse_recipe

RECIPE = Path(__file__).parent / "starter" / "gamegen.toml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("starter-bundle"))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--profile", help="override the recipe's export profile (generic, unity, unreal, godot)")
    args = parser.parse_args()

    def show(done: int, total: int, message: str) -> None:
        print(f"[{done}/{total}] {message}", file=sys.stderr)

    try:
        # A recipe is plain data: a build script may adjust it before checking it (text= keeps line numbers).
        text = RECIPE.read_text()
        data = tomllib.loads(text)
        if args.profile:
            data["profile"] = args.profile
        recipe = parse_recipe(data, source=str(RECIPE), text=text)
        report = gamegen.build(recipe, out=args.out, jobs=args.jobs, progress=show)
    except RecipeError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"asset build failed: {exc}", file=sys.stderr)
        return 1
    print(f"{len(report.built)} built, {len(report.cached)} from cache, {report.seconds:.1f} s -> {report.out}")
    for asset in report.assets:
        if asset.status == "built":
            print(f"  regenerated {asset.id} ({asset.generator}, {asset.seconds:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
