"""Contact sheets of 64 ``character.humanoid`` seeds (walk frame 0, facing down) at 32 and 64 px, to judge by eye.

    .venv/bin/python benchmarks/humanoid_contact.py [--out docs]      # writes humanoid-contact-32.png and -64.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

import gamegen


def contact_sheet(size: int, seeds: range = range(64), columns: int = 8) -> np.ndarray:
    """The seeds' down-facing standing frames in a grid on a slate background, scaled up pixel-exact."""
    tiles = []
    for seed in seeds:
        params = {"size": size, "animations": ["walk"], "directions": ["down"], "layers": False}
        assets = gamegen.generate("character.humanoid", seed=seed, params=params)
        tiles.append(next(a for a in assets if a.name == "humanoid_icon").array)
    rows = [np.concatenate(tiles[i : i + columns], axis=1) for i in range(0, len(tiles), columns)]
    grid = np.concatenate(rows, axis=0)
    slate = np.zeros_like(grid)
    slate[..., :3], slate[..., 3] = (70, 80, 90), 255
    grid = np.where(grid[..., 3:4] > 0, grid, slate)
    scale = 4 if size == 32 else 2
    return np.repeat(np.repeat(grid, scale, 0), scale, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    for size in (32, 64):
        path = args.out / f"humanoid-contact-{size}.png"
        Image.fromarray(contact_sheet(size)).save(path, optimize=True)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
