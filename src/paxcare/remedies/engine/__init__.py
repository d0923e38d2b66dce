"""The entitlement engine: plain Python, no database.

Use ``parse.parse_assessment`` to turn a JSON-like mapping into an ``Assessment``,
``assess.assess`` to compute its ``Result``, and ``serialize.result_to_dict`` to
turn that back into JSON-ready data.
"""
