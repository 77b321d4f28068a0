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
# # Comparing two plans 规划比较
#
# Category shares side by side, normalised for length, the terms that distinguish each plan, and
# example sentences of each category from both.

# %% tags=["parameters"]
left = "chongqing-2016-2020"
right = "chengdu-2006-2010"
manifest_path = "../data/plans.yml"
processed_dir = "../data/processed"

# %%
from plancompare import charts, report, stats
from plancompare.manifest import load_manifest
from plancompare.pipeline import load_counts, load_sentences

manifest = load_manifest(manifest_path)
plans = [manifest.plan(left), manifest.plan(right)]
sentences = load_sentences(processed_dir, [left, right])
counts = [load_counts(processed_dir, p.id) for p in plans]
report.heading(f"{plans[0].label()} vs {plans[1].label()}", 1)

# %%
report.period_note(plans[0], plans[1])

# %% [markdown]
# ## The plans 规划

# %%
report.table(report.side_by_side_metadata(plans, counts))

# %% [markdown]
# ## Category shares 类别比重
#
# Share of each plan's distinct sentences by primary category, with 95% bootstrap intervals,
# and the same counts per 1,000 distinct characters (a length-normalised rate).

# %%
shares = stats.category_shares(sentences)
labels = {p.id: p.label() for p in plans}
colours = {p.id: report.plan_colour(manifest, p.id) for p in plans}
charts.show(charts.shares_chart(report.with_examples(shares, sentences), labels, colours), "shares")

# %%
report.table(report.shares_table(shares, labels))

# %% [markdown]
# ### Do the distributions differ? 分布差异检验

# %%
report.chi_square_html(stats.chi_square_test(sentences, left, right), labels)

# %% [markdown]
# ## Distinctive terms 特色词语
#
# Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008)
# over jieba words, stop words and numbers removed; z above 1.96 is distinctive at about 5%.

# %%
stopwords = stats.load_stopwords()
terms = stats.distinctive_terms(sentences, left, right, stopwords=stopwords, top=15)
report.table(terms)

# %% [markdown]
# ## Example sentences side by side 例句对照

# %%
report.examples_side_by_side(sentences, left, right, n=2)

# %%
report.provenance(manifest, [left, right], {"left": left, "right": right}, report.config_inputs())
