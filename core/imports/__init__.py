"""Excel (.xlsx) import and export for operators and township leads.

Five kinds (premises, members, equipment, funding, inspections), each with a fixed sheet name and
Chinese headers (`kinds`). A file is read and checked (`reader`), every row parsed and resolved,
then written through the domain services inside one transaction (`runner`): row by row, a savepoint
each, or — for a kind that offers it (premises) — checked in memory against lookups loaded once and
written in bulk. A preview writes nothing; a confirmation commits only when no row failed.
`services` keeps the uploaded file and its outcome in an ImportJob; `tasks` runs large files on
the Celery worker; `exporters` writes the same layout back out, so an export re-imports.
"""
