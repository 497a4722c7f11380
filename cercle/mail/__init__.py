"""Reading a mail: bytes in, a `ParsedMessage` out (headers, text, sanitised HTML, attachments, kind).

The one reader of mail in the project: `parse.py` (the message and its parts), `headers.py` (charsets,
encoded words, addresses, the headers we keep), `html.py` (HTML made safe, and read as text), `kinds.py`
(bounces, automatic replies, bulk mail). No models and no domain knowledge beyond mail itself: intake
stores what this reads, triage learns from what intake stored, and `cercle eval triage` reads a folder of
files with the same reader.
"""
