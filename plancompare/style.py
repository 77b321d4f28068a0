"""Category keys, bilingual labels and colours: the one place these facts live."""

CATEGORIES: tuple[str, ...] = ("institutions", "markets", "infrastructure", "talent", "risk")
OTHER = "other"
ALL_CATEGORIES: tuple[str, ...] = CATEGORIES + (OTHER,)

CATEGORY_LABELS: dict[str, str] = {
    "institutions": "Institutions",
    "markets": "Markets",
    "infrastructure": "Infrastructure",
    "talent": "Talent",
    "risk": "Risk & supervision",
    "other": "Other",
}
CATEGORY_LABELS_ZH: dict[str, str] = {
    "institutions": "金融机构",
    "markets": "金融市场",
    "infrastructure": "金融基础设施",
    "talent": "金融人才",
    "risk": "风险与监管",
    "other": "其他",
}
# Okabe–Ito: a colour-blind-safe palette.
CATEGORY_COLOURS: dict[str, str] = {
    "institutions": "#0072B2",
    "markets": "#E69F00",
    "infrastructure": "#009E73",
    "talent": "#CC79A7",
    "risk": "#D55E00",
    "other": "#999999",
}
# What belongs to neither plan (an equal share) is grey, as Other is.
NEUTRAL_COLOUR = CATEGORY_COLOURS["other"]
# Plans are coloured by their position in the manifest, so a plan keeps its colour in every report.
PLAN_PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
CJK_FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
    '"Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif'
)


def category_label(key: str, bilingual: bool = True) -> str:
    """Return the display label of a category, with its Chinese name when bilingual."""
    label = CATEGORY_LABELS.get(key, key)
    return (
        f"{label} ({CATEGORY_LABELS_ZH[key]})" if bilingual and key in CATEGORY_LABELS_ZH else label
    )


def plan_colour(index: int) -> str:
    """Return the colour of the plan at this position of the manifest."""
    return PLAN_PALETTE[index % len(PLAN_PALETTE)]


def count_of(n: int, noun: str, plural: str = "") -> str:
    """Return '1 plan' or '3 plans' (`plural` when adding an s is wrong: cities)."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {plural or noun + 's'}"
