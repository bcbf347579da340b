"""Full-text search over a corpus: the Whoosh index, its fast segment writer, query syntax."""
