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

# %% tags=["parameters"]
plan_id = "chongqing-2016-2020"  # any plan id of data/plans.yml
manifest_path = "../data/plans.yml"
processed_dir = "../data/processed"
coder = None  # None: as processed; or "naive", "rules", "classifier" to code again

# %%
from IPython.display import display

from plancompare import charts, indicators, report, stats
from plancompare.manifest import load_manifest
from plancompare.pipeline import load_counts, load_indicators, load_sentences
from plancompare.style import ALL_CATEGORIES

manifest = load_manifest(manifest_path)
plan = manifest.plan(plan_id)
sentences = load_sentences(processed_dir, [plan_id], coder=coder)
counts = load_counts(processed_dir, plan_id)
found = load_indicators(processed_dir, [plan_id])
labels = {plan_id: plan.label()}
colours = {plan_id: report.plan_colour(manifest, plan_id)}
glossary = report.load_glossary()
stopwords = stats.load_stopwords()
shares = stats.category_shares(sentences)
growth = indicators.growth_table(found)
display(report.title_block([plan], "profile"), report.profile_toc())

# %%
display(report.section("summary", "Summary 概要"))
report.summary_html(report.profile_summary(shares, growth, plan.label(), plan_id))

# %%
display(report.section("plan", "The plan 规划"))
display(report.table(report.plan_metadata(plan)))
report.table(report.cleaning_table(counts, plan.encoding))

# %%
report.section("shares", "Category shares 类别分布")

# %% [markdown]
# Share of distinct sentences by primary category (headings excluded); the black lines are 95%
# bootstrap intervals (sentences resampled, fixed seed). Hover a bar for an example sentence.

# %%
charts.show(charts.shares_chart(report.with_examples(shares, sentences), labels, colours), "shares")

# %%
report.table(report.shares_table(shares, labels))

# %%
display(report.section("categories", "Category by category 分类概况"))
for cat in ALL_CATEGORIES:
    display(
        report.category_section_profile(
            sentences, shares, cat, plan_id, plan.label(), glossary, stopwords, "all-sentences"
        )
    )

# %%
display(report.section("indicators", "Targets and baselines 指标与目标"))
display(report.growth_table_html(growth, plan_id))

# %% [markdown]
# Implied growth a year of each indicator the plan gives both a baseline and a target, from the
# table above; hover a bar for its years and the growth the plan itself states.

# %%
charts.show(charts.growth_bar_chart(growth, colours[plan_id]), "growth")

# %%
display(report.heading("Every baseline and target, by category of its sentence", 3, "ind-all"))
report.plan_indicators_html(found, sentences, plan_id)

# %%
display(report.section("sentences", "All coded sentences 全部句子"))
report.sentences_table(sentences, labels, "all-sentences")

# %%
display(report.section("methods", "Methods 方法"))
report.methods_section(processed_dir, [plan], [counts], sentences, found)

# %%
report.provenance_section(manifest, [plan_id], {"plan_id": plan_id, "coder": coder}, processed_dir)
