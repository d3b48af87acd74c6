/* Numbered schema migrations. Append only. */
#include "store_migrations.h"
#include "store.h"

const char *const store_migrations[STORE_SCHEMA_VERSION] = {
	/* 1: users, sessions, categories, expenses, idempotency, plugins */
	"CREATE TABLE meta("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL) STRICT;"
	"CREATE TABLE users("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  role TEXT NOT NULL CHECK (role IN ('admin', 'user')),"
	"  currency TEXT NOT NULL CHECK (length(currency) = 3),"
	"  timezone TEXT NOT NULL,"
	"  pwhash TEXT,"
	"  tokens_valid_after INTEGER NOT NULL DEFAULT 0,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL) STRICT;"
	"CREATE TABLE refresh_tokens("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  family TEXT NOT NULL,"
	"  token_hash TEXT NOT NULL UNIQUE,"
	"  used INTEGER NOT NULL DEFAULT 0,"
	"  revoked INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  family_created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  last_used_at INTEGER NOT NULL,"
	"  user_agent TEXT NOT NULL DEFAULT '',"
	"  address TEXT NOT NULL DEFAULT '') STRICT;"
	"CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id, family);"
	"CREATE TABLE categories("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL COLLATE NOCASE,"
	"  archived INTEGER NOT NULL DEFAULT 0,"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL) STRICT;"
	"CREATE UNIQUE INDEX categories_live_name ON categories(user_id, name)"
	"  WHERE deleted = 0;"
	"CREATE TABLE expenses("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,"
	"  amount INTEGER NOT NULL,"
	"  amount_e4 INTEGER NOT NULL,"
	"  currency TEXT NOT NULL CHECK (length(currency) = 3),"
	"  date TEXT NOT NULL CHECK (length(date) = 10),"
	"  note TEXT NOT NULL DEFAULT '',"
	"  payee TEXT NOT NULL DEFAULT '',"
	"  tags TEXT NOT NULL DEFAULT '',"
	"  import_key TEXT,"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL) STRICT;"
	"CREATE INDEX expenses_user_date ON expenses(user_id, deleted, date, id);"
	"CREATE INDEX expenses_user_cat_date ON expenses(user_id, category_id, date);"
	/* covers count/sum of filtered lists and report totals without
	 * touching the table rows */
	"CREATE INDEX expenses_user_totals ON expenses(user_id, deleted, date,"
	"  currency, amount, amount_e4, category_id);"
	"CREATE UNIQUE INDEX expenses_import_key ON expenses(user_id, import_key)"
	"  WHERE import_key IS NOT NULL;"
	"CREATE TABLE idempotency_keys("
	"  user_id INTEGER NOT NULL,"
	"  key TEXT NOT NULL,"
	"  request_hash TEXT NOT NULL,"
	"  response TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, key)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE plugin_state("
	"  plugin TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (plugin, key)) STRICT, WITHOUT ROWID;",

	/* 2: the change log (a sequence per user), and imports staged out of
	 * sight: their rows (and the categories they create) carry the
	 * import's id in stage, and users.staging names the one import of
	 * the user whose rows every read hides (-1: none). Publishing is
	 * one short write: staging back to -1. */
	"ALTER TABLE users ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE users ADD COLUMN staging INTEGER NOT NULL DEFAULT -1;"
	"CREATE TABLE changes("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  entity_id INTEGER NOT NULL,"
	"  op TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),"
	"  version INTEGER NOT NULL,"
	"  changed_at TEXT NOT NULL,"
	"  PRIMARY KEY (user_id, seq)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE imports("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  state TEXT NOT NULL CHECK (state IN ('staging', 'published',"
	"    'failed')),"
	"  format TEXT NOT NULL,"
	"  filename TEXT NOT NULL,"
	"  first_id INTEGER NOT NULL DEFAULT 0,"	/* expense ids it used */
	"  last_id INTEGER NOT NULL DEFAULT 0,"
	"  added INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  finished_at TEXT) STRICT;"
	"CREATE INDEX imports_user ON imports(user_id, id);"
	"ALTER TABLE expenses ADD COLUMN stage INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE categories ADD COLUMN stage INTEGER NOT NULL DEFAULT 0;"
	"DROP INDEX expenses_user_totals;"
	"CREATE INDEX expenses_user_totals ON expenses(user_id, deleted, date,"
	"  currency, amount, amount_e4, category_id, stage);",

	/* 3: what budgets and reports read: totals per user, day, category
	 * and currency, kept by triggers in the same transaction as every
	 * write of an expense (a year of a heavy user is a few thousand
	 * rows, not every expense), with the stage of staged imports for the
	 * same visibility rule. By day, not month: an amount converts at the
	 * rate of its own date. And exchange rates (units per EUR, scaled
	 * 10^6). */
	"CREATE TABLE day_totals("
	"  user_id INTEGER NOT NULL,"
	"  day TEXT NOT NULL,"
	"  category_id INTEGER NOT NULL,"
	"  currency TEXT NOT NULL,"
	"  stage INTEGER NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  sum INTEGER NOT NULL,"
	/* not STRICT: a sum past int64 turns REAL instead of failing the
	 * write of the expense; readers report such a total as overflowing */
	"  PRIMARY KEY (user_id, day, category_id, currency, stage))"
	"  WITHOUT ROWID;"
	"INSERT INTO day_totals SELECT user_id, date, category_id, currency,"
	"  stage, count(*), sum(amount) FROM expenses WHERE deleted = 0"
	"  GROUP BY 1, 2, 3, 4, 5;"
	"CREATE TRIGGER day_totals_insert AFTER INSERT ON expenses"
	"  WHEN NEW.deleted = 0 BEGIN"
	"  INSERT INTO day_totals VALUES (NEW.user_id, NEW.date,"
	"    NEW.category_id, NEW.currency, NEW.stage, 1, NEW.amount)"
	"    ON CONFLICT DO UPDATE SET count = count + 1,"
	"    sum = sum + excluded.sum;"
	"  END;"
	"CREATE TRIGGER day_totals_delete AFTER DELETE ON expenses"
	"  WHEN OLD.deleted = 0 BEGIN"
	"  UPDATE day_totals SET count = count - 1, sum = sum - OLD.amount"
	"    WHERE user_id = OLD.user_id AND day = OLD.date AND"
	"    category_id = OLD.category_id AND currency = OLD.currency AND"
	"    stage = OLD.stage;"
	"  DELETE FROM day_totals WHERE user_id = OLD.user_id AND"
	"    day = OLD.date AND category_id = OLD.category_id AND"
	"    currency = OLD.currency AND stage = OLD.stage AND count = 0;"
	"  END;"
	"CREATE TRIGGER day_totals_update AFTER UPDATE OF deleted, amount, date,"
	"  category_id, currency, stage ON expenses BEGIN"
	"  UPDATE day_totals SET count = count - 1, sum = sum - OLD.amount"
	"    WHERE OLD.deleted = 0 AND user_id = OLD.user_id AND"
	"    day = OLD.date AND category_id = OLD.category_id AND"
	"    currency = OLD.currency AND stage = OLD.stage;"
	/* a total that reaches zero rows goes: an undone write leaves no
	 * trace, and a moved day or category no empty row */
	"  DELETE FROM day_totals WHERE OLD.deleted = 0 AND"
	"    user_id = OLD.user_id AND day = OLD.date AND"
	"    category_id = OLD.category_id AND currency = OLD.currency AND"
	"    stage = OLD.stage AND count = 0;"
	"  INSERT INTO day_totals SELECT NEW.user_id, NEW.date,"
	"    NEW.category_id, NEW.currency, NEW.stage, 1, NEW.amount"
	"    WHERE NEW.deleted = 0"
	"    ON CONFLICT DO UPDATE SET count = count + 1,"
	"    sum = sum + excluded.sum;"
	"  END;"
	"CREATE TABLE rates("
	"  currency TEXT NOT NULL CHECK (length(currency) = 3),"
	"  date TEXT NOT NULL CHECK (length(date) = 10),"
	"  rate INTEGER NOT NULL CHECK (rate > 0),"
	"  source TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  PRIMARY KEY (currency, date)) STRICT, WITHOUT ROWID;",

	/* 4: the notifier outbox. An event (an alert, a reminder) is stored
	 * in the same transaction as the write that caused it, so it is
	 * neither lost by a crash nor sent for a write that rolled back;
	 * the deliverer routes it to the user's channels and keeps one
	 * delivery row per channel with its retries. */
	"CREATE TABLE outbox("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  payload TEXT NOT NULL,"
	"  routed INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL) STRICT;"
	"CREATE INDEX outbox_unrouted ON outbox(routed) WHERE routed = 0;"
	"CREATE INDEX outbox_user ON outbox(user_id, id);",

	/* 5: a full-text index of note and payee for expense.list --search
	 * (store_search.c): FTS5 with the trigram tokenizer, so a term of 3
	 * characters or more is found as a substring in any case and any
	 * script. External content (the text stays in expenses only), no
	 * per-row token counts (nothing ranks). The triggers keep it in step
	 * in the same transaction as every write of a row, whoever writes
	 * it: a cascade, a user's deletion, an import and its undoing. Rows
	 * deleted with deleted = 1 stay indexed (readers filter them, and
	 * FTS5's rebuild and integrity-check expect every row of the content
	 * table). A future migration that rebuilds expenses (a new table,
	 * copy, drop, rename) drops these triggers with the old table: it
	 * must create them again and rebuild expenses_fts. */
	"CREATE VIRTUAL TABLE expenses_fts USING fts5(note, payee,"
	"  content='expenses', content_rowid='id', tokenize='trigram',"
	"  columnsize=0);"
	"CREATE TRIGGER expenses_fts_insert AFTER INSERT ON expenses BEGIN"
	"  INSERT INTO expenses_fts(rowid, note, payee)"
	"    VALUES (NEW.id, NEW.note, NEW.payee);"
	"  END;"
	"CREATE TRIGGER expenses_fts_delete AFTER DELETE ON expenses BEGIN"
	"  INSERT INTO expenses_fts(expenses_fts, rowid, note, payee)"
	"    VALUES ('delete', OLD.id, OLD.note, OLD.payee);"
	"  END;"
	/* an edit rewrites note and payee even when they stay the same:
	 * only a real change costs an index update */
	"CREATE TRIGGER expenses_fts_update AFTER UPDATE OF id, note, payee"
	"  ON expenses WHEN OLD.id != NEW.id OR OLD.note IS NOT NEW.note OR"
	"  OLD.payee IS NOT NEW.payee BEGIN"
	"  INSERT INTO expenses_fts(expenses_fts, rowid, note, payee)"
	"    VALUES ('delete', OLD.id, OLD.note, OLD.payee);"
	"  INSERT INTO expenses_fts(rowid, note, payee)"
	"    VALUES (NEW.id, NEW.note, NEW.payee);"
	"  END;"
	"INSERT INTO expenses_fts(expenses_fts) VALUES ('rebuild');",

	/* 6: budgets: per category (category_id 0: the overall one) per month,
	 * in minor units of currency (the user's base when set); amount is
	 * the default from month since on (NULL: only the months of
	 * budget_months), rollover carries what is left (or overspent)
	 * into the next month; alerts are the thresholds in percent
	 * ("80,100"). A deleted budget is a tombstone (sync) and comes back
	 * in the same row. alerts_sent: each threshold crossed, once per
	 * user, category (0: overall) and month; stored in the write that
	 * crossed it, so a restart neither loses nor repeats one. */
	"CREATE TABLE budgets("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  category_id INTEGER NOT NULL,"
	"  amount INTEGER CHECK (amount >= 0),"
	"  currency TEXT NOT NULL CHECK (length(currency) = 3),"
	"  since TEXT NOT NULL CHECK (length(since) = 7),"
	"  rollover INTEGER NOT NULL DEFAULT 0,"
	"  alerts TEXT NOT NULL DEFAULT '80,100',"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL) STRICT;"
	"CREATE UNIQUE INDEX budgets_key ON budgets(user_id, category_id);"
	"CREATE TABLE budget_months("
	"  budget_id INTEGER NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,"
	"  month TEXT NOT NULL CHECK (length(month) = 7),"
	"  amount INTEGER NOT NULL CHECK (amount >= 0),"
	"  PRIMARY KEY (budget_id, month)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE alerts_sent("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  category_id INTEGER NOT NULL,"
	"  category TEXT NOT NULL,"
	"  month TEXT NOT NULL CHECK (length(month) = 7),"
	"  threshold INTEGER NOT NULL,"
	"  spent INTEGER NOT NULL,"
	"  available INTEGER NOT NULL,"
	"  currency TEXT NOT NULL,"
	"  outbox_id INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  UNIQUE (user_id, category_id, month, threshold)) STRICT;"
	/* the same totals per month, kept by triggers beside day_totals:
	 * a rollover chain reads a row per month and category, not one per
	 * day (amounts in another currency than the base still convert at
	 * their day's rate, from day_totals) */
	"CREATE TABLE month_totals("
	"  user_id INTEGER NOT NULL,"
	"  month TEXT NOT NULL,"
	"  category_id INTEGER NOT NULL,"
	"  currency TEXT NOT NULL,"
	"  stage INTEGER NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  sum INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, month, category_id, currency, stage))"
	"  WITHOUT ROWID;"
	"INSERT INTO month_totals SELECT user_id, substr(date, 1, 7),"
	"  category_id, currency, stage, count(*), sum(amount) FROM expenses"
	"  WHERE deleted = 0 GROUP BY 1, 2, 3, 4, 5;"
	"CREATE TRIGGER month_totals_insert AFTER INSERT ON expenses"
	"  WHEN NEW.deleted = 0 BEGIN"
	"  INSERT INTO month_totals VALUES (NEW.user_id, substr(NEW.date, 1, 7),"
	"    NEW.category_id, NEW.currency, NEW.stage, 1, NEW.amount)"
	"    ON CONFLICT DO UPDATE SET count = count + 1,"
	"    sum = sum + excluded.sum;"
	"  END;"
	"CREATE TRIGGER month_totals_delete AFTER DELETE ON expenses"
	"  WHEN OLD.deleted = 0 BEGIN"
	"  UPDATE month_totals SET count = count - 1, sum = sum - OLD.amount"
	"    WHERE user_id = OLD.user_id AND month = substr(OLD.date, 1, 7) AND"
	"    category_id = OLD.category_id AND currency = OLD.currency AND"
	"    stage = OLD.stage;"
	"  DELETE FROM month_totals WHERE user_id = OLD.user_id AND"
	"    month = substr(OLD.date, 1, 7) AND category_id = OLD.category_id"
	"    AND currency = OLD.currency AND stage = OLD.stage AND count = 0;"
	"  END;"
	"CREATE TRIGGER month_totals_update AFTER UPDATE OF deleted, amount,"
	"  date, category_id, currency, stage ON expenses BEGIN"
	"  UPDATE month_totals SET count = count - 1, sum = sum - OLD.amount"
	"    WHERE OLD.deleted = 0 AND user_id = OLD.user_id AND"
	"    month = substr(OLD.date, 1, 7) AND category_id = OLD.category_id"
	"    AND currency = OLD.currency AND stage = OLD.stage;"
	"  DELETE FROM month_totals WHERE OLD.deleted = 0 AND"
	"    user_id = OLD.user_id AND month = substr(OLD.date, 1, 7) AND"
	"    category_id = OLD.category_id AND currency = OLD.currency AND"
	"    stage = OLD.stage AND count = 0;"
	"  INSERT INTO month_totals SELECT NEW.user_id, substr(NEW.date, 1, 7),"
	"    NEW.category_id, NEW.currency, NEW.stage, 1, NEW.amount"
	"    WHERE NEW.deleted = 0"
	"    ON CONFLICT DO UPDATE SET count = count + 1,"
	"    sum = sum + excluded.sum;"
	"  END;",

	/* 7: recurring expenses. A rule keeps its definition and its
	 * progress: after_date (occurrences on or before it are done:
	 * created, skipped, or passed over while paused), done_count (created
	 * or skipped, for count), next_date (the next to create, '' when the
	 * series is over), and the same for reminders. An expense a rule
	 * created names it and the occurrence's date: unique, so no
	 * occurrence is ever created twice, whatever stops a catch-up. And
	 * each user's reminder setting (days ahead, 0 = off). */
	"CREATE TABLE recurring_rules("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,"
	"  amount INTEGER NOT NULL,"
	"  currency TEXT NOT NULL CHECK (length(currency) = 3),"
	"  note TEXT NOT NULL DEFAULT '',"
	"  payee TEXT NOT NULL DEFAULT '',"
	"  tags TEXT NOT NULL DEFAULT '',"
	"  freq TEXT NOT NULL CHECK (freq IN ('day', 'week', 'month', 'year')),"
	"  every_n INTEGER NOT NULL DEFAULT 1 CHECK (every_n >= 1),"
	"  weekdays INTEGER NOT NULL DEFAULT 0,"
	"  month_day INTEGER NOT NULL DEFAULT 0,"
	"  start_date TEXT NOT NULL CHECK (length(start_date) = 10),"
	"  end_date TEXT NOT NULL DEFAULT '',"
	"  max_count INTEGER NOT NULL DEFAULT 0,"
	"  after_date TEXT NOT NULL DEFAULT '',"
	"  done_count INTEGER NOT NULL DEFAULT 0,"
	"  next_date TEXT NOT NULL DEFAULT '',"
	"  paused INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT NOT NULL DEFAULT '',"
	"  remind_after TEXT NOT NULL DEFAULT '',"
	"  remind_next TEXT NOT NULL DEFAULT '',"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL) STRICT;"
	"CREATE INDEX recurring_rules_user ON recurring_rules(user_id, deleted, id);"
	"CREATE INDEX recurring_rules_due ON recurring_rules(next_date)"
	"  WHERE deleted = 0 AND paused = 0 AND error = '' AND next_date != '';"
	"CREATE TABLE recurring_settings("
	"  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	"  remind_days INTEGER NOT NULL DEFAULT 0,"
	"  updated_at TEXT NOT NULL) STRICT;"
	"ALTER TABLE expenses ADD COLUMN recurring_id INTEGER;"
	"ALTER TABLE expenses ADD COLUMN occurrence TEXT;"
	"CREATE UNIQUE INDEX expenses_occurrence ON expenses(recurring_id,"
	"  occurrence) WHERE recurring_id IS NOT NULL;",

	/* 8: notifier deliveries. Each user's channels (which kinds of
	 * event go to their email address, their webhook URL, the log, the
	 * admin's command) and, per outbox event, one delivery per channel
	 * it was routed to, with its attempts and the time of the next one;
	 * started_at is set while an attempt runs (one a stop or a crash
	 * cut short runs again at the next start). */
	"CREATE TABLE notify_channels("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  channel TEXT NOT NULL,"
	"  target TEXT NOT NULL DEFAULT '',"
	"  kinds TEXT NOT NULL DEFAULT '',"
	"  secret TEXT NOT NULL DEFAULT '',"
	"  updated_at TEXT NOT NULL,"
	"  PRIMARY KEY (user_id, channel)) STRICT;"
	"CREATE TABLE deliveries("
	"  id INTEGER PRIMARY KEY,"
	"  outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  channel TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_at INTEGER NOT NULL,"
	"  started_at INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  updated_at TEXT NOT NULL,"
	"  UNIQUE (outbox_id, channel)) STRICT;"
	"CREATE INDEX deliveries_due ON deliveries(next_at) WHERE state = 'pending';"
	"CREATE INDEX deliveries_state ON deliveries(state);"
	"CREATE INDEX deliveries_user ON deliveries(user_id, id);",

	/* 9: search finds tags too, and ignores accents (store_search.c):
	 * search_text is the folded text of note, payee and tags, written
	 * by the store with every row (store_expense_add/update), filled
	 * here by spend_fold() (registered on every connection, C). The
	 * index of migration 5 goes; expenses_fts indexes search_text
	 * instead, case sensitive (the text is folded already, so the index
	 * and instr() find the same rows), with the same three triggers, of
	 * the same names, and the same rule: every row, tombstones too. */
	"DROP TRIGGER expenses_fts_insert;"
	"DROP TRIGGER expenses_fts_delete;"
	"DROP TRIGGER expenses_fts_update;"
	"DROP TABLE expenses_fts;"
	"ALTER TABLE expenses ADD COLUMN search_text TEXT NOT NULL DEFAULT '';"
	"UPDATE expenses SET search_text = spend_fold(note, payee, tags);"
	"CREATE VIRTUAL TABLE expenses_fts USING fts5(search_text,"
	"  content='expenses', content_rowid='id',"
	"  tokenize='trigram case_sensitive 1', columnsize=0);"
	"CREATE TRIGGER expenses_fts_insert AFTER INSERT ON expenses BEGIN"
	"  INSERT INTO expenses_fts(rowid, search_text)"
	"    VALUES (NEW.id, NEW.search_text);"
	"  END;"
	"CREATE TRIGGER expenses_fts_delete AFTER DELETE ON expenses BEGIN"
	"  INSERT INTO expenses_fts(expenses_fts, rowid, search_text)"
	"    VALUES ('delete', OLD.id, OLD.search_text);"
	"  END;"
	"CREATE TRIGGER expenses_fts_update AFTER UPDATE OF id, search_text"
	"  ON expenses WHEN OLD.id != NEW.id OR"
	"  OLD.search_text IS NOT NEW.search_text BEGIN"
	"  INSERT INTO expenses_fts(expenses_fts, rowid, search_text)"
	"    VALUES ('delete', OLD.id, OLD.search_text);"
	"  INSERT INTO expenses_fts(rowid, search_text)"
	"    VALUES (NEW.id, NEW.search_text);"
	"  END;"
	"INSERT INTO expenses_fts(expenses_fts) VALUES ('rebuild');",

	/* 10: rules and the uncategorised category. Each user has one
	 * category that rows without one go to (uncategorised = 1, never
	 * deleted): an existing live category of that name becomes it, else
	 * one is made. expenses.category_auto says a rule or that default
	 * chose the category (not the user: rule.apply may change it), and
	 * expenses.source the importer a row came from ('' = added). A rule
	 * is conditions (payee and note: op and text; an amount range in
	 * money_scale_e4 units, NULL = open; currency; source) and actions
	 * (category, tags, rename_payee, set_note; NULL = none), in position
	 * order. */
	"ALTER TABLE categories ADD COLUMN uncategorised INTEGER NOT NULL"
	"  DEFAULT 0;"
	"UPDATE categories SET uncategorised = 1 WHERE deleted = 0 AND"
	"  name = 'uncategorised';"
	"INSERT INTO categories(user_id, name, uncategorised, created_at,"
	"  updated_at) SELECT u.id, 'uncategorised', 1,"
	"  strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),"
	"  strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM users u"
	"  WHERE NOT EXISTS (SELECT 1 FROM categories c WHERE"
	"  c.user_id = u.id AND c.deleted = 0 AND c.uncategorised = 1);"
	"CREATE UNIQUE INDEX categories_uncategorised ON categories(user_id)"
	"  WHERE uncategorised = 1 AND deleted = 0;"
	/* the change log learns of the categories made here (and of one
	 * adopted that it never saw created), at the next number of each
	 * user's sequence: one category a user at most */
	"INSERT INTO changes(user_id, seq, entity, entity_id, op, version,"
	"  changed_at) SELECT c.user_id, u.change_seq + 1, 'category', c.id,"
	"  'create', c.version, c.updated_at FROM categories c"
	"  JOIN users u ON u.id = c.user_id WHERE c.uncategorised = 1 AND"
	"  c.deleted = 0 AND NOT EXISTS (SELECT 1 FROM changes h WHERE"
	"  h.user_id = c.user_id AND h.entity = 'category' AND"
	"  h.entity_id = c.id);"
	"UPDATE users SET change_seq = change_seq + 1 WHERE EXISTS (SELECT 1"
	"  FROM changes h WHERE h.user_id = users.id AND"
	"  h.seq = users.change_seq + 1);"
	"ALTER TABLE expenses ADD COLUMN category_auto INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE expenses ADD COLUMN source TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE rules("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  position INTEGER NOT NULL,"
	"  payee_op TEXT NOT NULL DEFAULT ''"
	"    CHECK (payee_op IN ('', 'contains', 'equals', 'glob')),"
	"  payee TEXT NOT NULL DEFAULT '',"
	"  note_op TEXT NOT NULL DEFAULT ''"
	"    CHECK (note_op IN ('', 'contains', 'equals', 'glob')),"
	"  note TEXT NOT NULL DEFAULT '',"
	"  amount_min INTEGER,"
	"  amount_max INTEGER,"
	"  currency TEXT NOT NULL DEFAULT '',"
	"  source TEXT NOT NULL DEFAULT '',"
	"  category_id INTEGER REFERENCES categories(id) ON DELETE CASCADE,"
	"  tags TEXT NOT NULL DEFAULT '',"
	"  rename_payee TEXT NOT NULL DEFAULT '',"
	"  set_note TEXT,"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL) STRICT;"
	"CREATE INDEX rules_user ON rules(user_id, deleted, position, id);",

	/* 11: sync. A pull returns the latest change of each entity after a
	 * number (changes_entity finds "is there a later one" per row), and
	 * the change log is compacted: superseded changes go at once, a
	 * delete's tombstone after [sync] tombstone_days, and change_floor
	 * is then the highest number removed that a client may have missed
	 * (one behind it must resync from 0). */
	"CREATE INDEX changes_entity ON changes(user_id, entity, entity_id, seq);"
	"ALTER TABLE users ADD COLUMN change_floor INTEGER NOT NULL DEFAULT 0;"
	/* pushes: each mutation's outcome by its client-made id (a retried
	 * batch is applied once), the client-made ids of the expenses a
	 * device created, and the version at which each field of an expense
	 * last changed (a stale edit merges when the fields differ) */
	"CREATE TABLE sync_mutations("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  mid TEXT NOT NULL,"
	"  response TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  PRIMARY KEY (user_id, mid)) STRICT, WITHOUT ROWID;"
	"CREATE INDEX sync_mutations_age ON sync_mutations(created_at);"
	"CREATE TABLE sync_client_ids("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  client_id TEXT NOT NULL,"
	"  expense_id INTEGER NOT NULL REFERENCES expenses(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (user_id, client_id)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE expense_field_versions("
	"  expense_id INTEGER NOT NULL REFERENCES expenses(id) ON DELETE CASCADE,"
	"  field TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  PRIMARY KEY (expense_id, field)) STRICT, WITHOUT ROWID;"
	/* devices: a session (a refresh-token family) with a name and the
	 * last change number it pulled from */
	"CREATE TABLE devices("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  family TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  sync_seq INTEGER NOT NULL DEFAULT 0,"
	"  synced_at TEXT,"
	"  PRIMARY KEY (user_id, family)) STRICT, WITHOUT ROWID;",

	/* 12: split expenses (store_expense.c). A split's parts each have
	 * their own amount and category and sum exactly to the whole
	 * (expense.c checks it); expenses.parts is how many (0: not split).
	 * The totals budgets and reports read count a split's parts, each
	 * in its own category, and not the whole: the triggers of
	 * migrations 3 and 6 come again counting only rows with parts = 0,
	 * and expense_parts has triggers of its own. A part carries copies
	 * of its expense's user, date, currency, stage and deleted (kept by
	 * expense_parts_follow in the same statement as any change of
	 * them), so that every total a part added is taken back with the
	 * same key however the part goes: deleted by the store, moved, or
	 * by the cascade of its expense's delete (an import undone, a user
	 * deleted), when its expense's row is already gone and could not
	 * be read: the order of the delete triggers does not matter. */
	"ALTER TABLE expenses ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE expense_parts("
	"  expense_id INTEGER NOT NULL REFERENCES expenses(id) ON DELETE CASCADE,"
	"  idx INTEGER NOT NULL,"
	"  category_id INTEGER NOT NULL REFERENCES categories(id)"
	"    ON DELETE CASCADE,"
	"  amount INTEGER NOT NULL,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  user_id INTEGER NOT NULL,"
	"  day TEXT NOT NULL,"
	"  currency TEXT NOT NULL,"
	"  stage INTEGER NOT NULL,"
	"  deleted INTEGER NOT NULL,"
	"  PRIMARY KEY (expense_id, idx)) STRICT, WITHOUT ROWID;"
	"CREATE INDEX expense_parts_category ON expense_parts(category_id,"
	"  expense_id);"
	"DROP TRIGGER day_totals_insert;"
	"DROP TRIGGER day_totals_delete;"
	"DROP TRIGGER day_totals_update;"
	"DROP TRIGGER month_totals_insert;"
	"DROP TRIGGER month_totals_delete;"
	"DROP TRIGGER month_totals_update;"
	"CREATE TRIGGER day_totals_insert AFTER INSERT ON expenses WHEN "
	"NEW.deleted = 0 AND NEW.parts = 0 BEGIN INSERT INTO day_totals "
	"VALUES (NEW.user_id, NEW.date, NEW.category_id, NEW.currency, "
	"NEW.stage, 1, NEW.amount) ON CONFLICT DO UPDATE SET count = count "
	"+ 1, sum = sum + excluded.sum; END;"
	"CREATE TRIGGER day_totals_delete AFTER DELETE ON expenses WHEN "
	"OLD.deleted = 0 AND OLD.parts = 0 BEGIN UPDATE day_totals SET "
	"count = count - 1, sum = sum - OLD.amount WHERE user_id = "
	"OLD.user_id AND day = OLD.date AND category_id = OLD.category_id "
	"AND currency = OLD.currency AND stage = OLD.stage; DELETE FROM "
	"day_totals WHERE user_id = OLD.user_id AND day = OLD.date AND "
	"category_id = OLD.category_id AND currency = OLD.currency AND "
	"stage = OLD.stage AND count = 0; END;"
	"CREATE TRIGGER day_totals_update AFTER UPDATE OF deleted, amount, "
	"date, category_id, currency, stage, parts ON expenses BEGIN UPDATE"
	" day_totals SET count = count - 1, sum = sum - OLD.amount WHERE "
	"OLD.deleted = 0 AND OLD.parts = 0 AND user_id = OLD.user_id AND "
	"day = OLD.date AND category_id = OLD.category_id AND currency = "
	"OLD.currency AND stage = OLD.stage; DELETE FROM day_totals WHERE "
	"OLD.deleted = 0 AND OLD.parts = 0 AND user_id = OLD.user_id AND "
	"day = OLD.date AND category_id = OLD.category_id AND currency = "
	"OLD.currency AND stage = OLD.stage AND count = 0; INSERT INTO "
	"day_totals SELECT NEW.user_id, NEW.date, NEW.category_id, "
	"NEW.currency, NEW.stage, 1, NEW.amount WHERE NEW.deleted = 0 AND "
	"NEW.parts = 0 ON CONFLICT DO UPDATE SET count = count + 1, sum = "
	"sum + excluded.sum; END;"
	"CREATE TRIGGER month_totals_insert AFTER INSERT ON expenses WHEN "
	"NEW.deleted = 0 AND NEW.parts = 0 BEGIN INSERT INTO month_totals "
	"VALUES (NEW.user_id, substr(NEW.date, 1, 7), NEW.category_id, "
	"NEW.currency, NEW.stage, 1, NEW.amount) ON CONFLICT DO UPDATE SET "
	"count = count + 1, sum = sum + excluded.sum; END;"
	"CREATE TRIGGER month_totals_delete AFTER DELETE ON expenses WHEN "
	"OLD.deleted = 0 AND OLD.parts = 0 BEGIN UPDATE month_totals SET "
	"count = count - 1, sum = sum - OLD.amount WHERE user_id = "
	"OLD.user_id AND month = substr(OLD.date, 1, 7) AND category_id = "
	"OLD.category_id AND currency = OLD.currency AND stage = OLD.stage;"
	" DELETE FROM month_totals WHERE user_id = OLD.user_id AND month = "
	"substr(OLD.date, 1, 7) AND category_id = OLD.category_id AND "
	"currency = OLD.currency AND stage = OLD.stage AND count = 0; END;"
	"CREATE TRIGGER month_totals_update AFTER UPDATE OF deleted, "
	"amount, date, category_id, currency, stage, parts ON expenses "
	"BEGIN UPDATE month_totals SET count = count - 1, sum = sum - "
	"OLD.amount WHERE OLD.deleted = 0 AND OLD.parts = 0 AND user_id = "
	"OLD.user_id AND month = substr(OLD.date, 1, 7) AND category_id = "
	"OLD.category_id AND currency = OLD.currency AND stage = OLD.stage;"
	" DELETE FROM month_totals WHERE OLD.deleted = 0 AND OLD.parts = 0 "
	"AND user_id = OLD.user_id AND month = substr(OLD.date, 1, 7) AND "
	"category_id = OLD.category_id AND currency = OLD.currency AND "
	"stage = OLD.stage AND count = 0; INSERT INTO month_totals SELECT "
	"NEW.user_id, substr(NEW.date, 1, 7), NEW.category_id, "
	"NEW.currency, NEW.stage, 1, NEW.amount WHERE NEW.deleted = 0 AND "
	"NEW.parts = 0 ON CONFLICT DO UPDATE SET count = count + 1, sum = "
	"sum + excluded.sum; END;"
	"CREATE TRIGGER day_totals_parts_insert AFTER INSERT ON "
	"expense_parts WHEN NEW.deleted = 0 BEGIN INSERT INTO day_totals "
	"VALUES (NEW.user_id, NEW.day, NEW.category_id, NEW.currency, "
	"NEW.stage, 1, NEW.amount) ON CONFLICT DO UPDATE SET count = count "
	"+ 1, sum = sum + excluded.sum; END;"
	"CREATE TRIGGER day_totals_parts_delete AFTER DELETE ON "
	"expense_parts WHEN OLD.deleted = 0 BEGIN UPDATE day_totals SET "
	"count = count - 1, sum = sum - OLD.amount WHERE user_id = "
	"OLD.user_id AND day = OLD.day AND category_id = OLD.category_id "
	"AND currency = OLD.currency AND stage = OLD.stage; DELETE FROM "
	"day_totals WHERE user_id = OLD.user_id AND day = OLD.day AND "
	"category_id = OLD.category_id AND currency = OLD.currency AND "
	"stage = OLD.stage AND count = 0; END;"
	"CREATE TRIGGER day_totals_parts_update AFTER UPDATE OF deleted, "
	"amount, day, category_id, currency, stage, user_id ON "
	"expense_parts BEGIN UPDATE day_totals SET count = count - 1, sum ="
	" sum - OLD.amount WHERE OLD.deleted = 0 AND user_id = OLD.user_id "
	"AND day = OLD.day AND category_id = OLD.category_id AND currency ="
	" OLD.currency AND stage = OLD.stage; DELETE FROM day_totals WHERE "
	"OLD.deleted = 0 AND user_id = OLD.user_id AND day = OLD.day AND "
	"category_id = OLD.category_id AND currency = OLD.currency AND "
	"stage = OLD.stage AND count = 0; INSERT INTO day_totals SELECT "
	"NEW.user_id, NEW.day, NEW.category_id, NEW.currency, NEW.stage, 1,"
	" NEW.amount WHERE NEW.deleted = 0 ON CONFLICT DO UPDATE SET count "
	"= count + 1, sum = sum + excluded.sum; END;"
	"CREATE TRIGGER month_totals_parts_insert AFTER INSERT ON "
	"expense_parts WHEN NEW.deleted = 0 BEGIN INSERT INTO month_totals "
	"VALUES (NEW.user_id, substr(NEW.day, 1, 7), NEW.category_id, "
	"NEW.currency, NEW.stage, 1, NEW.amount) ON CONFLICT DO UPDATE SET "
	"count = count + 1, sum = sum + excluded.sum; END;"
	"CREATE TRIGGER month_totals_parts_delete AFTER DELETE ON "
	"expense_parts WHEN OLD.deleted = 0 BEGIN UPDATE month_totals SET "
	"count = count - 1, sum = sum - OLD.amount WHERE user_id = "
	"OLD.user_id AND month = substr(OLD.day, 1, 7) AND category_id = "
	"OLD.category_id AND currency = OLD.currency AND stage = OLD.stage;"
	" DELETE FROM month_totals WHERE user_id = OLD.user_id AND month = "
	"substr(OLD.day, 1, 7) AND category_id = OLD.category_id AND "
	"currency = OLD.currency AND stage = OLD.stage AND count = 0; END;"
	"CREATE TRIGGER month_totals_parts_update AFTER UPDATE OF deleted, "
	"amount, day, category_id, currency, stage, user_id ON "
	"expense_parts BEGIN UPDATE month_totals SET count = count - 1, sum"
	" = sum - OLD.amount WHERE OLD.deleted = 0 AND user_id = "
	"OLD.user_id AND month = substr(OLD.day, 1, 7) AND category_id = "
	"OLD.category_id AND currency = OLD.currency AND stage = OLD.stage;"
	" DELETE FROM month_totals WHERE OLD.deleted = 0 AND user_id = "
	"OLD.user_id AND month = substr(OLD.day, 1, 7) AND category_id = "
	"OLD.category_id AND currency = OLD.currency AND stage = OLD.stage "
	"AND count = 0; INSERT INTO month_totals SELECT NEW.user_id, "
	"substr(NEW.day, 1, 7), NEW.category_id, NEW.currency, NEW.stage, "
	"1, NEW.amount WHERE NEW.deleted = 0 ON CONFLICT DO UPDATE SET "
	"count = count + 1, sum = sum + excluded.sum; END;"
	/* a change of what keys a split's totals moves its parts' */
	"CREATE TRIGGER expense_parts_follow AFTER UPDATE OF user_id, date,"
	"  currency, stage, deleted ON expenses"
	"  WHEN OLD.parts > 0 OR NEW.parts > 0 BEGIN"
	"  UPDATE expense_parts SET user_id = NEW.user_id, day = NEW.date,"
	"    currency = NEW.currency, stage = NEW.stage, deleted = NEW.deleted"
	"    WHERE expense_id = NEW.id;"
	"  END;",

	/* 13: the search index is written at commit, not row by row. FTS5
	 * writes what it holds in memory to a new segment of the index at
	 * every savepoint, and every statement that may need undoing
	 * alone (one with triggers, a multi-row one) opens one: a
	 * transaction of N adds wrote N tiny segments and merged them,
	 * about four times the cost of the adds without the index. The
	 * triggers now queue what changed in fts_pending, a plain table
	 * (so savepoints undo its rows with theirs), and store_commit
	 * hands the queue to FTS5 in one statement, in order, just before
	 * COMMIT (st_fts_sync, store.c). A search that may meet a queue
	 * (inside a write transaction) scans instead of using the index.
	 * The index stays as it was: it matches the rows. */
	"CREATE TABLE fts_pending("
	"  seq INTEGER PRIMARY KEY,"
	"  del INTEGER NOT NULL,"
	"  id INTEGER NOT NULL,"
	"  text TEXT NOT NULL) STRICT;"
	"DROP TRIGGER expenses_fts_insert;"
	"DROP TRIGGER expenses_fts_delete;"
	"DROP TRIGGER expenses_fts_update;"
	"CREATE TRIGGER expenses_fts_insert AFTER INSERT ON expenses BEGIN"
	"  INSERT INTO fts_pending(del, id, text)"
	"    VALUES (0, NEW.id, NEW.search_text);"
	"  END;"
	"CREATE TRIGGER expenses_fts_delete AFTER DELETE ON expenses BEGIN"
	"  INSERT INTO fts_pending(del, id, text)"
	"    VALUES (1, OLD.id, OLD.search_text);"
	"  END;"
	"CREATE TRIGGER expenses_fts_update AFTER UPDATE OF id, search_text"
	"  ON expenses WHEN OLD.id != NEW.id OR"
	"  OLD.search_text IS NOT NEW.search_text BEGIN"
	"  INSERT INTO fts_pending(del, id, text)"
	"    VALUES (1, OLD.id, OLD.search_text);"
	"  INSERT INTO fts_pending(del, id, text)"
	"    VALUES (0, NEW.id, NEW.search_text);"
	"  END;",

	/* 14: one index on (user, deleted, date) where there were two. The
	 * list's (…, date, id) and the totals' covering (…, date,
	 * currency, amount, amount_e4, category_id, stage) become one:
	 * (…, date, id) then the totals' columns, which serves the list's
	 * order and still covers the totals (every plan the same but for
	 * the name). Each added expense wrote a leaf of both, at a random
	 * place for a date in the past: one leaf fewer per row is about a
	 * third of SQLite's cost of an insert. */
	"DROP INDEX expenses_user_totals;"
	"DROP INDEX expenses_user_date;"
	"CREATE INDEX expenses_user_date ON expenses(user_id, deleted, date,"
	"  id, currency, amount, amount_e4, category_id, stage);",

	/* 15: a staged row (an import's) no longer adds itself to
	 * day_totals and month_totals: the import adds each batch's rows in
	 * one statement per table, a row per (day, category, currency),
	 * before the batch commits (store_import_totals). The triggers' two
	 * upserts were a quarter of an import's time. Deleting or changing
	 * a staged row still goes through the triggers, as before. */
	"DROP TRIGGER day_totals_insert;"
	"DROP TRIGGER month_totals_insert;"
	"CREATE TRIGGER day_totals_insert AFTER INSERT ON expenses WHEN "
	"NEW.deleted = 0 AND NEW.parts = 0 AND NEW.stage = 0 BEGIN INSERT "
	"INTO day_totals VALUES (NEW.user_id, NEW.date, NEW.category_id, "
	"NEW.currency, NEW.stage, 1, NEW.amount) ON CONFLICT DO UPDATE SET "
	"count = count + 1, sum = sum + excluded.sum; END;"
	"CREATE TRIGGER month_totals_insert AFTER INSERT ON expenses WHEN "
	"NEW.deleted = 0 AND NEW.parts = 0 AND NEW.stage = 0 BEGIN INSERT "
	"INTO month_totals VALUES (NEW.user_id, substr(NEW.date, 1, 7), "
	"NEW.category_id, NEW.currency, NEW.stage, 1, NEW.amount) ON "
	"CONFLICT DO UPDATE SET count = count + 1, sum = sum + excluded.sum;"
	" END;",

	/* 16: the change log's CHECK on op as three comparisons. SQLite
	 * (3.40) checks "op IN (a, b, c)" against a temporary b-tree it
	 * builds afresh at every run of the INSERT: two pages allocated and
	 * zeroed, 31k of an insert's 49k instructions (callgrind, 2,000
	 * inserts, 64 a transaction). Every write logs a change. The
	 * table is built anew under the new CHECK, its rows copied (a
	 * CHECK cannot be altered in place). Nothing refers to changes:
	 * no trigger, view or foreign key. */
	"CREATE TABLE changes_new("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  entity_id INTEGER NOT NULL,"
	"  op TEXT NOT NULL"
	"    CHECK (op = 'create' OR op = 'update' OR op = 'delete'),"
	"  version INTEGER NOT NULL,"
	"  changed_at TEXT NOT NULL,"
	"  PRIMARY KEY (user_id, seq)) STRICT, WITHOUT ROWID;"
	"INSERT INTO changes_new SELECT user_id, seq, entity, entity_id, op,"
	"  version, changed_at FROM changes;"
	"DROP TABLE changes;"
	"ALTER TABLE changes_new RENAME TO changes;"
	"CREATE INDEX changes_entity ON changes(user_id, entity, entity_id,"
	"  seq);",
};
