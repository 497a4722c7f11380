"""The network bench's parts: the fictional texts (`texts`), the bulk fill (`fill`), the measuring (`measure`)."""
