"""Pure booking and occupancy rules: standard library only, no I/O, the clock is a parameter."""
