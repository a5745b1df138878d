"""Occupi Gateway: GraphQL over the booking and occupancy domain."""
