"""The quarterly PDF report (docs/report.md): content, cells, charts and WeasyPrint.

- ``data``: the report's content for a scope and quarter (``report_data_build``);
- ``format``: how numbers, quarters and target rows are written (``ReportLine``);
- ``charts``: the matplotlib charts, inline SVG;
- ``render``: HTML → PDF bytes with WeasyPrint, offline, fonts embedded.

Decides no permissions: the caller (a view, ``reports.services``, ``export_report``) resolves
what the reader may see into a ``ReportScope`` and passes it in.
"""
