// Files through the official JS SDK: upload with create/update, download byte for byte through
// pb.files.getURL, thumbnails, file tokens for protected files, removing files.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";

const URL = process.env.POCKETLITE_URL;
const admin = new PocketBase(URL);
admin.autoCancellation(false);

// A 3x2 PNG, and the size a PNG header declares (bytes 16-23).
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAFUlEQVR4nGNkYPjPwMDAwMDAxAADABErAQPdiBRnAAAAAElFTkSuQmCC",
  "base64",
);
const pngSize = (bytes) => [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];

before(async () => {
  await admin.collection("_superusers").authWithPassword(process.env.SUPERUSER_EMAIL, process.env.SUPERUSER_PASSWORD);
  await admin.collections.create({
    name: "sdk_albums",
    listRule: "",
    viewRule: "@request.auth.id != ''",
    createRule: "",
    updateRule: "",
    fields: [
      { name: "title", type: "text" },
      { name: "photos", type: "file", maxSelect: 5, thumbs: ["2x2"] },
      { name: "secret", type: "file", maxSelect: 1, protected: true },
    ],
  });
});

async function download(url) {
  const res = await fetch(url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get("content-type") };
}

test("upload, list, download byte for byte, thumbnail, append and remove", async () => {
  const pb = new PocketBase(URL);
  const form = new FormData();
  form.append("title", "holiday");
  form.append("photos", new Blob([PNG]), "beach.png");
  form.append("photos", new Blob(["hello"]), "notes.txt");
  const album = await pb.collection("sdk_albums").create(form);
  assert.equal(album.photos.length, 2);
  assert.match(album.photos[0], /^beach_[a-z0-9]{10}\.png$/);

  const listed = await admin.collection("sdk_albums").getFullList({ filter: `id = "${album.id}"` });
  assert.deepEqual(listed[0].photos, album.photos);

  const original = await download(pb.files.getURL(album, album.photos[0]));
  assert.equal(original.status, 200);
  assert.equal(original.type, "image/png");
  assert.deepEqual(original.bytes, PNG);
  const thumb = await download(pb.files.getURL(album, album.photos[0], { thumb: "2x2" }));
  assert.deepEqual(pngSize(thumb.bytes), [2, 2]);
  const text = await download(pb.files.getURL(album, album.photos[1], { download: true }));
  assert.equal(text.bytes.toString(), "hello");

  const more = await pb.collection("sdk_albums").update(album.id, { "photos+": new File(["more"], "more.txt") });
  assert.equal(more.photos.length, 3);
  const fewer = await pb.collection("sdk_albums").update(album.id, { "photos-": [album.photos[1]] });
  assert.deepEqual(fewer.photos, [album.photos[0], more.photos[2]]);
  assert.equal((await download(pb.files.getURL(album, album.photos[1]))).status, 404);
});

test("a protected file needs a file token of someone the view rule admits", async () => {
  const pb = new PocketBase(URL);
  const album = await pb.collection("sdk_albums").create({ title: "private", secret: new File(["classified"], "plan.txt") });
  assert.equal((await download(pb.files.getURL(album, album.secret))).status, 404);

  await pb.collection("users").create({ email: "files@example.com", password: "12345678", passwordConfirm: "12345678" });
  await pb.collection("users").authWithPassword("files@example.com", "12345678");
  const token = await pb.files.getToken();
  const allowed = await download(pb.files.getURL(album, album.secret, { token }));
  assert.equal(allowed.status, 200);
  assert.equal(allowed.bytes.toString(), "classified");
});
