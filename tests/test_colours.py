"""Highlight colours: distinct for colour-blind readers (CIEDE2000 under simulated
deuteranopia, protanopia and tritanopia) and readable text on every highlight (WCAG
contrast >= 4.5:1) in the light and dark themes."""

from __future__ import annotations

import itertools
import math

import pytest

from reader.analysis.practices import highlight_text_colour
from reader.analysis.taxonomy import category, practice_categories
from reader.analysis.tints import (
    INTENSITIES,
    PAGE_COLOURS,
    PALETTES,
    HighlightLook,
    current_colour,
    highlight_colour,
    text_colour_on,
)

# Machado, Oliveira and Fernandes (2009), severity 1.0, applied to linear RGB.
SIMULATIONS = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
# Smallest CIEDE2000 difference between two highlight colours, in every simulation.
MIN_DIFFERENCE = {"light": 9.0, "dark": 8.5}
# The pairs readers confused (issue 13), with normal vision.
FORMERLY_CONFUSED = [("data_retention", "data_security"), ("data_security", "do_not_track")]


def linear(hex_colour: str) -> tuple[float, float, float]:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                 for c in channels)


def luminance(hex_colour: str) -> float:
    r, g, b = linear(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def lab(hex_colour: str, simulation: str = "normal") -> tuple[float, float, float]:
    rgb = linear(hex_colour)
    rgb = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True))))
           for row in SIMULATIONS[simulation]]
    xyz_rows = ((0.4124564, 0.3575761, 0.1804375), (0.2126729, 0.7151522, 0.0721750),
                (0.0193339, 0.1191920, 0.9503041))
    white = (0.95047, 1.0, 1.08883)
    x, y, z = (sum(m * c for m, c in zip(row, rgb, strict=True)) / w
               for row, w in zip(xyz_rows, white, strict=True))

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def ciede2000(first: tuple[float, float, float], second: tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005)."""
    l1, a1, b1 = first
    l2, a2, b2 = second
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    d_hue = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, c_mean_p = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + (360 if h1p + h2p < 360 else -360)) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6))
         - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    rotation = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(c_mean_p ** 7 / (c_mean_p ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_mean_p, 1 + 0.015 * c_mean_p * t
    r_t = -math.sin(math.radians(2 * rotation)) * r_c
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (d_hue / s_h) ** 2
                     + r_t * (dc / s_c) * (d_hue / s_h))


def test_ciede2000_matches_published_values():
    # Sharma, Wu and Dalal (2005), test pairs 1 and 17.
    assert ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("simulation", list(SIMULATIONS))
def test_highlights_stay_apart_for_colour_blind_readers(theme, simulation):
    colours = {c.id: c.colour(theme == "dark") for c in practice_categories()}
    closest = min((ciede2000(lab(colours[a], simulation), lab(colours[b], simulation)), a, b)
                  for a, b in itertools.combinations(colours, 2))
    assert closest[0] >= MIN_DIFFERENCE[theme], closest


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("first", "second"), FORMERLY_CONFUSED)
def test_formerly_confused_pairs_are_clearly_different(theme, first, second):
    dark = theme == "dark"
    difference = ciede2000(lab(category(first).colour(dark)), lab(category(second).colour(dark)))
    assert difference >= 15


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_is_readable_on_every_highlight(theme):
    dark = theme == "dark"
    text = highlight_text_colour(dark)
    for item in practice_categories():
        assert contrast(item.colour(dark), text) >= 4.5, item.id


# -- the tints the viewer, panel and PDF actually use (reader.analysis.tints) ------------

# Smallest CIEDE2000 difference between two categories' tints: (normal vision, under each
# colour-blindness simulation). Soft tints are pale by design (the text stays the focus), so
# they differ less than the strong colours; the colour-blind palette keeps them further apart
# under the simulations. Every passage also names its categories in the margin, on hover and
# in the status bar, so colour is never the only cue.
TINT_DIFFERENCE = {
    ("standard", "soft"): (6.4, 4.2), ("standard", "medium"): (11.0, 7.2),
    ("colour_blind", "soft"): (6.3, 6.3), ("colour_blind", "medium"): (9.5, 8.8),
}
LOOKS = [HighlightLook(dark, intensity, palette) for dark in (False, True)
         for intensity in INTENSITIES for palette in PALETTES]


def _look_id(look: HighlightLook) -> str:
    return f"{'dark' if look.dark else 'light'}-{look.intensity}-{look.palette}"


@pytest.mark.parametrize("look", LOOKS, ids=_look_id)
def test_every_tint_pair_stays_apart(look):
    colours = {c.id: highlight_colour(c.id, look) for c in practice_categories()}
    assert len(set(colours.values())) == 9
    normal_minimum, simulated_minimum = TINT_DIFFERENCE.get(
        (look.palette, look.intensity), (MIN_DIFFERENCE["dark" if look.dark else "light"],) * 2)
    for simulation in SIMULATIONS:
        wanted = normal_minimum if simulation == "normal" else simulated_minimum
        closest = min((ciede2000(lab(colours[a], simulation), lab(colours[b], simulation)), a, b)
                      for a, b in itertools.combinations(colours, 2))
        assert closest[0] >= wanted, (simulation, closest)


@pytest.mark.parametrize("look", LOOKS, ids=_look_id)
def test_text_is_readable_on_every_tint(look):
    for item in practice_categories():
        background = highlight_colour(item.id, look)
        assert contrast(background, text_colour_on(background)) >= 4.5, (item.id, background)
        strongest = current_colour(item.id, look)
        assert contrast(strongest, text_colour_on(strongest)) >= 4.5, item.id


# How far (CIEDE2000) a tint may be from the page: soft tints stay near it.
REACH = {(False, "soft"): 18.0, (False, "medium"): 26.0, (True, "soft"): 24.0,
         (True, "medium"): 34.0}


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("dark", [False, True])
def test_soft_tints_keep_the_text_the_focus(dark, palette):
    """Soft tints stay near the page colour, medium ones a little further; on average each
    step is stronger than the one before."""
    page = lab(PAGE_COLOURS[dark])
    means = []
    for intensity in INTENSITIES:
        far = [ciede2000(lab(highlight_colour(c.id, HighlightLook(dark, intensity, palette))),
                         page) for c in practice_categories()]
        if intensity != "strong":
            assert max(far) <= REACH[dark, intensity] + 0.05, (intensity, far)
        means.append(sum(far) / len(far))
    assert means == sorted(means), means


def test_marks_use_the_chosen_tint():
    from reader.analysis.practices import highlight_marks
    from reader.output.highlight import HighlightedPolicy
    from reader.paths import embedded_corpus_dir
    from reader.sources.corpus import Corpus

    item = HighlightedPolicy.of(Corpus.open(embedded_corpus_dir()).load("ipmart.com"))
    for look in LOOKS:
        marks = highlight_marks(item.analysis, None, look)
        assert marks
        for mark in marks:
            span = item.analysis.spans[int(mark.anchor[1:])]
            colour = highlight_colour(span.categories[0], look)
            assert mark.style == f"background-color:{colour};color:{text_colour_on(colour)}"


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize("intensity", ["soft", "medium"])
def test_colour_blind_palette_is_safer_under_simulations(dark, intensity):
    def closest(palette: str, simulation: str) -> float:
        look = HighlightLook(dark, intensity, palette)
        colours = [highlight_colour(c.id, look) for c in practice_categories()]
        return min(ciede2000(lab(a, simulation), lab(b, simulation))
                   for a, b in itertools.combinations(colours, 2))

    for simulation in ("deuteranopia", "protanopia", "tritanopia"):
        assert closest("colour_blind", simulation) > closest("standard", simulation)


@pytest.mark.parametrize("look", [look for look in LOOKS if look.intensity != "strong"],
                         ids=_look_id)
def test_tints_keep_their_category_hue(look):
    """Retention stays yellow, Sharing orange...: a tint is its strong colour, paler."""
    for item in practice_categories():
        _, a1, b1 = lab(item.colour(look.dark))
        _, a2, b2 = lab(highlight_colour(item.id, look))
        turn = abs((math.degrees(math.atan2(b2, a2) - math.atan2(b1, a1)) + 180) % 360 - 180)
        assert turn <= (15.5 if look.palette == "standard" else 30.5), (item.id, turn)
        assert math.hypot(a2, b2) >= 9.9, item.id  # a colour, not a grey
