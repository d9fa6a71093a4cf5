"""Running a set of trigger statements written for each supported database."""


def run_for_vendor(cursor, vendor: str, *, postgresql: list[str], sqlite: list[str]) -> None:
    """Execute the statements written for this connection's database, in order."""
    for statement in postgresql if vendor == "postgresql" else sqlite:
        cursor.execute(statement)
