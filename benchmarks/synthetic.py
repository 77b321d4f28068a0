"""A synthetic corpus for benchmarks: plans made by sampling and reordering the shipped plans' paragraphs."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from plancompare import paths
from plancompare.manifest import load_manifest

SEED = 20240607
CITIES: tuple[tuple[str, str], ...] = (
    ("Beijing", "北京"),
    ("Shanghai", "上海"),
    ("Tianjin", "天津"),
    ("Guangzhou", "广州"),
    ("Shenzhen", "深圳"),
    ("Wuhan", "武汉"),
    ("Xi'an", "西安"),
    ("Nanjing", "南京"),
    ("Hangzhou", "杭州"),
    ("Suzhou", "苏州"),
    ("Changsha", "长沙"),
    ("Zhengzhou", "郑州"),
    ("Jinan", "济南"),
    ("Qingdao", "青岛"),
    ("Dalian", "大连"),
    ("Shenyang", "沈阳"),
    ("Harbin", "哈尔滨"),
    ("Kunming", "昆明"),
    ("Guiyang", "贵阳"),
    ("Nanning", "南宁"),
    ("Fuzhou", "福州"),
    ("Xiamen", "厦门"),
    ("Hefei", "合肥"),
    ("Nanchang", "南昌"),
    ("Lanzhou", "兰州"),
    ("Taiyuan", "太原"),
    ("Shijiazhuang", "石家庄"),
    ("Urumqi", "乌鲁木齐"),
    ("Hohhot", "呼和浩特"),
    ("Ningbo", "宁波"),
)
PERIODS: tuple[tuple[int, int], ...] = (
    (2006, 2010),
    (2011, 2015),
    (2016, 2020),
    (2021, 2025),
    (2001, 2005),
    (1996, 2000),
)
FIVE_YEAR_PLAN = {
    1996: "九五",
    2001: "十五",
    2006: "十一五",
    2011: "十二五",
    2016: "十三五",
    2021: "十四五",
}


def shipped_paragraphs(manifest_path: Path = paths.MANIFEST) -> list[list[str]]:
    """Return the non-empty paragraphs of each shipped plan, in manifest order."""
    manifest = load_manifest(manifest_path)
    out = []
    for plan in manifest.plans:
        text = manifest.source_path(plan).read_text(encoding="utf-8-sig")
        out.append([p for p in text.splitlines() if p.strip()])
    return out


def synthetic_text(sources: list[list[str]], rng: random.Random, share: float = 0.6) -> str:
    """Return one plan's text: a share of one shipped plan's paragraphs plus a few of another's, shuffled."""
    main = rng.randrange(len(sources))
    other = (main + 1) % len(sources)
    first, rest = sources[main][0], sources[main][1:]
    picked = rng.sample(rest, max(1, int(len(rest) * share)))
    picked += rng.sample(sources[other], max(1, len(sources[other]) // 10))
    rng.shuffle(picked)
    return "\n".join([first, *picked]) + "\n"


def plan_slots(n_plans: int) -> list[tuple[str, str, int, int]]:
    """Return (city, city_zh, start, end) for n distinct plans: four periods per city, cities in turn."""
    n_cities = min(len(CITIES), -(-n_plans // 4))
    slots = [(c, zh, s, e) for s, e in PERIODS for c, zh in CITIES[:n_cities]]
    if n_plans > len(CITIES) * len(PERIODS):
        raise ValueError(
            f"at most {len(CITIES) * len(PERIODS)} synthetic plans (asked for {n_plans})"
        )
    return sorted(slots[:n_plans], key=lambda s: (CITIES.index((s[0], s[1])), s[2]))


def _entry(city: str, city_zh: str, start: int, end: int) -> dict:
    slug = city.lower().replace("'", "")
    plan = FIVE_YEAR_PLAN.get(start, f"{start}—{end}")
    return {
        "id": f"{slug}-{start}-{end}",
        "city": city,
        "city_zh": city_zh,
        "title_zh": f"{city_zh}市金融业发展“{plan}”规划（合成）",
        "title_en": f"{city} financial-sector development plan {start}–{end} (synthetic)",
        "period": [start, end],
        "baseline_year": start - 1,
        "encoding": "utf-8",
        "source": f"raw/{slug}-{start}-{end}.txt",
    }


def consecutive_pairs(entries: list[dict], limit: int | None = None) -> list[list[str]]:
    """Return [earlier, later] pairs of the same city's consecutive periods (at most `limit`)."""
    pairs = []
    for a, b in zip(entries, entries[1:], strict=False):
        if a["city"] == b["city"]:
            pairs.append([b["id"], a["id"]])
    return pairs if limit is None else pairs[:limit]


def build_corpus(
    folder: Path,
    n_plans: int = 100,
    seed: int = SEED,
    n_comparisons: int | None = None,
    share: float = 0.6,
    manifest_path: Path = paths.MANIFEST,
) -> Path:
    """Write n synthetic plans and their manifest (plans.yml) under folder; return the manifest path."""
    folder = Path(folder)
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    sources = shipped_paragraphs(manifest_path)
    entries = [_entry(*slot) for slot in plan_slots(n_plans)]
    for entry in entries:
        text = synthetic_text(sources, rng, share)
        (folder / entry["source"]).write_text(text, encoding="utf-8")
    doc = {"plans": entries, "comparisons": consecutive_pairs(entries, n_comparisons)}
    out = folder / "plans.yml"
    out.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out
