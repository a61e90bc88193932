"""Renderers: a :class:`~cnncalc.report.Report` → text (JSON, CSV, Markdown) or a rich renderable.

Renderers format; they never compute figures. Only :mod:`cnncalc.render.table` imports rich.
"""
