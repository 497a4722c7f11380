"""The parts of the routing bench (``bench/routing.py``): the fictional trades, the speed fill and timing,
and the two labelled sets (the demo's world, the Enron mail)."""
