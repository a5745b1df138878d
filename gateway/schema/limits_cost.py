"""The cost of an operation: how many fields it may resolve, lists multiplied out.

Every field costs 1. A field returning objects adds its selection's cost times the number
of items it may return: the `first` argument of a connection (clamped to the page-size
limit, as the use cases refuse more), or for a plain list a documented estimate. Fragments
count as expanded, each fragment's cost computed once, so a document of nested fragments
is priced in time linear in its size however large the price. Introspection fields are
bounded by the schema, not the data, and cost 1.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    value_from_ast_untyped,
)
from graphql.type.definition import GraphQLInterfaceType

from gateway.services.records import MAX_PAGE_SIZE

# A plain list (children of a location, rooms of a floor, bookings of a room on a day,
# attendees of a booking) has no page size; this is the number of items a query is
# assumed to get from one. An estimate for pricing, not a cap on the answer.
PLAIN_LIST_ITEMS = 10
# A connection's `edges` hold the page its field's `first` already paid for.
CONNECTION_SUFFIX = "Connection"

Parent = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
Variables = dict[str, object]


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Variables | None,
) -> int:
    """The cost of the operation that would run; 0 when there is none to run."""
    operation = _operation(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    walk = _Walk(schema, document, _variables(operation, variables or {}))
    return walk.selections(operation.selection_set, root)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _variables(operation: OperationDefinitionNode, given: Variables) -> Variables:
    values = dict(given)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


class _Walk:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Variables):
        self._schema = schema
        self._variables = variables
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._priced: dict[str, int] = {}
        self._pricing: set[str] = set()

    def selections(self, selection_set: SelectionSetNode | None, parent: Parent) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                total += self.selections(
                    selection.selection_set,
                    self._parent(condition.name.value if condition else None, parent),
                )
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value, parent)
        return total

    def _fragment(self, name: str, parent: Parent) -> int:
        if name in self._priced:
            return self._priced[name]
        fragment = self._fragments.get(name)
        if fragment is None or name in self._pricing:
            return 0  # unknown or cyclic: validation refuses the document anyway
        self._pricing.add(name)
        cost = self.selections(
            fragment.selection_set, self._parent(fragment.type_condition.name.value, parent)
        )
        self._pricing.discard(name)
        self._priced[name] = cost
        return cost

    def _parent(self, type_name: str | None, default: Parent) -> Parent:
        found = self._schema.get_type(type_name) if type_name else None
        return found if isinstance(found, Parent) else default

    def _field(self, node: FieldNode, parent: Parent) -> int:
        name = node.name.value
        definition = getattr(parent, "fields", {}).get(name)
        if name.startswith("__") or definition is None:
            return 1
        inner = get_named_type(definition.type)
        if not is_composite_type(inner):
            return 1
        items = self._items(node, parent, definition.type)
        return 1 + items * self.selections(node.selection_set, inner)

    def _items(self, node: FieldNode, parent: Parent, returned: GraphQLOutputType) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                return _page_size(self._value(argument.value))
        definition = getattr(parent, "fields", {})[node.name.value]
        if "first" in definition.args:
            return _page_size(definition.args["first"].default_value)
        if isinstance(returned, GraphQLNonNull):
            returned = returned.of_type
        if not isinstance(returned, GraphQLList):
            return 1
        if parent.name.endswith(CONNECTION_SUFFIX) and node.name.value == "edges":
            return 1
        return PLAIN_LIST_ITEMS

    def _value(self, value: object) -> object:
        if isinstance(value, VariableNode):
            return self._variables.get(value.name.value)
        if isinstance(value, IntValueNode):
            return int(value.value)
        return None


def _page_size(value: object) -> int:
    """What the use cases would serve: out-of-range sizes are refused there, so the most
    a valid request can get is priced."""
    if isinstance(value, int) and not isinstance(value, bool):
        return max(0, min(value, MAX_PAGE_SIZE))
    return MAX_PAGE_SIZE
