"""Default locations of the project's inputs and outputs (defined once, imported everywhere)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
MANIFEST = DATA / "plans.yml"
CODEBOOK = DATA / "codebook.yml"
GLOSSARY = DATA / "glossary.yml"
INDICATOR_MAP = DATA / "indicators.yml"
STOPWORDS = DATA / "stopwords.txt"
VALIDATION = DATA / "annotations" / "validation.csv"
SECOND_CODER = DATA / "annotations" / "validation_second_coder.csv"
PROCESSED = DATA / "processed"
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "plancompare"
# A plan's cache under <processed>/plans/<id>/: these tables, then meta.json (written last).
SENTENCES_TABLE, INDICATORS_TABLE = "sentences.parquet", "indicators.parquet"
PLAN_CACHE_TABLES = (SENTENCES_TABLE, INDICATORS_TABLE)
# The corpus-wide tidy tables written into the processed folder (data/processed/README.md
# describes their columns).
TABLES = ("sentences.csv", "plans.csv", "indicators.csv")
