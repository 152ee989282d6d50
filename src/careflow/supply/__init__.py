"""careflow.supply: placement supply, sufficiency and (i14work) workforce capacity."""
