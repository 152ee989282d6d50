"""Supply: placement sufficiency and workforce capacity, feeding the system model's levers."""
