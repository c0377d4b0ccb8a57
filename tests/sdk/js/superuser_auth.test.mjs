// The official PocketBase JS SDK, unmodified, against a live pocketlite server.
// tests/sdk/test_js_sdk.py starts the server and passes its URL and superuser in the env.
import { test } from "node:test";
import assert from "node:assert/strict";
import PocketBase, { ClientResponseError } from "pocketbase";

const URL = process.env.POCKETLITE_URL;
const EMAIL = process.env.SUPERUSER_EMAIL;
const PASSWORD = process.env.SUPERUSER_PASSWORD;

function client() {
  const pb = new PocketBase(URL);
  pb.autoCancellation(false);
  return pb;
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

test("health.check answers like PocketBase", async () => {
  const pb = client();
  assert.deepEqual(await pb.health.check(), { message: "API is healthy.", code: 200, data: {} });
});

test("health.check passes query options such as fields", async () => {
  const pb = client();
  assert.deepEqual(await pb.health.check({ fields: "message" }), { message: "API is healthy." });
});

test("authWithPassword fills the auth store with a valid superuser token", async () => {
  const pb = client();
  const auth = await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);

  assert.equal(auth.record.email, EMAIL);
  assert.equal(auth.record.collectionName, "_superusers");
  assert.equal(auth.record.collectionId, "pbc_3142635823");
  assert.equal(auth.record.password, undefined);
  assert.equal(auth.record.tokenKey, undefined);
  assert.equal(pb.authStore.token, auth.token);
  assert.ok(pb.authStore.isValid);
  assert.ok(pb.authStore.isSuperuser);
});

test("a superuser token unlocks health diagnostics", async () => {
  const pb = client();
  await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
  const health = await pb.health.check();
  assert.equal(health.data.canBackup, true);
  assert.equal(health.data.realIP, "127.0.0.1");
});

test("the collection can be addressed by its id", async () => {
  const pb = client();
  const auth = await pb.collection("pbc_3142635823").authWithPassword(EMAIL, PASSWORD);
  assert.equal(auth.record.email, EMAIL);
  assert.ok(pb.authStore.isSuperuser);
});

test("authRefresh returns a new token for the same record", async () => {
  const pb = client();
  const first = await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
  // Tokens are second-resolution; wait so the refreshed one differs.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const refreshed = await pb.collection("_superusers").authRefresh();

  assert.equal(refreshed.record.id, first.record.id);
  assert.notEqual(refreshed.token, first.token);
  assert.equal(pb.authStore.token, refreshed.token);
  assert.ok(pb.authStore.isValid);
});

test("a wrong password is a 400 with PocketBase's body", async () => {
  const pb = client();
  const err = await rejection(pb.collection("_superusers").authWithPassword(EMAIL, "wrong-password"));
  assert.equal(err.status, 400);
  assert.deepEqual(err.response, { data: {}, message: "Failed to authenticate.", status: 400 });
  assert.equal(pb.authStore.isValid, false);
});

test("blank credentials report each field as required", async () => {
  const pb = client();
  const err = await rejection(pb.collection("_superusers").authWithPassword("", ""));
  assert.equal(err.status, 400);
  assert.deepEqual(err.response.data, {
    identity: { code: "validation_required", message: "Cannot be blank." },
    password: { code: "validation_required", message: "Cannot be blank." },
  });
});

test("authRefresh without a token is a 401", async () => {
  const pb = client();
  const err = await rejection(pb.collection("_superusers").authRefresh());
  assert.equal(err.status, 401);
  assert.equal(err.response.message, "The request requires valid record authorization token.");
});

test("an unknown collection is a 404", async () => {
  const pb = client();
  const err = await rejection(pb.collection("nope").authWithPassword(EMAIL, PASSWORD));
  assert.equal(err.status, 404);
  assert.equal(err.response.message, "Missing or invalid collection context.");
});

test("the default users collection accepts the login request and refuses unknown users", async () => {
  const pb = client();
  const err = await rejection(pb.collection("users").authWithPassword("nobody@example.com", "Passw0rd123"));
  assert.equal(err.status, 400);
  assert.equal(err.response.message, "Failed to authenticate.");
});

test("an unknown route answers 404 through pb.send", async () => {
  const pb = client();
  const err = await rejection(pb.send("/api/nope", { method: "POST" }));
  assert.equal(err.status, 404);
  assert.equal(err.response.message, "The requested resource wasn't found.");
});
