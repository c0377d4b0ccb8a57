// Realtime through the official JS SDK (SSE, with the `eventsource` package as Node's
// EventSource): subscribe to a collection and to one record, options, API rules per subscriber,
// order of events, unsubscribe.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { EventSource } from "eventsource";
import PocketBase from "pocketbase";

globalThis.EventSource = EventSource;

const URL = process.env.POCKETLITE_URL;
const admin = new PocketBase(URL);
admin.autoCancellation(false);

const clients = [];

function client() {
  const pb = new PocketBase(URL);
  pb.autoCancellation(false);
  clients.push(pb);
  return pb;
}

// A failed test must not leave a stream open: Node would wait for it forever.
after(async () => {
  for (const pb of clients) await pb.realtime.unsubscribe();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition, what) {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  await admin.collection("_superusers").authWithPassword(process.env.SUPERUSER_EMAIL, process.env.SUPERUSER_PASSWORD);
  await admin.collections.create({
    name: "live_notes",
    listRule: "",
    viewRule: "",
    fields: [
      { name: "title", type: "text" },
      { name: "rank", type: "number" },
      { name: "owner", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
    ],
  });
  await admin.collections.create({
    name: "live_private",
    listRule: "owner = @request.auth.id",
    viewRule: "owner = @request.auth.id",
    fields: [
      { name: "title", type: "text" },
      { name: "owner", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
    ],
  });
});

test("subscribe('*') gets create, update and delete in order; unsubscribe stops them", async () => {
  const pb = client();
  const events = [];
  const unsubscribe = await pb.collection("live_notes").subscribe("*", (e) => events.push(e));
  assert.equal(pb.realtime.isConnected, true);

  const note = await admin.collection("live_notes").create({ title: "first" });
  await admin.collection("live_notes").update(note.id, { title: "second" });
  await admin.collection("live_notes").delete(note.id);
  await until(() => events.length === 3, "three events");
  assert.deepEqual(events.map((e) => e.action), ["create", "update", "delete"]);
  assert.deepEqual(events.map((e) => e.record.title), ["first", "second", "second"]);
  assert.equal(events[0].record.collectionName, "live_notes");

  await unsubscribe();
  assert.equal(pb.realtime.isConnected, false);
  await admin.collection("live_notes").create({ title: "unseen" });
  await sleep(300);
  assert.equal(events.length, 3);
});

test("fifty quick writes arrive in commit order", async () => {
  const pb = client();
  const ranks = [];
  await pb.collection("live_notes").subscribe("*", (e) => ranks.push(e.record.rank), { filter: "title = 'burst'" });
  for (let rank = 0; rank < 50; rank++) {
    await admin.collection("live_notes").create({ title: "burst", rank });
  }
  await until(() => ranks.length === 50, "fifty events");
  assert.deepEqual(ranks, [...Array(50).keys()]);
  await pb.realtime.unsubscribe();
});

test("subscribe(id) follows one record; options filter, fields and expand apply", async () => {
  const pb = client();
  const owner = await pb.collection("users").create({
    email: "live-owner@example.com", password: "12345678", passwordConfirm: "12345678", name: "Owner",
  });
  // Signed in as the owner, who may view herself: the expanded relation follows the users' view rule.
  await pb.collection("users").authWithPassword("live-owner@example.com", "12345678");
  const watched = await admin.collection("live_notes").create({ title: "watched", owner: owner.id });
  const other = await admin.collection("live_notes").create({ title: "other" });
  const one = [];
  const shaped = [];
  await pb.collection("live_notes").subscribe(watched.id, (e) => one.push(e));
  await pb.collection("live_notes").subscribe("*", (e) => shaped.push(e), {
    filter: "title ~ 'watch'",
    fields: "id,title,expand.owner.name",
    expand: "owner",
  });

  await admin.collection("live_notes").update(other.id, { rank: 1 });
  await admin.collection("live_notes").update(watched.id, { rank: 2 });
  await until(() => one.length === 1 && shaped.length === 1, "one event each");
  await sleep(200);
  assert.equal(one.length, 1);
  assert.equal(one[0].record.id, watched.id);
  assert.equal(one[0].record.rank, 2);
  assert.deepEqual(shaped[0].record, { id: watched.id, title: "watched", expand: { owner: { name: "Owner" } } });
  await pb.realtime.unsubscribe();
});

test("each subscriber gets what its own auth may see", async () => {
  const users = [];
  for (const name of ["ann", "ben"]) {
    const pb = client();
    const email = `live-${name}@example.com`;
    const user = await pb.collection("users").create({ email, password: "12345678", passwordConfirm: "12345678" });
    await pb.collection("users").authWithPassword(email, "12345678");
    const seen = [];
    await pb.collection("live_private").subscribe("*", (e) => seen.push(e.record.title));
    users.push({ user, pb, seen });
  }
  const guest = client();
  const guestSeen = [];
  await guest.collection("live_private").subscribe("*", (e) => guestSeen.push(e.record.title));

  await admin.collection("live_private").create({ title: "for ann", owner: users[0].user.id });
  await admin.collection("live_private").create({ title: "for ben", owner: users[1].user.id });
  await until(() => users.every((u) => u.seen.length === 1), "one event per user");
  await sleep(200);
  assert.deepEqual(users[0].seen, ["for ann"]);
  assert.deepEqual(users[1].seen, ["for ben"]);
  assert.deepEqual(guestSeen, []);
  for (const pb of [guest, ...users.map((u) => u.pb)]) await pb.realtime.unsubscribe();
});
