-- Schema of the workshop database (SQLite, WAL). Version in PRAGMA user_version.
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    language TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    disciplines TEXT NOT NULL,          -- JSON list of strings
    facilitator_hash TEXT NOT NULL,     -- sha256 of the facilitator token
    state TEXT NOT NULL,                -- JSON of workshop.state.SessionState
    report_generation INTEGER NOT NULL DEFAULT 0,  -- 0: no shared report link; n: link n is valid
    facilitator_epoch INTEGER NOT NULL DEFAULT 0,  -- +1 at each `sessions link --rotate`: older sign-ins end
    organisation TEXT NOT NULL DEFAULT '',  -- optional label, e.g. 'Museum De Waag' (migrate() adds it to older files)
    follows TEXT,                       -- code of the earlier session this one follows up (migrate() adds it)
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS participants (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,            -- 1, 2, ... within the session: the anonymous id
    token_hash TEXT NOT NULL UNIQUE,    -- sha256 of the participant token
    nickname TEXT,
    discipline TEXT,
    joined_at TEXT NOT NULL,
    removed_at TEXT,
    joined_late INTEGER NOT NULL DEFAULT 0,  -- 1: joined after the first question opened (db.py adds it to older files)
    UNIQUE (session_id, number)
);

CREATE TABLE IF NOT EXISTS answers (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    round INTEGER NOT NULL,
    option_id TEXT NOT NULL,
    seq INTEGER NOT NULL,               -- the session's answer counter when this was stored
    answered_at TEXT NOT NULL,
    PRIMARY KEY (participant_id, question_id, round)
);
CREATE INDEX IF NOT EXISTS answers_by_session ON answers (session_id);

CREATE TABLE IF NOT EXISTS notes (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,          -- '' for the session's general note
    text TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1, -- raised by every save: a save based on an older one is merged
    PRIMARY KEY (session_id, question_id)
);

CREATE TABLE IF NOT EXISTS steps (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    what TEXT NOT NULL,
    who TEXT NOT NULL DEFAULT '',
    due TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    idea INTEGER,                       -- the idea this step came from (migrate() adds it to older files)
    PRIMARY KEY (session_id, position)
);

-- Extra facilitator links: one per device a link was made for after creation (web page or
-- `workshop sessions link`); sessions.facilitator_hash stays the first. Only hashes are stored.
CREATE TABLE IF NOT EXISTS facilitator_tokens (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,    -- sha256 of the token
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS facilitator_tokens_by_session ON facilitator_tokens (session_id);
-- First steps of the followed session, copied when a follow-up is created, with what became of them.
CREATE TABLE IF NOT EXISTS carried_steps (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    what TEXT NOT NULL,
    who TEXT NOT NULL DEFAULT '',
    due TEXT NOT NULL DEFAULT '',
    status TEXT,                        -- NULL (not judged yet), 'done', 'partly' or 'not_yet'
    updated_at TEXT NOT NULL,
    PRIMARY KEY (session_id, position)
);

CREATE TABLE IF NOT EXISTS activities (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    state TEXT NOT NULL,                -- JSON of workshop.core.activities.ActivityState
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS challenge_picks (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    picks TEXT NOT NULL,                -- JSON list of challenge ids (1 or 2)
    updated_at TEXT NOT NULL,
    PRIMARY KEY (participant_id)
);
CREATE INDEX IF NOT EXISTS challenge_picks_by_session ON challenge_picks (session_id);

CREATE TABLE IF NOT EXISTS ideas (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    prompt TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL,               -- pending, approved, hidden, merged
    merged_into INTEGER,
    authors TEXT NOT NULL DEFAULT '[]', -- JSON list of participant ids (grows by merging)
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ideas_by_session ON ideas (session_id);

CREATE TABLE IF NOT EXISTS dots (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    idea_id INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (participant_id, idea_id)
);
CREATE INDEX IF NOT EXISTS dots_by_session ON dots (session_id);

-- Which worker holds each session in memory (docs/decisions.md "One owner per session: a lease with a generation").
CREATE TABLE IF NOT EXISTS session_leases (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    owner TEXT NOT NULL,                -- the holding worker's identity ('' once released)
    generation INTEGER NOT NULL,        -- +1 at every take: the fence a holder's writes must still match
    expires REAL NOT NULL,              -- seconds since the epoch; past it, any worker may take the lease
    wanted TEXT                         -- a worker the proxy now routes the session to asks for it (NULL: none)
);
CREATE INDEX IF NOT EXISTS session_leases_by_owner ON session_leases (owner);
