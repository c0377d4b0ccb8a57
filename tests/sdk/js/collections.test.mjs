// Schema management through the official JS SDK's `pb.collections` service.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import PocketBase, { ClientResponseError } from "pocketbase";

const pb = new PocketBase(process.env.POCKETLITE_URL);
pb.autoCancellation(false);

before(async () => {
  await pb.collection("_superusers").authWithPassword(process.env.SUPERUSER_EMAIL, process.env.SUPERUSER_PASSWORD);
});

const EVERY_FIELD = (authorsId) => [
  { name: "title", type: "text", required: true, min: 3, max: 100, pattern: "^[A-Za-z ]+$" },
  { name: "views", type: "number", min: 0, max: 1000, onlyInt: true },
  { name: "published", type: "bool" },
  { name: "contact", type: "email", onlyDomains: ["example.com"] },
  { name: "site", type: "url", exceptDomains: ["bad.com"] },
  { name: "body", type: "editor", maxSize: 2000, convertURLs: true },
  { name: "pubDate", type: "date", min: "2020-01-01 00:00:00.000Z", max: "2030-12-31 10:00:00.000Z" },
  { name: "created", type: "autodate", onCreate: true },
  { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
  { name: "tags", type: "select", values: ["a", "b", "c"], maxSelect: 2 },
  { name: "doc", type: "file", maxSelect: 3, maxSize: 1000, mimeTypes: ["image/png"], thumbs: ["100x100"], protected: true },
  { name: "author", type: "relation", collectionId: authorsId, cascadeDelete: true, maxSelect: 1 },
  { name: "meta", type: "json", maxSize: 500, hidden: true },
  { name: "secret", type: "password", min: 5, max: 50, cost: 6 },
  { name: "location", type: "geoPoint", help: "where" },
];

test("one collection of each type with every field type round-trips", async () => {
  const authors = await pb.collections.create({ name: "sdk_authors", type: "auth" });
  const posts = await pb.collections.create({ name: "sdk_posts", fields: EVERY_FIELD(authors.id), listRule: "" });
  const view = await pb.collections.create({
    name: "sdk_stats",
    type: "view",
    viewQuery: "select p.id, p.title, count(p.views) as n, p.author from sdk_posts p group by p.id",
  });

  const read = await pb.collections.getOne("sdk_posts");
  assert.deepEqual(read, posts);
  const sent = EVERY_FIELD(authors.id);
  for (const field of sent) {
    const got = read.fields.find((f) => f.name === field.name);
    for (const [key, value] of Object.entries(field)) {
      assert.deepEqual(got[key], value, `${field.name}.${key}`);
    }
  }
  assert.deepEqual(view.fields.map((f) => [f.name, f.type]), [
    ["id", "text"], ["title", "text"], ["n", "number"], ["author", "relation"],
  ]);
  assert.equal(authors.passwordAuth.enabled, true);
  assert.deepEqual(authors.fields.map((f) => f.name), ["id", "password", "tokenKey", "email", "emailVisibility", "verified"]);
});

test("renaming a field and adding an index", async () => {
  const created = await pb.collections.create({ name: "sdk_notes", fields: [{ name: "body", type: "text" }] });
  const fields = created.fields.map((f) => (f.name === "body" ? { ...f, name: "text" } : f));
  const updated = await pb.collections.update("sdk_notes", {
    fields,
    indexes: ["CREATE INDEX idx_sdk_notes_text ON sdk_notes (text)"],
  });
  assert.equal(updated.fields[1].id, created.fields[1].id);
  assert.equal(updated.fields[1].name, "text");
  // Kept as sent: PocketBase only rewrites statements whose table isn't the collection's.
  assert.deepEqual(updated.indexes, ["CREATE INDEX idx_sdk_notes_text ON sdk_notes (text)"]);
});

test("validation errors come back on ClientResponseError.response.data", async () => {
  try {
    await pb.collections.create({ name: "sdk bad" });
    assert.fail("expected a 400");
  } catch (err) {
    assert.ok(err instanceof ClientResponseError);
    assert.equal(err.status, 400);
    assert.deepEqual(err.response.data, { name: { code: "validation_match_invalid", message: "Must be in a valid format." } });
  }
});

test("list, scaffolds, import and delete", async () => {
  const all = await pb.collections.getFullList({ filter: "system = false", sort: "name" });
  assert.ok(all.some((c) => c.name === "users"));
  assert.ok(all.every((c) => c.system === false));

  const scaffolds = await pb.collections.getScaffolds();
  assert.deepEqual(Object.keys(scaffolds).sort(), ["auth", "base", "view"]);

  await pb.collections.import([{ name: "sdk_imported", fields: [{ name: "a", type: "text" }] }], false);
  const imported = await pb.collections.getOne("sdk_imported");
  assert.deepEqual(imported.fields.map((f) => f.name), ["id", "a"]);

  await pb.collections.truncate("sdk_imported");
  await pb.collections.delete("sdk_imported");
  await assert.rejects(pb.collections.getOne("sdk_imported"), (err) => err.status === 404);
});
