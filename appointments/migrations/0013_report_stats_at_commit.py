# The bookings' summary trigger runs at commit (a deferrable constraint trigger, initially
# deferred) instead of at each row change: the summary rows it updates (the doctor's, the day's,
# the one-row patient total) are then locked only for the commit itself, not from the booking's
# INSERT to the end of its transaction. Before, every booking transaction that did more work
# after its INSERT (the audit entry, the notification outbox) held the doctor's summary row, and
# a patient's first booking the global total, for all of it: bookings serialised (bench/results.md).
# A reader inside a writing transaction settles the pending updates first (`stats.settle`).
# The full text of the trigger functions is frozen here (appointments/stats.py `CURRENT` names
# this migration; a test checks the installed body). The only change to the functions: a
# deleted booking whose patient's summary row is gone by commit time recounts the total.
# SQLite keeps no summaries (admin_panel.selectors).

import importlib

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION appointments_report_stats() RETURNS trigger AS $$
DECLARE
    patient_bookings integer;
    old_bookings integer;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.status = NEW.status AND OLD.fee = NEW.fee AND OLD.doctor_id = NEW.doctor_id
            AND OLD.patient_id = NEW.patient_id
            AND OLD.appointment_date = NEW.appointment_date
            AND OLD.cancellation_reason IS NOT DISTINCT FROM NEW.cancellation_reason THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE appointments_doctordaystats SET
            bookings = bookings - 1,
            appointments = appointments - (OLD.status <> 'cancelled')::integer,
            completed = completed - (OLD.status = 'completed')::integer,
            no_show = no_show - (OLD.status = 'no_show')::integer,
            declined = declined - (OLD.status = 'cancelled'
                AND OLD.cancellation_reason IS NOT DISTINCT FROM 'declined')::integer,
            revenue_cents = revenue_cents
                - CASE WHEN OLD.status = 'completed' THEN round(OLD.fee * 100)::bigint ELSE 0 END
        WHERE doctor_id = OLD.doctor_id AND date = OLD.appointment_date;
        UPDATE appointments_doctorstats SET
            bookings = bookings - 1,
            appointments = appointments - (OLD.status <> 'cancelled')::integer,
            completed = completed - (OLD.status = 'completed')::integer,
            no_show = no_show - (OLD.status = 'no_show')::integer,
            declined = declined - (OLD.status = 'cancelled'
                AND OLD.cancellation_reason IS NOT DISTINCT FROM 'declined')::integer,
            revenue_cents = revenue_cents
                - CASE WHEN OLD.status = 'completed' THEN round(OLD.fee * 100)::bigint ELSE 0 END
        WHERE doctor_id = OLD.doctor_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO appointments_doctordaystats AS s (doctor_id, date, bookings, appointments, completed,
            no_show, declined, revenue_cents)
        VALUES (
            NEW.doctor_id, NEW.appointment_date, 1,
            (NEW.status <> 'cancelled')::integer,
            (NEW.status = 'completed')::integer,
            (NEW.status = 'no_show')::integer,
            (NEW.status = 'cancelled'
                AND NEW.cancellation_reason IS NOT DISTINCT FROM 'declined')::integer,
            CASE WHEN NEW.status = 'completed' THEN round(NEW.fee * 100)::bigint ELSE 0 END
        )
        ON CONFLICT (doctor_id, date) DO UPDATE SET
            bookings = s.bookings + EXCLUDED.bookings,
            appointments = s.appointments + EXCLUDED.appointments,
            completed = s.completed + EXCLUDED.completed,
            no_show = s.no_show + EXCLUDED.no_show,
            declined = s.declined + EXCLUDED.declined,
            revenue_cents = s.revenue_cents + EXCLUDED.revenue_cents;
        INSERT INTO appointments_doctorstats AS s (doctor_id, bookings, appointments, completed,
            no_show, declined, revenue_cents, doctor_name)
        VALUES (
            NEW.doctor_id, 1,
            (NEW.status <> 'cancelled')::integer,
            (NEW.status = 'completed')::integer,
            (NEW.status = 'no_show')::integer,
            (NEW.status = 'cancelled'
                AND NEW.cancellation_reason IS NOT DISTINCT FROM 'declined')::integer,
            CASE WHEN NEW.status = 'completed' THEN round(NEW.fee * 100)::bigint ELSE 0 END
            , (SELECT u.full_name FROM users_user u WHERE u.id = NEW.doctor_id)
        )
        ON CONFLICT (doctor_id) DO UPDATE SET
            bookings = s.bookings + EXCLUDED.bookings,
            appointments = s.appointments + EXCLUDED.appointments,
            completed = s.completed + EXCLUDED.completed,
            no_show = s.no_show + EXCLUDED.no_show,
            declined = s.declined + EXCLUDED.declined,
            revenue_cents = s.revenue_cents + EXCLUDED.revenue_cents;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO appointments_patientstats AS p (patient_id, bookings, first_date, last_date)
        VALUES (NEW.patient_id, 1, NEW.appointment_date, NEW.appointment_date)
        ON CONFLICT (patient_id) DO UPDATE SET
            bookings = p.bookings + 1,
            first_date = LEAST(p.first_date, EXCLUDED.first_date),
            last_date = GREATEST(p.last_date, EXCLUDED.last_date)
        RETURNING p.bookings INTO patient_bookings;
        IF patient_bookings = 1 THEN
            UPDATE appointments_reporttotals SET patients = patients + 1 WHERE id = 1;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        -- Only ever lowers the patient's row: an UPDATE, never a new row (a flush deleting
        -- bookings after the summaries must not bring rows back). Row triggers of one DELETE
        -- all run after it and see its end state, so the row is recounted, and the patient
        -- leaves the total only on the change from some bookings to none.
        SELECT p.bookings INTO old_bookings FROM appointments_patientstats p
        WHERE p.patient_id = OLD.patient_id FOR UPDATE;
        UPDATE appointments_patientstats p SET (bookings, first_date, last_date) = (
            SELECT COUNT(*), MIN(b.appointment_date), MAX(b.appointment_date)
            FROM appointments_appointmentbooking b WHERE b.patient_id = OLD.patient_id
        )
        WHERE p.patient_id = OLD.patient_id
        RETURNING p.bookings INTO patient_bookings;
        IF old_bookings IS NULL THEN
            -- The patient's summary row went in this transaction (the patient was deleted
            -- after their bookings; the trigger runs at commit): recount the total.
            UPDATE appointments_reporttotals SET patients = (SELECT COUNT(*) FROM appointments_patientstats WHERE bookings > 0) WHERE id = 1;
        ELSIF old_bookings > 0 AND patient_bookings = 0 THEN
            UPDATE appointments_reporttotals SET patients = patients - 1 WHERE id = 1;
        END IF;
    ELSIF OLD.patient_id <> NEW.patient_id OR OLD.appointment_date <> NEW.appointment_date THEN
        INSERT INTO appointments_patientstats AS p (patient_id, bookings, first_date, last_date)
        SELECT x.id, COUNT(b.id), MIN(b.appointment_date), MAX(b.appointment_date)
        FROM (SELECT DISTINCT unnest(ARRAY[OLD.patient_id, NEW.patient_id]) AS id) x
        LEFT JOIN appointments_appointmentbooking b ON b.patient_id = x.id
        GROUP BY x.id
        ON CONFLICT (patient_id) DO UPDATE SET
            bookings = EXCLUDED.bookings,
            first_date = EXCLUDED.first_date,
            last_date = EXCLUDED.last_date;
        UPDATE appointments_reporttotals SET patients = (SELECT COUNT(*) FROM appointments_patientstats WHERE bookings > 0) WHERE id = 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS appointments_report_stats ON appointments_appointmentbooking;
CREATE CONSTRAINT TRIGGER appointments_report_stats
    AFTER INSERT OR UPDATE OR DELETE ON appointments_appointmentbooking
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION appointments_report_stats();

CREATE OR REPLACE FUNCTION appointments_report_doctor_name() RETURNS trigger AS $$
BEGIN
    UPDATE appointments_doctorstats SET doctor_name = NEW.full_name WHERE doctor_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS appointments_report_doctor_name ON users_user;
CREATE TRIGGER appointments_report_doctor_name
    AFTER UPDATE OF full_name ON users_user
    FOR EACH ROW WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name)
    EXECUTE FUNCTION appointments_report_doctor_name();
"""

REBUILD = [
    """DELETE FROM appointments_doctordaystats""",
    """INSERT INTO appointments_doctordaystats
        (doctor_id, date, bookings, appointments, completed, no_show, declined, revenue_cents)
    SELECT doctor_id, appointment_date, COUNT(*),
        SUM(CASE WHEN status <> 'cancelled' THEN 1 ELSE 0 END),
        SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END),
        SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END),
        SUM(CASE WHEN status = 'cancelled' AND cancellation_reason = 'declined' THEN 1 ELSE 0 END),
        SUM(CASE WHEN status = 'completed' THEN CAST(ROUND(fee * 100) AS bigint) ELSE 0 END)
    FROM appointments_appointmentbooking
    GROUP BY doctor_id, appointment_date""",
    """DELETE FROM appointments_doctorstats""",
    """INSERT INTO appointments_doctorstats
        (doctor_id, doctor_name, bookings, appointments, completed, no_show, declined,
        revenue_cents)
    SELECT d.doctor_id, u.full_name,
        SUM(d.bookings), SUM(d.appointments), SUM(d.completed), SUM(d.no_show), SUM(d.declined),
        SUM(d.revenue_cents)
    FROM appointments_doctordaystats d JOIN users_user u ON u.id = d.doctor_id
    GROUP BY d.doctor_id, u.full_name""",
    """DELETE FROM appointments_patientstats""",
    """INSERT INTO appointments_patientstats (patient_id, bookings, first_date, last_date)
    SELECT patient_id, COUNT(*), MIN(appointment_date), MAX(appointment_date)
    FROM appointments_appointmentbooking
    GROUP BY patient_id""",
    """DELETE FROM appointments_reporttotals""",
    """INSERT INTO appointments_reporttotals (id, patients) SELECT 1, COUNT(*) FROM appointments_patientstats WHERE bookings > 0""",
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS)


def reinstall_previous(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous = importlib.import_module("appointments.migrations.0011_report_stats_lifecycle")
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS appointments_report_stats ON appointments_appointmentbooking"
        )
        schema_editor.execute(previous.FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0012_idempotency"),
    ]

    operations = [
        migrations.RunPython(install, reinstall_previous),
    ]
