"""PDF documents: the action plan and the full assessment report, rendered with WeasyPrint."""
