-- Schema 4: the problems of a generated ("fresh") challenge, so it can resume after a
-- restart like any other. Shipped packs are found by id in content/ and need no row here.

CREATE TABLE session_packs (
    session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    pack_json  TEXT NOT NULL CHECK (json_valid(pack_json))
);
