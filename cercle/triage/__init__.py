"""The first filter: signals, classifier, sender rules (screener), the request brief, evaluation."""
