// Records through the official JS SDK: CRUD, pb.filter() parameters, expand, getFullList and
// getFirstListItem (which send skipTotal), and a user working within API rules.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import PocketBase, { ClientResponseError } from "pocketbase";

const URL = process.env.POCKETLITE_URL;
const admin = new PocketBase(URL);
admin.autoCancellation(false);

before(async () => {
  await admin.collection("_superusers").authWithPassword(process.env.SUPERUSER_EMAIL, process.env.SUPERUSER_PASSWORD);
  await admin.collections.create({
    name: "sdk_tasks",
    listRule: "owner = @request.auth.id",
    viewRule: "owner = @request.auth.id",
    createRule: "@request.auth.id != '' && owner = @request.auth.id",
    updateRule: "owner = @request.auth.id",
    deleteRule: "owner = @request.auth.id",
    fields: [
      { name: "title", type: "text", required: true },
      { name: "done", type: "bool" },
      { name: "points", type: "number" },
      { name: "owner", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
    ],
  });
});

test("a user creates, lists, updates and deletes her own records", async () => {
  const pb = new PocketBase(URL);
  pb.autoCancellation(false);
  const user = await pb.collection("users").create({
    email: "sdk-user@example.com", password: "12345678", passwordConfirm: "12345678", name: "Sdk",
  });
  await pb.collection("users").authWithPassword("sdk-user@example.com", "12345678");

  const first = await pb.collection("sdk_tasks").create({ title: "write tests", owner: user.id, points: 3 });
  await pb.collection("sdk_tasks").create({ title: "ship it", owner: user.id, points: 5 });

  const page = await pb.collection("sdk_tasks").getList(1, 10, {
    filter: pb.filter("points >= {:min} && title ~ {:text}", { min: 3, text: "i" }),
    sort: "-points",
    expand: "owner",
  });
  assert.equal(page.totalItems, 2);
  assert.deepEqual(page.items.map((t) => t.title), ["ship it", "write tests"]);
  assert.equal(page.items[0].expand.owner.name, "Sdk");

  const updated = await pb.collection("sdk_tasks").update(first.id, { "points+": 2, done: true });
  assert.equal(updated.points, 5);
  assert.equal(updated.done, true);

  const all = await pb.collection("sdk_tasks").getFullList({ sort: "title" });
  assert.equal(all.length, 2);
  const found = await pb.collection("sdk_tasks").getFirstListItem(pb.filter("title = {:t}", { t: "ship it" }));
  assert.equal(found.points, 5);

  assert.equal(await pb.collection("sdk_tasks").delete(first.id), true);
  await assert.rejects(pb.collection("sdk_tasks").getOne(first.id), (err) => err.status === 404);
});

test("rules keep other users out", async () => {
  const guest = new PocketBase(URL);
  guest.autoCancellation(false);
  const list = await guest.collection("sdk_tasks").getList(1, 10);
  assert.equal(list.totalItems, 0);
  try {
    await guest.collection("sdk_tasks").create({ title: "nope" });
    assert.fail("expected a 400");
  } catch (err) {
    assert.ok(err instanceof ClientResponseError);
    assert.equal(err.status, 400);
    assert.equal(err.response.message, "Failed to create record.");
  }
});
