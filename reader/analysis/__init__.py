"""What a policy says: its parsed document, paragraphs and sentences, and its data practices."""
