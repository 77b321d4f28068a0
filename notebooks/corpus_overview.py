# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (plancompare)
#     language: python
#     name: plancompare
# ---

# %% [markdown]
# # Corpus overview 规划语料概览
#
# Every processed plan of the manifest, ordered by period: how its sentences divide among the
# five categories, which canonical indicators it states, and links to every report.

# %% tags=["parameters"]
manifest_path = "../data/plans.yml"
processed_dir = "../data/processed"
plan_ids = None  # None: every processed plan of the manifest

# %%
from IPython.display import HTML, display

from plancompare import charts, corpus, report
from plancompare.manifest import load_manifest

manifest = load_manifest(manifest_path)
plans, sentences, found = corpus.load_corpus(manifest, processed_dir, plan_ids)
report.para(corpus.summary_text(corpus.summary(plans, sentences, manifest)))

# %%
report.section("shares", "Category shares 类别比重")

# %% [markdown]
# Share of each plan's distinct sentences by primary category, written in each cell. The table
# below gives every share with its 95% bootstrap interval (sentences resampled, fixed seed) and
# its count of sentences. Plans run from the earliest period down to the latest.

# %%
shares = corpus.heatmap_data(sentences, plans)
charts.show(corpus.heatmap_chart(shares), "corpus-shares")

# %%
report.table(corpus.shares_table(shares))

# %%
report.section("coverage", "Indicator coverage 指标覆盖")

# %% [markdown]
# Which plan states which canonical indicator (a target, a baseline or a growth figure), from
# the quantitative statements extracted by the pipeline.

# %%
imap = corpus.indicator_map()
coverage = corpus.coverage_matrix(found, [p.id for p in plans], imap)
report.table(corpus.coverage_by_indicator(coverage, imap))

# %%
report.table(corpus.coverage_by_plan(coverage, plans, imap))

# %%
display(report.section("reports", "Reports 报告"))
HTML(corpus.links_html(corpus.report_links(manifest, plans)))
