-- Migration 2 of the device store: the query index (derived data,
-- rebuilt from the documents: it sets reindex).
--
-- FROZEN: this migration has shipped. Never edit this file (a store that ran
-- it will not run it again); add a new migration instead, see
-- core/src/store/migrations.rs. The statements are the text the migration had
-- in migrations.rs when it moved here (commit f672c81).
    CREATE TABLE idx_accounts (
        doc_id TEXT PRIMARY KEY, id TEXT NOT NULL, name TEXT NOT NULL,
        account_type TEXT, owner TEXT, territory TEXT, lifecycle TEXT, tier TEXT,
        industry TEXT, archived INTEGER NOT NULL, created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL, currency TEXT, balance_minor INTEGER NOT NULL,
        overdue_minor INTEGER NOT NULL
    );
    CREATE INDEX idx_accounts_owner ON idx_accounts(owner);
    CREATE INDEX idx_accounts_name ON idx_accounts(name COLLATE NOCASE);
    CREATE TABLE idx_tags (doc_id TEXT NOT NULL, kind TEXT NOT NULL, record_id TEXT NOT NULL, tag TEXT NOT NULL);
    CREATE INDEX idx_tags_doc ON idx_tags(doc_id);
    CREATE INDEX idx_tags_tag ON idx_tags(tag, kind);
    CREATE TABLE idx_contacts (
        doc_id TEXT NOT NULL, id TEXT NOT NULL, full_name TEXT NOT NULL, title TEXT,
        email TEXT, phone TEXT, owner TEXT, archived INTEGER NOT NULL,
        created_at INTEGER NOT NULL, PRIMARY KEY (doc_id, id)
    );
    CREATE INDEX idx_contacts_created ON idx_contacts(created_at);
    CREATE VIRTUAL TABLE idx_contacts_fts USING fts5(
        name, emails, company, doc_id UNINDEXED, contact_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TABLE idx_phones (e164 TEXT NOT NULL, doc_id TEXT NOT NULL, contact_id TEXT, label TEXT);
    CREATE INDEX idx_phones_e164 ON idx_phones(e164);
    CREATE INDEX idx_phones_doc ON idx_phones(doc_id);
    CREATE TABLE idx_deals (
        doc_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, pipeline_id TEXT NOT NULL,
        stage_id TEXT NOT NULL, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
        probability INTEGER, expected_close TEXT, owner TEXT, archived INTEGER NOT NULL,
        created_at INTEGER NOT NULL, stage_changed_at INTEGER NOT NULL,
        PRIMARY KEY (doc_id, id)
    );
    CREATE INDEX idx_deals_stage ON idx_deals(pipeline_id, stage_id);
    CREATE TABLE idx_stages (
        doc_id TEXT NOT NULL, pipeline_id TEXT NOT NULL, pipeline_name TEXT NOT NULL,
        stage_id TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL,
        probability INTEGER NOT NULL, meaning TEXT NOT NULL
    );
    CREATE INDEX idx_stages_key ON idx_stages(pipeline_id, stage_id);
    CREATE TABLE idx_org (doc_id TEXT PRIMARY KEY, default_currency TEXT, default_pipeline_id TEXT);
    CREATE TABLE idx_activities (
        doc_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        subject TEXT NOT NULL, due_at INTEGER, start_at INTEGER, end_at INTEGER,
        completed_at INTEGER, direction TEXT, owner TEXT, deal_id TEXT,
        archived INTEGER NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (doc_id, id)
    );
    CREATE INDEX idx_activities_due ON idx_activities(due_at);
    CREATE INDEX idx_activities_start ON idx_activities(start_at);
    CREATE TABLE idx_activity_contacts (doc_id TEXT NOT NULL, activity_id TEXT NOT NULL, contact_id TEXT NOT NULL);
    CREATE INDEX idx_activity_contacts_contact ON idx_activity_contacts(doc_id, contact_id);
    CREATE TABLE idx_orders (
        doc_id TEXT NOT NULL, id TEXT NOT NULL, ordered_at INTEGER NOT NULL,
        total_minor INTEGER NOT NULL, outstanding_minor INTEGER NOT NULL,
        currency TEXT NOT NULL, archived INTEGER NOT NULL, PRIMARY KEY (doc_id, id)
    );
    CREATE TABLE idx_dates (
        doc_id TEXT NOT NULL, contact_id TEXT NOT NULL, kind TEXT NOT NULL, label TEXT,
        month INTEGER NOT NULL, day INTEGER NOT NULL, year INTEGER
    );
    CREATE INDEX idx_dates_doc ON idx_dates(doc_id);
    CREATE TABLE idx_cases (
        doc_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT, status TEXT,
        opened_at INTEGER NOT NULL, closed_at INTEGER, archived INTEGER NOT NULL,
        PRIMARY KEY (doc_id, id)
    );
    INSERT INTO meta(key, value) VALUES ('reindex', '1')
        ON CONFLICT(key) DO UPDATE SET value = '1';
