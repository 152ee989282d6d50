"""Information sharing across agencies: identifiers, record linkage, sharing rules and the MAST view."""
