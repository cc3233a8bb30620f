"""FormRequest-style validation: Laravel's rule messages and its 422 body shape."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from facturino_reference.web.errors import HttpError


async def json_body(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _label(field: str) -> str:
    return field.replace("_", " ") if "." not in field else field


class Validator:
    """Collects `{field: [message, ...]}` in rule order; `check()` raises the 422."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def failed(self, field: str) -> bool:
        return field in self.errors

    def required(self, field: str, value: Any = None, *, from_data: bool = True) -> bool:
        if from_data:
            value = self.data.get(field)
        if value is None or value == "" or value == [] or value == {}:
            self.add(field, f"The {_label(field)} field is required.")
            return False
        return True

    def numeric(self, field: str, value: Any) -> float | None:
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | float):
            number = float(value)
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                number = None
        if number is None:
            self.add(field, f"The {_label(field)} field must be a number.")
        return number

    def integer(self, field: str, value: Any) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        self.add(field, f"The {_label(field)} field must be an integer.")
        return None

    def check(self) -> None:
        if self.errors:
            raise validation_error(self.errors)


def validation_error(errors: dict[str, list[str]]) -> HttpError:
    """ValidationException: message = first error (+ "(and N more errors)")."""
    first = next(iter(errors.values()))[0]
    more = sum(len(messages) for messages in errors.values()) - 1
    if more:
        first += f" (and {more} more error{'s' if more > 1 else ''})"
    return HttpError(422, body={"message": first, "errors": errors})


def truthy(value: Any) -> bool:
    """$request->boolean(): true, 1, "1", "true", "on", "yes"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return str(value).strip().lower() in {"1", "true", "on", "yes"}
