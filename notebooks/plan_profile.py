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
# # Plan profile 规划概况
#
# One plan: what it is, what cleaning did to its text, how its sentences divide among the five
# categories (with 95% bootstrap intervals), its most frequent terms and example sentences.

# %% tags=["parameters"]
plan_id = "chongqing-2016-2020"
manifest_path = "../data/plans.yml"
processed_dir = "../data/processed"

# %%
from plancompare import charts, report, stats
from plancompare.manifest import load_manifest
from plancompare.pipeline import load_counts, load_sentences

manifest = load_manifest(manifest_path)
plan = manifest.plan(plan_id)
sentences = load_sentences(processed_dir, [plan_id])
counts = load_counts(processed_dir, plan_id)
report.heading(report.plan_title(plan), 1)

# %% [markdown]
# ## The plan 规划

# %%
report.table(report.plan_metadata(plan))

# %% [markdown]
# ## What cleaning did 文本清理

# %%
report.table(report.cleaning_table(counts))

# %% [markdown]
# ## Category distribution 类别分布
#
# Share of distinct sentences by primary category; the black lines are 95% bootstrap intervals
# (sentences resampled, fixed seed).

# %%
shares = stats.category_shares(sentences)
labels = {plan_id: plan.label()}
colours = {plan_id: report.plan_colour(manifest, plan_id)}
charts.show(charts.shares_chart(report.with_examples(shares, sentences), labels, colours), "shares")

# %%
report.table(report.shares_table(shares, labels))

# %% [markdown]
# ## Top terms per category 各类别高频词

# %%
stopwords = stats.load_stopwords()
report.table(stats.top_terms_by_category(sentences, plan_id, stopwords, n=10))

# %% [markdown]
# ## Example sentences 例句

# %%
report.examples_html(sentences, plan_id, n=3)

# %%
report.provenance(manifest, [plan_id], {"plan_id": plan_id}, report.config_inputs())
