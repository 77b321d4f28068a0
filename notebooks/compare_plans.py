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
left = "chongqing-2016-2020"  # two different plan ids of data/plans.yml
right = "chengdu-2006-2010"
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
plans = manifest.pair(left, right)
sentences = load_sentences(processed_dir, [left, right], coder=coder)
counts = [load_counts(processed_dir, p.id) for p in plans]
found = load_indicators(processed_dir, [left, right])
labels = {p.id: p.label() for p in plans}
colours = {p.id: report.plan_colour(manifest, p.id) for p in plans}
glossary = report.load_glossary()
stopwords = stats.load_stopwords()
shares = stats.category_shares(sentences)
diff = stats.share_difference(sentences, left, right)
shared = indicators.compare_indicators(found, left, right)
display(report.title_block(plans, "comparison"), report.comparison_toc())

# %%
display(report.section("summary", "Summary of the main differences 主要差异"))
display(report.period_note(plans[0], plans[1]))
report.summary_html(report.comparison_summary(shares, diff, shared, labels))

# %%
display(report.section("plans", "The plans 规划"))
report.table(report.side_by_side_metadata(plans, counts))

# %%
report.section("shares", "Category shares 类别比重")

# %% [markdown]
# Shares are of each plan's distinct sentences by primary category (headings excluded), with 95%
# bootstrap intervals (black lines); hover a bar for an example sentence.

# %%
charts.show(charts.shares_chart(report.with_examples(shares, sentences), labels, colours), "shares")

# %% [markdown]
# The difference of each category's share (left plan minus right plan, in percentage points) with
# its 95% bootstrap interval; a point is coloured by the plan in which the share is larger, and an
# interval that crosses zero means no clear difference.

# %%
charts.show(charts.share_difference_chart(diff, labels, colours), "share-difference")

# %%
display(report.table(report.shares_table(shares, labels)))
report.chi_square_html(stats.chi_square_test(sentences, left, right), labels)

# %%
report.section("terms", "Distinctive terms 特色词语")

# %% [markdown]
# Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008)
# over jieba words, stop words and numbers removed; |z| above 1.96 is distinctive at about 5%.
# Click a term to see its sentences in the table at the end.

# %%
terms = stats.distinctive_terms(sentences, left, right, stopwords=stopwords, top=15)
charts.show(charts.distinctive_chart(terms, labels, colours, glossary), "distinctive-terms")

# %%
display(report.distinctive_table(terms, labels, glossary, find="all-sentences"))
display(report.heading("The top terms in context 关键词语境", 3, "terms-kwic"))
report.kwic_html(
    report.kwic_lines(sentences, report.top_terms_per_side(terms, 3)), labels, glossary
)

# %%
display(report.section("categories", "Category by category 分类比较"))
for cat in ALL_CATEGORIES:
    display(
        report.category_section_compare(
            sentences, shares, diff, cat, labels, glossary, stopwords, find="all-sentences"
        )
    )

# %%
display(report.section("indicators", "Targets and baselines 指标与目标"))
display(report.period_note(plans[0], plans[1]))
report.indicator_comparison_table(shared, labels)

# %% [markdown]
# Annual growth of each shared indicator. Filled dots are planned growth (baseline → target);
# hollow diamonds are the growth each plan reports for the years before it. A line joins the two
# plans' planned rates where both state them. Growth rates, not levels, are comparable between
# plans of different periods.

# %%
charts.show(charts.growth_dumbbell_chart(shared, labels, colours), "growth")

# %%
display(report.section("sentences", "All coded sentences 全部句子"))
report.sentences_table(sentences, labels, "all-sentences")

# %%
display(report.section("methods", "Methods 方法"))
report.methods_section(processed_dir, plans, counts, sentences, found)

# %%
report.provenance_section(
    manifest, [left, right], {"left": left, "right": right, "coder": coder}, processed_dir
)
