"""Canonical tables of children's social care: schemas, a container, and validation."""

from careflow.tables.dataset import CareData
from careflow.tables.recode import recode_for_year
from careflow.tables.schema import SCHEMAS, Column, TableSchema, schema
from careflow.tables.validate import Source, validate, validate_table

__all__ = [
    "SCHEMAS",
    "CareData",
    "Column",
    "Source",
    "TableSchema",
    "recode_for_year",
    "schema",
    "validate",
    "validate_table",
]
