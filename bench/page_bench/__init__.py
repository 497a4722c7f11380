"""The page benchmark's parts (bench/pages.py is the entry point): texts, plans, fill, measure, report."""
