"""The reference Facturino web application (a starlette app behaving like the Laravel one)."""
