"""The PostgreSQL store's schema: numbered migrations, and a team's roles and policies.

Migrations are numbered and only ever add (tables, columns, indexes): none
drops or rewrites data, so a store upgraded by a newer newsmark keeps
everything. `newsmark_schema` holds one row per migration applied. They run
in one transaction under an advisory lock, so two newsmarks starting at
once apply each exactly once. A database whose schema is newer than this
newsmark knows is refused, never written.

`setup_team` (run by `newsmark store init URL --team`) adds what a team
needs on top: group roles `newsmark_annotator` (every annotator's login
role is made a member) and `newsmark_curator`, the table rights they need,
and row-level security on `annotations`: anyone may read every layer; a
role may insert, change or delete only spans whose `layer` is its own name,
and only members of `newsmark_curator` the layer `gold`. The store's owner
(who ran `store init`) is not subject to the policies: copies and imports
are the owner's job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from psycopg import sql

from annotations.errors import StoreError

ANNOTATOR_ROLE = "newsmark_annotator"
CURATOR_ROLE = "newsmark_curator"
GOLD_LAYER = "gold"

# A fixed key for pg_advisory_xact_lock: migrations of one database never interleave.
_MIGRATION_LOCK = 0x6E65_7773  # "news"

# (number, what it does, statements or functions of the connection). Append
# only; never edit a released one.
MIGRATIONS: list[tuple[int, str, list[str | Callable[[Any], None]]]] = [
    (1, "documents, annotations, statuses, segmentations, session state, history, links", [
        """CREATE TABLE documents (
            seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,128}$'),
            path text,
            meta json NOT NULL,
            length integer NOT NULL,
            text text NOT NULL
        )""",
        # Each change to a layer of a document stamps its row here with a new
        # number: a cache compares the sum of a document's stamps (it changes
        # with any change to any layer), and writers of different layers never
        # wait for each other (no lock on the document's own row).
        "CREATE SEQUENCE change_stamps",
        """CREATE TABLE doc_layers (
            doc_id text NOT NULL REFERENCES documents (id),
            layer text NOT NULL,
            stamp bigint NOT NULL,
            PRIMARY KEY (doc_id, layer)
        )""",
        """CREATE TABLE annotations (
            doc_id text NOT NULL REFERENCES documents (id),
            id text NOT NULL,
            layer text NOT NULL,
            start integer NOT NULL,
            "end" integer NOT NULL,
            label text NOT NULL,
            created text NOT NULL,
            body json NOT NULL,
            PRIMARY KEY (doc_id, id),
            CHECK (0 <= start AND start < "end")
        )""",
        'CREATE INDEX annotations_span ON annotations (doc_id, layer, start, "end", label)',
        """CREATE TABLE statuses (
            doc_id text NOT NULL REFERENCES documents (id),
            annotator text NOT NULL,
            status text NOT NULL CHECK (status IN ('untouched', 'in progress', 'done')),
            changed timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (doc_id, annotator)
        )""",
        """CREATE TABLE segmentations (
            doc_id text PRIMARY KEY REFERENCES documents (id),
            data bytea NOT NULL
        )""",
        """CREATE TABLE session_state (
            owner text NOT NULL,
            key text NOT NULL,
            value json NOT NULL,
            PRIMARY KEY (owner, key)
        )""",
        # The undo history, each annotator's own: steps by seq, and the position.
        """CREATE TABLE history_steps (
            owner text NOT NULL,
            seq integer NOT NULL,
            step json NOT NULL,
            PRIMARY KEY (owner, seq)
        )""",
        """CREATE TABLE history_positions (
            owner text PRIMARY KEY,
            position integer NOT NULL,
            version bigint NOT NULL DEFAULT 1
        )""",
        # One undo step recorded in one round trip: the redo tail and the steps
        # beyond the limit dropped, the step kept, the position moved. Runs as
        # its caller (row-level security applies).
        """CREATE FUNCTION newsmark_record_step(who text, at integer, body json, keep integer)
        RETURNS bigint LANGUAGE sql AS $$
            DELETE FROM history_steps WHERE owner = who AND (seq >= at OR seq <= at - keep);
            INSERT INTO history_steps (owner, seq, step) VALUES (who, at, body);
            INSERT INTO history_positions (owner, position) VALUES (who, at)
            ON CONFLICT (owner) DO UPDATE SET position = EXCLUDED.position,
                version = history_positions.version + 1
            RETURNING version;
        $$""",
        # Links between two documents' spans; `end_a` < `end_b` ("doc/ann") so a
        # link and its mirror image are the same pair of ends.
        """CREATE TABLE links (
            seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            id text PRIMARY KEY,
            end_a text NOT NULL,
            end_b text NOT NULL,
            relation text NOT NULL,
            body json NOT NULL,
            UNIQUE (end_a, end_b, relation)
        )""",
    ]),
    (2, "newsmark_add: a tag and its undo step in one transaction, one round trip", [
        # The stamp a layer's last change replaced (see newsmark_add).
        "ALTER TABLE doc_layers ADD COLUMN prev bigint",
        # A tag: the layer's stamp renewed (which locks it), the document's
        # version before the change worked out, the annotation inserted, the
        # annotator's status moved on, and, if the annotation is new and a
        # step is given, the step recorded at one
        # past the annotator's position (its "seq" set to that, if the
        # caller's guess was stale). Runs as its caller: row-level security
        # applies to every statement.
        """CREATE FUNCTION newsmark_add(
            p_doc text, p_id text, p_layer text, p_start integer, p_end integer,
            p_label text, p_created text, p_body json, p_check_span boolean, p_me text,
            p_step json, p_keep integer,
            OUT total bigint, OUT mine bigint, OUT stamp bigint, OUT inserted boolean,
            OUT step_at integer, OUT step_version bigint)
        LANGUAGE plpgsql AS $$
        BEGIN
            inserted := false;
            PERFORM 1 FROM documents WHERE id = p_doc;
            IF NOT FOUND THEN
                RETURN;  -- stamp NULL: no such document
            END IF;
            -- The update both renews the stamp and keeps the one it replaced
            -- (`prev`, read from the very row version it replaces), and locks the
            -- row: same-layer writers wait here, so the span check cannot race.
            UPDATE doc_layers l SET prev = l.stamp, stamp = nextval('change_stamps')
                WHERE l.doc_id = p_doc AND l.layer = p_layer
                RETURNING l.prev, l.stamp INTO mine, stamp;
            IF NOT FOUND THEN
                INSERT INTO doc_layers AS l (doc_id, layer, stamp)
                    VALUES (p_doc, p_layer, nextval('change_stamps'))
                    ON CONFLICT (doc_id, layer) DO UPDATE
                    SET prev = l.stamp, stamp = EXCLUDED.stamp
                    RETURNING coalesce(l.prev, 0), l.stamp INTO mine, stamp;
            END IF;
            -- The version before this change: every layer's stamp now (this
            -- transaction's own included), ours as it was.
            SELECT coalesce(sum(l.stamp), 0) INTO total FROM doc_layers l
                WHERE l.doc_id = p_doc;
            total := total - stamp + mine;
            IF p_check_span AND EXISTS (
                    SELECT 1 FROM annotations a WHERE a.doc_id = p_doc AND a.layer = p_layer
                    AND a.start = p_start AND a."end" = p_end AND a.label = p_label) THEN
                RETURN;
            END IF;
            -- The id looked up, then a plain insert: ON CONFLICT would make it a
            -- speculative insertion (a second WAL record). Same-layer writers are
            -- serialised by the stamp's lock above, so no one slips in between.
            PERFORM 1 FROM annotations a WHERE a.doc_id = p_doc AND a.id = p_id;
            IF FOUND THEN
                RETURN;
            END IF;
            INSERT INTO annotations (doc_id, id, layer, start, "end", label, created, body)
                VALUES (p_doc, p_id, p_layer, p_start, p_end, p_label, p_created, p_body);
            inserted := true;
            -- Looked up first: an upsert that finds the row locks it (a WAL record)
            -- even when it changes nothing, and most tags find it in progress.
            PERFORM 1 FROM statuses s
                WHERE s.doc_id = p_doc AND s.annotator = p_me AND s.status <> 'untouched';
            IF NOT FOUND THEN
                INSERT INTO statuses AS s (doc_id, annotator, status)
                    VALUES (p_doc, p_me, 'in progress')
                    ON CONFLICT (doc_id, annotator) DO UPDATE
                    SET status = 'in progress', changed = now() WHERE s.status = 'untouched';
            END IF;
            IF p_step IS NULL THEN
                RETURN;
            END IF;
            -- newsmark_record_step's work, written out: plpgsql keeps the plans of
            -- its statements for the session, a SQL function plans them per call.
            UPDATE history_positions h SET position = h.position + 1,
                    version = h.version + 1
                WHERE h.owner = p_me RETURNING h.position, h.version
                INTO step_at, step_version;
            IF NOT FOUND THEN
                INSERT INTO history_positions AS h (owner, position) VALUES (p_me, 1)
                    ON CONFLICT (owner) DO UPDATE SET position = h.position + 1,
                    version = h.version + 1
                    RETURNING h.position, h.version INTO step_at, step_version;
            END IF;
            IF (p_step ->> 'seq')::integer IS DISTINCT FROM step_at THEN
                p_step := jsonb_set(p_step::jsonb, '{seq}', to_jsonb(step_at))::json;
            END IF;
            -- Two ranges of the primary key, not one OR (which reads every step kept).
            DELETE FROM history_steps h WHERE h.owner = p_me AND h.seq >= step_at;
            DELETE FROM history_steps h WHERE h.owner = p_me AND h.seq <= step_at - p_keep;
            INSERT INTO history_steps (owner, seq, step) VALUES (p_me, step_at, p_step);
        END $$""",
    ]),
    (3, "annotations.fragments: a discontinuous span's pieces, as ranges", [
        # The pieces of a discontinuous span (brat's `10 20;25 40`), in text
        # order, as [start, end) ranges; NULL for the usual continuous span.
        # `body` (the whole annotation) stays what is read back: the column
        # is generated from it, so every way in (a tag, an import's COPY, an
        # update, `store copy`) keeps the two the same, and the rows already
        # there get theirs when the column is added. plpgsql, not SQL: it
        # runs per row written, and its simple expressions skip the executor.
        """CREATE FUNCTION newsmark_fragments(body json) RETURNS int4range[]
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        DECLARE
            pieces json := body -> 'fragments';
        BEGIN
            IF pieces IS NULL OR json_typeof(pieces) <> 'array' THEN
                RETURN NULL;
            END IF;
            RETURN (SELECT array_agg(int4range((piece ->> 0)::integer,
                                               (piece ->> 1)::integer) ORDER BY n)
                    FROM json_array_elements(pieces) WITH ORDINALITY AS f(piece, n));
        END $$""",
        """ALTER TABLE annotations ADD COLUMN fragments int4range[]
            GENERATED ALWAYS AS (newsmark_fragments(body)) STORED""",
    ]),
    # A team's policies are made by `setup_team` (below); a step that needs
    # them made again is a function of the connection.
    (4, "a team's curators own gold's statuses, session state and undo history", [
        lambda conn: _curators_own_gold_rows(conn),
    ]),
]

LATEST = MIGRATIONS[-1][0]

_SCHEMA_TABLE = """CREATE TABLE IF NOT EXISTS newsmark_schema (
    version integer PRIMARY KEY,
    what text NOT NULL,
    applied timestamptz NOT NULL DEFAULT now()
)"""


def schema_version(conn: Any) -> int:
    """The newest migration applied to the database (0: not a newsmark store yet)."""
    found = conn.execute("SELECT to_regclass('newsmark_schema') IS NOT NULL").fetchone()[0]
    if not found:
        return 0
    return int(conn.execute("SELECT coalesce(max(version), 0) FROM newsmark_schema")
               .fetchone()[0])


def check_not_newer(version: int, where: str) -> None:
    if version > LATEST:
        raise StoreError(
            f"the store {where} was made by a newer newsmark (schema {version}, this one "
            f"knows {LATEST}); upgrade newsmark"
        )


def migrate(conn: Any, where: str) -> list[int]:
    """Apply every migration the database lacks, in one transaction; returns their numbers."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(_SCHEMA_TABLE)
        version = schema_version(conn)
        check_not_newer(version, where)
        applied = []
        for number, what, statements in MIGRATIONS:
            if number <= version:
                continue
            for statement in statements:
                if callable(statement):
                    statement(conn)
                else:
                    conn.execute(statement)
            conn.execute("INSERT INTO newsmark_schema (version, what) VALUES (%s, %s)",
                         (number, what))
            applied.append(number)
    return applied


def _ensure_role(conn: Any, name: str) -> None:
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
    if not exists:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))


def _may_write(column: str) -> sql.Composed:
    """Who may write a row whose `column` names its layer (or owner): that
    role, or for gold a curator."""
    return sql.SQL(
        "({column} = current_user AND {column} <> {gold}) OR "
        "({column} = {gold} AND pg_has_role(current_user, {curator}, 'MEMBER'))"
    ).format(column=sql.Identifier(column), gold=sql.Literal(GOLD_LAYER),
             curator=sql.Literal(CURATOR_ROLE))


_NO_TRUNCATE = """
CREATE OR REPLACE FUNCTION newsmark_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID),
                       'MEMBER') THEN
        RAISE EXCEPTION 'only the owner of the store may empty %', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$"""


def setup_team(conn: Any) -> None:
    """Roles, rights and row-level security for a team (idempotent)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        _ensure_role(conn, ANNOTATOR_ROLE)
        _ensure_role(conn, CURATOR_ROLE)
        annotator = sql.Identifier(ANNOTATOR_ROLE)
        curator = sql.Identifier(CURATOR_ROLE)
        conn.execute(sql.SQL("GRANT {} TO {}").format(annotator, curator))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(annotator))
        conn.execute(sql.SQL(
            "GRANT SELECT, INSERT, UPDATE ON documents, statuses, segmentations TO {}"
        ).format(annotator))
        conn.execute(sql.SQL(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON annotations, session_state, "
            "history_steps, history_positions, links, doc_layers TO {}").format(annotator))
        conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE change_stamps TO {}").format(annotator))
        conn.execute(sql.SQL("GRANT SELECT ON newsmark_schema TO {}").format(annotator))
        may_write = _may_write("layer")
        conn.execute("ALTER TABLE annotations ENABLE ROW LEVEL SECURITY")
        policies = {
            "annotations_read": sql.SQL("FOR SELECT USING (true)"),
            "annotations_insert": sql.SQL("FOR INSERT WITH CHECK ({})").format(may_write),
            "annotations_update": sql.SQL("FOR UPDATE USING ({0}) WITH CHECK ({0})")
            .format(may_write),
            "annotations_delete": sql.SQL("FOR DELETE USING ({})").format(may_write),
        }
        for name, body in policies.items():
            conn.execute(sql.SQL("DROP POLICY IF EXISTS {} ON annotations")
                         .format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE POLICY {} ON annotations ").format(sql.Identifier(name))
                         + body)
        # TRUNCATE is not subject to row-level security: only the owner may empty it.
        conn.execute(_NO_TRUNCATE)
        conn.execute("DROP TRIGGER IF EXISTS annotations_no_truncate ON annotations")
        conn.execute("CREATE TRIGGER annotations_no_truncate BEFORE TRUNCATE ON annotations "
                     "FOR EACH STATEMENT EXECUTE FUNCTION newsmark_no_truncate()")
        _owned_rows_policies(conn)


# The tables whose rows belong to one annotator, and the column naming them.
_OWNED_TABLES = (("statuses", "annotator"), ("session_state", "owner"),
                 ("history_steps", "owner"), ("history_positions", "owner"))


def _owned_rows_policies(conn: Any) -> None:
    """Each annotator's statuses, session state and undo history are theirs
    alone; gold's are the curators' (who adjudicate as `gold`), as its layer is."""
    for table, column in _OWNED_TABLES:
        ident = sql.Identifier(table)
        own = _may_write(column)
        conn.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(ident))
        for name, body in {
            f"{table}_read": sql.SQL("FOR SELECT USING (true)"),
            f"{table}_own": sql.SQL("FOR ALL USING ({0}) WITH CHECK ({0})").format(own),
        }.items():
            conn.execute(sql.SQL("DROP POLICY IF EXISTS {} ON {}")
                         .format(sql.Identifier(name), ident))
            conn.execute(sql.SQL("CREATE POLICY {} ON {} ").format(sql.Identifier(name),
                                                                   ident) + body)


def _curators_own_gold_rows(conn: Any) -> None:
    """Migration 4: a team store made before it kept curators from gold's
    statuses, session state and undo history, so `adjudicate` failed there."""
    team = conn.execute("SELECT 1 FROM pg_policies WHERE schemaname = current_schema() "
                        "AND tablename = 'statuses' AND policyname = 'statuses_own'").fetchone()
    if team:
        _owned_rows_policies(conn)


def add_annotator(conn: Any, name: str, *, curator: bool = False,
                  password: str | None = None) -> None:
    """A login role `name` in the team (and a curator if asked); idempotent."""
    with conn.transaction():
        role = sql.Identifier(name)
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
        if password:
            # ALTER ROLE takes no bind parameters: the password goes in as a literal.
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(password)))
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(ANNOTATOR_ROLE), role))
        if curator:
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(CURATOR_ROLE), role))
