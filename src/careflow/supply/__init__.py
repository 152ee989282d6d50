"""Supply: placement supply and sufficiency (homes by type and area, prices, RCC footprints) and workforce
capacity, feeding the system model's levers."""
