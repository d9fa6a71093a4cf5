# ruff: noqa: S608 -- only this module's table-name constants are formatted into the SQL; no input.
"""The SQL that keeps the reports' summaries equal to the bookings they summarise.

`DoctorDayStats` (per doctor and day), `DoctorStats` (per doctor, all time), `PatientStats` and
the one `ReportTotals` row.

Row triggers on `appointments_appointmentbooking`, for PostgreSQL (one PL/pgSQL function) and
SQLite (one trigger per event), so every writer (services, the Django admin, a shell, a
factory in a test) keeps the reports' numbers exact without remembering to. Each booking
counts once in its (doctor, date) row: `bookings` always, `appointments` unless cancelled,
`completed` and `revenue_cents` when completed. An update subtracts the old row and adds the
new one; a move to another patient or date, or a delete, recomputes the patients concerned.

`rebuild()` recomputes every summary from scratch (used after bulk loads that bypass the
triggers, and by the migration that creates them).
"""

from healthcare.db.triggers import run_for_vendor

BOOKING = "appointments_appointmentbooking"
DOCTOR_DAY = "appointments_doctordaystats"
DOCTOR = "appointments_doctorstats"
PATIENT = "appointments_patientstats"
USER = "users_user"
TOTALS = "appointments_reporttotals"
# The one totals row: how many patients hold any booking. A patient's first booking adds one,
# the delete of their last removes one; a rare move between patients or dates recounts.
RECOUNT_PATIENTS = (
    f"UPDATE {TOTALS} SET patients = (SELECT COUNT(*) FROM {PATIENT} WHERE bookings > 0) "
    "WHERE id = 1;"
)
# The all-time summary carries the doctor's name, so the all-time report needs no lookup per
# doctor; a rename is copied over by its own trigger on the users table.
NAME_FROM_USER = f"(SELECT u.full_name FROM {USER} u WHERE u.id = {{row}}.doctor_id)"

# The doctor summaries: per doctor and day, and per doctor all time (the all-time report reads
# 2,000 rows instead of summing every day). (table, its key columns, the booking's columns.)
DOCTOR_TABLES = [
    (DOCTOR_DAY, ("doctor_id", "date"), ("doctor_id", "appointment_date")),
    (DOCTOR, ("doctor_id",), ("doctor_id",)),
]


def _name(table, row: str) -> tuple[str, str]:
    """The extra column and value a new row of `table` gets: the doctor's name, or nothing."""
    if table != DOCTOR:
        return "", ""
    return ", doctor_name", ", " + NAME_FROM_USER.format(row=row)


def _pg_doctor_subtract(table, keys, columns) -> str:
    match = " AND ".join(f"{k} = OLD.{c}" for k, c in zip(keys, columns, strict=True))
    return f"""
        UPDATE {table} SET
            bookings = bookings - 1,
            appointments = appointments - (OLD.status <> 'cancelled')::integer,
            completed = completed - (OLD.status = 'completed')::integer,
            revenue_cents = revenue_cents
                - CASE WHEN OLD.status = 'completed' THEN round(OLD.fee * 100)::bigint ELSE 0 END
        WHERE {match};"""


def _pg_doctor_add(table, keys, columns) -> str:
    name_column, name_value = _name(table, "NEW")
    return f"""
        INSERT INTO {table} AS s ({", ".join(keys)}, bookings, appointments, completed,
            revenue_cents{name_column})
        VALUES (
            {", ".join(f"NEW.{c}" for c in columns)}, 1,
            (NEW.status <> 'cancelled')::integer,
            (NEW.status = 'completed')::integer,
            CASE WHEN NEW.status = 'completed' THEN round(NEW.fee * 100)::bigint ELSE 0 END
            {name_value}
        )
        ON CONFLICT ({", ".join(keys)}) DO UPDATE SET
            bookings = s.bookings + EXCLUDED.bookings,
            appointments = s.appointments + EXCLUDED.appointments,
            completed = s.completed + EXCLUDED.completed,
            revenue_cents = s.revenue_cents + EXCLUDED.revenue_cents;"""


POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION appointments_report_stats() RETURNS trigger AS $$
DECLARE
    patient_bookings integer;
    old_bookings integer;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.status = NEW.status AND OLD.fee = NEW.fee AND OLD.doctor_id = NEW.doctor_id
            AND OLD.patient_id = NEW.patient_id
            AND OLD.appointment_date = NEW.appointment_date THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN{"".join(_pg_doctor_subtract(*t) for t in DOCTOR_TABLES)}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN{"".join(_pg_doctor_add(*t) for t in DOCTOR_TABLES)}
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {PATIENT} AS p (patient_id, bookings, first_date, last_date)
        VALUES (NEW.patient_id, 1, NEW.appointment_date, NEW.appointment_date)
        ON CONFLICT (patient_id) DO UPDATE SET
            bookings = p.bookings + 1,
            first_date = LEAST(p.first_date, EXCLUDED.first_date),
            last_date = GREATEST(p.last_date, EXCLUDED.last_date)
        RETURNING p.bookings INTO patient_bookings;
        IF patient_bookings = 1 THEN
            UPDATE {TOTALS} SET patients = patients + 1 WHERE id = 1;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        -- Only ever lowers the patient's row: an UPDATE, never a new row (a flush deleting
        -- bookings after the summaries must not bring rows back). Row triggers of one DELETE
        -- all run after it and see its end state, so the row is recounted, and the patient
        -- leaves the total only on the change from some bookings to none.
        SELECT p.bookings INTO old_bookings FROM {PATIENT} p
        WHERE p.patient_id = OLD.patient_id FOR UPDATE;
        UPDATE {PATIENT} p SET (bookings, first_date, last_date) = (
            SELECT COUNT(*), MIN(b.appointment_date), MAX(b.appointment_date)
            FROM {BOOKING} b WHERE b.patient_id = OLD.patient_id
        )
        WHERE p.patient_id = OLD.patient_id
        RETURNING p.bookings INTO patient_bookings;
        IF old_bookings > 0 AND patient_bookings = 0 THEN
            UPDATE {TOTALS} SET patients = patients - 1 WHERE id = 1;
        END IF;
    ELSIF OLD.patient_id <> NEW.patient_id OR OLD.appointment_date <> NEW.appointment_date THEN
        INSERT INTO {PATIENT} AS p (patient_id, bookings, first_date, last_date)
        SELECT x.id, COUNT(b.id), MIN(b.appointment_date), MAX(b.appointment_date)
        FROM (SELECT DISTINCT unnest(ARRAY[OLD.patient_id, NEW.patient_id]) AS id) x
        LEFT JOIN {BOOKING} b ON b.patient_id = x.id
        GROUP BY x.id
        ON CONFLICT (patient_id) DO UPDATE SET
            bookings = EXCLUDED.bookings,
            first_date = EXCLUDED.first_date,
            last_date = EXCLUDED.last_date;
        {RECOUNT_PATIENTS}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS appointments_report_stats ON {BOOKING};
CREATE TRIGGER appointments_report_stats
    AFTER INSERT OR UPDATE OR DELETE ON {BOOKING}
    FOR EACH ROW EXECUTE FUNCTION appointments_report_stats();

CREATE OR REPLACE FUNCTION appointments_report_doctor_name() RETURNS trigger AS $$
BEGIN
    UPDATE {DOCTOR} SET doctor_name = NEW.full_name WHERE doctor_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS appointments_report_doctor_name ON {USER};
CREATE TRIGGER appointments_report_doctor_name
    AFTER UPDATE OF full_name ON {USER}
    FOR EACH ROW WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name)
    EXECUTE FUNCTION appointments_report_doctor_name();
"""

POSTGRES_DROP = f"""
DROP TRIGGER IF EXISTS appointments_report_stats ON {BOOKING};
DROP FUNCTION IF EXISTS appointments_report_stats();
DROP TRIGGER IF EXISTS appointments_report_doctor_name ON {USER};
DROP FUNCTION IF EXISTS appointments_report_doctor_name();
"""


def _sqlite_add(row: str) -> str:
    statements = []
    for table, keys, columns in DOCTOR_TABLES:
        match = " AND ".join(f"{k} = {row}.{c}" for k, c in zip(keys, columns, strict=True))
        name_column, name_value = _name(table, row)
        statements.append(f"""
        INSERT OR IGNORE INTO {table}
            ({", ".join(keys)}, bookings, appointments, completed, revenue_cents{name_column})
        VALUES ({", ".join(f"{row}.{c}" for c in columns)}, 0, 0, 0, 0{name_value});
        UPDATE {table} SET
            bookings = bookings + 1,
            appointments = appointments + ({row}.status <> 'cancelled'),
            completed = completed + ({row}.status = 'completed'),
            revenue_cents = revenue_cents + (CASE WHEN {row}.status = 'completed'
                THEN CAST(ROUND({row}.fee * 100) AS INTEGER) ELSE 0 END)
        WHERE {match};""")
    return "".join(statements)


def _sqlite_subtract_old() -> str:
    statements = []
    for table, keys, columns in DOCTOR_TABLES:
        match = " AND ".join(f"{k} = OLD.{c}" for k, c in zip(keys, columns, strict=True))
        statements.append(f"""
        UPDATE {table} SET
            bookings = bookings - 1,
            appointments = appointments - (OLD.status <> 'cancelled'),
            completed = completed - (OLD.status = 'completed'),
            revenue_cents = revenue_cents - (CASE WHEN OLD.status = 'completed'
                THEN CAST(ROUND(OLD.fee * 100) AS INTEGER) ELSE 0 END)
        WHERE {match};""")
    return "".join(statements)


_SQLITE_SUBTRACT_OLD = _sqlite_subtract_old()


def _sqlite_refresh_patient(patient: str, *, create: bool) -> str:
    # A delete only lowers an existing row; it never creates one (a flush deleting bookings
    # after the summaries must not bring rows back).
    insert = f"INSERT OR IGNORE INTO {PATIENT} (patient_id, bookings) VALUES ({patient}, 0);"
    return f"""
        {insert if create else ""}
        UPDATE {PATIENT} SET
            bookings = (SELECT COUNT(*) FROM {BOOKING} b WHERE b.patient_id = {patient}),
            first_date = (SELECT MIN(b.appointment_date) FROM {BOOKING} b
                          WHERE b.patient_id = {patient}),
            last_date = (SELECT MAX(b.appointment_date) FROM {BOOKING} b
                         WHERE b.patient_id = {patient})
        WHERE patient_id = {patient};"""


SQLITE_CREATE = [
    f"""CREATE TRIGGER appointments_report_stats_insert AFTER INSERT ON {BOOKING}
    BEGIN{_sqlite_add("NEW")}
        INSERT OR IGNORE INTO {PATIENT} (patient_id, bookings, first_date, last_date)
        VALUES (NEW.patient_id, 0, NEW.appointment_date, NEW.appointment_date);
        UPDATE {PATIENT} SET
            bookings = bookings + 1,
            first_date = MIN(COALESCE(first_date, NEW.appointment_date), NEW.appointment_date),
            last_date = MAX(COALESCE(last_date, NEW.appointment_date), NEW.appointment_date)
        WHERE patient_id = NEW.patient_id;
        UPDATE {TOTALS} SET patients = patients + 1
        WHERE id = 1 AND (SELECT bookings FROM {PATIENT} WHERE patient_id = NEW.patient_id) = 1;
    END""",
    f"""CREATE TRIGGER appointments_report_stats_update
    AFTER UPDATE OF status, fee, doctor_id, patient_id, appointment_date ON {BOOKING}
    WHEN OLD.status IS NOT NEW.status OR OLD.fee IS NOT NEW.fee
        OR OLD.doctor_id IS NOT NEW.doctor_id OR OLD.patient_id IS NOT NEW.patient_id
        OR OLD.appointment_date IS NOT NEW.appointment_date
    BEGIN{_SQLITE_SUBTRACT_OLD}{_sqlite_add("NEW")}
    END""",
    f"""CREATE TRIGGER appointments_report_stats_move
    AFTER UPDATE OF patient_id, appointment_date ON {BOOKING}
    WHEN OLD.patient_id IS NOT NEW.patient_id OR OLD.appointment_date IS NOT NEW.appointment_date
    BEGIN{_sqlite_refresh_patient("OLD.patient_id", create=False)}
        {_sqlite_refresh_patient("NEW.patient_id", create=True)}
        {RECOUNT_PATIENTS}
    END""",
    f"""CREATE TRIGGER appointments_report_stats_delete AFTER DELETE ON {BOOKING}
    BEGIN{_SQLITE_SUBTRACT_OLD}{_sqlite_refresh_patient("OLD.patient_id", create=False)}
        UPDATE {TOTALS} SET patients = patients - 1
        WHERE id = 1 AND (SELECT bookings FROM {PATIENT} WHERE patient_id = OLD.patient_id) = 0;
    END""",
]

SQLITE_CREATE.append(
    f"""CREATE TRIGGER appointments_report_doctor_name AFTER UPDATE OF full_name ON {USER}
    WHEN OLD.full_name IS NOT NEW.full_name
    BEGIN
        UPDATE {DOCTOR} SET doctor_name = NEW.full_name WHERE doctor_id = NEW.id;
    END"""
)

SQLITE_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS appointments_report_stats_{event}"
        for event in ("insert", "update", "move", "delete")
    ),
    "DROP TRIGGER IF EXISTS appointments_report_doctor_name",
]

REBUILD = [
    f"DELETE FROM {DOCTOR_DAY}",
    f"""INSERT INTO {DOCTOR_DAY}
        (doctor_id, date, bookings, appointments, completed, revenue_cents)
    SELECT doctor_id, appointment_date, COUNT(*),
        SUM(CASE WHEN status <> 'cancelled' THEN 1 ELSE 0 END),
        SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END),
        SUM(CASE WHEN status = 'completed' THEN CAST(ROUND(fee * 100) AS bigint) ELSE 0 END)
    FROM {BOOKING}
    GROUP BY doctor_id, appointment_date""",
    f"DELETE FROM {DOCTOR}",
    f"""INSERT INTO {DOCTOR}
        (doctor_id, doctor_name, bookings, appointments, completed, revenue_cents)
    SELECT d.doctor_id, u.full_name,
        SUM(d.bookings), SUM(d.appointments), SUM(d.completed), SUM(d.revenue_cents)
    FROM {DOCTOR_DAY} d JOIN {USER} u ON u.id = d.doctor_id
    GROUP BY d.doctor_id, u.full_name""",
    f"DELETE FROM {PATIENT}",
    f"""INSERT INTO {PATIENT} (patient_id, bookings, first_date, last_date)
    SELECT patient_id, COUNT(*), MIN(appointment_date), MAX(appointment_date)
    FROM {BOOKING}
    GROUP BY patient_id""",
    f"DELETE FROM {TOTALS}",
    f"INSERT INTO {TOTALS} (id, patients) SELECT 1, COUNT(*) FROM {PATIENT} WHERE bookings > 0",
]


def create_triggers(cursor, vendor: str) -> None:
    """Install the triggers (PostgreSQL or SQLite)."""
    run_for_vendor(cursor, vendor, postgresql=[POSTGRES_CREATE], sqlite=SQLITE_CREATE)


def drop_triggers(cursor, vendor: str) -> None:
    run_for_vendor(cursor, vendor, postgresql=[POSTGRES_DROP], sqlite=SQLITE_DROP)


def rebuild(cursor) -> None:
    """Recompute both tables from the bookings; the caller keeps bookings still meanwhile."""
    for statement in REBUILD:
        cursor.execute(statement)
