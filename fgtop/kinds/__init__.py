"""Resource kinds, each defined once: columns, texts, JSON, describe, details, logs, commands.

One module per kind (``service``, ``task``, ``pod``, ``workload``, ``task_definition``,
``problem``, ``timeline_entry``) and a registry (:mod:`fgtop.kinds.registry`) that screens and
the printer look kinds up in. Headless: no Textual.
"""
