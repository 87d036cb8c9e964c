"""The one description of each record kind: its model, typed-id letter, shapes, columns and editable fields."""
