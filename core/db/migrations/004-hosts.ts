// Hosts the collector polls over SSH, and their metrics samples. Key material sits in columns
// of its own (write-only in the API); the poll schedule and its lease live on the host row so
// that several collectors share the hosts the way notifiers share the outbox.

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING, TEXT, BOOLEAN, FLOAT } = DataTypes;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const ms = (allowNull: boolean) => ({ type: BIGINT, allowNull });
  await qi.createTable("hosts", {
    id: { type: INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    name: { type: STRING(200), allowNull: false, unique: true },
    address: { type: STRING(253), allowNull: false },
    port: { type: INTEGER, allowNull: false, defaultValue: 22 },
    username: { type: STRING(100), allowNull: false },
    // one of: the key itself (secret) or a path on the collector's machine
    private_key: { type: TEXT, allowNull: true },
    key_path: { type: STRING(1000), allowNull: true },
    passphrase: { type: TEXT, allowNull: true },
    host_key_fingerprint: { type: STRING(100), allowNull: true },
    trust_on_first_use: { type: BOOLEAN, allowNull: false, defaultValue: false },
    interval_seconds: { type: INTEGER, allowNull: false },
    grace_seconds: { type: INTEGER, allowNull: false },
    checks: { type: TEXT, allowNull: false },
    processes: { type: TEXT, allowNull: false },
    monitor_id: { type: INTEGER, allowNull: true },
    enabled: { type: BOOLEAN, allowNull: false, defaultValue: true },
    next_poll_at: ms(false),
    lease_until: ms(true),
    claimed_by: { type: STRING(100), allowNull: true },
    last_poll_at: ms(true),
    last_result: { type: TEXT, allowNull: true },
    created_at: ms(false),
    updated_at: ms(false),
  });
  await qi.addIndex("hosts", ["next_poll_at"], { name: "hosts_next_poll_at" });

  await qi.createTable("host_samples", {
    id: { type: BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
    host_id: { type: INTEGER, allowNull: false },
    started_at: ms(false),
    duration_ms: { type: INTEGER, allowNull: false },
    ok: { type: BOOLEAN, allowNull: false },
    cpu: { type: FLOAT, allowNull: true },
    memory: { type: FLOAT, allowNull: true },
    swap: { type: FLOAT, allowNull: true },
    load1: { type: FLOAT, allowNull: true },
    // [{mount, usedPercent}], and the error when the poll failed
    disks: { type: TEXT, allowNull: true },
    error: { type: STRING(500), allowNull: true },
    // the collector node that polled: shows how replicas share the hosts
    polled_by: { type: STRING(100), allowNull: true },
  });
  await qi.addIndex("host_samples", ["host_id", "started_at"], { name: "host_samples_host" });
  await qi.addIndex("host_samples", ["started_at"], { name: "host_samples_started_at" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("host_samples");
  await qi.dropTable("hosts");
}
