// Two-factor sign-in (issue 19): each person's second factors (authenticator apps and passkeys),
// their recovery codes, the sign-ins waiting for a second factor, and the first setting of the
// whole installation: whether admins must have a second factor.

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING, TEXT } = DataTypes;

const user = () => ({
  type: INTEGER,
  allowNull: false,
  references: { model: "users", key: "id" },
  onDelete: "CASCADE",
});

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("user_factors", {
    id: { type: INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    user_id: user(),
    // "totp" or "passkey"
    kind: { type: STRING(8), allowNull: false },
    name: { type: STRING(100), allowNull: false },
    // TOTP: the base32 secret, sealed with SECRET_KEY when one is set
    secret: { type: TEXT, allowNull: true },
    // TOTP: the last step whose code was accepted; no code of it or before it works again
    last_step: { type: BIGINT, allowNull: true },
    // passkeys: the credential's id and COSE public key (base64url), its signature counter and transports
    credential_id: { type: STRING(1400), allowNull: true },
    public_key: { type: TEXT, allowNull: true },
    sign_count: { type: BIGINT, allowNull: true },
    transports: { type: STRING(200), allowNull: true },
    // 0 until a TOTP enrolment is confirmed with a first code; passkeys are confirmed when made
    confirmed: { type: INTEGER, allowNull: false, defaultValue: 0 },
    created_at: { type: BIGINT, allowNull: false },
    last_used_at: { type: BIGINT, allowNull: true },
  });
  await qi.addIndex("user_factors", ["user_id"], { name: "user_factors_user" });
  await qi.createTable("recovery_codes", {
    id: { type: INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    user_id: user(),
    code_hash: { type: STRING(64), allowNull: false },
    used_at: { type: BIGINT, allowNull: true },
  });
  await qi.addIndex("recovery_codes", ["user_id"], { name: "recovery_codes_user" });
  // A sign-in whose password was right and which waits for a second factor, or a passkey being
  // enrolled: the WebAuthn challenge lives here, not in one gateway's memory.
  await qi.createTable("factor_challenges", {
    token_hash: { type: STRING(64), primaryKey: true, allowNull: false },
    user_id: user(),
    // "signin" or "enrol"
    purpose: { type: STRING(8), allowNull: false },
    webauthn_challenge: { type: STRING(200), allowNull: true },
    failures: { type: INTEGER, allowNull: false, defaultValue: 0 },
    expires_at: { type: BIGINT, allowNull: false },
  });
  await qi.addIndex("factor_challenges", ["expires_at"], { name: "factor_challenges_expires_at" });
  await qi.createTable("settings", {
    name: { type: STRING(64), primaryKey: true, allowNull: false },
    value: { type: TEXT, allowNull: false },
    updated_at: { type: BIGINT, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("factor_challenges");
  await qi.dropTable("recovery_codes");
  await qi.dropTable("user_factors");
  await qi.dropTable("settings");
}
