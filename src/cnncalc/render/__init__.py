"""Renderers: a :class:`~cnncalc.report.Report` → text (JSON, CSV, Markdown) or a rich renderable.

Renderers format; they never compute figures. Rich is imported by :mod:`cnncalc.render.table` and
:mod:`cnncalc.render.chart`, and inside the ``render_table`` functions of the other renderers, only.
"""
