"""Reading a mail: bytes in, a `ParsedMessage` out (headers, text, sanitised HTML, attachments, kind).

No models and no domain knowledge beyond mail itself: intake stores what this reads, triage learns from
what intake stored, and `cercle eval triage` reads a folder of files with the same parser.
"""
