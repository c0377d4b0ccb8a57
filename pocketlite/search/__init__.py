"""The filter language (filter-and-rules.md): parsing, SQL building, sorting and paging.

Layering: `search` sits between `tools` and `core`; what a name in a filter means is told by a
`FieldResolver` that the caller provides (a fixed column list, or `core`'s record resolver).
"""
