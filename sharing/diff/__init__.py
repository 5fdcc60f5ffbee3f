"""Notebook-aware differences between two versions (see docs/diff.md).

``align`` pairs the cells of two notebooks, ``identity`` lets an id-less upload inherit the
cell ids of the version before it, ``model`` says what changed in each pair, ``html`` shows it
as safe markup, and ``jobs`` computes, caches and schedules all of that. ``align``, ``identity``,
``model`` and ``html`` need no Django: the benchmark and the isolated child import them alone.
"""
