"""Trivial fields resolved without Strawberry's per-field machinery.

Strawberry wraps every field that has a resolver method (`def name(self) -> str`) in the
same chain as a field with arguments and field extensions: an Info object, argument
conversion, an empty extension chain, and for async resolvers one more coroutine. On a
nested read that is most of the fields (700 on the benchmark's floor). A field with no
arguments, no field extensions and no parent or root parameter needs none of it: it is
given a resolver that calls the method directly (with the same Info, when it asks for
one). Fields with arguments or extensions (mutations carry FreshLoaders), subscriptions
and schemas with exception handlers keep Strawberry's path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

Resolve = Callable[..., Any]


def lean_resolvers(schema: strawberry.Schema) -> list[str]:
    """Give every trivial field of `schema` a direct resolver; their `Type.field` names."""
    if getattr(schema.schema_converter, "_exception_handler_specs", None):
        return []  # handlers turn exceptions into results: Strawberry's path does that
    if schema.config.default_resolver is not getattr:
        return []
    graphql_schema = schema._schema
    skipped = {graphql_schema.subscription_type}
    made = []
    for graphql_type in graphql_schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type in skipped:
            continue
        if graphql_type.name.startswith("__"):
            continue
        for name, graphql_field in graphql_type.fields.items():
            field = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if graphql_field.args or not isinstance(field, StrawberryField):
                continue
            resolve = _direct(field, schema.config.info_class)
            if resolve is not None:
                graphql_field.resolve = resolve
                made.append(f"{graphql_type.name}.{name}")
    return made


def _direct(field: StrawberryField, info_class: type[Any]) -> Resolve | None:
    if field.extensions or field.arguments or field.is_subscription:
        return None
    resolver = field.base_resolver
    if resolver is None:
        attribute = field.python_name

        def read(source: Any, _info: Any) -> Any:
            return getattr(source, attribute)

        return read
    if resolver.parent_parameter or resolver.root_parameter or not callable(resolver.wrapped_func):
        return None
    func = resolver.wrapped_func
    takes_self = resolver.self_parameter is not None
    info_parameter = resolver.info_parameter
    if info_parameter is None:
        if takes_self:
            return lambda source, _info: func(source)
        return lambda _source, _info: func()
    info_name = info_parameter.name

    def with_info(source: Any, info: Any) -> Any:
        wrapped = info_class(_raw_info=info, _field=field)
        return func(source, **{info_name: wrapped}) if takes_self else func(**{info_name: wrapped})

    return with_info
