// Every auth flow through the official JS SDK, unmodified, against a live pocketlite whose mails
// go to a real local SMTP server (read back over MAIL_URL) and whose OAuth2 provider is a local
// process (IDP_URL). tests/sdk/test_js_sdk.py starts all three.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventSource } from "eventsource";
import PocketBase, { ClientResponseError } from "pocketbase";

const URL = process.env.POCKETLITE_URL;
const MAIL_URL = process.env.MAIL_URL;
const REDIRECT = "http://127.0.0.1:1/callback";
const PASSWORD = "Secret123!";

function client() {
  const pb = new PocketBase(URL);
  pb.autoCancellation(false);
  return pb;
}

async function mail(to, pattern, count = 1) {
  for (let i = 0; i < 200; i++) {
    const mails = await (await fetch(`${MAIL_URL}/mails?to=${encodeURIComponent(to)}`)).json();
    if (mails.length >= count) {
      const match = mails[count - 1].html.match(pattern);
      assert.ok(match, `${pattern} not in ${mails[count - 1].html}`);
      return match[1];
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`no mail to ${to}`);
}

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ClientResponseError, `not a ClientResponseError: ${err}`);
    return err;
  }
  assert.fail("the request was expected to fail");
}

async function signup(pb, email, extra = {}) {
  return pb.collection("users").create({ email, password: PASSWORD, passwordConfirm: PASSWORD, ...extra });
}

test("sign up, verify by the mailed link, log in by email and by username, refresh", async () => {
  const pb = client();
  await signup(pb, "vic@js.test", { username: "vic" });
  assert.equal(await pb.collection("users").requestVerification("vic@js.test"), true);
  const token = await mail("vic@js.test", /\/auth\/confirm-verification\/([\w.-]+)/);
  assert.equal(await pb.collection("users").confirmVerification(token), true);

  const byEmail = await pb.collection("users").authWithPassword("vic@js.test", PASSWORD);
  assert.equal(byEmail.record.verified, true);
  const byName = await pb.collection("users").authWithPassword("vic", PASSWORD);
  assert.equal(byName.record.id, byEmail.record.id);
  assert.ok(pb.authStore.isValid);
  const refreshed = await pb.collection("users").authRefresh();
  assert.equal(refreshed.record.email, "vic@js.test");
});

test("reset the password by mail; the old token is rejected", async () => {
  const pb = client();
  await signup(pb, "ria@js.test");
  await pb.collection("users").authWithPassword("ria@js.test", PASSWORD);
  const oldToken = pb.authStore.token;
  await pb.collection("users").requestPasswordReset("ria@js.test");
  const token = await mail("ria@js.test", /\/auth\/confirm-password-reset\/([\w.-]+)/);
  await pb.collection("users").confirmPasswordReset(token, "Changed789!", "Changed789!");

  const stale = client();
  stale.authStore.save(oldToken, null);
  assert.equal((await rejection(stale.collection("users").authRefresh())).status, 401);
  await rejection(pb.collection("users").authWithPassword("ria@js.test", PASSWORD));
  assert.ok((await pb.collection("users").authWithPassword("ria@js.test", "Changed789!")).token);
});

test("change the email by mail", async () => {
  const pb = client();
  await signup(pb, "ed@js.test");
  await pb.collection("users").authWithPassword("ed@js.test", PASSWORD);
  await pb.collection("users").requestEmailChange("ed2@js.test");
  const token = await mail("ed2@js.test", /\/auth\/confirm-email-change\/([\w.-]+)/);
  await pb.collection("users").confirmEmailChange(token, PASSWORD);
  const again = await client().collection("users").authWithPassword("ed2@js.test", PASSWORD);
  assert.equal(again.record.email, "ed2@js.test");
});

test("log in by OTP; a used code is refused", async () => {
  const pb = client();
  await signup(pb, "oz@js.test");
  const { otpId } = await pb.collection("users").requestOTP("oz@js.test");
  const code = await mail("oz@js.test", /<strong>(\d{8})<\/strong>/);
  const auth = await pb.collection("users").authWithOTP(otpId, code);
  assert.equal(auth.record.email, "oz@js.test");
  assert.equal(auth.record.verified, true);
  const replay = await rejection(client().collection("users").authWithOTP(otpId, code));
  assert.equal(replay.status, 400);
});

test("MFA: password first, then OTP with the mfaId", async () => {
  const pb = client();
  await signup(pb, "mf@js.test", { username: "mfa" });
  const first = await rejection(pb.collection("users").authWithPassword("mf@js.test", PASSWORD));
  assert.equal(first.status, 401);
  const mfaId = first.response.mfaId;
  assert.ok(mfaId);
  const { otpId } = await pb.collection("users").requestOTP("mf@js.test");
  const code = await mail("mf@js.test", /<strong>(\d{8})<\/strong>/);
  const auth = await pb.collection("users").authWithOTP(otpId, code, { mfaId });
  assert.equal(auth.record.email, "mf@js.test");
  assert.ok(pb.authStore.isValid);
});

test("OAuth2: the code flow creates the user, the second login finds it again", async () => {
  const pb = client();
  const methods = await pb.collection("users").listAuthMethods();
  assert.equal(methods.oauth2.enabled, true);
  const provider = methods.oauth2.providers.find((p) => p.name === "oidc");
  async function code() {
    const res = await fetch(`${provider.authURL}${encodeURIComponent(REDIRECT)}&login_hint=jo`, { redirect: "manual" });
    return new globalThis.URL(res.headers.get("location")).searchParams.get("code");
  }
  const first = await pb.collection("users").authWithOAuth2Code("oidc", await code(), provider.codeVerifier, REDIRECT);
  assert.equal(first.meta.isNew, true);
  assert.equal(first.record.name, "Jo JS");
  assert.equal(first.record.verified, true);
  const second = await pb.collection("users").authWithOAuth2Code("oidc", await code(), provider.codeVerifier, REDIRECT);
  assert.equal(second.meta.isNew, false);
  assert.equal(second.record.id, first.record.id);
});

test("impersonate: a superuser gets a non-refreshable token of a user", async () => {
  const user = await signup(client(), "imp@js.test");
  const admin = client();
  await admin.collection("_superusers").authWithPassword(process.env.SUPERUSER_EMAIL, process.env.SUPERUSER_PASSWORD);
  const impersonated = await admin.collection("users").impersonate(user.id, 60);
  assert.equal(impersonated.authStore.record.id, user.id);
  const same = await impersonated.collection("users").authRefresh();
  assert.equal(same.token, impersonated.authStore.token);
});

test("OAuth2 popup flow: the code comes back through /api/oauth2-redirect over realtime", async () => {
  globalThis.EventSource = EventSource;
  const pb = client();
  let visited = 0;
  const auth = await pb.collection("users").authWithOAuth2({
    provider: "oidc",
    // The "browser": follow the provider's redirect back to /api/oauth2-redirect.
    urlCallback: async (url) => {
      const res = await fetch(`${url}&login_hint=jo`);
      assert.equal(res.status, 200);
      visited++;
    },
  });
  assert.equal(visited, 1);
  assert.equal(auth.record.email, "jo@js.test");
  assert.ok(pb.authStore.isValid);
  assert.equal(pb.realtime.isConnected, false);
});
