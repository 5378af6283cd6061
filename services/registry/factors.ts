// The registry's second factors (issue 19): enrolling and removing authenticator apps (TOTP),
// passkeys and recovery codes, and the second step of a sign-in. The gateway has checked the
// password (re-authentication) before any enrolment or removal reaches here; it works out the
// WebAuthn relying party (rpID, origin) from PUBLIC_URL or the request. TOTP is
// core/security/totp.ts, the SQL core/db/factors.ts, WebAuthn @simplewebauthn/server.

import { Errors, type Context } from "moleculer";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import QRCode from "qrcode";
import type { ServiceDeps } from "../deps.ts";
import { base32Decode, base32Encode, matchTotp, newTotpSecret, otpauthUri } from "../../core/security/totp.ts";
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from "../../core/security/recovery-codes.ts";
import {
  addPasskey,
  challengeOf,
  createChallenge,
  endChallenge,
  factorsOf,
  failChallenge,
  passkeysOf,
  recoveryCodesLeft,
  removeFactor,
  replaceRecoveryCodes,
  startTotp,
  takeTotpStep,
  totpFactors,
  useRecoveryCode,
  usePasskey,
} from "../../core/db/factors.ts";
import { deleteSessionsOf } from "../../core/db/sessions.ts";
import { findUser } from "../../core/db/users.ts";
import { readSettings, writeSettings, type Settings } from "../../core/db/settings.ts";

const { MoleculerClientError } = Errors;

/** How long a sign-in waits for its second factor, and how many wrong answers it takes. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
export const CHALLENGE_MAX_FAILURES = 5;

/** Where WebAuthn ceremonies happen: the gateway's answer to "which site is this". */
export interface RelyingParty {
  rpID: string;
  origin: string;
}

const invalid = (field: string, message: string): never => {
  throw new MoleculerClientError(message, 422, "VALIDATION_ERROR", [{ field, message }]);
};

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

export function factorsArea({ db, clock, secrets: box }: ServiceDeps) {
  const secretOf = (stored: string): Buffer => {
    const b = base32Decode(box.open(stored));
    if (!b) throw new Error("a stored TOTP secret is not base32");
    return b;
  };

  /** Ten new recovery codes replace the old; the plain codes are answered once and not kept. */
  async function freshRecoveryCodes(userId: number): Promise<string[]> {
    const codes = newRecoveryCodes();
    await replaceRecoveryCodes(
      db,
      userId,
      codes.map((c) => hashRecoveryCode(normalizeRecoveryCode(c)!)),
    );
    return codes;
  }

  /** A first factor comes with recovery codes; later ones keep the set the user has. */
  async function codesForNewFactor(userId: number, hadFactors: boolean): Promise<string[] | null> {
    return hadFactors && (await recoveryCodesLeft(db, userId)) > 0 ? null : freshRecoveryCodes(userId);
  }

  /** The options a browser needs to sign with one of this user's passkeys, or null without any. */
  async function passkeyRequest(userId: number, rp: RelyingParty) {
    const keys = await passkeysOf(db, userId);
    if (!keys.length) return null;
    return generateAuthenticationOptions({
      rpID: rp.rpID,
      allowCredentials: keys.map((k) => ({ id: k.credentialId, transports: k.transports })),
      userVerification: "preferred",
    });
  }

  /** Whether a signed passkey assertion is one of this user's keys over this challenge. */
  async function passkeyOk(
    userId: number,
    expectedChallenge: string,
    response: AuthenticationResponseJSON,
    rp: RelyingParty,
  ): Promise<boolean> {
    const key = (await passkeysOf(db, userId)).find((k) => k.credentialId === response.id);
    if (!key) return false;
    try {
      const r = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpID,
        credential: {
          id: key.credentialId,
          publicKey: Buffer.from(key.publicKey, "base64url"),
          counter: key.signCount,
          transports: key.transports,
        },
        requireUserVerification: false,
      });
      if (!r.verified) return false;
      // A counter that did not move on (when the key keeps one) means a clone, or a race with
      // another gateway over the same assertion: refused either way.
      return usePasskey(db, key.id, r.authenticationInfo.newCounter, key.signCount, clock.now());
    } catch {
      return false;
    }
  }

  return {
    async list(ctx: Context<{ userId: number }>) {
      const { userId } = ctx.params;
      const factors = await factorsOf(db, userId);
      return {
        factors: factors.map((f) => ({
          id: f.id,
          kind: f.kind,
          name: f.name,
          createdAt: new Date(f.createdAt).toISOString(),
          lastUsedAt: f.lastUsedAt === null ? null : new Date(f.lastUsedAt).toISOString(),
        })),
        recoveryCodesLeft: factors.length ? await recoveryCodesLeft(db, userId) : 0,
      };
    },

    /** A new authenticator app: its secret (as text and as a QR code) to confirm with a first code. */
    async totpStart(ctx: Context<{ userId: number; username: string; name?: string; issuer: string }>) {
      const secret = newTotpSecret();
      const text = base32Encode(secret);
      await startTotp(db, ctx.params.userId, ctx.params.name || "Authenticator app", box.seal(text), clock.now());
      const uri = otpauthUri(secret, ctx.params.issuer, ctx.params.username);
      return { secret: text, uri, qrSvg: await QRCode.toString(uri, { type: "svg", margin: 1 }) };
    },

    /** The first code from the app confirms the enrolment; that code is spent. */
    async totpConfirm(ctx: Context<{ userId: number; code: string }>) {
      const { userId, code } = ctx.params;
      const [pending] = await totpFactors(db, userId, true);
      if (!pending) invalid("code", "no authenticator app is being added: start again");
      const hadFactors = (await factorsOf(db, userId)).length > 0;
      const step = matchTotp(secretOf(pending!.secret), code, clock.now(), pending!.lastStep);
      if (step === null || !(await takeTotpStep(db, pending!.id, step, clock.now())))
        invalid("code", "that code is not the app's current one: check the phone's clock and try the next code");
      return { id: pending!.id, recoveryCodes: await codesForNewFactor(userId, hadFactors) };
    },

    async passkeyOptions(ctx: Context<{ userId: number; username: string; rp: RelyingParty }>) {
      const { userId, username, rp } = ctx.params;
      const existing = await passkeysOf(db, userId);
      const options = await generateRegistrationOptions({
        rpName: "Heartbeats",
        rpID: rp.rpID,
        userName: username,
        userID: Buffer.from(`heartbeats-user-${userId}`),
        attestationType: "none",
        excludeCredentials: existing.map((k) => ({ id: k.credentialId, transports: k.transports })),
        authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
      });
      const token = await createChallenge(db, userId, "enrol", options.challenge, clock.now(), CHALLENGE_TTL_MS);
      return { token, options };
    },

    async passkeyAdd(
      ctx: Context<{
        userId: number;
        token: string;
        name?: string;
        response: RegistrationResponseJSON;
        rp: RelyingParty;
      }>,
    ) {
      const { userId, token, response, rp } = ctx.params;
      const c = await challengeOf(db, token, "enrol", clock.now());
      if (!c || c.userId !== userId || !c.webauthnChallenge || !(await endChallenge(db, token)))
        invalid("token", "this passkey request has expired: start again");
      let info;
      try {
        const r = await verifyRegistrationResponse({
          response,
          expectedChallenge: c!.webauthnChallenge!,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpID,
          requireUserVerification: false,
        });
        info = r.verified ? r.registrationInfo : null;
      } catch (err) {
        invalid("response", `the passkey's answer was refused: ${(err as Error).message}`);
      }
      if (!info) invalid("response", "the passkey's answer was refused");
      const hadFactors = (await factorsOf(db, userId)).length > 0;
      const id = await addPasskey(
        db,
        userId,
        ctx.params.name || "Passkey",
        {
          credentialId: info!.credential.id,
          publicKey: b64url(info!.credential.publicKey),
          signCount: info!.credential.counter,
          transports: info!.credential.transports ?? [],
        },
        clock.now(),
      );
      return { id, recoveryCodes: await codesForNewFactor(userId, hadFactors) };
    },

    /** Removing a factor ends every session of its user (issue 19: it may be why it is removed). */
    async remove(ctx: Context<{ userId: number; id: number }>) {
      if (!(await removeFactor(db, ctx.params.userId, ctx.params.id)))
        throw new MoleculerClientError("no such factor", 404, "NOT_FOUND", { field: "id" });
      await deleteSessionsOf(db, ctx.params.userId);
      return { removed: true };
    },

    async regenerateRecoveryCodes(ctx: Context<{ userId: number }>) {
      if (!(await factorsOf(db, ctx.params.userId)).length)
        invalid("recoveryCodes", "recovery codes come with a second factor: add one first");
      return { recoveryCodes: await freshRecoveryCodes(ctx.params.userId) };
    },

    /**
     * After the right password: null when the user has no second factor (sign in now), else the
     * challenge to answer with a TOTP code, a recovery code or a passkey.
     */
    async signinStart(ctx: Context<{ userId: number; rp: RelyingParty }>) {
      const { userId, rp } = ctx.params;
      const factors = await factorsOf(db, userId);
      if (!factors.length) return null;
      const passkey = await passkeyRequest(userId, rp);
      const token = await createChallenge(
        db,
        userId,
        "signin",
        passkey?.challenge ?? null,
        clock.now(),
        CHALLENGE_TTL_MS,
      );
      return {
        token,
        methods: [...new Set(factors.map((f) => f.kind)), "recovery"],
        passkey,
      };
    },

    /**
     * The second step: the user when the answer is right (the challenge is then spent), or
     * how many tries the challenge has left.
     */
    async signinFinish(
      ctx: Context<{
        token: string;
        username: string;
        code?: string;
        recoveryCode?: string;
        passkey?: AuthenticationResponseJSON;
        rp: RelyingParty;
      }>,
    ) {
      const { token, username, code, recoveryCode, passkey, rp } = ctx.params;
      const now = clock.now();
      const c = await challengeOf(db, token, "signin", now);
      if (!c) return { user: null, left: 0, reason: "expired" };
      // The name must be the challenge's: it is what wrong answers are counted under.
      const user = await findUser(db, username);
      if (!user || user.id !== c.userId)
        return { user: null, left: c ? CHALLENGE_MAX_FAILURES - c.failures : 0, reason: "username" };
      let ok = false;
      if (code !== undefined) {
        for (const f of await totpFactors(db, c.userId)) {
          const step = matchTotp(secretOf(f.secret), code, now, f.lastStep);
          if (step !== null && (await takeTotpStep(db, f.id, step, now))) {
            ok = true;
            break;
          }
        }
      } else if (recoveryCode !== undefined) {
        const n = normalizeRecoveryCode(recoveryCode);
        ok = n !== null && (await useRecoveryCode(db, c.userId, hashRecoveryCode(n), now));
      } else if (passkey !== undefined && c.webauthnChallenge) {
        ok = await passkeyOk(c.userId, c.webauthnChallenge, passkey, rp);
      }
      if (ok && (await endChallenge(db, token))) return { user, left: 0, reason: null };
      return { user: null, left: await failChallenge(db, token, CHALLENGE_MAX_FAILURES), reason: "wrong" };
    },

    settings(): Promise<Settings> {
      return readSettings(db);
    },

    updateSettings(ctx: Context<Partial<Settings>>) {
      return writeSettings(db, ctx.params, clock.now());
    },
  };
}
