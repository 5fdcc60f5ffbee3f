"""Comment threads on cells: anchoring across versions, comment Markdown, forms, the data
the page and the API show, and notifications (see docs/comments.md)."""
