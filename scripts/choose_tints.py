"""Search the soft and medium highlight tints of resources/categories.json.

For each theme (light page #FFFFFF with black text, dark page #1E1E1E with light text) and
intensity (soft, medium), nine colours are searched by random hill-climbing, starting from
the strong colours mixed with the page, within a luminance band that keeps the text's
contrast >= 4.5:1, at most a set distance from the page (the text stays the focus), near
the hue of the category's strong colour (Retention stays yellow, Sharing orange...).
The "standard" palette maximises the smallest CIEDE2000 difference with normal vision while
the colour-blind simulations keep at least two thirds of it; the "colour-blind" palette
maximises the smallest difference under deuteranopia, protanopia and tritanopia alike.
Prints JSON for categories.json ("tints"); tests/test_colours.py checks the stored colours.

    python scripts/choose_tints.py [--steps 20000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.analysis.taxonomy import practice_categories  # noqa: E402

SIMULATIONS = np.array([
    np.eye(3),
    [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
     [-0.011820, 0.042940, 0.968881]],
    [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
     [-0.003882, -0.048116, 1.051998]],
    [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
     [0.004733, 0.691367, 0.303900]],
])
# Relative luminance bands: light-page tints are pale (black text on them), dark-page
# tints are deep (light text on them, contrast >= 4.5:1 up to 0.13).
BANDS = {("light", "soft"): (0.72, 0.90), ("light", "medium"): (0.55, 0.75),
         ("dark", "soft"): (0.025, 0.07), ("dark", "medium"): (0.06, 0.125)}
# The colour-blind palette may be a little more saturated: more room to stay apart.
WIDER = {("light", "soft"): (0.62, 0.90), ("light", "medium"): (0.45, 0.75),
         ("dark", "soft"): (0.025, 0.09), ("dark", "medium"): (0.05, 0.13)}
PAGES = {"light": "#FFFFFF", "dark": "#1E1E1E"}
START_MIX = {"soft": 0.25, "medium": 0.45}
# At most this far (CIEDE2000) from the page: soft tints stay soft, medium ones between.
REACH = {("light", "soft"): 18.0, ("light", "medium"): 26.0,
         ("dark", "soft"): 24.0, ("dark", "medium"): 34.0}
# Each tint keeps its category's hue (within this many degrees) and some colour.
HUE_TURN = {"standard": 15.0, "colour_blind": 30.0}
MIN_CHROMA = 10.0


def linear(rgb: np.ndarray) -> np.ndarray:
    c = rgb / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb: np.ndarray, sim: np.ndarray) -> np.ndarray:
    lin = np.clip(linear(rgb) @ sim.T, 0, 1)
    xyz = lin @ np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                          [0.0193339, 0.1191920, 0.9503041]]).T
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]),
                     200 * (f[:, 1] - f[:, 2])], axis=1)


def ciede2000(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    l1, a1, b1 = x.T
    l2, a2, b2 = y.T
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0, dh)
    d_hue = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_mean = np.where(np.abs(h1p - h2p) <= 180, h_sum / 2,
                      np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2))
    h_mean = np.where(c1p * c2p == 0, h_sum, h_mean)
    t = (1 - 0.17 * np.cos(np.radians(h_mean - 30)) + 0.24 * np.cos(np.radians(2 * h_mean))
         + 0.32 * np.cos(np.radians(3 * h_mean + 6)) - 0.20 * np.cos(np.radians(4 * h_mean - 63)))
    rotation = 30 * np.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_mean ** 7 / (cp_mean ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_mean, 1 + 0.015 * cp_mean * t
    r_t = -np.sin(np.radians(2 * rotation)) * r_c
    return np.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (d_hue / s_h) ** 2
                   + r_t * (dc / s_c) * (d_hue / s_h))


PAIRS = np.array([(i, j) for i in range(9) for j in range(i + 1, 9)])


def smallest(rgb: np.ndarray) -> np.ndarray:
    """Smallest pairwise difference per simulation (normal, deutan, protan, tritan)."""
    out = []
    for sim in SIMULATIONS:
        labs = lab(rgb, sim)
        out.append(ciede2000(labs[PAIRS[:, 0]], labs[PAIRS[:, 1]]).min())
    return np.array(out)


def luminance(rgb: np.ndarray) -> np.ndarray:
    return linear(rgb) @ np.array([0.2126, 0.7152, 0.0722])


def hue(labs: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan2(labs[:, 2], labs[:, 1])) % 360


def score(rgb: np.ndarray, band: tuple[float, float], palette: str, page: np.ndarray,
          reach: float, hues: np.ndarray) -> float:
    lum = luminance(rgb)
    if lum.min() < band[0] or lum.max() > band[1]:
        return -1000.0
    labs = lab(rgb, SIMULATIONS[0])
    far = ciede2000(labs, np.repeat(lab(page[None, :], SIMULATIONS[0]), len(rgb), axis=0))
    turn = np.abs((hue(labs) - hues + 180) % 360 - 180)
    chroma = np.hypot(labs[:, 1], labs[:, 2])
    miss = (np.maximum(0, far - reach).sum() + np.maximum(0, turn - HUE_TURN[palette]).sum()
            + np.maximum(0, MIN_CHROMA - chroma).sum())
    if miss > 0:
        return -1.0 - miss  # not there yet: closer is better
    worst = smallest(rgb)
    if palette == "standard":
        return min(worst[0], 1.5 * worst[1:].min())
    return worst.min()


def search(start: np.ndarray, band, palette: str, steps: int, rng, page: np.ndarray,
           reach: float, hues: np.ndarray) -> np.ndarray:
    best = start.copy()
    best_score = score(best, band, palette, page, reach, hues)
    for step in range(steps):
        size = 24 if step < steps / 2 else 8
        trial = best.copy()
        i = rng.integers(9)
        trial[i] = np.clip(trial[i] + rng.integers(-size, size + 1, 3), 0, 255)
        if (s := score(trial, band, palette, page, reach, hues)) >= best_score:
            best, best_score = trial, s
    return best


def hexes(rgb: np.ndarray) -> list[str]:
    return ["#" + "".join(f"{int(v):02X}" for v in c) for c in rgb]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    cats = practice_categories()
    result: dict = {}
    for palette in ("standard", "colour_blind"):
        for intensity in ("soft", "medium"):
            for theme in ("light", "dark"):
                page = np.array([int(PAGES[theme][i:i + 2], 16) for i in (1, 3, 5)])
                strong = np.array([[int(c.colour(theme == "dark")[i:i + 2], 16)
                                    for i in (1, 3, 5)] for c in cats])
                a = START_MIX[intensity]
                start = np.round(a * strong + (1 - a) * page)
                band = (BANDS if palette == "standard" else WIDER)[theme, intensity]
                lum = luminance(start)
                # pull the start into the band (scale towards the page or away from it)
                for _ in range(200):
                    lum = luminance(start)
                    if lum.min() >= band[0] and lum.max() <= band[1]:
                        break
                    too_high = lum > band[1]
                    too_low = lum < band[0]
                    start[too_high] = np.clip(start[too_high] * 0.97, 0, 255)
                    start[too_low] = np.clip(start[too_low] * 1.03 + 1, 0, 255)
                hues = hue(lab(strong.astype(float), SIMULATIONS[0]))
                best = search(start, band, palette, args.steps, rng, page,
                              REACH[theme, intensity], hues)
                worst = smallest(best)
                print(palette, intensity, theme, np.round(worst, 2), file=sys.stderr)
                colours = hexes(best)
                for cat, colour in zip(cats, colours, strict=True):
                    result.setdefault(palette, {}).setdefault(intensity, {}).setdefault(
                        cat.id, {})[theme] = colour
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
